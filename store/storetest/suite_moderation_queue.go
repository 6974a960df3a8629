package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// The moderation queue, the moderators, reminders.

// testModerationQueue checks the queue's order and count, the moderators'
// list and MarkReminded's single win.
func testModerationQueue(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := modThread(t, s, forum.ThreadPublished, "Un fil", modAuthor)
	var pending []string
	for i := range 5 {
		status := forum.PostPending
		if i == 2 {
			status = forum.PostPublished
		}
		p := modPost(t, s, th.ID, status, "mot", modAuthor)
		if status == forum.PostPending {
			pending = append(pending, p.ID)
		}
	}
	queue, err := s.ListPostsByStatus(ctx, forum.PostPending, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(queue) != 3 || queue[0].ID != pending[0] || queue[1].ID != pending[1] || queue[2].ID != pending[2] {
		t.Fatalf("queue: %v, want the 3 oldest of %v", postIDs(queue), pending)
	}
	if n, err := s.CountPostsByStatus(ctx, forum.PostPending); err != nil || n != 4 {
		t.Fatalf("pending count %d, %v", n, err)
	}
	if queue, _ := s.ListPostsByStatus(ctx, forum.PostHidden, 10); queue == nil || len(queue) != 0 {
		t.Fatalf("empty queue: %#v", queue)
	}

	for i, role := range []string{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin} {
		m := &forum.Member{ID: forum.NewID(), Email: role + "@example.org", Role: role, Status: forum.MemberActive, CreatedAt: mt0.Add(time.Duration(i) * time.Second)}
		if err := s.InsertMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	mods, err := s.ListModerators(ctx)
	if err != nil || len(mods) != 2 {
		t.Fatalf("moderators: %v, %+v", err, mods)
	}
	for _, m := range mods {
		if !m.IsModerator() {
			t.Fatalf("listed as moderator: %+v", m)
		}
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.MarkReminded(ctx, pending[0], mt0.Add(time.Duration(i)*time.Minute))
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
		t.Fatalf("post reminded %d times", wins)
	}
	if ok, err := s.MarkReminded(ctx, pending[1], mt0); !ok || err != nil {
		t.Fatalf("another post not reminded: %v, %v", ok, err)
	}
	if ok, err := s.MarkReminded(ctx, "missing", mt0); ok || err != nil {
		t.Fatalf("missing post reminded: %v, %v", ok, err)
	}
}

// postIDs returns the ids of posts, in order.
func postIDs(ps []forum.Post) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func init() {
	register("ModerationQueue", testModerationQueue)
}
