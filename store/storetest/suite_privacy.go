package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/privacy"
	"coterforum/store"
)

// What account deletion and the data export rely on: erased bodies are no
// longer found, a deleted member's name is rewritten everywhere it was
// copied, deletion marks keep the first choice, the tombstone, and the
// per-member reads.

// privMember inserts a member.
func privMember(t *testing.T, s store.Store, name, role string) *forum.Member {
	t.Helper()
	m := &forum.Member{ID: forum.NewID(), Email: name + "@example.org", DisplayName: name, Authority: "Ville de " + name, AuthorityType: "commune",
		Role: role, Status: forum.MemberActive, PasswordHash: "hash", Lang: "en", SuspendReason: "old", CreatedAt: mt0}
	if err := s.InsertMember(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

// testErasePostBodies checks that every post of the member, whatever its
// status, gets the placeholder and loses its revisions, and that search
// finds the placeholder's words, not the erased ones.
func testErasePostBodies(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	gone, other := privMember(t, s, "Gone", forum.RoleMember), privMember(t, s, "Other", forum.RoleMember)
	th := modThread(t, s, forum.ThreadPublished, "Un fil", other.Ref())
	p1 := modPost(t, s, th.ID, forum.PostPublished, "ornithorynque", gone.Ref())
	p2 := modPost(t, s, th.ID, forum.PostPending, "ornithorynque kangourou", gone.Ref())
	kept := modPost(t, s, th.ID, forum.PostPublished, "ornithorynque", other.Ref())
	if err := s.EditPost(ctx, p1.ID, forum.PostEdit{Current: "ornithorynque", Source: "ornithorynque wombat", HTML: "<p>ornithorynque wombat</p>",
		Previous: forum.Revision{Source: "ornithorynque", EditedAt: mt0}, EditedAt: mt0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if found := searchIDs(t, s, "wombat"); !found[p1.ID] {
		t.Fatal("the edited post is not found before erasure")
	}
	if err := s.ErasePostBodies(ctx, gone.ID, "*Supprimé.*", "<p><em>Supprimé.</em></p>"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{p1.ID, p2.ID} {
		p, err := s.PostByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.Source != "*Supprimé.*" || p.HTML != "<p><em>Supprimé.</em></p>" || len(p.Revisions) != 0 {
			t.Fatalf("erased post: %+v", p)
		}
	}
	if p, _ := s.PostByID(ctx, kept.ID); p.Source != "ornithorynque" {
		t.Fatalf("another member's post changed: %+v", p)
	}
	found := searchIDs(t, s, "ornithorynque")
	if found[p1.ID] || !found[kept.ID] {
		t.Fatalf("search of an erased word: %v (erased %s, kept %s)", found, p1.ID, kept.ID)
	}
	if searchIDs(t, s, "wombat")[p1.ID] {
		t.Fatal("the erased edit is still found")
	}
	if !searchIDs(t, s, "supprimé")[p1.ID] {
		t.Fatal("the placeholder's words are not found")
	}
	// Again (a resumed deletion): same result, no error.
	if err := s.ErasePostBodies(ctx, gone.ID, "*Supprimé.*", "<p><em>Supprimé.</em></p>"); err != nil {
		t.Fatal(err)
	}
	if found := searchIDs(t, s, "supprimé"); !found[p1.ID] || found[kept.ID] {
		t.Fatalf("after a second erasure: %v", found)
	}
}

// testAnonymiseMember checks that the member's name is rewritten in posts,
// threads (author and last author), decisions, reports and the audit log,
// and nowhere else.
func testAnonymiseMember(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	gone, other := privMember(t, s, "Gone", forum.RoleModerator), privMember(t, s, "Other", forum.RoleMember)
	mine := modThread(t, s, forum.ThreadPublished, "Le fil de Gone", gone.Ref())
	theirs := modThread(t, s, forum.ThreadPublished, "Le fil d'Other", other.Ref())
	p1 := modPost(t, s, mine.ID, forum.PostPublished, "un", gone.Ref())
	p2 := modPost(t, s, theirs.ID, forum.PostPublished, "deux", gone.Ref())
	p3 := modPost(t, s, theirs.ID, forum.PostPending, "trois", other.Ref())
	if err := s.RecordThreadPost(ctx, mine.ID, 1, p1); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordThreadPost(ctx, theirs.ID, 1, &forum.Post{ID: p2.ID, Author: gone.Ref(), CreatedAt: mt0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.DecidePost(ctx, p3.ID, moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostPublished,
		forum.Decision{Action: forum.DecisionApproved, By: gone.Ref(), At: mt0}); !ok || err != nil {
		t.Fatalf("decision: %v, %v", ok, err)
	}
	if err := s.InsertReport(ctx, &moderation.Report{ID: p3.ID + ":" + gone.ID, PostID: p3.ID, ThreadID: theirs.ID, Reporter: gone.Ref(), CreatedAt: mt0, Open: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertReport(ctx, &moderation.Report{ID: p2.ID + ":" + other.ID, PostID: p2.ID, ThreadID: theirs.ID, Reporter: other.Ref(), CreatedAt: mt0, Open: true}); err != nil {
		t.Fatal(err)
	}
	for _, actor := range []*forum.Member{gone, other} {
		if err := s.InsertAudit(ctx, &moderation.AuditEntry{ID: forum.NewID(), At: mt0, Actor: actor.Ref(), Action: "approve", TargetID: p3.ID}); err != nil {
			t.Fatal(err)
		}
	}

	ref := forum.DeletedRef(gone.ID)
	if err := s.AnonymiseMember(ctx, gone.ID, ref, []string{p1.ID, p2.ID}); err != nil {
		t.Fatal(err)
	}
	isRef := func(what string, a forum.AuthorRef) {
		t.Helper()
		if a != ref {
			t.Errorf("%s: %+v, want %+v", what, a, ref)
		}
	}
	isOther := func(what string, a forum.AuthorRef) {
		t.Helper()
		if a != other.Ref() {
			t.Errorf("%s changed: %+v", what, a)
		}
	}
	for _, id := range []string{p1.ID, p2.ID} {
		p, _ := s.PostByID(ctx, id)
		isRef("post author", p.Author)
	}
	p, _ := s.PostByID(ctx, p3.ID)
	isOther("other's post author", p.Author)
	if p.Decision == nil {
		t.Fatal("decision lost")
	}
	isRef("decision by", p.Decision.By)
	th, _ := s.ThreadByID(ctx, mine.ID)
	isRef("thread author", th.Author)
	if th.LastAuthor != ref.DisplayName {
		t.Errorf("last author of own thread: %q", th.LastAuthor)
	}
	th, _ = s.ThreadByID(ctx, theirs.ID)
	isOther("other's thread author", th.Author)
	if th.LastAuthor != ref.DisplayName {
		t.Errorf("last author of other's thread: %q", th.LastAuthor)
	}
	reports, _ := s.ReportsBy(ctx, gone.ID)
	if len(reports) != 1 {
		t.Fatalf("reports by the member: %+v", reports)
	}
	isRef("reporter", reports[0].Reporter)
	reports, _ = s.ReportsBy(ctx, other.ID)
	if len(reports) != 1 {
		t.Fatalf("reports by other: %+v", reports)
	}
	isOther("other reporter", reports[0].Reporter)
	entries, _ := s.ListAudit(ctx, moderation.AuditFilter{TargetID: p3.ID})
	if len(entries) != 2 {
		t.Fatalf("audit: %+v", entries)
	}
	isOther("other actor", entries[0].Actor)
	isRef("audit actor", entries[1].Actor)
}

// testMemberDeletionMarks checks BeginMemberDeletion's first choice,
// MembersBeingDeleted, the tombstone, and the per-member reads and deletes.
func testMemberDeletionMarks(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	gone, stay := privMember(t, s, "Gone", forum.RoleAdmin), privMember(t, s, "Stay", forum.RoleModerator)
	// Another admin remains (testLastAdminStays), later a tombstone.
	admin := privMember(t, s, "Admin", forum.RoleAdmin)
	if err := s.BeginMemberDeletion(ctx, gone.ID, forum.DeletePostsRemove, mt0); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishMemberDeletion(ctx, admin.ID, forum.TombstoneEmail(admin.ID), mt0); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginMemberDeletion(ctx, gone.ID, forum.DeletePostsAnonymise, mt0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginMemberDeletion(ctx, "missing", forum.DeletePostsAnonymise, mt0); err != nil {
		t.Fatalf("missing member: %v", err)
	}
	m, _ := s.MemberByID(ctx, gone.ID)
	if m.DeletionStartedAt == nil || !m.DeletionStartedAt.Equal(mt0) || m.DeletionPosts != forum.DeletePostsRemove ||
		m.PasswordHash != "" || m.Role != forum.RoleMember || m.DeletedAt != nil {
		t.Fatalf("member marked for deletion: %+v", m)
	}
	if mods, _ := s.ListModerators(ctx); len(mods) != 1 || mods[0].ID != stay.ID {
		t.Fatalf("moderators after the mark: %+v", mods)
	}
	deleting, err := s.MembersBeingDeleted(ctx)
	if err != nil || len(deleting) != 1 || deleting[0].ID != gone.ID {
		t.Fatalf("members being deleted: %v, %+v", err, deleting)
	}

	for i, id := range []string{forum.NewID(), forum.NewID()} {
		if err := s.InsertSession(ctx, &forum.Session{ID: id, MemberID: gone.ID, CSRFToken: "c", CreatedAt: mt0.Add(time.Duration(1-i) * time.Hour),
			ExpiresAt: mt0.Add(48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if sess, err := s.SessionsOf(ctx, gone.ID); err != nil || len(sess) != 2 || !sess[0].CreatedAt.Equal(mt0) || sess[0].MemberID != gone.ID {
		t.Fatalf("sessions, oldest first: %v, %+v", err, sess)
	}
	if sess, err := s.SessionsOf(ctx, stay.ID); err != nil || sess == nil || len(sess) != 0 {
		t.Fatalf("no sessions: %v, %#v", err, sess)
	}
	for _, th := range []string{"t2", "t1"} {
		if err := s.AdvanceReadMarker(ctx, &forum.ReadMarker{ID: forum.ReadMarkerID(gone.ID, th), MemberID: gone.ID, ThreadID: th, PostID: "p", PostAt: mt0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AdvanceReadMarker(ctx, &forum.ReadMarker{ID: forum.ReadMarkerID(stay.ID, "t1"), MemberID: stay.ID, ThreadID: "t1", PostID: "p", PostAt: mt0}); err != nil {
		t.Fatal(err)
	}
	if marks, err := s.ReadMarkersOf(ctx, gone.ID); err != nil || len(marks) != 2 || marks[0].MemberID != gone.ID || marks[0].ID != forum.ReadMarkerID(gone.ID, marks[0].ThreadID) {
		t.Fatalf("read markers of the member: %v, %+v", err, marks)
	}
	th := modThread(t, s, forum.ThreadPublished, "Un fil", stay.Ref())
	first := modPost(t, s, th.ID, forum.PostRejected, "un", gone.Ref())
	modPost(t, s, th.ID, forum.PostPublished, "deux", stay.Ref())
	second := modPost(t, s, th.ID, forum.PostPending, "trois", gone.Ref())
	if posts, err := s.PostsByAuthor(ctx, gone.ID); err != nil || len(posts) != 2 || posts[0].ID != first.ID || posts[1].ID != second.ID {
		t.Fatalf("posts by the member, any status, oldest first: %v, %v", err, postIDs(posts))
	}
	for _, email := range []string{gone.Email, gone.Email, stay.Email} {
		if err := s.InsertInvite(ctx, &forum.Invite{ID: forum.NewID(), Email: email, Role: forum.RoleMember, CreatedAt: mt0, ExpiresAt: mt0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteInvitesFor(ctx, gone.Email); err != nil {
		t.Fatal(err)
	}
	if invites, _ := s.ListInvites(ctx, 10); len(invites) != 1 || invites[0].Email != stay.Email {
		t.Fatalf("invites after deleting the member's: %+v", invites)
	}

	tomb := forum.TombstoneEmail(gone.ID)
	if err := s.FinishMemberDeletion(ctx, gone.ID, tomb, mt0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	m, _ = s.MemberByID(ctx, gone.ID)
	if m.Email != tomb || m.DisplayName != forum.DeletedMemberName || m.Authority != "" || m.AuthorityType != "" || m.PasswordHash != "" ||
		m.Role != forum.RoleMember || m.Lang != "" || m.SuspendReason != "" || m.DeletedAt == nil || !m.DeletedAt.Equal(mt0.Add(2*time.Hour)) {
		t.Fatalf("tombstone: %+v", m)
	}
	if _, err := s.MemberByEmail(ctx, gone.Email); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("the old address still finds the member: %v", err)
	}
	if deleting, err := s.MembersBeingDeleted(ctx); err != nil || deleting == nil || len(deleting) != 0 {
		t.Fatalf("members being deleted after the end: %v, %#v", err, deleting)
	}
	if err := s.FinishMemberDeletion(ctx, "missing", "deleted-missing@invalid", mt0); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("tombstone of a missing member: %v", err)
	}
}

func init() {
	register("ErasePostBodies", testErasePostBodies)
	register("AnonymiseMember", testAnonymiseMember)
	register("MemberDeletionMarks", testMemberDeletionMarks)
}

// testLastAdminStays checks that the last admin cannot be marked for
// deletion, and that two admins marking themselves at once leave at least
// one admin.
func testLastAdminStays(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	isAdmin := func(id string) bool {
		m, err := s.MemberByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Role == forum.RoleAdmin && !m.Deleting() && m.PasswordHash == "hash"
	}
	for round := 0; round < 5; round++ {
		a, b := privMember(t, s, "A"+forum.NewID(), forum.RoleAdmin), privMember(t, s, "B"+forum.NewID(), forum.RoleAdmin)
		errs := make(chan error, 2)
		start := make(chan struct{})
		for _, m := range []*forum.Member{a, b} {
			go func() {
				<-start
				errs <- s.BeginMemberDeletion(ctx, m.ID, forum.DeletePostsAnonymise, mt0)
			}()
		}
		close(start)
		refused := 0
		for range 2 {
			switch err := <-errs; {
			case errors.Is(err, privacy.ErrLastAdmin):
				refused++
			case err != nil:
				t.Fatal(err)
			}
		}
		left := 0
		for _, m := range []*forum.Member{a, b} {
			if isAdmin(m.ID) {
				left++
			}
		}
		if left == 0 || left != refused {
			t.Fatalf("round %d: %d admins left, %d deletions refused", round, left, refused)
		}
		// The one left is the last admin: refused, unchanged.
		last := a
		if !isAdmin(a.ID) {
			last = b
		}
		if err := s.BeginMemberDeletion(ctx, last.ID, forum.DeletePostsAnonymise, mt0); !errors.Is(err, privacy.ErrLastAdmin) {
			t.Fatalf("last admin marked: %v", err)
		}
		if !isAdmin(last.ID) {
			t.Fatal("the last admin changed")
		}
		// The survivors leave the admins (a tombstone is a member), for the next round.
		for _, m := range []*forum.Member{a, b} {
			if isAdmin(m.ID) {
				if err := s.FinishMemberDeletion(ctx, m.ID, forum.TombstoneEmail(m.ID), mt0); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// A member is marked whatever the admins.
	m := privMember(t, s, "Member", forum.RoleMember)
	if err := s.BeginMemberDeletion(ctx, m.ID, forum.DeletePostsAnonymise, mt0); err != nil {
		t.Fatal(err)
	}
}

func init() { register("LastAdminStays", testLastAdminStays) }

// testMarkPostsErased checks that every post of the member, whatever its
// status, gets the erasure time once, and that others keep none.
func testMarkPostsErased(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	gone, other := privMember(t, s, "Gone", forum.RoleMember), privMember(t, s, "Other", forum.RoleMember)
	th := modThread(t, s, forum.ThreadPublished, "Un fil", other.Ref())
	p1 := modPost(t, s, th.ID, forum.PostPublished, "un", gone.Ref())
	p2 := modPost(t, s, th.ID, forum.PostRejected, "deux", gone.Ref())
	kept := modPost(t, s, th.ID, forum.PostPublished, "trois", other.Ref())
	at := mt0.Add(time.Hour)
	if err := s.MarkPostsErased(ctx, gone.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkPostsErased(ctx, gone.ID, at.Add(time.Hour)); err != nil { // a resumed deletion
		t.Fatal(err)
	}
	for _, id := range []string{p1.ID, p2.ID} {
		if p, err := s.PostByID(ctx, id); err != nil || p.ErasedAt == nil || !p.ErasedAt.Equal(at) {
			t.Fatalf("erased post: %+v, %v", p, err)
		}
	}
	if p, _ := s.PostByID(ctx, kept.ID); p.ErasedAt != nil {
		t.Fatalf("another member's post marked: %+v", p)
	}
	posts, err := s.LatestPublishedPosts(ctx, []string{th.ID}, 10)
	if err != nil || len(posts) != 2 {
		t.Fatalf("feed posts: %+v, %v", posts, err)
	}
	for _, p := range posts {
		if (p.ID == p1.ID) != (p.ErasedAt != nil) {
			t.Fatalf("feed post %s: erased at %v", p.ID, p.ErasedAt)
		}
	}
}

func init() { register("MarkPostsErased", testMarkPostsErased) }
