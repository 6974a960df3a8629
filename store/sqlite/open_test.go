package sqlite

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

func TestOpenAppliesSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != 1 {
		t.Fatalf("migrations = %d, %v", n, err)
	}
	s.Close(context.Background())
	s, err = Open(context.Background(), Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if _, err := Open(context.Background(), Config{DataDir: dir}, nil); err == nil {
		t.Fatal("second server opened the data dir")
	}
}
