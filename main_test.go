package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

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
