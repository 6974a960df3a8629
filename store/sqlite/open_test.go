package sqlite

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenAppliesSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	all, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.r.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(all) {
		t.Fatalf("migrations = %d, %v; want %d", n, err, len(all))
	}
	for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v: the database is readable by other users", name, fi.Mode().Perm())
		}
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

// TestNewerSchemaRefused: a database migrated by a newer coterforum is
// refused with a clear message, not used half-understood.
func TestNewerSchemaRefused(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: dir}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future', 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	_, err = Open(ctx, Config{DataDir: dir}, quiet())
	if err == nil || !strings.Contains(err.Error(), "plus récent que ce programme") {
		t.Fatalf("newer schema: %v", err)
	}
}

// TestMigrationsAreNumberedInOrder checks the embedded migrations: named
// NNNN_name.sql, numbered from 1 without a gap.
func TestMigrationsAreNumberedInOrder(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("migrations: %+v", ms)
	}
}
