// Command coterforum is the forum of a club of IT directors of French local
// authorities. See README.md.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"coterforum/demo"
	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
	"coterforum/metrics"
	"coterforum/moderation"
	"coterforum/privacy"
	"coterforum/server"
	"coterforum/store"
)

// config is read from the environment (CONTRACT.md): configVars, in
// config.go, defines and checks every variable.
type config struct {
	Addr     string
	BaseURL  string
	DataDir  string
	MongoURI string
	// MongoDB is the database name on MONGODB_URI (MONGODB_DATABASE,
	// default "coterforum"); the benchmark uses a fresh one.
	MongoDB  string
	SMTPURL  string
	MailFrom string
	// MailKeep (FORUM_MAIL_KEEP, a Go duration, default 720h) is how long
	// the .eml files written without SMTP are kept.
	MailKeep time.Duration
	// Moderation rules: FORUM_TRUST_AFTER (approved posts before publishing
	// at once, default 3), FORUM_REPORTS_TO_HIDE (default 3),
	// FORUM_REMIND_AFTER (a Go duration, default 24h).
	Moderation moderation.Config
	// TrustedProxies (FORUM_TRUSTED_PROXIES, comma-separated CIDRs) are the
	// reverse proxies whose X-Forwarded-For gives the client address.
	TrustedProxies []*net.IPNet
	// CacheBytes (FORUM_CACHE_BYTES) bounds the in-process read and render
	// cache (default forum.DefaultCacheBytes, 64 MiB; 0 turns it off).
	CacheBytes int64
	// Privacy: FORUM_DELETE_POSTS_POLICY (choice, the default, or
	// anonymise) and FORUM_DPO_EMAIL (the club's data protection officer).
	Privacy privacy.Config
	// MetricsAddr (FORUM_METRICS_ADDR, host:port) serves /metrics apart
	// from the public port; empty: no metrics listener.
	MetricsAddr string
	// LogFormat (FORUM_LOG_FORMAT) is "text" (default) or "json".
	LogFormat string
	// OIDC is the login with ProConnect (FORUM_OIDC_*); off without an issuer.
	OIDC server.OIDCConfig
}

// memoryHeadroom is what the server's Go heap needs beyond its render
// cache: two logins' argon2id buffers (19 MiB each) and the rest. Without
// GOMEMLIMIT, the Go runtime's soft memory limit is the cache's bound plus
// this (128 MiB with the default cache): the garbage collector works
// harder near it rather than let the heap grow past each hash. SQLite's
// page caches (at most 24 MiB) are outside the Go heap.
const memoryHeadroom = 64 << 20

func main() {
	// The configuration says the logs' format; run reads it again and
	// reports a bad value.
	format := "text"
	if cfg, err := loadConfig(); err == nil {
		format = cfg.LogFormat
	}
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, newLogger(os.Stderr, format)); err != nil {
		fmt.Fprintln(os.Stderr, "coterforum :", err)
		os.Exit(1)
	}
}

const usage = `usage :
  coterforum [serve] [--demo]        sert le forum sur FORUM_ADDR (:8080 par défaut)
  coterforum user add --email E --name N --role member|moderator|admin --authority-type SLUG --authority "NOM" --password-stdin
  coterforum digest run --frequency daily|weekly   envoie maintenant les résumés de cette fréquence
  coterforum config                  affiche la configuration effective (secrets masqués) et d'où vient chaque valeur
  coterforum healthcheck [--url URL]  code 0 si le serveur est prêt (GET /readyz), 1 sinon
  coterforum backup --to FICHIER     sauvegarde la base configurée, serveur en marche
  coterforum restore --from FICHIER [--force]   restaure une sauvegarde dans une base vide (--force : l'efface d'abord)
  coterforum copy --from DOSSIER|URI --to DOSSIER|URI [--quiet] [--resume] [--batch N]
                                     copie un forum d'une base à l'autre (SQLite ou mongodb://)
  coterforum repair --check|--fix    recalcule depuis les messages les compteurs des fils et des membres ;
                                     --check liste les écarts (code 1 s'il y en a), --fix les répare`

// run loads the configuration and runs the command in args with log.
func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	if wantsHelp(args) {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	return runConfig(ctx, cfg, args, stdin, stdout, log)
}

// wantsHelp reports whether args ask for help: the help command, or -h,
// -help or --help anywhere before a "--" (coterforum backup --help prints the
// usage of every command instead of failing on an unknown flag, and needs no
// configuration).
func wantsHelp(args []string) bool {
	if len(args) > 0 && args[0] == "help" {
		return true
	}
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// runConfig runs the command in args with the configuration cfg.
func runConfig(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	for _, w := range unknownVars(os.Environ()) {
		log.Warn(w)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.CacheBytes + memoryHeadroom)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		args = append([]string{"serve"}, args...)
	}
	switch args[0] {
	case "serve":
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		withDemo := fs.Bool("demo", false, "remplit un forum vide avec des exemples et affiche les identifiants")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return serve(ctx, cfg, *withDemo, stdout, log)
	case "digest":
		if len(args) < 2 || args[1] != "run" {
			return errors.New(usage)
		}
		return digestRun(ctx, cfg, args[2:], stdout, log)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			return errors.New(usage)
		}
		return userAdd(ctx, cfg, args[2:], stdin, stdout, log)
	case "config":
		if len(args) > 1 {
			return errors.New(usage)
		}
		return printConfig(stdout, os.LookupEnv)
	case "healthcheck":
		return healthcheck(ctx, cfg, args[1:])
	case "backup":
		return backupCmd(ctx, cfg, args[1:], stdout)
	case "restore":
		return restoreCmd(ctx, cfg, args[1:], stdout)
	case "copy":
		return copyCmd(ctx, cfg, args[1:], stdout)
	case "repair":
		return repairCmd(ctx, cfg, args[1:], stdout, log)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("commande inconnue %q\n%s", args[0], usage)
}

// openService opens the store and seeds the taxonomy. A command (user add,
// digest run) opens the embedded store beside a running server, without
// its lock.
// With m, the store's operations and the cache's lookups are measured.
func openService(ctx context.Context, cfg config, log *slog.Logger, command bool, m *metrics.Metrics) (store.Store, *forum.Service, error) {
	scfg := store.Config{URI: cfg.MongoURI, Database: cfg.MongoDB, DataDir: cfg.DataDir, Command: command}
	if m != nil {
		scfg.Observe = m.ObserveStore
	}
	st, err := store.Open(ctx, scfg, log)
	if err != nil {
		return nil, nil, err
	}
	svc := forum.New(st, log, nil)
	svc.SetCacheBytes(cfg.CacheBytes)
	if m != nil {
		svc.SetCacheObserver(m.CacheLookup)
		m.WatchCache(svc.Cache)
		m.WatchStore(st, st, nil)
	}
	// Other processes may write to this database (replicas on MongoDB,
	// commands beside the server on SQLite): invalidations go through the
	// database's change sequence, and serve follows the others'
	// (RunChanges). Replicas also bound the age of cache entries.
	var maxAge time.Duration
	if st.Engine() == "mongodb" {
		maxAge = forum.DefaultMaxAge
	}
	svc.ShareChanges(forum.DefaultPollEvery, maxAge)
	if err := svc.SeedTaxonomy(ctx); err != nil {
		st.Close(context.Background())
		return nil, nil, fmt.Errorf("initialisation des thèmes : %w", err)
	}
	return st, svc, nil
}

func serve(ctx context.Context, cfg config, withDemo bool, stdout io.Writer, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Metrics only when they have a listener of their own.
	var m *metrics.Metrics
	if cfg.MetricsAddr != "" {
		m = metrics.New(log)
	}
	st, svc, err := openService(ctx, cfg, log, false, m)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	// Posts and threads written before search existed get their terms
	// (idempotent: once done, one query per collection).
	if posts, threads, err := svc.IndexSearchTerms(ctx); err != nil {
		log.Error("index de recherche incomplet", "err", err)
	} else if posts+threads > 0 {
		log.Info("index de recherche complété", "posts", posts, "threads", threads)
	}
	sender, err := mail.New(cfg.SMTPURL, cfg.MailFrom, cfg.DataDir)
	if err != nil {
		return err
	}
	dig, err := newDigest(ctx, cfg, st, svc, sender, log, m)
	if err != nil {
		return err
	}
	var creds []demo.Credential
	if withDemo {
		// Seeded before the moderation rules are installed: the sample
		// content is published as it stands.
		if creds, err = demo.Seed(ctx, svc); err != nil {
			return fmt.Errorf("contenu de démonstration : %w", err)
		}
	}
	mod := moderation.New(svc, st, sender, cfg.Moderation, log)
	if withDemo {
		if creds != nil {
			newcomer, err := demo.SeedNewcomer(ctx, svc)
			if err != nil {
				return fmt.Errorf("contenu de démonstration : %w", err)
			}
			creds = append(creds, newcomer)
			if err := demo.SaveCredentials(cfg.DataDir, creds, cfg.BaseURL); err != nil {
				log.Warn("identifiants de démonstration non enregistrés", "err", err)
			}
		}
		demo.Print(stdout, creds, cfg.BaseURL)
	}
	srv, err := server.New(ctx, svc, server.Config{BaseURL: cfg.BaseURL, Mail: sender, Log: log, Ready: st.Ping, Moderation: mod,
		TrustedProxies: cfg.TrustedProxies, Digest: dig, MailFiles: fileSender(sender), Privacy: cfg.Privacy, Metrics: m, OIDC: cfg.OIDC})
	if err != nil {
		return err
	}
	httpSrv := &http.Server{Addr: cfg.Addr, Handler: srv, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}
	// Background jobs: each is a Run(ctx) loop that stops with jobsCtx. A
	// job logs its failed rounds with its name; the error it stops with,
	// if any, is logged here with its name.
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	jobs := backgroundJobs(svc, mod, dig, srv, log)
	if files := fileSender(sender); files != nil {
		jobs = append(jobs, job{"mail-pruner", mailPruner{files: files, keep: cfg.MailKeep, every: time.Hour, log: log.With("job", "mail-pruner")}.Run})
	}
	jobsDone := startJobs(jobsCtx, jobs, log)
	// The metrics listener first: a port taken stops the start.
	errc := make(chan error, 2)
	metricsSrv, err := serveMetrics(cfg.MetricsAddr, m, errc)
	if err != nil {
		stopJobs()
		<-jobsDone
		return err
	}
	go func() { errc <- httpSrv.ListenAndServe() }()
	log.Info("coterforum à l'écoute", "addr", cfg.Addr, "url", cfg.BaseURL, "store", st.Engine(), "metrics", cfg.MetricsAddr)
	select {
	case err := <-errc:
		_ = httpSrv.Close()
		if metricsSrv != nil {
			_ = metricsSrv.Close()
		}
		stopJobs()
		<-jobsDone
		return err
	case <-ctx.Done():
	}
	stop() // a second signal stops the process at once
	shutdown(log, httpSrv, metricsSrv, srv.WaitBackground, stopJobs, jobsDone, dig, st)
	return nil
}

// shutdownGrace bounds each step of a graceful stop: requests in flight,
// then background jobs. Give the orchestrator a longer grace period
// (docker-compose.yml: stop_grace_period).
const shutdownGrace = 10 * time.Second

// shutdown stops serve in order (SIGTERM, SIGINT): stop accepting and finish
// the requests in flight (up to shutdownGrace), stop the background jobs
// (each returns after its current iteration), give back the outbox
// messages this process claimed and did not send, close the store. Each
// step is logged with its duration.
func shutdown(log *slog.Logger, httpSrv, metricsSrv *http.Server, waitHTTPWork func(context.Context), stopJobs func(), jobsDone <-chan struct{}, dig *digest.Service, st store.Store) {
	start := time.Now()
	log.Info("arrêt : plus de nouvelles connexions, fin des requêtes en cours", "délai", shutdownGrace)
	step := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		log.Warn("arrêt : requêtes encore en cours après le délai, connexions coupées", "err", err)
		_ = httpSrv.Close()
	}
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(sctx)
	}
	// Mails that requests started after answering (password resets).
	waitHTTPWork(sctx)
	log.Info("arrêt : HTTP fermé", "durée", time.Since(step))
	step = time.Now()
	stopJobs()
	select {
	case <-jobsDone:
		log.Info("arrêt : tâches de fond arrêtées", "durée", time.Since(step))
	case <-time.After(shutdownGrace):
		log.Warn("arrêt : des tâches de fond tournent encore, la base est fermée sous elles", "durée", time.Since(step))
	}
	step = time.Now()
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	released, busy, err := dig.ReleaseClaims(rctx)
	rcancel()
	if err != nil {
		log.Warn("arrêt : messages réservés non rendus (ils le seront à l'expiration de leur réservation)", "err", err)
	} else {
		log.Info("arrêt : messages réservés rendus à la boîte d'envoi", "messages", released, "encore_en_envoi", busy, "durée", time.Since(step))
	}
	step = time.Now()
	st.Close(context.Background())
	log.Info("arrêt : base fermée", "durée", time.Since(step))
	log.Info("arrêté", "durée", time.Since(start))
}

func userAdd(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	email := fs.String("email", "", "adresse électronique")
	name := fs.String("name", "", "nom affiché")
	role := fs.String("role", "member", "member, moderator ou admin")
	authType := fs.String("authority-type", "", "commune, intercommunalite, departement ou region")
	authority := fs.String("authority", "", "nom de la collectivité")
	pwStdin := fs.Bool("password-stdin", false, "lire le mot de passe sur l'entrée standard")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, usage)
	}
	if !*pwStdin {
		return errors.New("le mot de passe se lit sur l'entrée standard : ajoutez --password-stdin")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("lecture du mot de passe : %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, svc, err := openService(ctx, cfg, quiet, true, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	m, err := svc.CreateMember(ctx, forum.NewMember{Email: *email, DisplayName: *name, Role: *role,
		AuthorityType: *authType, Authority: *authority, Password: password})
	if err != nil {
		var ve *forum.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("%s (--%s)", ve.Msg, flagName(ve.Field))
		}
		return err
	}
	fmt.Fprintf(stdout, "compte créé : %s <%s>, rôle %s\n", m.DisplayName, m.Email, m.Role)
	_ = log
	return nil
}

func flagName(field string) string {
	switch field {
	case "display_name":
		return "name"
	case "authority_type":
		return "authority-type"
	case "password":
		return "password-stdin"
	}
	return field
}

// newDigest builds the digest service with its signing key from the store.
// With m, its runs and deliveries are measured.
func newDigest(ctx context.Context, cfg config, st store.Store, svc *forum.Service, sender mail.Sender, log *slog.Logger, m *metrics.Metrics) (*digest.Service, error) {
	key, err := st.Secret(ctx, "digest")
	if err != nil {
		return nil, fmt.Errorf("secret des liens de désabonnement : %w", err)
	}
	dcfg := digest.Config{BaseURL: cfg.BaseURL, SecretKey: key}
	if m != nil {
		dcfg.Observer = m
	}
	return digest.New(svc, st, sender, dcfg, log), nil
}

// fileSender returns the sender when mail is written to .eml files, else nil.
func fileSender(s mail.Sender) *mail.FileSender {
	f, _ := s.(*mail.FileSender)
	return f
}

// digestRun sends now, to every confirmed subscriber of the frequency, what
// is new in what they follow (CONTRACT.md), then waits a little for retries.
func digestRun(ctx context.Context, cfg config, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("digest run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	frequency := fs.String("frequency", "", "daily ou weekly")
	wait := fs.Duration("wait", 2*time.Minute, "durée maximale d'attente des nouvelles tentatives d'envoi")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v\n%s", err, usage)
	}
	if *frequency != digest.Daily && *frequency != digest.Weekly {
		return errors.New("--frequency vaut daily ou weekly")
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, svc, err := openService(ctx, cfg, quiet, true, nil)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	sender, err := mail.New(cfg.SMTPURL, cfg.MailFrom, cfg.DataDir)
	if err != nil {
		return err
	}
	moderation.New(svc, st, sender, cfg.Moderation, quiet)
	dig, err := newDigest(ctx, cfg, st, svc, sender, log, nil)
	if err != nil {
		return err
	}
	res, err := runDigestNow(ctx, dig, *frequency, *wait)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d résumé(s) envoyé(s)\n", res.Sent)
	if res.Pending > 0 {
		fmt.Fprintf(stdout, "%d message(s) en attente de nouvelle tentative (envoyés au prochain passage)\n", res.Pending)
	}
	return nil
}

// digestRunResult is what `digest run` reports.
type digestRunResult struct {
	Sent    int
	Pending int
}

// runDigestNow builds and sends the digests of a frequency and waits up to
// wait for the retries. Beside a running server, the digest lease in the
// database keeps the two from building the same digests.
func runDigestNow(ctx context.Context, dig *digest.Service, frequency string, wait time.Duration) (digestRunResult, error) {
	// Another run of the same frequency (the scheduler's, or another
	// process's) holds the lease: wait for it rather than fail.
	var sent int
	var err error
	for deadline := time.Now().Add(2 * time.Minute); ; {
		sent, err = dig.RunOnce(ctx, frequency, time.Now())
		if !errors.Is(err, digest.ErrBusy) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return digestRunResult{}, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		return digestRunResult{}, fmt.Errorf("résumés %s : %w", frequency, err)
	}
	more, pending, err := dig.Drain(ctx, wait)
	if err != nil {
		return digestRunResult{}, fmt.Errorf("envoi des résumés : %w", err)
	}
	return digestRunResult{Sent: sent + more, Pending: pending}, nil
}
