package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/internal/periodic"
	"coterforum/mail"
	"coterforum/metrics"
	"coterforum/moderation"
	"coterforum/privacy"
	"coterforum/server"
)

// newLogger returns the process's logger in the configured format.
func newLogger(w io.Writer, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// job is a named background job.
type job struct {
	name string
	run  func(ctx context.Context) error
}

// backgroundJobs are the jobs serve runs, each with a logger that names it.
func backgroundJobs(svc *forum.Service, mod *moderation.Service, dig *digest.Service, srv *server.Server, log *slog.Logger) []job {
	named := func(name string) *slog.Logger { return log.With("job", name) }
	sched := dig.Scheduler()
	sched.SetLog(named("digest-scheduler"))
	return []job{
		{"session-sweeper", forum.SessionSweeper{Service: svc, Every: time.Hour, Log: named("session-sweeper")}.Run},
		{"cache-changes", forum.ChangesPoller{Service: svc, Log: named("cache-changes")}.Run},
		{"moderation-reminder", moderation.Reminder{Service: mod, Every: 15 * time.Minute, Log: named("moderation-reminder")}.Run},
		{"digest-scheduler", sched.Run},
		{"privacy-resumer", privacy.Resumer{Service: srv.Privacy(), Every: time.Hour, Log: named("privacy-resumer")}.Run},
		{"digest-pruner", digest.Pruner{Service: dig, Every: time.Hour, Log: named("digest-pruner")}.Run},
		// At start (a change cut short by a crash is recent), then hourly:
		// the threads touched since the previous run.
		{"reconcile", (&forum.Reconciler{Service: svc, Every: time.Hour, Window: 2 * time.Hour, Log: named("reconcile")}).Run},
	}
}

// mailPruner deletes the .eml files older than keep, at start and then
// every period.
type mailPruner struct {
	files *mail.FileSender
	keep  time.Duration
	every time.Duration
	log   *slog.Logger
}

// Run prunes until ctx is cancelled.
func (p mailPruner) Run(ctx context.Context) error {
	return periodic.Run(ctx, p.every, p.log, "mail files not pruned", func(context.Context) error {
		n, err := p.files.Prune(time.Now().Add(-p.keep))
		if err == nil && n > 0 {
			p.log.Info("mail files pruned", "count", n)
		}
		return err
	})
}

// startJobs runs the jobs until ctx ends; the channel closes when all have
// returned. The error a job stops with, other than ctx's cancellation, is
// logged with the job's name.
func startJobs(ctx context.Context, jobs []job, log *slog.Logger) <-chan struct{} {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			if err := j.run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("background job stopped", "job", j.name, "err", err)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

// serveMetrics serves m's /metrics on addr, on a listener of its own (no
// listener when addr is empty); the server's error goes to errc.
func serveMetrics(addr string, m *metrics.Metrics, errc chan<- error) (*http.Server, error) {
	if addr == "" || m == nil {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("FORUM_METRICS_ADDR : écoute impossible sur %s : %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	return srv, nil
}
