package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coterforum/store"
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

func TestUserAddWhileServerHoldsDataDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	lock, err := store.LockDir(dir) // as a running server does
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	args := []string{"user", "add", "--email", "a@b.fr", "--name", "A", "--authority-type", "commune", "--authority", "Ville", "--password-stdin"}
	err = run(context.Background(), args, strings.NewReader("un-mot-de-passe-long\n"), io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "déjà utilisé") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v", err)
	}
}

// TestDigestRunDirectAndThroughServer: without a server the command opens the
// store itself; while a server holds the data dir it asks that server.
func TestDigestRunDirectAndThroughServer(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	t.Setenv("FORUM_ADDR", "127.0.0.1:0")
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

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- run(ctx, []string{"serve"}, nil, io.Discard, log) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, controlSocket)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	out.Reset()
	if err := run(context.Background(), []string{"digest", "run", "--frequency", "weekly", "--wait", "1s"}, nil, &out, log); err != nil {
		t.Fatalf("run through the server: %v", err)
	}
	if !strings.Contains(out.String(), "0 résumé(s) envoyé(s)") {
		t.Fatalf("run through the server printed %q", out.String())
	}
}

// TestServeWithoutControlSocket: a data dir whose path is too long for a Unix
// socket still serves (the socket is only a convenience for `digest run`).
func TestServeWithoutControlSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("dossier-de-donnees-long", 5))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	t.Setenv("FORUM_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- run(ctx, []string{"serve"}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	select {
	case err := <-served:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(3 * time.Second):
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
