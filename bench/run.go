package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/store"
)

// bench runs everything: build, seed (or reuse), the uncached server's
// measures, then the cached server's, and prints the report.
func bench(ctx context.Context, o options) (err error) {
	rep := &report{Started: time.Now(), Machine: describeMachine(), Window: o.window, Warmup: o.warmup,
		Conns: o.conns, Posters: o.posters, Gzip: o.gzip, Timeout: o.timeout, Dataset: o.ds,
		Alone: o.alone}
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

	sd, serverEnv, drop, err := prepareData(ctx, o, rep, tmp)
	if drop != nil {
		defer drop()
	}
	if err != nil {
		return err
	}
	rep.Seed = sd
	if !sd.Reused {
		p := sd.Pipeline
		progress("jeu de données écrit en %s : messages en %s (%.0f/s ; rendu %s de cœur, écriture %s), RSS maximal du banc %s",
			sd.Took.Round(time.Second), p.Took.Round(time.Second), float64(p.Posts)/p.Took.Seconds(),
			p.RenderBusy.Round(time.Second), p.WriteBusy.Round(time.Second), mb(p.PeakRSS))
	}
	rep.RenderMean, rep.RenderP50, rep.RenderP99, rep.RenderPosts = timeRendering(renderSources(o.ds))
	progress("rendu Markdown : %.0f µs par message en moyenne", micro(rep.RenderMean))

	if err := runUncached(ctx, o, rep, bin, serverEnv, tmp); err != nil {
		return err
	}
	if err := runCached(ctx, o, rep, bin, serverEnv, tmp); err != nil {
		return err
	}
	rep.Machine.LoadEnd = loadAvg()
	rep.Took = time.Since(rep.Started)

	var b strings.Builder
	rep.write(&b)
	fmt.Print(b.String())
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(b.String()), 0o644); err != nil {
			return err
		}
		progress("rapport écrit dans %s", o.out)
	}
	progress("durée totale : %s", rep.Took.Round(time.Second))
	return nil
}

// runUncached starts the server with its cache off (FORUM_CACHE_BYTES=0)
// and measures its start, the pages alone and the searches: the store's
// own speed.
func runUncached(ctx context.Context, o options, rep *report, bin string, env []string, tmp string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	env = append(env[:len(env):len(env)], "FORUM_ADDR="+addr, "FORUM_BASE_URL=http://"+addr, "FORUM_CACHE_BYTES=0")
	srv, st, err := startTimed(ctx, bin, []string{"serve"}, env, addr, filepath.Join(tmp, "server-uncached.log"))
	if err != nil {
		return err
	}
	defer srv.stop()
	st.Settle = waitIdle(ctx, srv.cmd.Process.Pid, 2*time.Minute)
	rep.StartUncached = st
	progress("serveur sans cache prêt : /healthz en %s, /readyz en %s, au repos %s après (journal %s)",
		ms(st.Healthy), ms(st.Ready), ms(st.Settle), srv.log)
	sd := rep.Seed
	client := newClient(1)
	deep := min(50, sd.ThemePages)
	pages := []struct{ name, path string }{
		{"thread page", "/threads/" + sd.HotThread},
		{"theme listing page 1", "/themes/" + sd.HotTheme},
		{fmt.Sprintf("theme listing page %d", deep), "/themes/" + sd.HotTheme + "?page=" + strconv.Itoa(deep)},
		{"home", "/"},
		{"authority-type listing page 1", "/authority-types/" + sd.Types[0]},
		{"thread JSON", "/api/v1/threads/" + sd.HotThread},
	}
	for _, p := range pages {
		var check func(string) error
		if p.name == "thread page" {
			check = threadCheck
		}
		c0 := takeCPU(srv.cmd.Process.Pid)
		r, err := timeAlone(ctx, client, p.name, p.path, srv.base, o.alone, o.gzip, check)
		if err != nil {
			return err
		}
		r.CPU = takeCPU(srv.cmd.Process.Pid).since(c0)
		progress("sans cache, %s seule : médiane %s (min %s, max %s) ; %s", p.name, ms(r.Median()), ms(r.Lat[0]), ms(r.Lat[len(r.Lat)-1]), cpuLine(r.CPU))
		rep.Uncached = append(rep.Uncached, r)
	}
	progress("recherche : %d requêtes (%d tours de %d)…", o.searchRounds*len(searchQueries), o.searchRounds, len(searchQueries))
	c0 := takeCPU(srv.cmd.Process.Pid)
	if rep.Search, err = measureSearch(ctx, client, srv.base, o.searchRounds, o.gzip); err != nil {
		return err
	}
	rep.Search.CPU = takeCPU(srv.cmd.Process.Pid).since(c0)
	progress("recherche : p50 %s, p99 %s ; %s", ms(percentile(rep.Search.All, 50)), ms(percentile(rep.Search.All, 99)), cpuLine(rep.Search.CPU))
	rep.RSSUncached, _, _ = memStats(srv.cmd.Process.Pid)
	return nil
}

// threadCheck makes sure the thread page shows its first page of posts.
func threadCheck(body string) error {
	if n := strings.Count(body, `<article class="post`); n != forum.PostsPerPage {
		return fmt.Errorf("la page du fil montre %d messages (attendu %d)", n, forum.PostsPerPage)
	}
	return nil
}

// runCached starts the server as in production (render cache on) and
// measures the pages under load, the static-bytes limit, the mixed load
// and posting alone, and its memory.
func runCached(ctx context.Context, o options, rep *report, bin string, env []string, tmp string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	env = append(env[:len(env):len(env)], "FORUM_ADDR="+addr, "FORUM_BASE_URL=http://"+addr)
	srv, st, err := startTimed(ctx, bin, []string{"serve"}, env, addr, filepath.Join(tmp, "server.log"))
	if err != nil {
		return err
	}
	defer srv.stop()
	pid := srv.cmd.Process.Pid
	st.Settle = waitIdle(ctx, pid, 2*time.Minute)
	rep.StartCached = st
	rep.RSSReady, _, _ = memStats(pid)
	progress("serveur prêt sur %s : /healthz en %s, /readyz en %s, au repos %s après (pid %d, journal %s)",
		srv.base, ms(st.Healthy), ms(st.Ready), ms(st.Settle), pid, srv.log)
	sd := rep.Seed
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
		var check func(string) error
		if p.name == "thread page" {
			check = threadCheck
		}
		alone, err := timeAlone(ctx, client, p.name, p.path, srv.base, 3, o.gzip, check)
		if err != nil {
			return err
		}
		r := measure(ctx, p.name, o, pid, getter(client, srv.base+p.path, o.gzip))
		r.Alone = alone.Median()
		*p.dst = r
		settle(ctx, rep, pid, p.name)
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
		progress("connexion de %d membres…", o.posters)
		sessions, err := loginAll(ctx, srv.base, sd.Posters, o.posters)
		if err != nil {
			return err
		}
		rep.RSSPeakLogins, _, _ = memStats(pid)
		if rep.Mixed, err = runMixed(ctx, o, pid, srv.base, sd, sessions); err != nil {
			return err
		}
		settle(ctx, rep, pid, "mixed")
		rep.RSSPeakMixed, _, _ = memStats(pid)
		do := poster(newClient(o.posters), srv.base, sessions, sd.PostThreads, o.ds.Seed+1000)
		progress("publication seule : mesure %s à %d membres…", o.window, o.posters)
		c0 := takeCPU(pid)
		rep.Posting = runLoad(ctx, "posting", o.posters, o.window, o.timeout, do)
		rep.Posting.CPU = takeCPU(pid).since(c0)
		progress("publication seule : %.0f messages/s, p50 %s, p99 %s, %d erreur(s) ; %s", rep.Posting.OKRPS(),
			ms(rep.Posting.P(50)), ms(rep.Posting.P(99)), rep.Posting.Errors, cpuLine(rep.Posting.CPU))
	}
	rep.RSSPeakEnd, _, _ = memStats(pid)
	return ctx.Err()
}

// settle notes the server's memory after a measure and waits until it is
// idle (requests abandoned at a timeout may still be running).
func settle(ctx context.Context, rep *report, pid int, name string) {
	if peak, cur, err := memStats(pid); err == nil {
		progress("%s : RSS du serveur %s, pic %s", name, mb(cur), mb(peak))
		rep.Notes = append(rep.Notes, fmt.Sprintf("server RSS after the %s measure: %s, peak so far %s", name, mb(cur), mb(peak)))
	}
	if d := waitIdle(ctx, pid, 60*time.Second); d > time.Second {
		progress("%s : serveur revenu au repos %.0f s après la mesure", name, d.Seconds())
	}
}

// measure warms up then measures one closed-loop run against the server
// of process pid.
func measure(ctx context.Context, name string, o options, pid int, do doFunc) *loadResult {
	progress("%s : échauffement %s…", name, o.warmup)
	runLoad(ctx, name, o.conns, o.warmup, o.timeout, do)
	progress("%s : mesure %s à %d connexions…", name, o.window, o.conns)
	c0 := takeCPU(pid)
	r := runLoad(ctx, name, o.conns, o.window, o.timeout, do)
	r.CPU = takeCPU(pid).since(c0)
	progress("%s : %.0f req/s, p50 %s, p99 %s, %d erreur(s) ; %s", name, r.RPS(), ms(r.P(50)), ms(r.P(99)), r.Errors, cpuLine(r.CPU))
	return r
}

// cpuLine describes a measure's use of the CPU for the progress lines.
func cpuLine(u cpuUse) string {
	return fmt.Sprintf("CPU : serveur %.2f cœur, banc %.2f, autres %.2f, libre %.2f",
		u.cores(u.Server), u.cores(u.Bench), u.cores(u.Others), u.cores(u.Idle))
}

// aloneLimit bounds each request made alone.
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
	alone, err := timeAlone(ctx, client, "static", "/threads/x", p.base, 3, o.gzip, nil)
	if err != nil {
		return err
	}
	rep.Static = measure(ctx, "static-bytes limit", o, p.cmd.Process.Pid, getter(client, p.base+"/threads/x", o.gzip))
	rep.Static.Alone = alone.Median()
	rep.StaticRSS, _, _ = memStats(p.cmd.Process.Pid)
	return nil
}

// timeRendering renders every source with forum.RenderMarkdown, as a post
// is rendered when written, one after the other, and returns the mean,
// median and p99 per post.
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

// renderSources are posts like the seeded ones, for the rendering timing.
func renderSources(ds dataset) []string {
	g := newTextGen(ds.Seed + 99)
	out := make([]string, min(ds.Posts, 5000))
	for i := range out {
		out[i] = forum.NormalizeSource(g.Post())
	}
	return out
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
	if err := d.DropDatabase(ctx); err != nil && !errors.Is(err, context.Canceled) {
		progress("base %s non supprimée : %v", cfg.Database, err)
	}
}
