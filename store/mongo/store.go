// Package mongo is coterforum's MongoDB store: the engine for several
// replicas of the server sharing one replica set (or Atlas). Invariants rest
// on single-document atomicity and unique indexes; every hot query has an
// index matching its filter and its sort (indexes.go).
package mongo

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Config says which MongoDB to use.
type Config struct {
	// URI of the MongoDB deployment.
	URI string
	// Database is the database name (default "coterforum").
	Database string
	// ConnectTimeout bounds the first contact with the database (default 5 s).
	ConnectTimeout time.Duration
	// SerialWrites sends one write command at a time. Only for FerretDB, the
	// MongoDB-wire test double, which loses concurrent updates to one
	// document; never for a real MongoDB.
	SerialWrites bool
	// Observe, when set (metrics), is told the duration of each command
	// the driver sends, by command name (find, insert, update, aggregate…),
	// whether it succeeded or failed.
	Observe func(op string, d time.Duration)
}

// Store is a connection to the forum's MongoDB database.
type Store struct {
	client *mongodrv.Client
	db     *mongodrv.Database
	log    *slog.Logger
	uri    string

	// gate lets one write command at a time through (SerialWrites); nil on
	// a real MongoDB.
	gate      chan struct{}
	closeOnce sync.Once
}

// Open connects to the database, makes its indexes exactly the current
// ones (indexes.go) and runs the data migrations not done yet (migrations.go).
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	if cfg.Database == "" {
		cfg.Database = "coterforum"
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	s := &Store{log: log, uri: cfg.URI}
	if cfg.SerialWrites {
		s.gate = make(chan struct{}, 1)
	}
	opts := options.Client().ApplyURI(cfg.URI).
		SetServerSelectionTimeout(cfg.ConnectTimeout).
		SetConnectTimeout(cfg.ConnectTimeout).
		SetAppName("coterforum")
	if obs := cfg.Observe; obs != nil {
		opts.SetMonitor(&event.CommandMonitor{
			Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { obs(e.CommandName, e.Duration) },
			Failed:    func(_ context.Context, e *event.CommandFailedEvent) { obs(e.CommandName, e.Duration) },
		})
	}
	client, err := mongodrv.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("base de données %s : %w", RedactURI(cfg.URI), err)
	}
	s.client = client
	s.db = client.Database(cfg.Database)
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout+time.Second)
	defer cancel()
	if err := client.Ping(pctx, readpref.Primary()); err != nil {
		s.Close(context.Background())
		return nil, fmt.Errorf("base de données %s injoignable : %w", RedactURI(cfg.URI), err)
	}
	if err := s.ensureIndexes(ctx); err != nil {
		s.Close(context.Background())
		return nil, fmt.Errorf("création des index : %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close(context.Background())
		return nil, err
	}
	return s, nil
}

// Engine names the store's engine.
func (s *Store) Engine() string { return "mongodb" }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.client.Ping(ctx, readpref.Primary())
}

// Close disconnects.
func (s *Store) Close(ctx context.Context) {
	s.closeOnce.Do(func() {
		if s.client != nil {
			_ = s.client.Disconnect(ctx)
		}
	})
}

// write runs one write command, through the gate when writes are serial.
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

func (s *Store) c(name string) *mongodrv.Collection { return s.db.Collection(name) }

// DropDatabase removes the whole database (tests and benchmarks on a shared MongoDB).
func (s *Store) DropDatabase(ctx context.Context) error {
	return s.db.Drop(ctx)
}
