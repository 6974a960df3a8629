package forum

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

type failingChanges struct{ calls int }

func (f *failingChanges) PublishChanges(context.Context, string, []string, time.Time) error {
	f.calls++
	return errors.New("disk full")
}
func (f *failingChanges) ChangesSince(context.Context, int64, int) ([]Change, error) {
	return nil, nil
}
func (f *failingChanges) ChangeBounds(context.Context) (int64, int64, error) { return 0, 0, nil }
func (f *failingChanges) PruneChanges(context.Context, time.Time) (int64, error) {
	return 0, nil
}

// Inside an exclusive transaction (the SQLite writer), a failed publication
// fails at once: no retry, no sleep. Elsewhere the retries stay.
func TestInvalidateNoRetryInExclusiveTx(t *testing.T) {
	for _, exclusive := range []bool{true, false} {
		fc := &failingChanges{}
		s := &Service{changes: newChanges(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		s.changes.share.Store(&sharing{remote: fc, every: time.Hour})
		ctx, tx, _ := WithTx(context.Background())
		if exclusive {
			tx.SetExclusive()
		}
		start := time.Now()
		s.Invalidate(ctx, KeyAll)
		if tx.Err() == nil {
			t.Fatalf("exclusive=%v: failed publication did not fail the transaction", exclusive)
		}
		if exclusive && (fc.calls != 1 || time.Since(start) > 40*time.Millisecond) {
			t.Fatalf("exclusive tx: %d publication tries in %v, want 1 without sleeping", fc.calls, time.Since(start))
		}
		if !exclusive && fc.calls != len(publishTries) {
			t.Fatalf("non-exclusive tx: %d tries, want %d", fc.calls, len(publishTries))
		}
	}
}
