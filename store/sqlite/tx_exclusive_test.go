package sqlite

import (
	"context"
	"testing"

	"coterforum/forum"
)

// Atomically marks its forum.Tx exclusive: the writer is held for the whole
// call, so the forum service must not retry with sleeps inside it.
func TestAtomicallyTxExclusive(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	err = s.Atomically(ctx, func(ctx context.Context) error {
		if tx := forum.TxFrom(ctx); tx == nil || !tx.Exclusive() {
			t.Error("Atomically's Tx is not marked exclusive")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
