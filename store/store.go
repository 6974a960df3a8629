// Package store is the only package that talks to the database: MongoDB when
// a URI is given, otherwise FerretDB embedded in-process on SQLite files.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Config says which database to use.
type Config struct {
	// URI of a MongoDB deployment; empty starts the embedded store.
	URI string
	// DataDir holds the embedded store's files and its lock file.
	DataDir string
	// Database is the database name (default "coterforum").
	Database string
	// ConnectTimeout bounds the first contact with the database (default 5 s).
	ConnectTimeout time.Duration
}

// Store is a connection to the forum's database.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	log      *slog.Logger
	embedded bool

	// gate lets one write command at a time reach an embedded FerretDB,
	// which otherwise loses concurrent updates to one document. It is nil
	// on MongoDB.
	gate chan struct{}
	// search is the in-memory search index of the embedded store (nil on
	// MongoDB, which answers searches from its indexes); searchByQuery makes
	// the embedded store answer with the MongoDB queries (tests compare both).
	search        *searchIndex
	searchByQuery atomic.Bool

	// sqliteDir holds the embedded store's SQLite files.
	sqliteDir  string
	stopFerret func()
	ferretDone chan struct{}
	lockFile   *os.File
	closeOnce  sync.Once
}

// ErrLocked is returned when another process already uses the data dir.
var ErrLocked = errors.New("le dossier de données est déjà utilisé par un autre processus coterforum")

// Open connects to the configured database, starting the embedded store
// when no URI is given, and makes sure the indexes exist.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	if cfg.Database == "" {
		cfg.Database = "coterforum"
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	s := &Store{log: log}
	uri := cfg.URI
	if uri == "" {
		var err error
		if uri, err = s.startEmbedded(ctx, cfg.DataDir); err != nil {
			s.Close(context.Background())
			return nil, err
		}
	}
	opts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(cfg.ConnectTimeout).
		SetConnectTimeout(cfg.ConnectTimeout).
		SetAppName("coterforum")
	client, err := mongo.Connect(opts)
	if err != nil {
		s.Close(context.Background())
		return nil, fmt.Errorf("base de données %s : %w", RedactURI(cfg.URI), err)
	}
	s.client = client
	s.db = client.Database(cfg.Database)
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout+time.Second)
	defer cancel()
	if err := client.Ping(pctx, readpref.Primary()); err != nil {
		s.Close(context.Background())
		where := RedactURI(cfg.URI)
		if cfg.URI == "" {
			where = "intégrée"
		}
		return nil, fmt.Errorf("base de données %s injoignable : %w", where, err)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		s.Close(context.Background())
		return nil, fmt.Errorf("création des index : %w", err)
	}
	if s.embedded {
		// Only a matter of speed: a FerretDB whose tables differ keeps working without them.
		if err := s.addSQLiteIDIndexes(ctx, s.sqliteDir, cfg.Database); err != nil {
			s.log.Warn("SQLite _id indexes not created: lookups by _id will scan", "err", err)
		}
	}
	return s, nil
}

// startEmbedded locks the data dir and starts FerretDB on a free loopback port.
func (s *Store) startEmbedded(ctx context.Context, dataDir string) (string, error) {
	if dataDir == "" {
		dataDir = "./data"
	}
	// The lock comes first: a second process must touch nothing.
	lock, err := LockDir(dataDir)
	if err != nil {
		return "", err
	}
	s.lockFile = lock
	dbDir := filepath.Join(dataDir, "db")
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return "", fmt.Errorf("dossier de données %s : %w", dataDir, err)
	}
	abs, err := filepath.Abs(dbDir)
	if err != nil {
		return "", err
	}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
		Logger:    quiet,
	})
	if err != nil {
		return "", fmt.Errorf("démarrage de la base intégrée : %w", err)
	}
	fctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopFerret = stop
	s.ferretDone = make(chan struct{})
	go func() {
		defer close(s.ferretDone)
		_ = f.Run(fctx)
	}()
	s.embedded = true
	s.sqliteDir = abs
	s.gate = make(chan struct{}, 1)
	s.search = newSearchIndex()
	return f.MongoDBURI(), nil
}

// LockDir takes an exclusive, non-blocking lock on dir/coterforum.lock. The
// lock lasts as long as the returned file stays open.
func LockDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "coterforum.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("verrou %s : %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, dir)
		}
		return nil, fmt.Errorf("verrou %s : %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}

// Embedded reports whether the store runs the embedded FerretDB.
func (s *Store) Embedded() bool { return s.embedded }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.client.Ping(ctx, readpref.Primary())
}

// Close disconnects, stops the embedded store and releases the data dir lock.
func (s *Store) Close(ctx context.Context) {
	s.closeOnce.Do(func() {
		if s.client != nil {
			_ = s.client.Disconnect(ctx)
		}
		if s.stopFerret != nil {
			s.stopFerret()
			select {
			case <-s.ferretDone:
			case <-time.After(10 * time.Second):
				s.log.Warn("embedded store did not stop in time")
			}
		}
		if s.lockFile != nil {
			_ = s.lockFile.Close()
		}
	})
}

// write runs one write command through the write gate.
func (s *Store) write(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.gate != nil {
		select {
		case s.gate <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-s.gate }()
	}
	return fn(ctx)
}

// RedactURI hides the password of a database URI for messages and logs.
func RedactURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		if i := strings.Index(uri, "@"); i >= 0 {
			return "mongodb://xxxxx@" + uri[i+1:]
		}
		return uri
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.Redacted()
}

func (s *Store) c(name string) *mongo.Collection { return s.db.Collection(name) }

// DropDatabase removes the whole database (tests against a shared MongoDB).
func (s *Store) DropDatabase(ctx context.Context) error {
	return s.db.Drop(ctx)
}
