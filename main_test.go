package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	args := []string{"user", "add", "--email", "Alice@Ville-Lyon.fr", "--name", "Alice Martin", "--role", "admin",
		"--authority-type", "commune", "--authority", "Ville de Lyon", "--password-stdin"}
	var out bytes.Buffer
	if err := run(context.Background(), args, strings.NewReader("un-mot-de-passe-long\n"), &out, log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "alice@ville-lyon.fr") {
		t.Fatalf("output: %q", out.String())
	}
	// The same email again: one clear error line.
	err := run(context.Background(), args, strings.NewReader("un-mot-de-passe-long\n"), &out, log)
	if err == nil || !strings.Contains(err.Error(), "existe déjà") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("duplicate: %v", err)
	}
	// Bad role and short password are refused with the flag named.
	bad := append([]string{}, args...)
	bad[3] = "bob@ville-lyon.fr"
	bad[7] = "root"
	if err := run(context.Background(), bad, strings.NewReader("un-mot-de-passe-long\n"), &out, log); err == nil || !strings.Contains(err.Error(), "--role") {
		t.Fatalf("bad role: %v", err)
	}
	bad[7] = "member"
	if err := run(context.Background(), bad, strings.NewReader("court\n"), &out, log); err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Fatalf("short password: %v", err)
	}
	if err := run(context.Background(), args[:len(args)-1], strings.NewReader(""), &out, log); err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Fatalf("missing --password-stdin: %v", err)
	}
}

// startServe runs `coterforum serve` on dir until the test ends, and waits
// until it answers /healthz.
func startServe(t *testing.T, dir string) (url string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	t.Setenv("FORUM_ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, []string{"serve"}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	url = "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return url
		}
		select {
		case err := <-served:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSecondServerRefused: one server per data dir, refused with one line.
func TestSecondServerRefused(t *testing.T) {
	dir := t.TempDir()
	startServe(t, dir)
	err := run(context.Background(), []string{"serve"}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "déjà ce dossier de données") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("second server: %v", err)
	}
}

// TestUserAddWhileServerRuns: the command writes beside the running server,
// which then knows the new member (login through the API).
func TestUserAddWhileServerRuns(t *testing.T) {
	dir := t.TempDir()
	url := startServe(t, dir)
	args := []string{"user", "add", "--email", "a@b.fr", "--name", "Alice", "--authority-type", "commune", "--authority", "Ville", "--password-stdin"}
	var out bytes.Buffer
	if err := run(context.Background(), args, strings.NewReader("un-mot-de-passe-long\n"), &out, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("user add beside the server: %v", err)
	}
	resp, err := http.Post(url+"/api/v1/session", "application/json", strings.NewReader(`{"email":"a@b.fr","password":"un-mot-de-passe-long"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login of the member added beside the server: %d", resp.StatusCode)
	}
}

// TestDigestRunDirectAndBesideServer: the command sends the digests itself,
// with or without a server on the data dir.
func TestDigestRunDirectAndBesideServer(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"digest", "run", "--frequency", "daily", "--wait", "1s"}, nil, &out, log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 résumé(s) envoyé(s)") {
		t.Fatalf("direct run printed %q", out.String())
	}
	if err := run(context.Background(), []string{"digest", "run", "--frequency", "hourly"}, nil, &out, log); err == nil {
		t.Fatal("bad frequency accepted")
	}
	startServe(t, dir)
	out.Reset()
	if err := run(context.Background(), []string{"digest", "run", "--frequency", "weekly", "--wait", "1s"}, nil, &out, log); err != nil {
		t.Fatalf("run beside the server: %v", err)
	}
	if !strings.Contains(out.String(), "0 résumé(s) envoyé(s)") {
		t.Fatalf("run beside the server printed %q", out.String())
	}
}
