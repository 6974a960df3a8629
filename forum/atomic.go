package forum

import (
	"context"
	"errors"
	"sync"
)

// Atomicity of a change that spans several records (a reply: the post, its
// thread's counters, the author's count, the cache versions).
//
// Store.Atomically runs a function whose store calls commit together: one
// transaction on SQLite; on MongoDB, which the forum uses without
// multi-document transactions, the calls run in order and finish even if
// the request is cancelled. Inside it, AfterCommit defers work that must
// only run once the change is durable (the in-process cache invalidation),
// and Fail undoes the change where the engine can.

// Tx is the state of one Store.Atomically call, carried by its context.
// Stores create it with WithTx; services use AfterCommit and Fail.
type Tx struct {
	mu    sync.Mutex
	after []func()
	err   error
	// exclusive: the engine holds its only writer for the whole call.
	exclusive bool
}

// SetExclusive records that the engine holds its only writer for the whole
// Atomically call (SQLite): work inside it must not wait or retry, since
// every other write waits for it.
func (t *Tx) SetExclusive() {
	t.mu.Lock()
	t.exclusive = true
	t.mu.Unlock()
}

// Exclusive says whether SetExclusive was called.
func (t *Tx) Exclusive() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exclusive
}

type txKey struct{}

// WithTx returns a context carrying a new Tx, for a store's Atomically.
// Inside an Atomically already, it returns ctx and its Tx, and nested is
// true: the outer call commits.
func WithTx(ctx context.Context) (_ context.Context, tx *Tx, nested bool) {
	if tx, ok := ctx.Value(txKey{}).(*Tx); ok {
		return ctx, tx, true
	}
	tx = &Tx{}
	return context.WithValue(ctx, txKey{}, tx), tx, false
}

// TxFrom returns the Tx of the Atomically call running ctx, or nil.
func TxFrom(ctx context.Context) *Tx {
	tx, _ := ctx.Value(txKey{}).(*Tx)
	return tx
}

// Err is the error given to Fail, if any: the store must not commit.
func (t *Tx) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Finish runs the functions deferred by AfterCommit, in order. A store calls
// it once the change committed (or, on an engine without transactions, once
// the calls ran, whatever their outcome: what was written stays written).
func (t *Tx) Finish() {
	t.mu.Lock()
	after := t.after
	t.after = nil
	t.mu.Unlock()
	for _, fn := range after {
		fn()
	}
}

// Discard drops the deferred functions: the change was rolled back.
func (t *Tx) Discard() {
	t.mu.Lock()
	t.after = nil
	t.mu.Unlock()
}

// AfterCommit runs fn once the Atomically call running ctx has committed, or
// at once outside one.
func AfterCommit(ctx context.Context, fn func()) {
	tx := TxFrom(ctx)
	if tx == nil {
		fn()
		return
	}
	tx.mu.Lock()
	tx.after = append(tx.after, fn)
	tx.mu.Unlock()
}

// ErrNotAtomic is returned by Fail outside an Atomically call.
var ErrNotAtomic = errors.New("not inside Store.Atomically")

// Fail makes the Atomically call running ctx fail with err (the first error
// given wins): on SQLite nothing of it is committed. Outside one it returns
// ErrNotAtomic and the caller must handle err itself.
func Fail(ctx context.Context, err error) error {
	tx := TxFrom(ctx)
	if tx == nil {
		return ErrNotAtomic
	}
	tx.mu.Lock()
	if tx.err == nil {
		tx.err = err
	}
	tx.mu.Unlock()
	return nil
}

// change runs the store writes of fn and invalidates keys in one
// Store.Atomically: the writes and the cache versions commit together.
func (s *Service) change(ctx context.Context, fn func(ctx context.Context) error, keys ...Key) error {
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		s.Invalidate(ctx, keys...)
		return nil
	})
}
