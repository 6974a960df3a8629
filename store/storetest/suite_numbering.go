package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
)

// What post numbers (forum/numbering.go) are computed from: the ids of a
// range of a thread's posts, every status included, in id order, and no
// other thread's.

func testThreadPostIDsBetween(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	thread := listingThread(t, s, "reseaux", []string{"commune"}, 0, false, forum.ThreadPublished)
	other := listingThread(t, s, "reseaux", []string{"commune"}, 0, false, forum.ThreadPublished)
	statuses := []string{forum.PostPublished, forum.PostHidden, forum.PostPending, forum.PostPublished, forum.PostRejected, forum.PostPublished}
	var ids []string
	for i, status := range statuses {
		for _, th := range []string{thread, other} {
			p := &forum.Post{ID: forum.NewID(), ThreadID: th, Author: forum.AuthorRef{ID: "m1"}, Source: "x", HTML: "<p>x</p>",
				Status: status, CreatedAt: lt0.Add(-time.Duration(i))}
			if err := s.InsertPost(ctx, p); err != nil {
				t.Fatal(err)
			}
			if th == thread {
				ids = append(ids, p.ID)
			}
		}
	}
	for _, c := range []struct{ from, to int }{{0, 5}, {1, 3}, {2, 2}, {4, 5}} {
		got, err := s.ThreadPostIDsBetween(ctx, thread, ids[c.from], ids[c.to])
		if err != nil {
			t.Fatal(err)
		}
		if want := ids[c.from : c.to+1]; !slices.Equal(got, want) {
			t.Fatalf("posts %d to %d: %v, want %v", c.from, c.to, got, want)
		}
	}
	if got, err := s.ThreadPostIDsBetween(ctx, thread, ids[3], ids[1]); err != nil || len(got) != 0 {
		t.Fatalf("an empty range: %v %v", got, err)
	}
}

func init() {
	register("ThreadPostIDsBetween", testThreadPostIDsBetween)
}
