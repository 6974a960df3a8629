package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// TestReadMarkerOnlyMovesForward checks the $max upsert on the real store:
// created on first use, moved forward, never backwards, also under
// concurrent writers; then listed by thread ids and deleted per member.
func testReadMarkerOnlyMovesForward(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ids := make([]string, 12)
	for i := range ids {
		ids[i] = forum.NewID()
	}
	mark := func(member, thread string, i int) {
		t.Helper()
		err := s.AdvanceReadMarker(ctx, &forum.ReadMarker{ID: forum.ReadMarkerID(member, thread), MemberID: member, ThreadID: thread,
			PostID: ids[i], PostAt: base.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	get := func(member, thread string) *forum.ReadMarker {
		t.Helper()
		m, err := s.ReadMarker(ctx, member, thread)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if _, err := s.ReadMarker(ctx, "m1", "t1"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("no marker yet: want ErrNotFound, got %v", err)
	}
	mark("m1", "t1", 3)
	if m := get("m1", "t1"); m.PostID != ids[3] || !m.PostAt.Equal(base.Add(3*time.Minute)) || m.MemberID != "m1" || m.ThreadID != "t1" {
		t.Fatalf("created marker: %+v", m)
	}
	mark("m1", "t1", 5)
	mark("m1", "t1", 1) // an older page seen later
	if m := get("m1", "t1"); m.PostID != ids[5] || !m.PostAt.Equal(base.Add(5*time.Minute)) {
		t.Fatalf("marker moved backwards or not forward: %+v", m)
	}

	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.AdvanceReadMarker(ctx, &forum.ReadMarker{ID: forum.ReadMarkerID("m1", "t2"), MemberID: "m1", ThreadID: "t2",
				PostID: ids[i], PostAt: base.Add(time.Duration(i) * time.Minute)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if m := get("m1", "t2"); m.PostID != ids[len(ids)-1] {
		t.Fatalf("concurrent advances: want the newest post, got %+v", m)
	}

	mark("m2", "t1", 0)
	got, err := s.ReadMarkers(ctx, "m1", []string{"t1", "t2", "t3"})
	if err != nil || len(got) != 2 {
		t.Fatalf("ReadMarkers: %v, %+v", err, got)
	}
	n, err := s.DeleteReadMarkers(ctx, "m1")
	if err != nil || n != 2 {
		t.Fatalf("DeleteReadMarkers: %d, %v", n, err)
	}
	if got, _ := s.ReadMarkers(ctx, "m1", []string{"t1", "t2"}); len(got) != 0 {
		t.Fatalf("markers left after delete: %+v", got)
	}
	if m := get("m2", "t1"); m.PostID != ids[0] {
		t.Fatalf("another member's marker was touched: %+v", m)
	}
}

func init() {
	register("ReadMarkerOnlyMovesForward", testReadMarkerOnlyMovesForward)
}
