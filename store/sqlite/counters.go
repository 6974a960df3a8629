package sqlite

import (
	"context"
)

// IncCounter adds delta to the named counter (created at 0) and returns its
// new value: one upsert on the single writer, so exact under concurrency.
func (s *Store) IncCounter(ctx context.Context, name string, delta int64) (int64, error) {
	var v int64
	err := s.inTx(ctx, func(ctx context.Context, tx querier) error {
		return tx.QueryRowContext(ctx, `INSERT INTO counters (name, value) VALUES (?, ?)
			ON CONFLICT (name) DO UPDATE SET value = value + excluded.value
			RETURNING value`, name, delta).Scan(&v)
	})
	return v, err
}
