package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// TestGroupCommitKeepsChangesApart: many changes at once are committed in
// batches, each in its own savepoint. A change that fails leaves nothing,
// a change that panics leaves nothing and panics in its caller, and every
// other change of the same batches is committed and acknowledged.
func TestGroupCommitKeepsChangesApart(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	errRefused := errors.New("refused")
	const n = 120
	var wg sync.WaitGroup
	outcome := make([]error, n)
	panicked := make([]any, n)
	for i := range n {
		wg.Go(func() {
			defer func() { panicked[i] = recover() }()
			outcome[i] = s.Atomically(ctx, func(ctx context.Context) error {
				err := s.InsertMember(ctx, &forum.Member{ID: fmt.Sprintf("m%03d", i), Email: fmt.Sprintf("m%03d@ville.fr", i),
					DisplayName: "M", Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: time.Now()})
				if err != nil {
					return err
				}
				switch i % 5 {
				case 1:
					return errRefused // written, then refused: must not stay
				case 2:
					if i%3 == 0 {
						panic("a bug in a change")
					}
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i := range n {
		_, err := s.MemberByID(ctx, fmt.Sprintf("m%03d", i))
		stored := err == nil
		switch {
		case i%5 == 1:
			if !errors.Is(outcome[i], errRefused) || stored {
				t.Errorf("change %d: refused change returned %v, stored %v", i, outcome[i], stored)
			}
		case i%5 == 2 && i%3 == 0:
			if panicked[i] == nil || stored {
				t.Errorf("change %d: panicking change: panic %v, stored %v", i, panicked[i], stored)
			}
		default:
			if outcome[i] != nil || panicked[i] != nil || !stored {
				t.Errorf("change %d: %v, panic %v, stored %v", i, outcome[i], panicked[i], stored)
			}
		}
	}
}

// TestWritesDuringCloseAreAnswered: changes submitted while the store
// closes are answered (committed, or refused as closed), never left
// waiting: a write that reached the queue after the writer's last drain
// gets errClosed.
func TestWritesDuringCloseAreAnswered(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	answered := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			_, err := s.IncCounter(ctx, fmt.Sprintf("c%d", i%7), 1)
			answered <- err
		})
	}
	time.Sleep(time.Millisecond)
	s.Close(ctx)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("writes submitted during Close were never answered")
	}
	// After Close, every write is refused at once.
	for i := range 20 {
		finished := make(chan error, 1)
		go func() { _, err := s.IncCounter(ctx, "after", int64(i)); finished <- err }()
		select {
		case err := <-finished:
			if !errors.Is(err, errClosed) {
				t.Errorf("write after close: %v, want errClosed", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a write after Close was never answered")
		}
	}
	close(answered)
	for err := range answered {
		if err != nil && !errors.Is(err, errClosed) {
			t.Errorf("write during close: %v", err)
		}
	}
}

// TestContextKeptBeyondItsChange: a store call made with the context of
// a change after that change returned (a goroutine it started, a
// callback) runs in a transaction of its own: it is committed and
// acknowledged, not written into a transaction already finished or
// belonging to another change.
func TestContextKeptBeyondItsChange(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var kept context.Context
	if err := s.Atomically(ctx, func(ctx context.Context) error {
		kept = ctx
		return s.InsertMember(ctx, &forum.Member{ID: "a", Email: "a@ville.fr", DisplayName: "A",
			Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: time.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertMember(kept, &forum.Member{ID: "b", Email: "b@ville.fr", DisplayName: "B",
		Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: time.Now()}); err != nil {
		t.Fatalf("insert with a context kept beyond its change: %v", err)
	}
	for _, id := range []string{"a", "b"} {
		if _, err := s.MemberByID(ctx, id); err != nil {
			t.Errorf("member %s: %v", id, err)
		}
	}
}

// BenchmarkReplyTransactionParallel is BenchmarkReplyTransaction with ten
// members replying at once: the writer commits their replies in batches.
//
//	go test -run '^$' -bench ReplyTransactionParallel ./store/sqlite/
func BenchmarkReplyTransactionParallel(b *testing.B) {
	b.SetParallelism(5) // 10 goroutines on 2 cores
	benchmarkReplies(b, true)
}
