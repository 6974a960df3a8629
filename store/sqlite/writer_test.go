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

// BenchmarkReplyTransactionParallel is BenchmarkReplyTransaction with ten
// members replying at once: the writer commits their replies in batches.
//
//	go test -run '^$' -bench ReplyTransactionParallel ./store/sqlite/
func BenchmarkReplyTransactionParallel(b *testing.B) {
	b.SetParallelism(5) // 10 goroutines on 2 cores
	benchmarkReplies(b, true)
}
