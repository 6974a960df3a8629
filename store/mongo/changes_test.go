package mongo

import (
	"context"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// sharedService is a forum service on s that publishes its changes and
// polls the others' every 20 ms until the test ends.
func sharedService(t *testing.T, s *Store) *forum.Service {
	t.Helper()
	svc := forum.New(s, quiet(), nil)
	if !svc.ShareChanges(20*time.Millisecond, 0) {
		t.Fatal("no change sequence")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = svc.RunChanges(ctx) }()
	for !svc.CacheFresh() {
		time.Sleep(5 * time.Millisecond)
	}
	return svc
}

// waitStamp waits until svc's stamp of key differs from before.
func waitStamp(t *testing.T, svc *forum.Service, key forum.Key, before uint64, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for svc.Stamp(key) == before {
		if time.Since(start) > within {
			t.Fatalf("%s not invalidated within %v", key, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// TestChangeCommittedLateIsApplied: writer 1 takes number N of the
// sequence, writer 2 takes N+1 and inserts its change first; the poller
// applies N+1 at once, and still applies N when writer 1's insert lands a
// moment later (a poller that followed the highest number seen, or the
// writers' clocks, would miss it).
func TestChangeCommittedLateIsApplied(t *testing.T) {
	s, open := testStore(t)
	ctx := context.Background()
	a, b := sharedService(t, s), sharedService(t, open())
	n, err := s.IncCounter(ctx, changeCounter, 1) // writer 1, slow
	if err != nil {
		t.Fatal(err)
	}
	k2 := forum.ThreadKey("second")
	before := b.Stamp(k2)
	a.Invalidate(ctx, k2) // writer 2: N+1
	waitStamp(t, b, k2, before, time.Second)
	time.Sleep(100 * time.Millisecond) // b polls past N+1 a few times
	k1 := forum.ThreadKey("first")
	before = b.Stamp(k1)
	if err := s.insert(ctx, colChanges, forum.Change{Seq: n, Origin: "writer-1", Keys: []string{string(k1)}, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	waitStamp(t, b, k1, before, time.Second)
}

// TestPrunedChangesDropTheWholeCache: a process whose unapplied changes
// were pruned cannot know what they were: it invalidates everything.
func TestPrunedChangesDropTheWholeCache(t *testing.T) {
	s, open := testStore(t)
	ctx := context.Background()
	// b's clock: a fake, moved past the time changes are kept.
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	b := forum.New(open(), quiet(), clock)
	if !b.ShareChanges(time.Hour, 0) { // b polls once, at start
		t.Fatal("no change sequence")
	}
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { _ = b.RunChanges(bctx); close(done) }()
	for !b.CacheFresh() {
		time.Sleep(5 * time.Millisecond)
	}
	a := forum.New(s, quiet(), nil)
	a.ShareChanges(time.Hour, 0)
	unrelated := forum.ThreadKey("unrelated")
	before := b.Stamp(unrelated)
	for i := range 3 {
		a.Invalidate(ctx, forum.ThreadKey(string(rune('a'+i))))
	}
	if n, err := s.PruneChanges(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want every change but the last", n, err)
	}
	// b's next poll (a new RunChanges loop polls at once), a quarter of
	// an hour later.
	cancel()
	<-done
	mu.Lock()
	now = now.Add(15 * time.Minute)
	mu.Unlock()
	b2ctx, cancel2 := context.WithCancel(ctx)
	defer cancel2()
	go func() { _ = b.RunChanges(b2ctx) }()
	waitStamp(t, b, unrelated, before, 2*time.Second)
}
