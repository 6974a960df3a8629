// Package storetest gives tests a real, fresh store: an embedded FerretDB on
// SQLite under the test's temporary directory, or, when the environment
// variable COTERFORUM_TEST_MONGODB_URI is set, a fresh database on that MongoDB.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"

	"coterforum/store"
)

// New opens a fresh store for the test and closes it at the end.
func New(t testing.TB) *store.Store {
	t.Helper()
	return NewAt(t, t.TempDir())
}

// NewAt opens a store whose embedded data lives in dir (so a test can reopen it).
func NewAt(t testing.TB, dir string) *store.Store {
	t.Helper()
	cfg := store.Config{DataDir: dir}
	if uri := os.Getenv("COTERFORUM_TEST_MONGODB_URI"); uri != "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		cfg.URI = uri
		cfg.Database = "test_" + hex.EncodeToString(b)
	}
	s, err := store.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if cfg.URI != "" {
			_ = s.DropDatabase(context.Background())
		}
		s.Close(context.Background())
	})
	return s
}
