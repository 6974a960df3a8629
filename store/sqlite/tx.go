package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"coterforum/forum"
)

// querier is what a store method runs its SQL on: the transaction of the
// Atomically call running ctx, a transaction of its own, or a reader.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

type sqlTxKey struct{}

// txFrom returns the SQL transaction of the Atomically call running ctx.
// A change that has ended has none: a call made with its context after
// it returned runs in a transaction of its own.
func txFrom(ctx context.Context) *txQ {
	tx, _ := ctx.Value(sqlTxKey{}).(*txQ)
	if tx == nil || tx.ended.Load() {
		return nil
	}
	return tx
}

// Atomically runs fn in one transaction on the writer connection: every
// store call fn makes with the context it is given joins it, and nothing
// is committed unless fn returns nil and nobody called forum.Fail. Waiting
// for the writer follows ctx; once the transaction has begun it runs to its
// end even if ctx is cancelled (a cancelled request then either committed
// everything or nothing). The functions given to forum.AfterCommit run
// after the commit.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if txFrom(ctx) != nil {
		return fn(ctx)
	}
	ctx, ftx, _ := forum.WithTx(ctx)
	ftx.SetExclusive() // the writer is held: publication must not retry with sleeps
	err := s.inTx(ctx, func(ctx context.Context, _ querier) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return ftx.Err()
	})
	if err != nil {
		ftx.Discard()
		return err
	}
	ftx.Finish()
	return nil
}

// inTx runs fn in a transaction of the writer: the one of ctx if any, else
// the writer's next (writer.go), committed with fn's changes when fn
// returns nil.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, q querier) error) error {
	if q := txFrom(ctx); q != nil {
		return fn(ctx, q)
	}
	return s.submit(ctx, fn)
}

// write runs fn on the writer (inTx without the context).
func (s *Store) write(ctx context.Context, fn func(q querier) error) error {
	return s.inTx(ctx, func(_ context.Context, q querier) error { return fn(q) })
}

// exec runs one statement on the writer and returns the rows it changed.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, q querier) error {
		res, err := q.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// read returns what reads run on: the transaction of ctx (to see its own
// writes), else the reader pool.
func (s *Store) read(ctx context.Context) querier {
	if q := txFrom(ctx); q != nil {
		return q
	}
	return readQ{s.rstmts}
}

// queryRow runs a one-row query on read(ctx).
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.read(ctx).QueryRowContext(ctx, query, args...)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryAll runs a query on read(ctx) and scans every row with scan.
func queryAll[T any](ctx context.Context, s *Store, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.read(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err())
}

// queryOne runs a one-row query and scans it; forum.ErrNotFound when there is none.
func queryOne[T any](ctx context.Context, s *Store, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(s.queryRow(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, forum.ErrNotFound
	}
	return v, mapErr(err)
}
