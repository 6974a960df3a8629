package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"coterforum/forum"
)

// Group commit. Every write goes through one goroutine that owns the
// writer connection. It takes the changes waiting for it and runs them in
// one transaction, each in a savepoint of its own, then commits once: one
// fsync, one copy of the pages several changes dirty (the thread, its
// listings' index pages, the search index's new segment) for the whole
// batch. A change whose function fails is rolled back to its savepoint and
// gets its error; the others commit. An error that can undo the whole
// transaction (full disk, I/O error: SQLite may roll it back itself) fails
// the batch: each of its changes gets the error, none is committed, none
// is acknowledged.

// maxBatch bounds the changes committed together.
const maxBatch = 64

// job is one change waiting for the writer.
type job struct {
	ctx  context.Context
	fn   func(ctx context.Context, q querier) error
	done chan error
	// panicked is what fn panicked with: the caller panics with it again.
	panicked any
}

// errClosed answers the changes still waiting when the store closes.
var errClosed = errors.New("base de données fermée")

// startWriter starts the goroutine that runs the writes.
func (s *Store) startWriter() {
	s.queue = make(chan *job, 4*maxBatch)
	s.writerStop = make(chan struct{})
	s.writerDone = make(chan struct{})
	go func() {
		defer close(s.writerDone)
		for {
			select {
			case j := <-s.queue:
				s.runBatch(j)
			case <-s.writerStop:
				for {
					select {
					case j := <-s.queue:
						j.done <- errClosed
					default:
						return
					}
				}
			}
		}
	}()
}

// stopWriter stops the writer goroutine once the batch it runs is done.
func (s *Store) stopWriter() {
	if s.writerStop != nil {
		close(s.writerStop)
		<-s.writerDone
	}
}

// submit queues fn for the writer and waits for its outcome. Waiting in
// the queue follows ctx; a change the writer has begun runs to its end.
func (s *Store) submit(ctx context.Context, fn func(ctx context.Context, q querier) error) error {
	start := time.Now()
	defer func() { s.observe("write", time.Since(start)) }()
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.queue <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.writerDone:
		return errClosed
	}
	var err error
	select {
	case err = <-j.done:
	case <-s.writerDone:
		// The writer stopped: it answered j before (done is buffered),
		// or j reached the queue after its last drain and never will.
		select {
		case err = <-j.done:
		default:
			err = errClosed
		}
	}
	if j.panicked != nil {
		panic(j.panicked)
	}
	return err
}

// runBatch runs first and the changes queued behind it in one transaction.
func (s *Store) runBatch(first *job) {
	bg := context.Background()
	defer s.wstmts.prepareWanted() // once the writer is free
	conn, err := s.w.Conn(bg)
	if err != nil {
		first.done <- mapErr(err)
		return
	}
	defer conn.Close()
	tx, err := conn.BeginTx(bg, nil)
	if err != nil {
		first.done <- mapErr(err)
		return
	}
	var batch []*job
	var results []error
	var fatal error
	run := func(j *job) {
		if err := j.ctx.Err(); err != nil {
			j.done <- err // cancelled while it waited: never begun
			return
		}
		batch = append(batch, j)
		if _, err := tx.ExecContext(bg, "SAVEPOINT change"); err != nil {
			fatal = mapErr(err)
			results = append(results, fatal)
			return
		}
		cq := &txQ{tx: tx, cache: s.wstmts}
		err := mapErr(s.call(j, cq))
		cq.ended.Store(true)
		switch {
		case err == nil:
		case errors.Is(err, forum.ErrUnavailable):
			fatal = err
		default:
			if _, rerr := tx.ExecContext(bg, "ROLLBACK TO change"); rerr != nil {
				fatal = mapErr(rerr)
			}
		}
		if fatal == nil {
			if _, rerr := tx.ExecContext(bg, "RELEASE change"); rerr != nil {
				fatal = mapErr(rerr)
			}
		}
		results = append(results, err)
	}
	run(first)
	for fatal == nil && len(batch) < maxBatch {
		select {
		case j := <-s.queue:
			run(j)
			continue
		default:
		}
		break
	}
	if len(batch) == 0 {
		_ = tx.Rollback()
		return
	}
	if fatal == nil {
		start := time.Now()
		fatal = mapErr(tx.Commit())
		s.observe("commit", time.Since(start))
	} else {
		_ = tx.Rollback()
	}
	for i, j := range batch {
		if fatal != nil {
			j.done <- fatal
		} else {
			j.done <- results[i]
		}
	}
}

// call runs a job's function in the batch's transaction; a panic is kept
// for the caller and undoes the job's changes.
func (s *Store) call(j *job, q *txQ) (err error) {
	defer func() {
		if r := recover(); r != nil {
			j.panicked = r
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return j.fn(context.WithValue(context.WithoutCancel(j.ctx), sqlTxKey{}, q), q)
}
