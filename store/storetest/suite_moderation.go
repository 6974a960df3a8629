package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/store"
)

// What moderation relies on: decisions are conditional updates with one
// winner, edits decided with a decision refuse a changed source and keep
// search in step, thread moves from a set of statuses, the queue's order,
// the audit log's filters and order, notifications, reports, reminders.

var mt0 = time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC)

// modThread inserts a thread of the theme "reseaux" about communes.
func modThread(t *testing.T, s store.Store, status, title string, author forum.AuthorRef) *forum.Thread {
	t.Helper()
	th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: title, Author: author,
		Status: status, CreatedAt: mt0, LastActivityAt: mt0}
	if err := s.InsertThread(context.Background(), th); err != nil {
		t.Fatal(err)
	}
	return th
}

// modPost inserts a post of the thread whose text is words.
func modPost(t *testing.T, s store.Store, threadID, status, words string, author forum.AuthorRef) *forum.Post {
	t.Helper()
	p := &forum.Post{ID: forum.NewID(), ThreadID: threadID, Author: author, Status: status, Source: words,
		HTML: "<p>" + words + "</p>", CreatedAt: mt0}
	if err := s.InsertPost(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// searchIDs returns the ids of the published posts with the word.
func searchIDs(t *testing.T, s store.Store, word string) map[string]bool {
	t.Helper()
	q, err := forum.ParseSearchQuery(word)
	if err != nil || q.Empty() {
		t.Fatalf("query %q: %v", word, err)
	}
	posts, err := s.SearchPosts(context.Background(), forum.SearchFilter{Words: q.Words}, nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, p := range posts {
		ids[p.ID] = true
	}
	return ids
}

var modAuthor = forum.AuthorRef{ID: "author", DisplayName: "Ada", Authority: "Ville de Sceaux", AuthorityType: "commune"}

// testDecidePostOneWinner runs concurrent decisions on one pending post:
// exactly one wins and the post carries its decision; then the decision
// conditions (last action, decided after) are checked one by one.
func testDecidePostOneWinner(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := modThread(t, s, forum.ThreadPublished, "Un fil", modAuthor)
	p := modPost(t, s, th.ID, forum.PostPending, "bonjour", modAuthor)
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var winners []int
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, action := forum.PostPublished, forum.DecisionApproved
			if i%2 == 1 {
				status, action = forum.PostRejected, forum.DecisionRejected
			}
			d := forum.Decision{Action: action, By: forum.AuthorRef{ID: "mod", DisplayName: "Mod"}, At: mt0.Add(time.Duration(i+1) * time.Minute), Reason: "r"}
			ok, err := s.DecidePost(ctx, p.ID, moderation.PostCondition{Statuses: []string{forum.PostPending}}, status, d)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				winners = append(winners, i)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d decisions won (%v), want exactly 1", len(winners), winners)
	}
	w := winners[0]
	got, err := s.PostByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus := forum.PostPublished
	if w%2 == 1 {
		wantStatus = forum.PostRejected
	}
	decidedAt := mt0.Add(time.Duration(w+1) * time.Minute)
	if got.Status != wantStatus || got.Decision == nil || !got.Decision.At.Equal(decidedAt) || got.Decision.By.ID != "mod" || got.Decision.Reason != "r" {
		t.Fatalf("post after the winning decision %d: status %q, decision %+v", w, got.Status, got.Decision)
	}
	if n, err := s.CountPostsByStatus(ctx, forum.PostPending); err != nil || n != 0 {
		t.Fatalf("pending count after the decision: %d, %v", n, err)
	}

	// A later decision conditioned on the last one.
	undo := func(action string, after time.Time) bool {
		t.Helper()
		ok, err := s.DecidePost(ctx, p.ID, moderation.PostCondition{Statuses: []string{wantStatus}, DecisionAction: action, DecidedAfter: after},
			forum.PostPending, forum.Decision{Action: forum.DecisionReopened, At: mt0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	other := forum.DecisionRejected
	if got.Decision.Action == forum.DecisionRejected {
		other = forum.DecisionApproved
	}
	if undo(other, time.Time{}) {
		t.Fatal("decision applied although the last action differs")
	}
	if undo(got.Decision.Action, decidedAt) {
		t.Fatal("decision applied although the last decision is not after DecidedAfter")
	}
	if !undo(got.Decision.Action, decidedAt.Add(-time.Millisecond)) {
		t.Fatal("decision refused although its conditions hold")
	}
	if ok, err := s.DecidePost(ctx, "missing", moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostPublished, forum.Decision{}); ok || err != nil {
		t.Fatalf("decision on a missing post: %v, %v", ok, err)
	}
}

// testDecidePostEdited checks that a decision with an edit applies only to
// the source it started from, keeps the revision, moves the search terms,
// and has one winner under concurrency.
func testDecidePostEdited(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := modThread(t, s, forum.ThreadPublished, "Un fil", modAuthor)
	p := modPost(t, s, th.ID, forum.PostPending, "ornithorynque", modAuthor)
	cond := moderation.PostCondition{Statuses: []string{forum.PostPending}}
	d := forum.Decision{Action: forum.DecisionApproved, By: forum.AuthorRef{ID: "mod"}, At: mt0.Add(time.Minute)}
	edit := func(current, words string) forum.PostEdit {
		return forum.PostEdit{Current: current, Source: words, HTML: "<p>" + words + "</p>",
			Previous: forum.Revision{Source: current, EditedAt: mt0, EditorID: "mod"}, EditedAt: mt0.Add(time.Minute)}
	}
	if ok, err := s.DecidePostEdited(ctx, p.ID, cond, forum.PostPublished, d, edit("autre chose", "kangourou")); ok || err != nil {
		t.Fatalf("edit from a stale source: %v, %v", ok, err)
	}
	if ok, err := s.DecidePostEdited(ctx, p.ID, moderation.PostCondition{Statuses: []string{forum.PostHidden}}, forum.PostPublished, d,
		edit("ornithorynque", "kangourou")); ok || err != nil {
		t.Fatalf("edit of a post not in the statuses: %v, %v", ok, err)
	}
	got, _ := s.PostByID(ctx, p.ID)
	if got.Status != forum.PostPending || got.Source != "ornithorynque" || len(got.Revisions) != 0 || got.Decision != nil {
		t.Fatalf("a refused decision changed the post: %+v", got)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for _, w := range []string{"kangourou", "wombat", "dingo", "koala"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.DecidePostEdited(ctx, p.ID, cond, forum.PostPublished, d, edit("ornithorynque", w))
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
		t.Fatalf("%d edited decisions won, want 1", wins)
	}
	got, _ = s.PostByID(ctx, p.ID)
	if got.Status != forum.PostPublished || got.Decision == nil || got.Decision.Action != forum.DecisionApproved ||
		got.HTML != "<p>"+got.Source+"</p>" || got.EditedAt == nil || !got.EditedAt.Equal(mt0.Add(time.Minute)) ||
		len(got.Revisions) != 1 || got.Revisions[0].Source != "ornithorynque" {
		t.Fatalf("post after the edited decision: %+v", got)
	}
	if searchIDs(t, s, "ornithorynque")[p.ID] {
		t.Fatal("the replaced word is still found")
	}
	if !searchIDs(t, s, got.Source)[p.ID] {
		t.Fatalf("the new word %q is not found", got.Source)
	}
}

// testSetThreadStatusFrom checks the from-set of thread moves and that the
// listings (by authority type too) follow the new status.
func testSetThreadStatusFrom(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := modThread(t, s, forum.ThreadPending, "Un fil", modAuthor)
	move := func(from []string, to string) bool {
		t.Helper()
		ok, err := s.SetThreadStatus(ctx, th.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	listed := func() bool {
		t.Helper()
		ts, err := s.ListThreads(ctx, forum.ThreadFilter{AuthorityType: "commune"})
		if err != nil {
			t.Fatal(err)
		}
		return len(ts) == 1 && ts[0].ID == th.ID
	}
	if move([]string{forum.ThreadPublished, forum.ThreadHidden}, forum.ThreadRejected) {
		t.Fatal("moved a thread whose status is not in from")
	}
	if listed() {
		t.Fatal("a pending thread is listed")
	}
	if !move([]string{forum.ThreadHidden, forum.ThreadPending}, forum.ThreadPublished) {
		t.Fatal("refused a move from the thread's status")
	}
	if got, _ := s.ThreadByID(ctx, th.ID); got.Status != forum.ThreadPublished {
		t.Fatalf("status %q, want published", got.Status)
	}
	if !listed() {
		t.Fatal("the published thread is not listed under its authority type")
	}
	if move([]string{forum.ThreadPending}, forum.ThreadHidden) {
		t.Fatal("moved from a status the thread left")
	}
	if ok, err := s.SetThreadStatus(ctx, "missing", []string{forum.ThreadPending}, forum.ThreadPublished); ok || err != nil {
		t.Fatalf("missing thread: %v, %v", ok, err)
	}
}

// testModeratorChanges covers UpdateThread (a new title is what search
// finds), UpdateMember (ClearUntil), the counters, and ErrNotFound.
func testModeratorChanges(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	th := modThread(t, s, forum.ThreadPublished, "Fibre optique", modAuthor)
	title, theme, locked, pinned := "Téléphonie mobile", "portails", true, true
	if err := s.UpdateThread(ctx, th.ID, moderation.ThreadChange{Title: &title, Theme: &theme, AuthorityTypes: []string{"region", "departement"},
		Locked: &locked, Pinned: &pinned}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ThreadByID(ctx, th.ID)
	if got.Title != title || got.Theme != theme || !got.Locked || !got.Pinned || len(got.AuthorityTypes) != 2 || got.AuthorityTypes[0] != "region" {
		t.Fatalf("thread after the change: %+v", got)
	}
	titles := func(word string) int {
		t.Helper()
		q, _ := forum.ParseSearchQuery(word)
		ts, err := s.SearchTitles(ctx, forum.SearchFilter{Words: q.Words}, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(ts)
	}
	if titles("fibre") != 0 || titles("téléphonie") != 1 {
		t.Fatal("title search does not follow the new title")
	}
	if ts, _ := s.ListThreads(ctx, forum.ThreadFilter{Theme: "portails", AuthorityType: "region"}); len(ts) != 1 {
		t.Fatalf("listing by the new theme and type: %d threads", len(ts))
	}
	if ts, _ := s.ListThreads(ctx, forum.ThreadFilter{AuthorityType: "commune"}); len(ts) != 0 {
		t.Fatalf("listed under the old authority type: %d threads", len(ts))
	}
	if err := s.UpdateThread(ctx, "missing", moderation.ThreadChange{Pinned: &pinned}); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("change of a missing thread: %v", err)
	}
	if err := s.UpdateThread(ctx, "missing", moderation.ThreadChange{}); err != nil {
		t.Fatalf("empty change: %v", err)
	}
	if err := s.IncThreadPostCount(ctx, th.ID, 3); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ThreadByID(ctx, th.ID); got.PostCount != 3 {
		t.Fatalf("post count %d", got.PostCount)
	}
	if err := s.IncThreadPostCount(ctx, "missing", 1); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("count of a missing thread: %v", err)
	}

	m := &forum.Member{ID: forum.NewID(), Email: "m@example.org", DisplayName: "M", Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: mt0}
	if err := s.InsertMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	st, until, reason, yes := forum.MemberSuspended, mt0.Add(48*time.Hour), "spam", true
	if err := s.UpdateMember(ctx, m.ID, moderation.MemberChange{Status: &st, SuspendedUntil: &until, SuspendReason: &reason, Trusted: &yes, AlwaysModerate: &yes}); err != nil {
		t.Fatal(err)
	}
	gm, _ := s.MemberByID(ctx, m.ID)
	if gm.Status != st || gm.SuspendedUntil == nil || !gm.SuspendedUntil.Equal(until) || gm.SuspendReason != reason || !gm.Trusted || !gm.AlwaysModerate {
		t.Fatalf("member after suspension: %+v", gm)
	}
	active := forum.MemberActive
	if err := s.UpdateMember(ctx, m.ID, moderation.MemberChange{Status: &active, ClearUntil: true}); err != nil {
		t.Fatal(err)
	}
	if gm, _ := s.MemberByID(ctx, m.ID); gm.Status != active || gm.SuspendedUntil != nil || gm.SuspendReason != reason {
		t.Fatalf("member after ClearUntil: %+v", gm)
	}
	if err := s.IncMemberRejectedPosts(ctx, m.ID, 2); err != nil {
		t.Fatal(err)
	}
	if gm, _ := s.MemberByID(ctx, m.ID); gm.RejectedPosts != 2 {
		t.Fatalf("rejected posts %d", gm.RejectedPosts)
	}
	if err := s.UpdateMember(ctx, "missing", moderation.MemberChange{Trusted: &yes}); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("change of a missing member: %v", err)
	}
	if err := s.IncMemberRejectedPosts(ctx, "missing", 1); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("count of a missing member: %v", err)
	}
}

func init() {
	register("DecidePostOneWinner", testDecidePostOneWinner)
	register("DecidePostEdited", testDecidePostEdited)
	register("SetThreadStatusFrom", testSetThreadStatusFrom)
	register("ModeratorChanges", testModeratorChanges)
}
