package sqlite

import (
	"context"
	"time"

	"coterforum/forum"
)

// PublishChanges appends one change to the sequence (the table changes,
// numbered by AUTOINCREMENT); inside Atomically, in its transaction, so a
// change is visible exactly when the write it describes is. The single
// writer commits in number order: readers never see a gap.
func (s *Store) PublishChanges(ctx context.Context, origin string, keys []string, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO changes (origin, keys, at) VALUES (?, ?, ?)`, origin, jsonText(keys), ms(at))
	return err
}

// ChangesSince returns up to limit changes numbered above after, in order.
func (s *Store) ChangesSince(ctx context.Context, after int64, limit int) ([]forum.Change, error) {
	return queryAll(ctx, s, func(r scanner) (forum.Change, error) {
		var c forum.Change
		var keys string
		var at int64
		err := r.Scan(&c.Seq, &c.Origin, &keys, &at)
		c.Keys, c.At = strList(keys), tm(at)
		return c, err
	}, `SELECT seq, origin, keys, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}

// ChangeBounds returns the lowest and highest numbers stored (the last
// change is never pruned, so the highest is the highest given).
func (s *Store) ChangeBounds(ctx context.Context) (first, last int64, err error) {
	err = s.queryRow(ctx, `SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM changes`).Scan(&first, &last)
	return first, last, mapErr(err)
}

// PruneChanges removes the changes written before before, except the last.
func (s *Store) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	return s.exec(ctx, `DELETE FROM changes WHERE at < ? AND seq < (SELECT max(seq) FROM changes)`, ms(before))
}

var _ forum.ChangeStore = (*Store)(nil)
