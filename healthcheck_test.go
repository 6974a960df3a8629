package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// healthcheckCmd runs `coterforum healthcheck --url url` as main does (an
// error is exit status 1).
func healthcheckCmd(url string) error {
	return run(context.Background(), []string{"healthcheck", "--url", url}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestHealthcheck(t *testing.T) {
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/readyz" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/readyz"
	}
	if err := healthcheckCmd(status(http.StatusOK)); err != nil {
		t.Errorf("200: %v, want exit 0", err)
	}
	if err := healthcheckCmd(status(http.StatusServiceUnavailable)); err == nil {
		t.Error("503: exit 0, want 1")
	}
	// Unreachable: a port that was just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := healthcheckCmd("http://" + addr + "/readyz"); err == nil {
		t.Error("unreachable: exit 0, want 1")
	}
	// A server that hangs: the check gives up after its timeout.
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	t.Cleanup(func() { close(hang); slow.Close() })
	start := time.Now()
	if err := healthcheckCmd(slow.URL + "/readyz"); err == nil {
		t.Error("hanging server: exit 0, want 1")
	}
	if took := time.Since(start); took > healthcheckTimeout+time.Second {
		t.Errorf("hanging server: gave up after %v", took)
	}
}

// TestHealthcheckDefaultURL: without --url the check asks the loopback on
// the port of FORUM_ADDR.
func TestHealthcheckDefaultURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/readyz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/readyz",
		"[::]:8080":      "http://127.0.0.1:8080/readyz",
		"127.0.0.1:8081": "http://127.0.0.1:8081/readyz",
		"[::1]:8082":     "http://[::1]:8082/readyz",
		"localhost:8083": "http://localhost:8083/readyz",
	} {
		if got := readyURL(addr); got != want {
			t.Errorf("readyURL(%q) = %q, want %q", addr, got, want)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	t.Setenv("FORUM_ADDR", srv.Listener.Addr().String())
	if err := run(context.Background(), []string{"healthcheck"}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("default URL on FORUM_ADDR: %v", err)
	}
}
