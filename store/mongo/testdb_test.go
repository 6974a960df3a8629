package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// The package's own tests need its unexported queries, so they cannot use
// storetest (which imports this package): they open their store here, on
// a fresh database of COTERFORUM_TEST_MONGODB_URI when it is set, else on
// FerretDB embedded, the MongoDB-wire test double.

// quiet is a logger that writes nothing.
func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// realMongoDB returns the URI of the real MongoDB to test on, if any.
func realMongoDB() string { return os.Getenv("COTERFORUM_TEST_MONGODB_URI") }

// testStore opens a store on a fresh database and returns it with a
// function that opens another store on the same database (a restart of the
// server, or a second replica).
func testStore(t *testing.T) (*Store, func() *Store) {
	t.Helper()
	cfg := Config{URI: realMongoDB()}
	if cfg.URI != "" {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		cfg.Database = "test_" + hex.EncodeToString(b)
	} else {
		cfg.URI, cfg.SerialWrites = startFerretDB(t), true
	}
	open := func() *Store {
		t.Helper()
		s, err := Open(context.Background(), cfg, quiet())
		if err != nil {
			t.Fatalf("open the store: %v", err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		return s
	}
	s := open()
	if realMongoDB() != "" {
		t.Cleanup(func() { _ = s.DropDatabase(context.Background()) })
	}
	return s, open
}

// startFerretDB starts FerretDB on SQLite files in a temporary directory,
// on a free loopback port, until the end of the test.
func startFerretDB(t *testing.T) string {
	t.Helper()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + t.TempDir() + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		t.Fatalf("start FerretDB: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Log("FerretDB did not stop in time")
		}
	})
	return f.MongoDBURI()
}
