package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

// AcquireLease takes the named lease for holder until expires if it is
// new, expired at now, or already held by holder: one upsert whose update
// is conditional, so false when another holder keeps it.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now, expires time.Time) (bool, error) {
	n, err := s.exec(ctx, `INSERT INTO digest_leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE digest_leases.holder = excluded.holder OR digest_leases.expires_at <= ?`,
		name, holder, ms(expires), ms(now))
	return n > 0, err
}

// ReleaseLease frees the lease (expired since the epoch) if holder still
// holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.exec(ctx, `UPDATE digest_leases SET expires_at = 0 WHERE name = ? AND holder = ?`, name, holder)
	return err
}

// runCols are the columns scanRun reads, in its order.
const runCols = `id, frequency, period, from_at, until_at, tail, exclude, cursor, done, started_at, done_at`

// scanRun reads a row of runCols. A nil Tail stays nil and an empty one
// empty; an empty Exclude reads nil (MongoDB omits it).
func scanRun(r scanner) (digest.Run, error) {
	var run digest.Run
	var from, doneAt sql.NullInt64
	var until, started int64
	var tail, exclude string
	err := r.Scan(&run.ID, &run.Frequency, &run.Period, &from, &until, &tail, &exclude, &run.Cursor, &run.Done,
		&started, &doneAt)
	if err != nil {
		return run, err
	}
	if from.Valid {
		run.From = tm(from.Int64)
	}
	run.Until, run.StartedAt, run.DoneAt = tm(until), tm(started), tmPtr(doneAt)
	if err := json.Unmarshal([]byte(tail), &run.Tail); err != nil {
		return run, err
	}
	if list := strList(exclude); len(list) > 0 {
		run.Exclude = list
	}
	return run, nil
}

// InsertRun creates a run; forum.ErrDuplicate when a run with that id exists.
func (s *Store) InsertRun(ctx context.Context, r *digest.Run) error {
	_, err := s.exec(ctx, insertRunSQL, runArgs(r)...)
	return err
}

// insertRunSQL inserts a run.
const insertRunSQL = `INSERT INTO digest_runs (` + runCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// runArgs are the values of runCols.
func runArgs(r *digest.Run) []any {
	var from any
	if !r.From.IsZero() {
		from = ms(r.From)
	}
	exclude := "[]"
	if len(r.Exclude) > 0 {
		exclude = jsonText(r.Exclude)
	}
	return []any{r.ID, r.Frequency, r.Period, from, ms(r.Until), jsonText(r.Tail), exclude, r.Cursor, b2i(r.Done),
		ms(r.StartedAt), msPtr(r.DoneAt)}
}

// LatestRun returns the run of the frequency with the latest Until, the
// greatest id between equals (forum.ErrNotFound if none).
func (s *Store) LatestRun(ctx context.Context, frequency string) (*digest.Run, error) {
	run, err := queryOne(ctx, s, scanRun, `SELECT `+runCols+` FROM digest_runs
		WHERE frequency = ? ORDER BY until_at DESC, id DESC LIMIT 1`, frequency)
	if err != nil {
		return nil, err
	}
	return &run, nil
}

// AdvanceRun moves a run's cursor from one subscriber id to the next; false
// when the cursor was not at from.
func (s *Store) AdvanceRun(ctx context.Context, id, from, to string) (bool, error) {
	n, err := s.exec(ctx, `UPDATE digest_runs SET cursor = ? WHERE id = ? AND cursor = ?`, to, id, from)
	return n > 0, err
}

// FinishRun marks a run done (forum.ErrNotFound when there is no such run).
func (s *Store) FinishRun(ctx context.Context, id string, at time.Time) error {
	n, err := s.exec(ctx, `UPDATE digest_runs SET done = 1, done_at = ? WHERE id = ?`, ms(at), id)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// Mark returns the named time mark (zero time, no error, when unset).
func (s *Store) Mark(ctx context.Context, name string) (time.Time, error) {
	var at int64
	err := mapErr(s.queryRow(ctx, `SELECT at FROM digest_marks WHERE name = ?`, name).Scan(&at))
	if errors.Is(err, forum.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return tm(at), nil
}

// MoveMark sets the mark to to if it is still at from; a zero from creates
// the mark, false when it exists.
func (s *Store) MoveMark(ctx context.Context, name string, from, to time.Time) (bool, error) {
	if from.IsZero() {
		n, err := s.exec(ctx, `INSERT INTO digest_marks (name, at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, ms(to))
		return n > 0, err
	}
	n, err := s.exec(ctx, `UPDATE digest_marks SET at = ? WHERE name = ? AND at = ?`, ms(to), name, ms(from))
	return n > 0, err
}
