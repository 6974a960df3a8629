// Package sqlite is coterforum's embedded store: one SQLite database file in
// the data dir (plus its write-ahead log), used directly through
// database/sql and modernc.org/sqlite (pure Go: the binary stays static).
//
//   - The schema is a list of numbered migrations embedded in the binary
//     (migrations/), applied at start, each in its own transaction and
//     recorded in schema_migrations.
//   - WAL mode; one writer connection (writes queue in Go, never on
//     SQLITE_BUSY) and a pool of readers that never wait for the writer.
//   - A change that spans rows commits in one transaction (Atomically).
//   - Search runs on FTS5 tables fed with the French normaliser's terms.
//   - One server per data dir: a lock file (gofrs/flock) refuses a second
//     one. Commands (user add, digest run) open the database beside a
//     running server; SQLite's own locking keeps them safe.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// FileName is the database file inside the data dir.
const FileName = "coterforum.db"

// Config says where the database lives and who opens it.
type Config struct {
	// DataDir holds the database file and the server's lock file.
	DataDir string
	// Command opens the database for a command that may run beside the
	// server: the server's lock is not taken.
	Command bool
	// Readers is the size of the reader pool (default 2 per CPU, at least 4).
	Readers int
	// MaxPages, when not zero, caps the database's size in pages of 4 KiB
	// (PRAGMA max_page_count): tests use it to fill the "disk".
	MaxPages int
	// Observe, when set (metrics), is told the duration of each operation:
	// "read" (a query on the reader pool, until its first row), "write" (a
	// change, from its submission to its commit, queueing included) and
	// "commit" (a group commit of the writer).
	Observe func(op string, d time.Duration)
}

// ErrLocked is returned when a second server opens a data dir.
var ErrLocked = errors.New("un autre serveur coterforum utilise déjà ce dossier de données")

// Store is the SQLite store.
type Store struct {
	log  *slog.Logger
	path string
	// w is the single writer connection; r the pool of readers.
	w, r *sql.DB
	// queue feeds the writer goroutine (writer.go).
	queue                  chan *job
	writerStop, writerDone chan struct{}
	// ck checkpoints the write-ahead log (startCheckpoints).
	ck              *sql.DB
	stopCheckpoints func()
	// wstmts and rstmts keep their prepared statements (stmts.go).
	wstmts, rstmts *stmtCache
	lock           *flock.Flock
	closeOnce      sync.Once
	// observe is Config.Observe, or a function that does nothing.
	observe func(op string, d time.Duration)
}

// Open opens (creating it if needed) the database of the data dir and
// applies the migrations this binary knows.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	dir := cfg.DataDir
	if dir == "" {
		dir = "./data"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dossier de données %s : %w", dir, err)
	}
	s := &Store{log: log, path: filepath.Join(dir, FileName), observe: cfg.Observe}
	if s.observe == nil {
		s.observe = func(string, time.Duration) {}
	}
	if !cfg.Command {
		// The lock comes first: a second server must touch nothing.
		s.lock = flock.New(filepath.Join(dir, "coterforum.lock"), flock.SetPermissions(0o600))
		ok, err := s.lock.TryLock()
		if err != nil {
			return nil, fmt.Errorf("verrou du dossier de données %s : %w", dir, unavailable(err))
		}
		if !ok {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, dir)
		}
	}
	if err := checkWritable(dir); err != nil {
		s.Close(ctx)
		return nil, err
	}
	// The database holds personal data: readable by the server's user
	// only. SQLite gives its -wal and -shm files the database file's mode.
	if f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		_ = f.Close()
	}
	var err error
	if s.w, err = openDB(s.path, false, cfg.MaxPages); err != nil {
		s.Close(ctx)
		return nil, err
	}
	s.wstmts = newStmtCache(s.w)
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("base de données %s illisible : %w", s.path, mapErr(err))
	}
	if !strings.EqualFold(mode, "wal") {
		s.Close(ctx)
		return nil, fmt.Errorf("base de données %s : mode WAL refusé (%s)", s.path, mode)
	}
	if err := migrate(ctx, s.w, log); err != nil {
		s.Close(ctx)
		return nil, fmt.Errorf("base de données %s : %w", s.path, err)
	}
	s.startWriter()
	if s.r, err = openDB(s.path, true, 0); err != nil {
		s.Close(ctx)
		return nil, err
	}
	n := cfg.Readers
	if n <= 0 {
		n = max(4, 2*runtime.NumCPU())
	}
	s.rstmts = newStmtCache(s.r)
	s.rstmts.observe = cfg.Observe
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	if err := s.startCheckpoints(); err != nil {
		s.Close(ctx)
		return nil, err
	}
	return s, nil
}

// checkpointEvery is how often the write-ahead log is copied into the
// database file, off the writer.
const checkpointEvery = 500 * time.Millisecond

// startCheckpoints copies the write-ahead log into the database file in the
// background, on a connection of its own: the writer does not checkpoint
// (wal_autocheckpoint 0), so no reply waits for a checkpoint of the pages
// of the hundred before it. A passive checkpoint never blocks the writer
// nor the readers; the log is reused from its start once fully copied.
func (s *Store) startCheckpoints() error {
	ck, err := openDB(s.path, false, 0)
	if err != nil {
		return err
	}
	ck.SetMaxOpenConns(1)
	s.ck = ck
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.stopCheckpoints = func() { stop(); <-done }
	go func() {
		defer close(done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			var busy, logged, copied int
			if err := ck.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied); err != nil && ctx.Err() == nil {
				s.log.Warn("checkpoint of the write-ahead log failed", "err", err)
			}
		}
	}()
	return nil
}

// openDB opens a pool on the database file with the forum's settings.
func openDB(path string, readOnly bool, maxPages int) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(0)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "cache_size(-4000)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// FULL: a commit is on disk before it is acknowledged, even if the
		// machine loses power (NORMAL would only survive a crash of the
		// process). ~0.5 ms a commit on this machine's disk.
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "cache_size(-8000)")
		q.Add("_pragma", "temp_store(memory)")
		// The checkpoints run in the background (startCheckpoints); the
		// log file is cut back to 64 MiB after a checkpoint that emptied it.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		q.Add("_pragma", "journal_size_limit(67108864)")
		if maxPages > 0 {
			q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", maxPages))
		}
		q.Set("_txlock", "immediate")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("base de données %s : %w", path, err)
	}
	return db, nil
}

// checkWritable refuses a data dir where the database cannot be written,
// with one clear line, before SQLite finds out in the middle of a write.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("le dossier de données %s n'est pas accessible en écriture : %w", dir, unavailable(err))
	}
	name := f.Name()
	_, werr := f.Write(make([]byte, 4096))
	cerr := f.Close()
	_ = os.Remove(name)
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("le dossier de données %s n'est pas accessible en écriture : %w", dir, unavailable(err))
	}
	return nil
}

// Engine names the store's engine.
func (s *Store) Engine() string { return "sqlite" }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return mapErr(s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one))
}

// Close closes the database and releases the data dir's lock. The writer
// closes last: its connection checkpoints the write-ahead log.
func (s *Store) Close(ctx context.Context) {
	s.closeOnce.Do(func() {
		s.stopWriter()
		if s.stopCheckpoints != nil {
			s.stopCheckpoints()
		}
		if s.ck != nil {
			_ = s.ck.Close()
		}
		if s.rstmts != nil {
			s.rstmts.close()
		}
		if s.r != nil {
			_ = s.r.Close()
		}
		if s.wstmts != nil {
			s.wstmts.close()
		}
		if s.w != nil {
			_, _ = s.w.ExecContext(context.WithoutCancel(ctx), "PRAGMA optimize")
			_ = s.w.Close()
		}
		if s.lock != nil {
			_ = s.lock.Unlock()
		}
	})
}

// IntegrityCheck runs SQLite's integrity check: "ok" when the database is sound.
func (s *Store) IntegrityCheck(ctx context.Context) (string, error) {
	var res string
	err := s.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
	return res, mapErr(err)
}
