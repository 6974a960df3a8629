// Package store opens the forum's database: SQLite in the data dir, the
// embedded default (store/sqlite), or MongoDB when a URI is given, for
// several replicas (store/mongo). Both implement Store and pass the same
// conformance suite (store/storetest).
package store

import (
	"context"
	"log/slog"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/privacy"
	"coterforum/store/mongo"
	"coterforum/store/sqlite"
)

// Store is everything the forum needs from its database.
type Store interface {
	forum.Store
	forum.AttachmentStore
	moderation.Store
	digest.Store
	privacy.Store
	forum.ChangeStore
	// Dumper streams the whole forum out and in (backup, restore, copy).
	Dumper

	// IncCounter adds delta to the named counter and returns its new value,
	// exactly under concurrency.
	IncCounter(ctx context.Context, name string, delta int64) (int64, error)

	// ImportSubscribers bulk-inserts subscribers and subscriptions
	// (benchmarks, imports); those that exist are skipped.
	ImportSubscribers(ctx context.Context, subs []digest.Subscriber, subscriptions []digest.Subscription) error
	// ImportThreads bulk-inserts threads with their ids, written as
	// InsertThread writes them (benchmarks, data copies); oldest first.
	ImportThreads(ctx context.Context, threads []forum.Thread) error
	// ImportPosts bulk-inserts posts with their ids, written as InsertPost
	// writes them (benchmarks, data copies); oldest first.
	ImportPosts(ctx context.Context, posts []forum.Post) error

	// Engine names the engine: "sqlite" or "mongodb".
	Engine() string
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database (and the data dir's lock).
	Close(ctx context.Context)
}

// Config says which database to use.
type Config struct {
	// URI of a MongoDB deployment; empty uses SQLite in DataDir.
	URI string
	// Database is the database name on MongoDB (default "coterforum").
	Database string
	// DataDir holds the SQLite database and the server's lock file.
	DataDir string
	// Command opens the SQLite store for a command (user add, digest run)
	// that may run beside the server: it does not take the server's lock.
	Command bool
	// ConnectTimeout bounds the first contact with MongoDB (default 5 s).
	ConnectTimeout time.Duration
	// Observe, when set (metrics), is told the duration of each store
	// operation with the engine's name ("sqlite" or "mongodb"); see
	// sqlite.Config.Observe and mongo.Config.Observe for the operations.
	Observe func(engine, op string, d time.Duration)
}

// ErrLocked is returned when a second server starts on a data dir.
var ErrLocked = sqlite.ErrLocked

// Open opens the configured store.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (Store, error) {
	if cfg.URI != "" {
		return mongo.Open(ctx, mongo.Config{URI: cfg.URI, Database: cfg.Database, ConnectTimeout: cfg.ConnectTimeout,
			Observe: engineObserver(cfg.Observe, "mongodb")}, log)
	}
	return sqlite.Open(ctx, sqlite.Config{DataDir: cfg.DataDir, Command: cfg.Command, Observe: engineObserver(cfg.Observe, "sqlite")}, log)
}

// RedactURI hides the password of a database URI for messages and logs.
func RedactURI(uri string) string { return mongo.RedactURI(uri) }

var (
	_ Store = (*mongo.Store)(nil)
	_ Store = (*sqlite.Store)(nil)
)

// engineObserver binds an observer to an engine's name; nil stays nil.
func engineObserver(observe func(engine, op string, d time.Duration), engine string) func(op string, d time.Duration) {
	if observe == nil {
		return nil
	}
	return func(op string, d time.Duration) { observe(engine, op, d) }
}
