package sqlite

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestObserveOperations checks that Config.Observe hears the reads, the
// writes and the commits, and that observing allocates nothing per read.
func TestObserveOperations(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string]int{}
	s, err := Open(ctx, Config{DataDir: t.TempDir(), Observe: func(op string, d time.Duration) {
		mu.Lock()
		seen[op]++
		mu.Unlock()
	}}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, err := s.IncCounter(ctx, "essai", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CountPostsByStatus(ctx, "pending"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if seen["read"] < 1 || seen["write"] != 1 || seen["commit"] != 1 {
		t.Errorf("operations observed: %v", seen)
	}
	mu.Unlock()

	// The same read with and without an observer allocates the same.
	count := func() {
		if _, err := s.CountPostsByStatus(ctx, "pending"); err != nil {
			t.Fatal(err)
		}
	}
	with := testing.AllocsPerRun(200, count)
	s.rstmts.observe = nil
	without := testing.AllocsPerRun(200, count)
	if with > without {
		t.Errorf("a read allocates %v times observed, %v not", with, without)
	}
}
