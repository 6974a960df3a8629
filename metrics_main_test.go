package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsListener runs serve with FORUM_METRICS_ADDR: /metrics answers
// there in the Prometheus text format, with the forum's series, and the
// public port answers 404 at /metrics.
func TestMetricsListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := ln.Addr().String()
	ln.Close()
	t.Setenv("FORUM_METRICS_ADDR", maddr)
	public := startServe(t, t.TempDir())
	if resp, err := http.Get(public + "/metrics"); err != nil || resp.StatusCode != 404 {
		t.Fatalf("public /metrics: %v %v", resp, err)
	}
	if resp, err := http.Get(public + "/"); err == nil {
		resp.Body.Close()
	}
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	for _, name := range []string{"coterforum_http_request_duration_seconds", "coterforum_moderation_queue_length",
		"coterforum_outbox_messages", "coterforum_store_operation_duration_seconds", "coterforum_cache_requests_total",
		"go_goroutines", "process_resident_memory_bytes"} {
		if fams[name] == nil {
			t.Errorf("no %s in the scrape", name)
		}
	}
	if resp, err := http.Get("http://" + maddr + "/"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("metrics listener's /: %d %s", resp.StatusCode, b)
		}
	}
}

// TestSupervisionConfig checks FORUM_METRICS_ADDR and FORUM_LOG_FORMAT:
// defaults, accepted values, and an error naming the variable otherwise.
func TestSupervisionConfig(t *testing.T) {
	t.Setenv("FORUM_METRICS_ADDR", "")
	t.Setenv("FORUM_LOG_FORMAT", "")
	c, err := loadConfig()
	if err != nil || c.MetricsAddr != "" || c.LogFormat != "text" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	t.Setenv("FORUM_METRICS_ADDR", "127.0.0.1:9090")
	t.Setenv("FORUM_LOG_FORMAT", "json")
	if c, err = loadConfig(); err != nil || c.MetricsAddr != "127.0.0.1:9090" || c.LogFormat != "json" {
		t.Fatalf("set: %+v %v", c, err)
	}
	for name, bad := range map[string]string{"FORUM_METRICS_ADDR": "9090", "FORUM_LOG_FORMAT": "xml"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, bad)
			if _, err := loadConfig(); err == nil || !strings.HasPrefix(err.Error(), name+"="+bad+" : ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s=%s: %v", name, bad, err)
			}
		})
	}
}

// TestJSONLogFormat checks that the JSON logger writes JSON lines.
func TestJSONLogFormat(t *testing.T) {
	var b strings.Builder
	newLogger(&b, "json").Info("coterforum à l'écoute", "addr", ":8080")
	if !strings.HasPrefix(b.String(), `{"time":`) || !strings.Contains(b.String(), `"addr":":8080"`) {
		t.Errorf("JSON log line: %s", b.String())
	}
}

// TestJobErrorsAreLogged checks that a job's error is logged with its
// name, and that a job stopped by its context logs nothing.
func TestJobErrorsAreLogged(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := startJobs(ctx, []job{
		{"failing-job", func(context.Context) error { return errors.New("disque plein") }},
		{"quiet-job", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }},
	}, log)
	cancel()
	<-done
	out := b.String()
	if !strings.Contains(out, "job=failing-job") || !strings.Contains(out, "disque plein") || strings.Contains(out, "quiet-job") {
		t.Errorf("job log:\n%s", out)
	}
}

// TestMetricsAddrTaken checks that a metrics port already in use stops
// the start with a line naming FORUM_METRICS_ADDR.
func TestMetricsAddrTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	t.Setenv("FORUM_DATA_DIR", t.TempDir())
	t.Setenv("MONGODB_URI", "")
	t.Setenv("FORUM_ADDR", addr)
	t.Setenv("FORUM_METRICS_ADDR", ln.Addr().String())
	err = run(context.Background(), []string{"serve"}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.HasPrefix(err.Error(), "FORUM_METRICS_ADDR ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("serve with a taken metrics port: %v", err)
	}
}
