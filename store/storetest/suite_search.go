package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/store"
)

// What search relies on, beyond the words: results come newest first by
// id (ids follow creation, forum/ids.go), whatever the creation times say;
// a post is found only while its thread is published, and under the
// thread's current theme and authority types, whatever the order in which
// the thread, its posts and the changes were written.

var st0 = time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)

// searchWords parses a query that must have words.
func searchWords(t *testing.T, q string) [][]string {
	t.Helper()
	sq, err := forum.ParseSearchQuery(q)
	if err != nil || sq.Empty() {
		t.Fatalf("query %q: %v", q, err)
	}
	return sq.Words
}

// foundPosts returns the ids of the posts SearchPosts finds, in order.
func foundPosts(t *testing.T, s store.Store, f forum.SearchFilter, skip, limit int) []string {
	t.Helper()
	posts, err := s.SearchPosts(context.Background(), f, nil, skip, limit)
	if err != nil {
		t.Fatal(err)
	}
	return ids(posts, postID)
}

// testSearchNewestFirstByID writes posts and threads whose creation times
// disagree with their ids: both searches return them by id, descending,
// and pages of SearchPosts follow that order.
func testSearchNewestFirstByID(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	author := forum.AuthorRef{ID: forum.NewID(), DisplayName: "Ada"}
	// Creation times out of id order: the third thread and post are the
	// "oldest" by the clock, the first the newest.
	offsets := []time.Duration{5 * time.Hour, 1 * time.Hour, -3 * time.Hour, 2 * time.Hour}
	var threadIDs, postIDs []string
	for i, off := range offsets {
		th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: "Astrolabe numéro " + string(rune('A'+i)),
			Author: author, Status: forum.ThreadPublished, CreatedAt: st0.Add(off), LastActivityAt: st0.Add(off)}
		if err := s.InsertThread(ctx, th); err != nil {
			t.Fatal(err)
		}
		threadIDs = append(threadIDs, th.ID)
	}
	for _, off := range offsets {
		p := &forum.Post{ID: forum.NewID(), ThreadID: threadIDs[0], Author: author, Status: forum.PostPublished,
			Source: "sextant", HTML: "<p>sextant</p>", CreatedAt: st0.Add(off)}
		if err := s.InsertPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		postIDs = append(postIDs, p.ID)
	}
	slices.Reverse(threadIDs)
	slices.Reverse(postIDs)
	f := forum.SearchFilter{Words: searchWords(t, "sextant")}
	if got := foundPosts(t, s, f, 0, 0); !slices.Equal(got, postIDs) {
		t.Fatalf("posts = %v, want by id descending %v", got, postIDs)
	}
	if got := foundPosts(t, s, f, 1, 2); !slices.Equal(got, postIDs[1:3]) {
		t.Fatalf("posts skip 1 limit 2 = %v, want %v", got, postIDs[1:3])
	}
	if got := foundPosts(t, s, forum.SearchFilter{Words: f.Words, From: st0, To: st0.Add(3 * time.Hour)}, 0, 0); !slices.Equal(got, []string{postIDs[0], postIDs[2]}) {
		t.Fatalf("posts created in [t0, t0+3h) = %v, want %v", got, []string{postIDs[0], postIDs[2]})
	}
	threads, err := s.SearchTitles(ctx, forum.SearchFilter{Words: searchWords(t, "astrolabe")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(threads, threadID); !slices.Equal(got, threadIDs) {
		t.Fatalf("titles = %v, want by id descending %v", got, threadIDs)
	}
	threads, err = s.SearchTitles(ctx, forum.SearchFilter{Words: searchWords(t, "astrolabe")}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(threads, threadID); !slices.Equal(got, threadIDs[:2]) {
		t.Fatalf("titles limit 2 = %v, want %v", got, threadIDs[:2])
	}
}

// testSearchFollowsThread checks that a post is found only while its
// thread is published and under the thread's current theme and types: the
// first post written before its thread (as forum does), a reply written
// while the thread is hidden, a post of a thread that does not exist, a
// thread awaiting review, a theme and types changed by a moderator.
func testSearchFollowsThread(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	author := forum.AuthorRef{ID: forum.NewID(), DisplayName: "Ada"}
	post := func(threadID string) string {
		t.Helper()
		p := &forum.Post{ID: forum.NewID(), ThreadID: threadID, Author: author, Status: forum.PostPublished,
			Source: "gyroscope", HTML: "<p>gyroscope</p>", CreatedAt: st0}
		if err := s.InsertPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	thread := func(id, status string) {
		t.Helper()
		th := &forum.Thread{ID: id, Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: "Un fil", Author: author,
			Status: status, CreatedAt: st0, LastActivityAt: st0}
		if err := s.InsertThread(ctx, th); err != nil {
			t.Fatal(err)
		}
	}
	thID := forum.NewID()
	first := post(thID) // before its thread, as forum.CreateThread writes them
	thread(thID, forum.ThreadPublished)
	reply := post(thID)
	post(forum.NewID()) // a thread that does not exist
	pendingID := forum.NewID()
	post(pendingID)
	thread(pendingID, forum.ThreadPending)

	words := searchWords(t, "gyroscope")
	check := func(step string, f forum.SearchFilter, want ...string) {
		t.Helper()
		f.Words = words
		got := foundPosts(t, s, f, 0, 0)
		slices.Sort(got)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: found %v, want %v", step, got, want)
		}
	}
	move := func(from, to string) {
		t.Helper()
		if ok, err := s.SetThreadStatus(ctx, thID, []string{from}, to); !ok || err != nil {
			t.Fatalf("move %s → %s: %v, %v", from, to, ok, err)
		}
	}
	all := forum.SearchFilter{}
	check("published", all, first, reply)
	check("published, theme", forum.SearchFilter{Theme: "reseaux"}, first, reply)
	check("published, type", forum.SearchFilter{AuthorityType: "commune"}, first, reply)

	move(forum.ThreadPublished, forum.ThreadHidden)
	late := post(thID) // a reply written while the thread is hidden
	check("hidden", all)
	check("hidden, theme", forum.SearchFilter{Theme: "reseaux"})
	check("hidden, type", forum.SearchFilter{AuthorityType: "commune"})

	move(forum.ThreadHidden, forum.ThreadPublished)
	check("restored", all, first, reply, late)

	theme := "sig"
	if err := s.UpdateThread(ctx, thID, moderation.ThreadChange{Theme: &theme, AuthorityTypes: []string{"region"}}); err != nil {
		t.Fatal(err)
	}
	check("moved, new theme", forum.SearchFilter{Theme: "sig"}, first, reply, late)
	check("moved, old theme", forum.SearchFilter{Theme: "reseaux"})
	check("moved, new type", forum.SearchFilter{AuthorityType: "region"}, first, reply, late)
	check("moved, old type", forum.SearchFilter{AuthorityType: "commune"})
	check("moved, theme and type", forum.SearchFilter{Theme: "sig", AuthorityType: "region"}, first, reply, late)
}

func init() {
	register("SearchNewestFirstByID", testSearchNewestFirstByID)
	register("SearchFollowsThread", testSearchFollowsThread)
}
