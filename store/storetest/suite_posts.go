package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
)

// testThreadPostFilters checks the views of a thread's posts the pages are
// cut from: published only (visitors), every status (moderators), published
// plus one's own pending posts (their author), one status (a thread's
// pending posts), each in id order with its count, paged by skip and limit.
func testThreadPostFilters(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := listingThread(t, s, "reseaux", []string{"commune"}, 0, false, forum.ThreadPublished)
	statuses := []string{forum.PostPublished, forum.PostPending, forum.PostPublished, forum.PostRejected,
		forum.PostPending, forum.PostPublished, forum.PostHidden, forum.PostPublished}
	authors := []string{"alice", "bob", "bob", "carol", "alice", "carol", "alice", "bob"}
	var ids []string
	for i, st := range statuses {
		p := &forum.Post{ID: forum.NewID(), ThreadID: th, Author: forum.AuthorRef{ID: authors[i]}, Source: "x", HTML: "<p>x</p>",
			Status: st, CreatedAt: lt0.Add(time.Duration(i) * time.Minute)}
		if err := s.InsertPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	pick := func(keep func(i int) bool) []string {
		var out []string
		for i, id := range ids {
			if keep(i) {
				out = append(out, id)
			}
		}
		return out
	}
	cases := []struct {
		name string
		f    forum.PostFilter
		want []string
	}{
		{"published", forum.PostFilter{ThreadID: th}, pick(func(i int) bool { return statuses[i] == forum.PostPublished })},
		{"all", forum.PostFilter{ThreadID: th, AllStatuses: true}, ids},
		{"viewer", forum.PostFilter{ThreadID: th, ViewerID: "alice"}, pick(func(i int) bool {
			return statuses[i] == forum.PostPublished || (statuses[i] == forum.PostPending && authors[i] == "alice")
		})},
		{"pending", forum.PostFilter{ThreadID: th, Status: forum.PostPending}, pick(func(i int) bool { return statuses[i] == forum.PostPending })},
	}
	for _, c := range cases {
		posts, err := s.ListPosts(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range posts {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		n, err := s.CountPosts(ctx, c.f, nil)
		if err != nil || int(n) != len(c.want) {
			t.Errorf("%s: count %d (%v), want %d", c.name, n, err, len(c.want))
		}
		paged := c.f
		paged.Skip, paged.Limit = 1, 2
		posts, err = s.ListPosts(ctx, paged)
		if err != nil {
			t.Fatal(err)
		}
		if want := c.want[1:min(3, len(c.want))]; len(posts) != len(want) || (len(want) > 0 && posts[0].ID != want[0]) {
			t.Errorf("%s: page skip 1 limit 2 gave %d posts", c.name, len(posts))
		}
	}
}

func init() {
	register("ThreadPostFilters", testThreadPostFilters)
}
