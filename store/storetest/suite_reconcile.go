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

// reconcilePost writes a post of the thread created at lt0+at.
func reconcilePost(t *testing.T, s store.Store, threadID, author, status string, at time.Duration) *forum.Post {
	t.Helper()
	p := &forum.Post{ID: forum.NewID(), ThreadID: threadID, Author: forum.AuthorRef{ID: author, DisplayName: "Nom " + author},
		Source: "x", HTML: "<p>x</p>", Status: status, CreatedAt: lt0.Add(at)}
	if err := s.InsertPost(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// testThreadTally checks that a thread's tally is computed from its posts:
// the first post's status, the published posts counted, the most recently
// published one (a post approved late is newer than a later reply) as last
// post, and without a published post the thread's creation and first post;
// and that SetThreadTally writes it where listings read it.
func testThreadTally(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: "Un fil",
		Author: forum.AuthorRef{ID: "alice", DisplayName: "Nom alice"}, Status: forum.ThreadPending, CreatedAt: lt0, LastActivityAt: lt0}
	first := reconcilePost(t, s, th.ID, "alice", forum.PostPending, 0)
	th.FirstPostID, th.LastPostID, th.LastAuthor = first.ID, first.ID, "Nom alice"
	if err := s.InsertThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	tally := func(step string, want forum.ThreadTally) {
		t.Helper()
		cur, err := s.ThreadByID(ctx, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ThreadTally(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Same(want) {
			t.Fatalf("%s: tally %+v, want %+v", step, got, want)
		}
	}
	tally("pending thread", forum.ThreadTally{Status: forum.ThreadPending, LastActivityAt: lt0, LastPostID: first.ID, LastAuthor: "Nom alice"})

	// The first post approved an hour later.
	approve := func(p *forum.Post, at time.Duration) {
		t.Helper()
		ok, err := s.DecidePost(ctx, p.ID, moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostPublished,
			forum.Decision{Action: forum.DecisionApproved, By: forum.AuthorRef{ID: "mod"}, At: lt0.Add(at)})
		if err != nil || !ok {
			t.Fatalf("approve: %v %v", ok, err)
		}
	}
	approve(first, time.Hour)
	tally("first post approved", forum.ThreadTally{Status: forum.ThreadPublished, PostCount: 1, LastActivityAt: lt0.Add(time.Hour),
		LastPostID: first.ID, LastAuthor: "Nom alice"})

	reply := reconcilePost(t, s, th.ID, "bob", forum.PostPublished, 2*time.Hour)
	late := reconcilePost(t, s, th.ID, "carol", forum.PostPending, 3*time.Hour)
	hidden := reconcilePost(t, s, th.ID, "dave", forum.PostHidden, 4*time.Hour)
	reconcilePost(t, s, th.ID, "erin", forum.PostPending, 5*time.Hour)
	_ = hidden
	tally("a reply, pending and hidden ones", forum.ThreadTally{Status: forum.ThreadPublished, PostCount: 2,
		LastActivityAt: lt0.Add(2 * time.Hour), LastPostID: reply.ID, LastAuthor: "Nom bob"})
	approve(late, 6*time.Hour)
	want := forum.ThreadTally{Status: forum.ThreadPublished, PostCount: 3, LastActivityAt: lt0.Add(6 * time.Hour),
		LastPostID: late.ID, LastAuthor: "Nom carol"}
	tally("late approval", want)

	// Written, the tally is what ThreadByID and the listings read.
	if err := s.SetThreadTally(ctx, th.ID, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.ThreadByID(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !forum.TallyOf(got).Same(want) {
		t.Fatalf("after SetThreadTally: %+v, want %+v", forum.TallyOf(got), want)
	}
	for _, f := range []forum.ThreadFilter{{}, {Theme: "reseaux"}, {AuthorityType: "commune"}} {
		list, err := s.ListThreads(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != th.ID {
			t.Fatalf("listing %+v: %d threads, want the published one", f, len(list))
		}
	}
	// Hiding the first post hides the thread (its status mirrors it).
	ok, err := s.DecidePost(ctx, first.ID, moderation.PostCondition{Statuses: []string{forum.PostPublished}}, forum.PostHidden,
		forum.Decision{Action: forum.DecisionHidden, By: forum.AuthorRef{ID: "mod"}, At: lt0.Add(7 * time.Hour)})
	if err != nil || !ok {
		t.Fatalf("hide: %v %v", ok, err)
	}
	want = forum.ThreadTally{Status: forum.ThreadHidden, PostCount: 2, LastActivityAt: lt0.Add(6 * time.Hour),
		LastPostID: late.ID, LastAuthor: "Nom carol"}
	tally("first post hidden", want)
	if err := s.SetThreadTally(ctx, th.ID, want); err != nil {
		t.Fatal(err)
	}
	for _, f := range []forum.ThreadFilter{{}, {AuthorityType: "commune"}} {
		if list, err := s.ListThreads(ctx, f); err != nil || len(list) != 0 {
			t.Fatalf("listing %+v of a hidden thread: %d threads (%v)", f, len(list), err)
		}
	}
	if err := s.SetThreadTally(ctx, "missing", want); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("SetThreadTally of a missing thread: %v", err)
	}
}

// testReconcileScans checks the reads of the reconciler: thread and member
// ids in pages, the threads of posts created or decided since a time, and a
// member's approved count (published and hidden posts) read and set.
func testReconcileScans(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	var threads []string
	for range 5 {
		threads = append(threads, listingThread(t, s, "reseaux", []string{"commune"}, 0, false, forum.ThreadPublished))
	}
	slices.Sort(threads)
	ids, err := s.ThreadIDsAfter(ctx, "", 3)
	if err != nil || !slices.Equal(ids, threads[:3]) {
		t.Fatalf("ThreadIDsAfter first page: %v (%v), want %v", ids, err, threads[:3])
	}
	ids, err = s.ThreadIDsAfter(ctx, ids[2], 3)
	if err != nil || !slices.Equal(ids, threads[3:]) {
		t.Fatalf("ThreadIDsAfter second page: %v (%v), want %v", ids, err, threads[3:])
	}

	old := reconcilePost(t, s, threads[0], "alice", forum.PostPublished, 0)
	reconcilePost(t, s, threads[1], "alice", forum.PostHidden, time.Minute)
	reconcilePost(t, s, threads[1], "alice", forum.PostPending, 2*time.Minute)
	reconcilePost(t, s, threads[2], "alice", forum.PostRejected, 3*time.Minute)
	reconcilePost(t, s, threads[3], "bob", forum.PostPublished, 10*time.Hour)
	pending := reconcilePost(t, s, threads[4], "bob", forum.PostPending, 0)
	touched := func(step string, since time.Duration, want ...string) {
		t.Helper()
		got, err := s.ThreadIDsTouchedSince(ctx, lt0.Add(since), 100)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s: touched %v, want %v", step, got, want)
		}
	}
	touched("all", 0, threads...)
	touched("since 2 minutes", 2*time.Minute, threads[1], threads[2], threads[3])
	touched("since 5 hours", 5*time.Hour, threads[3])
	// A decision touches its thread.
	if ok, err := s.DecidePost(ctx, pending.ID, moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostRejected,
		forum.Decision{Action: forum.DecisionRejected, At: lt0.Add(11 * time.Hour)}); err != nil || !ok {
		t.Fatalf("reject: %v %v", ok, err)
	}
	touched("after a decision", 5*time.Hour, threads[3], threads[4])
	_ = old

	for _, m := range []string{"alice", "bob"} {
		if err := s.InsertMember(ctx, &forum.Member{ID: m + "-id", Email: m + "@example.org", DisplayName: m,
			Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: lt0}); err != nil {
			t.Fatal(err)
		}
	}
	members, err := s.MemberIDsAfter(ctx, "", 10)
	if err != nil || !slices.Equal(members, []string{"alice-id", "bob-id"}) {
		t.Fatalf("MemberIDsAfter: %v (%v)", members, err)
	}
	if members, err := s.MemberIDsAfter(ctx, "alice-id", 10); err != nil || !slices.Equal(members, []string{"bob-id"}) {
		t.Fatalf("MemberIDsAfter alice: %v (%v)", members, err)
	}
	for author, want := range map[string]int{"alice": 2, "bob": 1, "nobody": 0} {
		if n, err := s.CountApprovedPosts(ctx, author); err != nil || n != want {
			t.Fatalf("CountApprovedPosts(%s) = %d (%v), want %d", author, n, err, want)
		}
	}
	if err := s.SetMemberApprovedPosts(ctx, "alice-id", 7); err != nil {
		t.Fatal(err)
	}
	if m, err := s.MemberByID(ctx, "alice-id"); err != nil || m.ApprovedPosts != 7 {
		t.Fatalf("approved count set: %v (%v)", m, err)
	}
	if err := s.SetMemberApprovedPosts(ctx, "missing", 1); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("SetMemberApprovedPosts of a missing member: %v", err)
	}
}

// testIdempotencyKeys checks that a post's idempotency key is unique per
// author (another author may use the same key; posts without a key are
// not concerned) and finds the post again.
func testIdempotencyKeys(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := listingThread(t, s, "reseaux", []string{"commune"}, 0, false, forum.ThreadPublished)
	post := func(author, key string) (*forum.Post, error) {
		p := &forum.Post{ID: forum.NewID(), ThreadID: th, Author: forum.AuthorRef{ID: author}, Source: "x", HTML: "<p>x</p>",
			Status: forum.PostPublished, CreatedAt: lt0, IdempotencyKey: key}
		return p, s.InsertPost(ctx, p)
	}
	first, err := post("alice", "k-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := post("alice", "k-1"); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("second post with the key: %v, want ErrDuplicate", err)
	}
	if _, err := post("bob", "k-1"); err != nil {
		t.Fatalf("another author's post with the key: %v", err)
	}
	for range 2 {
		if _, err := post("alice", ""); err != nil {
			t.Fatalf("post without a key: %v", err)
		}
	}
	got, err := s.PostByIdempotencyKey(ctx, "alice", "k-1")
	if err != nil || got.ID != first.ID {
		t.Fatalf("PostByIdempotencyKey: %v (%v), want %s", got, err, first.ID)
	}
	if _, err := s.PostByIdempotencyKey(ctx, "alice", "k-2"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}
	if n, err := s.CountPosts(ctx, forum.PostFilter{ThreadID: th}, nil); err != nil || n != 4 {
		t.Fatalf("%d posts (%v), want 4", n, err)
	}
}

// testEditPostStatusCondition checks that an edit conditional on the
// post's status does not apply once the status changed.
func testEditPostStatusCondition(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := listingThread(t, s, "reseaux", []string{"commune"}, 0, false, forum.ThreadPublished)
	p := reconcilePost(t, s, th, "alice", forum.PostPublished, 0)
	edit := forum.PostEdit{Current: "x", Source: "y", HTML: "<p>y</p>", EditedAt: lt0, Statuses: []string{forum.PostPending}}
	if err := s.EditPost(ctx, p.ID, edit); !errors.Is(err, forum.ErrConflict) {
		t.Fatalf("edit of a published post as pending: %v, want ErrConflict", err)
	}
	edit.Statuses = []string{forum.PostPublished}
	if err := s.EditPost(ctx, p.ID, edit); err != nil {
		t.Fatalf("edit of a published post as published: %v", err)
	}
	if got, err := s.PostByID(ctx, p.ID); err != nil || got.Source != "y" {
		t.Fatalf("edited post: %v (%v)", got, err)
	}
}

func init() {
	register("ThreadTally", testThreadTally)
	register("ReconcileScans", testReconcileScans)
	register("IdempotencyKeys", testIdempotencyKeys)
	register("EditPostStatusCondition", testEditPostStatusCondition)
}
