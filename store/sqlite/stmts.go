package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// modernc.org/sqlite prepares a statement at every call made with database/sql's
// ExecContext and QueryContext; on the writer that is a good part of a
// reply's time inside its transaction (the update of threads compiles its
// triggers each time). So each pool keeps its statements prepared, by query
// text: the readers' are prepared on first use; the writer's, whose single
// connection is held by the transaction that first runs them, are prepared
// once the writer is free, and used from then on through Tx.StmtContext,
// which finds them already prepared on that same connection.

// maxStmts bounds the statements kept per pool: queries whose text varies
// (IN lists of different lengths) past it run unprepared.
const maxStmts = 300

// stmtCache holds the prepared statements of one pool.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
	// want: writer queries run unprepared inside a transaction, to prepare
	// when the writer is free; preparing: a goroutine is doing that.
	want      map[string]bool
	preparing bool
	// trace, when set (tests), is told every query run through the cache.
	trace func(query string, args []any)
	// observe, when set (metrics), is told how long each read took.
	observe func(op string, d time.Duration)
}

// observed reports a read begun at start to the observer, if any.
func (c *stmtCache) observed(start time.Time) {
	if c.observe != nil {
		c.observe("read", time.Since(start))
	}
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, want: map[string]bool{}}
}

// get returns the statement of query, preparing it on the pool now when
// prepare is true; nil when it is not (yet) prepared.
func (c *stmtCache) get(ctx context.Context, query string, prepare bool, args []any) *sql.Stmt {
	if c.trace != nil {
		c.trace(query, args)
	}
	return c.lookup(ctx, query, prepare)
}

// lookup is get without the trace.
func (c *stmtCache) lookup(ctx context.Context, query string, prepare bool) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= maxStmts
	if !ok && !prepare && !full {
		c.want[query] = true
	}
	c.mu.Unlock()
	if ok || !prepare || full {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // run unprepared: the error, if any, shows there
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		_ = st.Close()
		return prev
	}
	c.m[query] = st
	return st
}

// prepareWanted prepares, in the background, the writer statements that
// ran unprepared: it needs the writer's connection, so it runs after the
// transaction that wanted them.
func (c *stmtCache) prepareWanted() {
	c.mu.Lock()
	if c.preparing || len(c.want) == 0 {
		c.mu.Unlock()
		return
	}
	c.preparing = true
	c.mu.Unlock()
	go func() {
		for {
			c.mu.Lock()
			var query string
			for q := range c.want {
				query = q
				break
			}
			delete(c.want, query)
			if query == "" {
				c.preparing = false
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			c.lookup(context.Background(), query, true)
		}
	}()
}

// close closes every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}

// txQ runs statements in a transaction of the writer, prepared when the
// writer's cache has them. Each change of a batch gets its own txQ, ended
// when the change's function returns: a context of the change kept beyond
// it (a goroutine, a callback) no longer joins the batch's transaction,
// where its writes would belong to another change, or to a transaction
// already committed.
type txQ struct {
	tx    *sql.Tx
	cache *stmtCache
	ended atomic.Bool
}

// ExecContext runs a statement in the transaction.
func (q *txQ) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.cache.get(ctx, query, false, args); st != nil {
		return q.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return q.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (q *txQ) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.cache.get(ctx, query, false, args); st != nil {
		return q.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return q.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (q *txQ) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := q.cache.get(ctx, query, false, args); st != nil {
		return q.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return q.tx.QueryRowContext(ctx, query, args...)
}

// readQ runs queries on the reader pool, prepared.
type readQ struct{ cache *stmtCache }

// ExecContext runs a statement on a reader (readers only read).
func (q readQ) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	defer q.cache.observed(time.Now())
	if st := q.cache.get(ctx, query, true, args); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.cache.db.ExecContext(ctx, query, args...)
}

// QueryContext runs a query on a reader.
func (q readQ) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	defer q.cache.observed(time.Now())
	if st := q.cache.get(ctx, query, true, args); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.cache.db.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query on a reader.
func (q readQ) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	defer q.cache.observed(time.Now())
	if st := q.cache.get(ctx, query, true, args); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.cache.db.QueryRowContext(ctx, query, args...)
}

// PrepareContext prepares a statement for this transaction only (a batch
// that runs it many times).
func (q *txQ) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return q.tx.PrepareContext(ctx, query)
}

// PrepareContext prepares a statement on the reader pool.
func (q readQ) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return q.cache.db.PrepareContext(ctx, query)
}
