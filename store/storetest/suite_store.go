package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// TestWriteGateLosesNoUpdate hammers one document from many goroutines; on
// the embedded FerretDB without the gate this ends far below the total.
func testWriteGateLosesNoUpdate(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	const workers, each = 20, 50
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.IncCounter(ctx, "hammer", 1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.IncCounter(ctx, "hammer", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != workers*each {
		t.Fatalf("counter = %d, want %d: updates were lost", got, workers*each)
	}
}

// TestThreadCounterConcurrent records posts in one thread concurrently.
func testThreadCounterConcurrent(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	now := time.Now().UTC()
	th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", Title: "Un fil", Status: forum.ThreadPublished, CreatedAt: now, LastActivityAt: now}
	if err := s.InsertThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 10; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				p := &forum.Post{ID: forum.NewID(), CreatedAt: time.Now().UTC()}
				if err := s.RecordThreadPost(ctx, th.ID, 1, p); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.ThreadByID(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PostCount != 100 {
		t.Fatalf("post_count = %d, want 100", got.PostCount)
	}
	if !got.LastActivityAt.After(now) || got.LastPostID == "" {
		t.Fatalf("last activity not moved: %v %q", got.LastActivityAt, got.LastPostID)
	}
	// An older post never moves the last activity back ($max).
	before := got.LastActivityAt
	old := &forum.Post{ID: forum.NewID(), CreatedAt: now.Add(-time.Hour)}
	if err := s.RecordThreadPost(ctx, th.ID, 0, old); err != nil {
		t.Fatal(err)
	}
	got, _ = s.ThreadByID(ctx, th.ID)
	if !got.LastActivityAt.Equal(before) {
		t.Fatalf("last activity moved back to %v", got.LastActivityAt)
	}
}

func testDuplicateEmailRefused(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	m := &forum.Member{ID: forum.NewID(), Email: "a@example.org"}
	if err := s.InsertMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	m2 := &forum.Member{ID: forum.NewID(), Email: "a@example.org"}
	if err := s.InsertMember(ctx, m2); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("err = %v, want ErrDuplicate", err)
	}
}

func testUseInviteOnce(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	now := time.Now().UTC()
	inv := &forum.Invite{ID: "h1", Email: "x@example.org", CreatedAt: now, ExpiresAt: now.Add(time.Hour), Lang: "en"}
	if err := s.InsertInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if got, err := s.InviteByID(ctx, "h1"); err != nil || got.Lang != "en" {
		t.Fatalf("invitation's language not kept: %+v, %v", got, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.UseInvite(ctx, "h1", now)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("invite used %d times", wins)
	}
	expired := &forum.Invite{ID: "h2", CreatedAt: now, ExpiresAt: now.Add(-time.Second)}
	_ = s.InsertInvite(ctx, expired)
	if ok, _ := s.UseInvite(ctx, "h2", now); ok {
		t.Fatal("expired invite used")
	}
}

// TestReopenKeepsDataAndIndexes restarts the embedded store on its data dir:
// the data and the unique index are still there, and index creation at
// start is idempotent (FerretDB crashes when asked to recreate an index).
func testReopenKeepsDataAndIndexes(t *testing.T, e Engine) {
	dir := t.TempDir()
	ctx := context.Background()
	s := e.Open(t, dir)
	if err := s.InsertMember(ctx, &forum.Member{ID: forum.NewID(), Email: "a@example.org"}); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	s2 := e.Open(t, dir)
	if _, err := s2.MemberByEmail(ctx, "a@example.org"); err != nil {
		t.Fatalf("member lost: %v", err)
	}
	if err := s2.InsertMember(ctx, &forum.Member{ID: forum.NewID(), Email: "a@example.org"}); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("unique index lost: %v", err)
	}
}

func init() {
	register("WriteGateLosesNoUpdate", testWriteGateLosesNoUpdate)
	register("ThreadCounterConcurrent", testThreadCounterConcurrent)
	register("DuplicateEmailRefused", testDuplicateEmailRefused)
	register("UseInviteOnce", testUseInviteOnce)
	register("ReopenKeepsDataAndIndexes", testReopenKeepsDataAndIndexes)
}
