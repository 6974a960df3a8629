// Package storetest gives tests a real, fresh store, one database per test:
//
//   - SQLite in the test's temporary directory, the default;
//   - the MongoDB store on FerretDB embedded in-process (the MongoDB-wire
//     test double, on SQLite files) when COTERFORUM_TEST_STORE=ferretdb;
//   - the MongoDB store on a fresh database of COTERFORUM_TEST_MONGODB_URI
//     when that is set (the public CI's replica set).
//
// Engines lists the engines the conformance suite (Run) covers: SQLite and
// FerretDB always, a real MongoDB when its URI is set. FerretDB is only
// ever linked into test binaries.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"coterforum/store"
	"coterforum/store/mongo"
	"coterforum/store/sqlite"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Engine names for COTERFORUM_TEST_STORE.
const (
	SQLite   = "sqlite"
	FerretDB = "ferretdb"
	MongoDB  = "mongodb"
)

// Engine is a way to open a fresh store for a test.
type Engine struct {
	Name string
	// Open opens a store whose data lives in dir when the engine has files
	// (SQLite, FerretDB): opening the same dir again finds the same data.
	Open func(t testing.TB, dir string) store.Store
}

// Engines returns the engines the conformance suite runs on.
func Engines() []Engine {
	es := []Engine{{SQLite, openSQLite}, {FerretDB, openFerretDB}}
	if os.Getenv("COTERFORUM_TEST_MONGODB_URI") != "" {
		es = append(es, Engine{MongoDB, openMongoDB})
	}
	return es
}

// Default is the engine of New: COTERFORUM_TEST_STORE, else MongoDB when
// COTERFORUM_TEST_MONGODB_URI is set, else SQLite.
func Default() Engine {
	name := os.Getenv("COTERFORUM_TEST_STORE")
	if name == "" && os.Getenv("COTERFORUM_TEST_MONGODB_URI") != "" {
		name = MongoDB
	}
	switch name {
	case FerretDB:
		return Engine{FerretDB, openFerretDB}
	case MongoDB:
		return Engine{MongoDB, openMongoDB}
	}
	return Engine{SQLite, openSQLite}
}

// New opens a fresh store of the default engine for the test and closes it
// at the end.
func New(t testing.TB) store.Store {
	t.Helper()
	return NewAt(t, t.TempDir())
}

// NewAt opens a store of the default engine whose data lives in dir (so a
// test can close and reopen it).
func NewAt(t testing.TB, dir string) store.Store {
	t.Helper()
	return Default().Open(t, dir)
}

// Quiet is a logger that writes nothing.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openSQLite(t testing.TB, dir string) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{DataDir: dir}, Quiet())
	if err != nil {
		t.Fatalf("open SQLite store: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// openFerretDB starts FerretDB on SQLite files under dir/ferretdb, on a free
// loopback port, and connects the MongoDB store to it with serial writes
// (FerretDB loses concurrent updates to one document).
func openFerretDB(t testing.TB, dir string) store.Store {
	t.Helper()
	fdir, err := filepath.Abs(filepath.Join(dir, "ferretdb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(fdir, 0o700); err != nil {
		t.Fatal(err)
	}
	// FerretDB's own log is not wanted; slog.DiscardHandler also spares
	// formatting the attributes its loggers carry (a text handler
	// writing to io.Discard formatted them: a fifth of the CPU of an
	// insertMany of 1 000 posts).
	quiet := slog.New(slog.DiscardHandler)
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + fdir + "/",
		Logger:    quiet,
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
	s, err := mongo.Open(context.Background(), mongo.Config{URI: f.MongoDBURI(), SerialWrites: true}, Quiet())
	if err != nil {
		stop()
		<-done
		t.Fatalf("open MongoDB store on FerretDB: %v", err)
	}
	fs := &ferretStore{Store: s, stop: func() {
		stop()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Log("FerretDB did not stop in time")
		}
	}}
	t.Cleanup(func() { fs.Close(context.Background()) })
	return fs
}

// ferretStore is the MongoDB store on an embedded FerretDB: closing it
// also stops FerretDB, so that a test can reopen the same files.
type ferretStore struct {
	*mongo.Store
	once sync.Once
	stop func()
}

// Close closes the store, then FerretDB.
func (f *ferretStore) Close(ctx context.Context) {
	f.once.Do(func() {
		f.Store.Close(ctx)
		f.stop()
	})
}

// openMongoDB opens a fresh database on COTERFORUM_TEST_MONGODB_URI, dropped
// at the end of the test.
func openMongoDB(t testing.TB, _ string) store.Store {
	t.Helper()
	uri := os.Getenv("COTERFORUM_TEST_MONGODB_URI")
	if uri == "" {
		t.Fatal("COTERFORUM_TEST_STORE=mongodb needs COTERFORUM_TEST_MONGODB_URI")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	s, err := mongo.Open(context.Background(), mongo.Config{URI: uri, Database: "test_" + hex.EncodeToString(b)}, Quiet())
	if err != nil {
		t.Fatalf("open MongoDB store: %v", err)
	}
	t.Cleanup(func() {
		_ = s.DropDatabase(context.Background())
		s.Close(context.Background())
	})
	return s
}
