package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/store"
)

// What listings, feeds and digest windows rely on: the orders with their
// tiebreakers (ids, which follow creation), a thread's last post moving
// only forward, and a post's publication time following the decisions.

var lt0 = time.Date(2026, 6, 8, 9, 0, 0, 0, time.UTC)

// listingThread inserts a published thread of the theme and types, last
// active at lt0+activity.
func listingThread(t *testing.T, s store.Store, theme string, types []string, activity time.Duration, pinned bool, status string) string {
	t.Helper()
	th := &forum.Thread{ID: forum.NewID(), Theme: theme, AuthorityTypes: types, Title: "Un fil", Status: status, Pinned: pinned,
		CreatedAt: lt0, LastActivityAt: lt0.Add(activity)}
	if err := s.InsertThread(context.Background(), th); err != nil {
		t.Fatal(err)
	}
	return th.ID
}

// testRecordThreadPostKeepsNewest checks that a thread's last post moves
// only to a post at least as new as its last activity, while every post is
// counted.
func testRecordThreadPostKeepsNewest(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	id := listingThread(t, s, "reseaux", []string{"commune"}, 0, false, forum.ThreadPublished)
	record := func(name string, at time.Duration) string {
		t.Helper()
		p := &forum.Post{ID: forum.NewID(), ThreadID: id, Author: forum.AuthorRef{DisplayName: name}, CreatedAt: lt0.Add(at)}
		if err := s.RecordThreadPost(ctx, id, 1, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	expect := func(step string, count int, lastID, lastAuthor string, activity time.Duration) {
		t.Helper()
		th, err := s.ThreadByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if th.PostCount != count || th.LastPostID != lastID || th.LastAuthor != lastAuthor || !th.LastActivityAt.Equal(lt0.Add(activity)) {
			t.Fatalf("%s: count %d, last %s by %q at %v; want %d, %s by %q at %v", step, th.PostCount, th.LastPostID, th.LastAuthor,
				th.LastActivityAt, count, lastID, lastAuthor, lt0.Add(activity))
		}
	}
	a := record("Ada", 2*time.Hour)
	expect("newer post", 1, a, "Ada", 2*time.Hour)
	record("Bob", time.Hour)
	expect("older post", 2, a, "Ada", 2*time.Hour)
	c := record("Cléo", 2*time.Hour)
	expect("post as new as the last activity", 3, c, "Cléo", 2*time.Hour)
	err := s.RecordThreadPost(ctx, forum.NewID(), 1, &forum.Post{ID: forum.NewID(), CreatedAt: lt0})
	if !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("missing thread: %v", err)
	}
}

// testListingOrders checks the orders of listings (pinned first, then last
// activity, then id, all descending) and of feeds (last activity, then id,
// ignoring pinning), with their filters and pages.
func testListingOrders(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	commune := []string{"commune"}
	t1 := listingThread(t, s, "reseaux", commune, 0, true, forum.ThreadPublished)
	t2 := listingThread(t, s, "reseaux", commune, time.Hour, false, forum.ThreadPublished)
	t3 := listingThread(t, s, "reseaux", []string{"region", "commune"}, time.Hour, false, forum.ThreadPublished) // ties with t2, newer id
	t4 := listingThread(t, s, "sig", []string{"region"}, 2*time.Hour, false, forum.ThreadPublished)
	t5 := listingThread(t, s, "reseaux", commune, 3*time.Hour, false, forum.ThreadHidden)
	list := func(step string, f forum.ThreadFilter, want ...string) {
		t.Helper()
		ts, err := s.ListThreads(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ts, threadID); !slices.Equal(got, want) {
			t.Fatalf("%s: %v, want %v", step, got, want)
		}
	}
	list("home", forum.ThreadFilter{}, t1, t4, t3, t2)
	list("page", forum.ThreadFilter{Skip: 1, Limit: 2}, t4, t3)
	list("theme", forum.ThreadFilter{Theme: "reseaux"}, t1, t3, t2)
	list("type", forum.ThreadFilter{AuthorityType: "region"}, t4, t3)
	list("theme and type", forum.ThreadFilter{Theme: "reseaux", AuthorityType: "region"}, t3)
	list("statuses", forum.ThreadFilter{Statuses: []string{forum.ThreadPublished, forum.ThreadHidden}}, t1, t5, t4, t3, t2)
	recent := func(step string, f forum.ThreadFilter, limit int, want ...string) {
		t.Helper()
		ts, err := s.RecentThreads(ctx, f, limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ts, threadID); !slices.Equal(got, want) {
			t.Fatalf("%s: %v, want %v", step, got, want)
		}
	}
	recent("recent", forum.ThreadFilter{}, 0, t4, t3, t2, t1)
	recent("recent, limit", forum.ThreadFilter{}, 2, t4, t3)
	recent("recent, theme", forum.ThreadFilter{Theme: "reseaux"}, 0, t3, t2, t1)
	recent("recent, type", forum.ThreadFilter{AuthorityType: "region"}, 0, t4, t3)
	recent("recent, theme and type", forum.ThreadFilter{Theme: "sig", AuthorityType: "region"}, 0, t4)

	// Feeds: the newest published posts of the threads, by creation time,
	// then id.
	post := func(thread string, at time.Duration, status string) string {
		t.Helper()
		p := &forum.Post{ID: forum.NewID(), ThreadID: thread, Status: status, Source: "x", HTML: "<p>x</p>", CreatedAt: lt0.Add(at)}
		if err := s.InsertPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	p1 := post(t1, time.Hour, forum.PostPublished)
	p2 := post(t2, 2*time.Hour, forum.PostPublished)
	p3 := post(t1, 2*time.Hour, forum.PostPublished) // ties with p2, newer id
	post(t2, 3*time.Hour, forum.PostPending)
	p5 := post(t2, 30*time.Minute, forum.PostPublished)
	latest := func(step string, threads []string, limit int, want ...string) {
		t.Helper()
		ps, err := s.LatestPublishedPosts(ctx, threads, limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ps, postID); !slices.Equal(got, want) {
			t.Fatalf("%s: %v, want %v", step, got, want)
		}
	}
	latest("feed of two threads", []string{t1, t2}, 0, p3, p2, p1, p5)
	latest("feed, limit", []string{t2, t1}, 2, p3, p2)
	latest("feed of one thread", []string{t2}, 0, p2, p5)
}

// testPublishedPostsFollowDecisions checks that a post's publication time
// follows the decisions written by DecidePost and DecidePostEdited: the
// approval time once approved, none while hidden, the creation time once
// restored.
func testPublishedPostsFollowDecisions(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	day := func(from time.Time) []string {
		t.Helper()
		ps, err := s.PublishedPosts(ctx, from, from.Add(24*time.Hour), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		return ids(ps, postID)
	}
	p := &forum.Post{ID: forum.NewID(), ThreadID: forum.NewID(), Status: forum.PostPending, Source: "a", HTML: "<p>a</p>", CreatedAt: lt0.Add(-48 * time.Hour)}
	q := &forum.Post{ID: forum.NewID(), ThreadID: p.ThreadID, Status: forum.PostPending, Source: "b", HTML: "<p>b</p>", CreatedAt: lt0.Add(-72 * time.Hour)}
	for _, x := range []*forum.Post{p, q} {
		if err := s.InsertPost(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	decide := func(status, action string, at time.Duration, from ...string) {
		t.Helper()
		ok, err := s.DecidePost(ctx, p.ID, moderation.PostCondition{Statuses: from}, status, forum.Decision{Action: action, At: lt0.Add(at)})
		if !ok || err != nil {
			t.Fatalf("%s: %v, %v", action, ok, err)
		}
	}
	if got := day(lt0); len(got) != 0 {
		t.Fatalf("pending posts published: %v", got)
	}
	decide(forum.PostPublished, forum.DecisionApproved, time.Hour, forum.PostPending)
	if got := day(lt0); !slices.Equal(got, []string{p.ID}) {
		t.Fatalf("approved on the day: %v, want %v", got, []string{p.ID})
	}
	decide(forum.PostHidden, forum.DecisionHidden, 2*time.Hour, forum.PostPublished)
	if got := day(lt0); len(got) != 0 {
		t.Fatalf("hidden post published: %v", got)
	}
	decide(forum.PostPublished, forum.DecisionRestored, 3*time.Hour, forum.PostHidden)
	if got := day(lt0); len(got) != 0 {
		t.Fatalf("restored post published again on the day of its restoration: %v", got)
	}
	if got := day(lt0.Add(-49 * time.Hour)); !slices.Equal(got, []string{p.ID}) {
		t.Fatalf("restored post on the day of its creation: %v, want %v", got, []string{p.ID})
	}
	ok, err := s.DecidePostEdited(ctx, q.ID, moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostPublished,
		forum.Decision{Action: forum.DecisionApproved, At: lt0.Add(5 * time.Hour)},
		forum.PostEdit{Current: "b", Source: "c", HTML: "<p>c</p>", EditedAt: lt0.Add(5 * time.Hour)})
	if !ok || err != nil {
		t.Fatalf("approved with an edit: %v, %v", ok, err)
	}
	if got := day(lt0); !slices.Equal(got, []string{q.ID}) {
		t.Fatalf("approved with an edit on the day: %v, want %v", got, []string{q.ID})
	}
	if ok, err := s.DecidePost(ctx, forum.NewID(), moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostPublished,
		forum.Decision{Action: forum.DecisionRestored, At: lt0}); ok || err != nil {
		t.Fatalf("decision on a missing post: %v, %v", ok, err)
	}
}

func init() {
	register("RecordThreadPostKeepsNewest", testRecordThreadPostKeepsNewest)
	register("ListingOrders", testListingOrders)
	register("PublishedPostsFollowDecisions", testPublishedPostsFollowDecisions)
}
