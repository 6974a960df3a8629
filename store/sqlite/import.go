package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"coterforum/forum"
)

// Bulk writes (benchmarks, data copies): rows are written by the very
// functions of InsertThread and InsertPost (insertThread, insertPost: the
// row, its FTS5 terms, the authority-type rows by trigger), with their ids,
// in transactions of up to importChunk rows whose statements are prepared
// once. A chunk commits whole or not at all; a call that fails may have
// committed its earlier chunks.

// importChunk is how many threads or posts one transaction of
// ImportThreads or ImportPosts writes: large enough that a commit's sync
// is paid rarely, small enough that the writer is never held for long
// (a few tens of milliseconds) and the write-ahead log stays small.
const importChunk = 2000

// ImportThreads writes threads as InsertThread does, ids kept. Import
// them oldest first: search returns titles in the order they were written.
// An id that exists fails the call with forum.ErrDuplicate.
func (s *Store) ImportThreads(ctx context.Context, threads []forum.Thread) error {
	for len(threads) > 0 {
		n := min(len(threads), importChunk)
		chunk := sortedByID(threads[:n], func(t *forum.Thread) string { return t.ID })
		threads = threads[n:]
		err := s.importTx(ctx, func(q querier) error {
			for _, t := range chunk {
				row := *t
				if row.TitleTerms == nil {
					row.TitleTerms = forum.SearchTerms(row.Title)
				}
				if err := insertThread(ctx, q, &row); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ImportPosts writes posts as InsertPost does, ids kept; the terms of a
// post whose Terms are nil are computed from its HTML. Import them oldest
// first: search returns posts in the order they were written. An id that
// exists fails the call with forum.ErrDuplicate.
func (s *Store) ImportPosts(ctx context.Context, posts []forum.Post) error {
	for len(posts) > 0 {
		n := min(len(posts), importChunk)
		chunk := sortedByID(posts[:n], func(p *forum.Post) string { return p.ID })
		posts = posts[n:]
		err := s.importTx(ctx, func(q querier) error {
			for _, p := range chunk {
				row := *p
				if row.Terms == nil {
					row.Terms = forum.PostSearchTerms(row.HTML)
				}
				if err := insertPost(ctx, q, &row); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sortedByID returns pointers to the rows in id order (time order for the
// forum's ids), leaving the caller's slice as it is.
func sortedByID[T any](rows []T, id func(*T) string) []*T {
	out := make([]*T, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	slices.SortStableFunc(out, func(a, b *T) int { return strings.Compare(id(a), id(b)) })
	return out
}

// importTx runs fn in one transaction of the writer, on a querier that
// prepares each distinct statement once.
func (s *Store) importTx(ctx context.Context, fn func(q querier) error) error {
	return s.inTx(ctx, func(ctx context.Context, tx querier) error {
		q := &preparedTx{tx: tx.(*txQ).tx, stmts: map[string]*sql.Stmt{}}
		defer q.close()
		return fn(q)
	})
}

// preparedTx is a querier on a transaction that prepares each distinct
// statement on first use and reuses it: the same insert run thousands of
// times is parsed once.
type preparedTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (p *preparedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := p.stmts[query]; ok {
		return st, nil
	}
	st, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = st
	return st, nil
}

// ExecContext runs a prepared statement.
func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a prepared query.
func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query (not prepared: a *sql.Row cannot
// carry a preparation error).
func (p *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.tx.QueryRowContext(ctx, query, args...)
}

func (p *preparedTx) close() {
	for _, st := range p.stmts {
		_ = st.Close()
	}
}

// PrepareContext prepares a statement in the transaction.
func (p *preparedTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.tx.PrepareContext(ctx, query)
}
