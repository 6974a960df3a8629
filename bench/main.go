// Command bench is coterforum's benchmark suite (issue 6): it seeds a
// realistic forum in a fresh data dir (or a fresh database of MONGODB_URI),
// starts the real server binary on it, and measures the pages readers load
// most, the static-bytes limit of the machine, posting throughput, Markdown
// rendering and the server's peak memory. See BENCHMARKS.md.
//
//	go run ./bench [-d 20s] [-c 50] [-posters 10] [-out BENCHMARKS-run.md]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"coterforum/forum"
	"coterforum/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench :", err)
		os.Exit(1)
	}
}

type options struct {
	window, warmup, timeout time.Duration
	conns, posters          int
	gzip, keep              bool
	out, bin                string
	ds                      dataset
}

func run() error {
	var o options
	flag.DurationVar(&o.window, "d", 20*time.Second, "durée de chaque mesure")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "échauffement avant chaque mesure (remplit le cache de rendu)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "délai maximal d'une requête (au-delà : erreur)")
	flag.IntVar(&o.conns, "c", 50, "connexions simultanées des lecteurs")
	flag.IntVar(&o.posters, "posters", 10, "membres qui publient en même temps (0 : pas de mesure d'écriture)")
	flag.BoolVar(&o.gzip, "gzip", true, "envoyer Accept-Encoding: gzip, deflate, br comme un navigateur")
	flag.BoolVar(&o.keep, "keep", false, "garder le dossier temporaire (et la base MongoDB) après la mesure")
	flag.StringVar(&o.out, "out", "", "écrire aussi le tableau Markdown dans ce fichier")
	flag.StringVar(&o.bin, "bin", "", "binaire coterforum déjà construit (défaut : go build du dépôt)")
	flag.IntVar(&o.ds.Threads, "threads", 500, "fils du jeu de données")
	flag.IntVar(&o.ds.Posts, "posts", 5000, "messages du jeu de données (premiers messages compris)")
	flag.IntVar(&o.ds.Members, "members", 20, "membres du jeu de données")
	flag.IntVar(&o.ds.HotReplies, "replies", 50, "réponses du fil mesuré")
	flag.Uint64Var(&o.ds.Seed, "seed", 6, "graine du générateur")
	staticDir := flag.String("serve-static", "", "(interne) servir la page enregistrée dans ce dossier")
	staticAddr := flag.String("addr", "", "(interne) adresse du serveur d'octets statiques")
	flag.Parse()
	if *staticDir != "" {
		return serveStatic(*staticDir, *staticAddr)
	}
	if o.conns < 1 || o.posters < 0 || o.window <= 0 {
		return errors.New("-c ≥ 1, -posters ≥ 0 et -d > 0")
	}
	if o.ds.Members < 4 {
		return errors.New("-members ≥ 4")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return bench(ctx, o)
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func bench(ctx context.Context, o options) (err error) {
	rep := &report{Started: time.Now(), Machine: describeMachine(), Window: o.window, Warmup: o.warmup,
		Conns: o.conns, Posters: o.posters, Gzip: o.gzip, Timeout: o.timeout, Dataset: o.ds}
	tmp, err := os.MkdirTemp("", "coterforum-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		progress("dossier temporaire gardé : %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	bin := o.bin
	if bin == "" {
		t0 := time.Now()
		progress("construction du serveur (go build)…")
		if bin, err = buildServer(ctx, tmp); err != nil {
			return err
		}
		rep.BuildDur = time.Since(t0)
	}

	// The dataset, in a fresh data dir or a fresh database.
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	dataDir := filepath.Join(tmp, "data")
	cfg := store.Config{DataDir: dataDir}
	serverEnv := []string{"FORUM_DATA_DIR=" + dataDir}
	rep.Store = "embedded FerretDB v1.24 on SQLite (write gate: one write at a time)"
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		cfg.URI, cfg.Database = uri, fmt.Sprintf("coterforum_bench_%d", time.Now().Unix())
		serverEnv = append(serverEnv, "MONGODB_URI="+uri, "MONGODB_DATABASE="+cfg.Database)
		rep.Store = "MongoDB " + store.RedactURI(uri) + ", database " + cfg.Database
		if !o.keep {
			defer dropDatabase(cfg, quiet)
		}
	}
	progress("jeu de données : %d fils, %d messages, %d membres…", o.ds.Threads, o.ds.Posts, o.ds.Members)
	sd, err := seedForum(ctx, cfg, o.ds, quiet)
	if err != nil {
		return fmt.Errorf("jeu de données : %w", err)
	}
	rep.Seed = sd
	progress("jeu de données écrit en %.1f s (dont %.1f s de rendu Markdown)", sd.Took.Seconds(), sd.RenderTook.Seconds())

	rep.RenderMean, rep.RenderP50, rep.RenderP99, rep.RenderPosts = timeRendering(sd.Sources)
	progress("rendu Markdown : %.0f µs par message en moyenne", micro(rep.RenderMean))

	// The real server, in its own process, so that its memory is its own.
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	serverEnv = append(serverEnv, "FORUM_ADDR="+addr, "FORUM_BASE_URL=http://"+addr)
	srv, err := startProc(ctx, bin, []string{"serve"}, serverEnv, addr, filepath.Join(tmp, "server.log"), "/readyz")
	if err != nil {
		return err
	}
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	rep.RSSReady, _, _ = memStats(pid)
	progress("serveur prêt sur %s (pid %d, journal %s)", srv.base, pid, srv.log)

	client := newClient(o.conns)
	pages := []struct {
		dst  **loadResult
		name string
		path string
	}{
		{&rep.Thread, "thread page", "/threads/" + sd.HotThread},
		{&rep.Theme, "theme listing", "/themes/" + sd.HotTheme},
		{&rep.Home, "home", "/"},
		{&rep.JSON, "thread JSON", "/api/v1/threads/" + sd.HotThread},
	}
	for _, p := range pages {
		alone, err := checkPage(ctx, client, srv.base+p.path, o.gzip, p.name == "thread page")
		if err != nil {
			return err
		}
		r := measure(ctx, p.name, o, getter(client, srv.base+p.path, o.gzip))
		r.Alone = alone
		*p.dst = r
		if peak, cur, err := memStats(pid); err == nil {
			progress("%s : RSS du serveur %s, pic %s", p.name, mb(cur), mb(peak))
			rep.Notes = append(rep.Notes, fmt.Sprintf("server RSS after the %s measure: %s, peak so far %s", p.name, mb(cur), mb(peak)))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d := waitIdle(ctx, pid, 60*time.Second); d > time.Second {
			progress("%s : serveur revenu au repos %.0f s après la mesure", p.name, d.Seconds())
		}
	}
	rep.RSSPeakReads, rep.RSSCurReads, _ = memStats(pid)

	// The static-bytes limit: the thread page as the server sent it,
	// replayed from memory by an Echo server in its own process.
	staticDir := filepath.Join(tmp, "static")
	if _, err := recordPage(client, srv.base+"/threads/"+sd.HotThread, o.gzip, staticDir); err != nil {
		return err
	}
	if err := runStatic(ctx, o, rep, staticDir, tmp); err != nil {
		return err
	}

	if o.posters > 0 {
		if err := runPosting(ctx, o, rep, srv.base, sd); err != nil {
			return err
		}
	}
	rep.RSSPeakEnd, _, _ = memStats(pid)
	rep.Machine.LoadEnd = loadAvg()
	if rep.Thread != nil && rep.Thread.Errors > 0 {
		rep.Notes = append(rep.Notes, "thread page errors: "+rep.Thread.FirstErr)
	}
	for _, l := range []*loadResult{rep.Theme, rep.Home, rep.JSON, rep.Static, rep.Posting} {
		if l != nil && l.Errors > 0 {
			rep.Notes = append(rep.Notes, l.Name+" errors: "+l.FirstErr)
		}
	}
	srv.stop()

	var b strings.Builder
	rep.write(&b)
	fmt.Print(b.String())
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(b.String()), 0o644); err != nil {
			return err
		}
		progress("tableau écrit dans %s", o.out)
	}
	return nil
}

// measure warms up then measures one closed-loop run.
func measure(ctx context.Context, name string, o options, do doFunc) *loadResult {
	progress("%s : échauffement %s…", name, o.warmup)
	runLoad(ctx, name, o.conns, o.warmup, o.timeout, do)
	progress("%s : mesure %s à %d connexions…", name, o.window, o.conns)
	r := runLoad(ctx, name, o.conns, o.window, o.timeout, do)
	progress("%s : %.0f req/s, p50 %s, p99 %s, %d erreur(s)", name, r.RPS(), ms(r.P(50)), ms(r.P(99)), r.Errors)
	return r
}

// checkPage makes sure a measured page answers 200 before measuring it (for
// the thread page, that it shows the 20 posts of its first page), and
// returns the median time of three requests made one after the other, or
// -aloneLimit when one of them takes longer than aloneLimit.
func checkPage(ctx context.Context, client *http.Client, url string, gzip, isThread bool) (time.Duration, error) {
	var lat []time.Duration
	for range 3 {
		rctx, cancel := context.WithTimeout(ctx, aloneLimit)
		defer cancel()
		req, err := newGet(rctx, url, gzip)
		if err != nil {
			return 0, err
		}
		if isThread {
			req.Header.Del("Accept-Encoding") // to count the posts below
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			progress("attention : GET %s seul a pris plus de %s", url, aloneLimit)
			return -aloneLimit, nil
		}
		if err != nil {
			return 0, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t0))
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s : HTTP %d", url, resp.StatusCode)
		}
		if isThread {
			if n := strings.Count(string(body), `<article class="post`); n != forum.PostsPerPage {
				progress("attention : la page du fil montre %d messages (attendu %d)", n, forum.PostsPerPage)
			}
		}
	}
	slices.Sort(lat)
	return lat[1], nil
}

// aloneLimit bounds each request of checkPage.
const aloneLimit = 30 * time.Second

// runStatic measures the static-bytes server.
func runStatic(ctx context.Context, o options, rep *report, dir, tmp string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	p, err := startProc(ctx, self, []string{"-serve-static", dir, "-addr", addr}, nil, addr, filepath.Join(tmp, "static.log"), "/healthz")
	if err != nil {
		return err
	}
	defer p.stop()
	client := newClient(o.conns)
	alone, err := checkPage(ctx, client, p.base+"/threads/x", o.gzip, false)
	if err != nil {
		return err
	}
	rep.Static = measure(ctx, "static-bytes limit", o, getter(client, p.base+"/threads/x", o.gzip))
	rep.Static.Alone = alone
	rep.StaticRSS, _, _ = memStats(p.cmd.Process.Pid)
	return nil
}

// runPosting logs posters in through the API and measures replies.
func runPosting(ctx context.Context, o options, rep *report, base string, sd *seeded) error {
	if len(sd.Posters) == 0 || len(sd.PostThreads) == 0 {
		return errors.New("aucun membre publiant sans modération, ou aucun fil où répondre")
	}
	client := newClient(o.posters)
	sessions := make([]*apiSession, o.posters)
	progress("posting : connexion de %d membres…", o.posters)
	for i := range sessions {
		s, err := login(ctx, client, base, sd.Posters[i%len(sd.Posters)], benchPassword)
		if err != nil {
			return err
		}
		sessions[i] = s
	}
	do := poster(client, base, sessions, sd.PostThreads, o.ds.Seed+1000)
	progress("posting : mesure %s à %d membres…", o.window, o.posters)
	r := runLoad(ctx, "posting", o.posters, o.window, o.timeout, do)
	progress("posting : %.0f messages/s, p50 %s, p99 %s, %d erreur(s)", r.OKRPS(), ms(r.P(50)), ms(r.P(99)), r.Errors)
	rep.Posting = r
	return nil
}

// timeRendering renders every source with forum.RenderMarkdown, as a post
// is rendered when written, and returns the mean, median and p99 per post.
func timeRendering(sources []string) (mean, p50, p99 time.Duration, n int) {
	if len(sources) == 0 {
		return 0, 0, 0, 0
	}
	per := make([]time.Duration, 0, len(sources))
	var total time.Duration
	for _, src := range sources {
		t0 := time.Now()
		_, _ = forum.RenderMarkdown(src)
		d := time.Since(t0)
		per = append(per, d)
		total += d
	}
	slices.Sort(per)
	return total / time.Duration(len(per)), percentile(per, 50), percentile(per, 99), len(per)
}

// dropDatabase removes the benchmark's MongoDB database.
func dropDatabase(cfg store.Config, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, cfg, log)
	if err != nil {
		progress("base %s non supprimée : %v", cfg.Database, err)
		return
	}
	defer st.Close(ctx)
	d, ok := st.(interface{ DropDatabase(context.Context) error })
	if !ok {
		return
	}
	if err := d.DropDatabase(ctx); err != nil {
		progress("base %s non supprimée : %v", cfg.Database, err)
	}
}
