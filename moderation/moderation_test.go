package moderation_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/internal/testclock"
	"coterforum/mail/mailtest"
	"coterforum/moderation"
	"coterforum/store"
	"coterforum/store/storetest"
)

// env is a moderated forum on a real embedded store, a fake clock and a real
// SMTP server.
type env struct {
	ctx   context.Context
	st    store.Store
	forum *forum.Service
	mod   *moderation.Service
	clock *testclock.Clock
	mail  *mailtest.Server
	// moderator and admin exist in every env.
	moderator *forum.Member
	admin     *forum.Member
}

const baseURL = "https://forum.example.org"

var t0 = time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvConfig(t, moderation.Config{})
}

func newEnvConfig(t *testing.T, cfg moderation.Config) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	clock := testclock.New(t0)
	fsvc := forum.New(st, discard(), clock.Now)
	if err := fsvc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	srv := mailtest.Start(t)
	if cfg.BaseURL == "" {
		cfg.BaseURL = baseURL
	}
	e := &env{ctx: ctx, st: st, forum: fsvc, clock: clock, mail: srv,
		mod: moderation.New(fsvc, st, srv.Sender(t), cfg, discard())}
	e.moderator = e.member(t, "Modeste Modérateur", forum.RoleModerator)
	e.admin = e.member(t, "Adèle Admin", forum.RoleAdmin)
	return e
}

// member inserts a member directly (no password hashing: the tests are
// about moderation, and argon2 under -race is slow).
func (e *env) member(t *testing.T, name, role string, opts ...func(*forum.Member)) *forum.Member {
	t.Helper()
	id := forum.NewID()
	m := &forum.Member{ID: id, Email: "m" + id + "@example.org", DisplayName: name, Authority: "Ville de Rennes",
		AuthorityType: "commune", Role: role, Status: forum.MemberActive, CreatedAt: e.clock.Now()}
	for _, o := range opts {
		o(m)
	}
	if err := e.st.InsertMember(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func trusted(m *forum.Member)        { m.Trusted = true }
func alwaysModerate(m *forum.Member) { m.AlwaysModerate = true }
func approved(n int) func(*forum.Member) {
	return func(m *forum.Member) { m.ApprovedPosts = n }
}

// reload returns the member as stored now (the server reloads it per request).
func (e *env) reload(t *testing.T, m *forum.Member) *forum.Member {
	t.Helper()
	got, err := e.st.MemberByID(e.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (e *env) thread(t *testing.T, id string) *forum.Thread {
	t.Helper()
	th, err := e.st.ThreadByID(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

func (e *env) post(t *testing.T, id string) *forum.Post {
	t.Helper()
	p, err := e.st.PostByID(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newThread starts a thread in theme (about authority types, or the author's by default).
func (e *env) newThread(t *testing.T, author *forum.Member, theme, title string, types ...string) (*forum.Thread, *forum.Post) {
	t.Helper()
	th, p, err := e.forum.CreateThread(e.ctx, author, forum.NewThreadInput{Theme: theme, Title: title,
		AuthorityTypes: types, Body: "Premier message de « " + title + " »."})
	if err != nil {
		t.Fatalf("CreateThread(%s): %v", title, err)
	}
	return th, p
}

func (e *env) reply(t *testing.T, author *forum.Member, threadID, body string) *forum.Post {
	t.Helper()
	p, err := e.forum.Reply(e.ctx, author, threadID, body)
	if err != nil {
		t.Fatalf("Reply: %v", err)
	}
	return p
}

func (e *env) approve(t *testing.T, postID string) {
	t.Helper()
	if err := e.mod.Approve(e.ctx, e.moderator, postID, nil); err != nil {
		t.Fatalf("Approve: %v", err)
	}
}

// auditOf returns the audit entries of an action on a target (newest first).
func (e *env) auditOf(t *testing.T, action, targetID string) []moderation.AuditEntry {
	t.Helper()
	es, err := e.mod.Audit(e.ctx, e.admin, moderation.AuditFilter{Action: action, TargetID: targetID})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// oneAudit checks that exactly one entry of action on target exists, by actor, with reason.
func (e *env) oneAudit(t *testing.T, action, targetID, actorID, reason string) moderation.AuditEntry {
	t.Helper()
	es := e.auditOf(t, action, targetID)
	if len(es) != 1 {
		t.Fatalf("%d %q audit entries for %s, want 1: %+v", len(es), action, targetID, es)
	}
	a := es[0]
	if a.Actor.ID != actorID || a.Reason != reason || a.TargetID != targetID || !a.At.Equal(e.clock.Now()) {
		t.Fatalf("audit %s = %+v; want actor %s, reason %q, at %v", action, a, actorID, reason, e.clock.Now())
	}
	return a
}

// mailsTo returns the messages received for address.
func (e *env) mailsTo(address string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range e.mail.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, address) {
				out = append(out, m)
			}
		}
	}
	return out
}

func wantInvalid(t *testing.T, err error, field, code string) {
	t.Helper()
	var ve *forum.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want a ValidationError on %s/%s", err, err, field, code)
	}
	if ve.Field != field || (code != "" && ve.Code != code) {
		t.Fatalf("ValidationError %s/%s (%s), want %s/%s", ve.Field, ve.Code, ve.Error(), field, code)
	}
	if ve.Msg.IsZero() {
		t.Fatalf("ValidationError %s/%s has no message", ve.Field, ve.Code)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func listed(l *forum.ThreadList, id string) bool {
	for _, th := range l.Threads {
		if th.ID == id {
			return true
		}
	}
	return false
}

func (e *env) listing(t *testing.T, q forum.ThreadQuery) *forum.ThreadList {
	t.Helper()
	l, err := e.forum.Threads(e.ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestInitialStatus(t *testing.T) {
	fsvc := forum.New(nil, discard(), nil)
	svc := moderation.New(fsvc, nil, nil, moderation.Config{}, discard())
	if got := svc.Config(); got.TrustAfter != 3 || got.ReportsToHide != 3 || got.UndoRejectFor != 15*time.Minute || got.RemindAfter != 24*time.Hour {
		t.Fatalf("default config = %+v", got)
	}
	normal := &forum.Theme{Slug: "reseaux", Moderation: forum.ModerationNewMembers}
	all := &forum.Theme{Slug: "sig", Moderation: forum.ModerationAll}
	member := func(role string, approvedPosts int, trust, always bool) *forum.Member {
		return &forum.Member{Role: role, ApprovedPosts: approvedPosts, Trusted: trust, AlwaysModerate: always}
	}
	tests := []struct {
		name  string
		m     *forum.Member
		theme *forum.Theme
		want  string
	}{
		{"new member", member(forum.RoleMember, 0, false, false), normal, forum.PostPending},
		{"two approvals", member(forum.RoleMember, 2, false, false), normal, forum.PostPending},
		{"three approvals", member(forum.RoleMember, 3, false, false), normal, forum.PostPublished},
		{"many approvals", member(forum.RoleMember, 40, false, false), normal, forum.PostPublished},
		{"trusted newcomer", member(forum.RoleMember, 0, true, false), normal, forum.PostPublished},
		{"always moderate, many approvals", member(forum.RoleMember, 100, false, true), normal, forum.PostPending},
		{"always moderate and trusted", member(forum.RoleMember, 100, true, true), normal, forum.PostPending},
		{"theme all, many approvals", member(forum.RoleMember, 50, false, false), all, forum.PostPending},
		{"theme all, trusted", member(forum.RoleMember, 50, true, false), all, forum.PostPending},
		{"moderator, new", member(forum.RoleModerator, 0, false, false), normal, forum.PostPublished},
		{"moderator, theme all", member(forum.RoleModerator, 0, false, false), all, forum.PostPublished},
		{"moderator marked always moderate", member(forum.RoleModerator, 0, false, true), all, forum.PostPublished},
		{"admin, theme all", member(forum.RoleAdmin, 0, false, false), all, forum.PostPublished},
		{"no theme, new member", member(forum.RoleMember, 0, false, false), nil, forum.PostPending},
		{"no theme, experienced member", member(forum.RoleMember, 3, false, false), nil, forum.PostPublished},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := svc.InitialStatus(tt.m, tt.theme); got != tt.want {
				t.Fatalf("InitialStatus = %s, want %s", got, tt.want)
			}
		})
	}

	custom := moderation.New(fsvc, nil, nil, moderation.Config{TrustAfter: 5}, discard())
	if got := custom.InitialStatus(member(forum.RoleMember, 4, false, false), normal); got != forum.PostPending {
		t.Fatalf("TrustAfter 5, 4 approvals: %s", got)
	}
	if got := custom.InitialStatus(member(forum.RoleMember, 5, false, false), normal); got != forum.PostPublished {
		t.Fatalf("TrustAfter 5, 5 approvals: %s", got)
	}
}

// TestTrustIsEarned follows a new member from their first queued post to
// publishing at once after three approvals.
func TestTrustIsEarned(t *testing.T) {
	e := newEnv(t)
	modThread, _ := e.newThread(t, e.moderator, "reseaux", "Retours sur le Wi-Fi public")
	if modThread.Status != forum.ThreadPublished {
		t.Fatalf("moderator's thread is %s", modThread.Status)
	}
	newbie := e.member(t, "Nina Nouvelle", forum.RoleMember)

	var queued []string
	for i := 1; i <= 3; i++ {
		e.clock.Advance(time.Minute)
		newbie = e.reload(t, newbie)
		th, p := e.newThread(t, newbie, "reseaux", fmt.Sprintf("Question numéro %d sur la fibre", i))
		if th.Status != forum.ThreadPending || p.Status != forum.PostPending {
			t.Fatalf("thread %d of a new member: thread %s, post %s; want pending", i, th.Status, p.Status)
		}
		r := e.reply(t, newbie, modThread.ID, fmt.Sprintf("Réponse %d", i))
		if r.Status != forum.PostPending {
			t.Fatalf("reply %d of a new member is %s, want pending", i, r.Status)
		}
		queued = append(queued, r.ID)
		e.approve(t, p.ID)
	}
	newbie = e.reload(t, newbie)
	if newbie.ApprovedPosts != 3 {
		t.Fatalf("ApprovedPosts = %d after 3 approvals", newbie.ApprovedPosts)
	}
	th, p := e.newThread(t, newbie, "reseaux", "Quatrième question, publiée directement")
	if th.Status != forum.ThreadPublished || p.Status != forum.PostPublished || th.PostCount != 1 {
		t.Fatalf("after 3 approvals: thread %s (count %d), post %s; want published", th.Status, th.PostCount, p.Status)
	}
	if l := e.listing(t, forum.ThreadQuery{}); !listed(l, th.ID) {
		t.Fatal("a trusted-by-count member's thread is not listed")
	}
	r := e.reply(t, newbie, modThread.ID, "Réponse publiée directement")
	if r.Status != forum.PostPublished {
		t.Fatalf("reply after 3 approvals is %s", r.Status)
	}
	// The replies queued before stay pending: trust is not retroactive.
	for _, id := range queued {
		if p := e.post(t, id); p.Status != forum.PostPending {
			t.Fatalf("earlier reply %s became %s", id, p.Status)
		}
	}
	if got := e.reload(t, newbie).ApprovedPosts; got != 5 {
		t.Fatalf("ApprovedPosts = %d, want 5 (3 approved + 2 published)", got)
	}
}

func TestModeratorsNeverQueued(t *testing.T) {
	e := newEnv(t)
	if err := e.forum.UpdateTheme(e.ctx, e.admin, "sig", forum.ThemeInput{NameFR: "SIG", Moderation: forum.ModerationAll}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*forum.Member{e.moderator, e.admin} {
		for _, theme := range []string{"reseaux", "sig"} {
			th, p := e.newThread(t, m, theme, "Fil de "+m.DisplayName)
			if th.Status != forum.ThreadPublished || p.Status != forum.PostPublished {
				t.Fatalf("%s in %s: thread %s, post %s", m.Role, theme, th.Status, p.Status)
			}
			if r := e.reply(t, m, th.ID, "Une réponse"); r.Status != forum.PostPublished {
				t.Fatalf("%s reply in %s: %s", m.Role, theme, r.Status)
			}
		}
	}
	if n, err := e.mod.PendingCount(e.ctx, e.moderator); err != nil || n != 0 {
		t.Fatalf("PendingCount = %d, %v; want 0", n, err)
	}
}

func TestThemeModeratedForAll(t *testing.T) {
	e := newEnv(t)
	if err := e.forum.UpdateTheme(e.ctx, e.admin, "sig", forum.ThemeInput{NameFR: "SIG", Moderation: forum.ModerationAll}); err != nil {
		t.Fatal(err)
	}
	veteran := e.member(t, "Victor Vétéran", forum.RoleMember, approved(30), trusted)
	th, p := e.newThread(t, veteran, "sig", "Cadastre et données ouvertes")
	if th.Status != forum.ThreadPending || p.Status != forum.PostPending {
		t.Fatalf("trusted member in a theme moderated for all: %s/%s", th.Status, p.Status)
	}
	other, _ := e.newThread(t, veteran, "reseaux", "Sur un thème ordinaire")
	if other.Status != forum.ThreadPublished {
		t.Fatalf("trusted member elsewhere: %s", other.Status)
	}
	modTh, _ := e.newThread(t, e.moderator, "sig", "Fil SIG de la modération")
	if r := e.reply(t, veteran, modTh.ID, "Réponse dans le SIG"); r.Status != forum.PostPending {
		t.Fatalf("reply in a theme moderated for all: %s", r.Status)
	}
	// A thread moved into the theme has its replies queued too.
	if _, err := e.mod.UpdateThread(e.ctx, e.moderator, other.ID, moderation.ThreadInput{Theme: ptr("sig")}); err != nil {
		t.Fatal(err)
	}
	if r := e.reply(t, veteran, other.ID, "Réponse après déplacement"); r.Status != forum.PostPending {
		t.Fatalf("reply in a thread moved to a theme moderated for all: %s", r.Status)
	}
}

func TestMemberFlagsDecideQueueing(t *testing.T) {
	e := newEnv(t)
	veteran := e.member(t, "Valérie Habituée", forum.RoleMember, approved(12))
	newbie := e.member(t, "Noé Nouveau", forum.RoleMember)
	reason := "Messages promotionnels répétés."

	// Always moderate: queued despite 12 approvals, and even when trusted.
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, veteran.ID, moderation.MemberInput{AlwaysModerate: ptr(true), Reason: reason}); err != nil {
		t.Fatal(err)
	}
	veteran = e.reload(t, veteran)
	if !veteran.AlwaysModerate {
		t.Fatal("always_moderate not stored")
	}
	th, _ := e.newThread(t, veteran, "reseaux", "Toujours modéré malgré l'ancienneté")
	if th.Status != forum.ThreadPending {
		t.Fatalf("always-moderated member: %s", th.Status)
	}
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, veteran.ID, moderation.MemberInput{Trusted: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	veteran = e.reload(t, veteran)
	if got := e.mod.InitialStatus(veteran, nil); got != forum.PostPending {
		t.Fatalf("trusted and always moderated: %s", got)
	}
	// More approvals change nothing.
	e.approve(t, th.FirstPostID)
	veteran = e.reload(t, veteran)
	if th2, _ := e.newThread(t, veteran, "reseaux", "Encore un fil toujours modéré"); th2.Status != forum.ThreadPending {
		t.Fatalf("always-moderated member after one more approval: %s", th2.Status)
	}
	// Lifting the flag: the member publishes again.
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, veteran.ID, moderation.MemberInput{AlwaysModerate: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	veteran = e.reload(t, veteran)
	if th3, _ := e.newThread(t, veteran, "reseaux", "Publication rétablie pour ce membre"); th3.Status != forum.ThreadPublished {
		t.Fatalf("after lifting always_moderate: %s", th3.Status)
	}

	// Trusted: a newcomer publishes at once.
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, newbie.ID, moderation.MemberInput{Trusted: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	newbie = e.reload(t, newbie)
	if th, p := e.newThread(t, newbie, "portails", "Nouveau mais de confiance"); th.Status != forum.ThreadPublished || p.Status != forum.PostPublished {
		t.Fatalf("trusted newcomer: %s/%s", th.Status, p.Status)
	}
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, newbie.ID, moderation.MemberInput{Trusted: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	newbie = e.reload(t, newbie)
	if th, _ := e.newThread(t, newbie, "portails", "De nouveau en file d'attente"); th.Status != forum.ThreadPending {
		t.Fatalf("newcomer no longer trusted (1 approval): %s", th.Status)
	}

	for _, c := range []struct{ action, target, reason string }{
		{"member.always_moderate", veteran.ID, reason},
		{"member.trust", veteran.ID, ""},
		{"member.normal_moderation", veteran.ID, ""},
		{"member.trust", newbie.ID, ""},
		{"member.untrust", newbie.ID, ""},
	} {
		es := e.auditOf(t, c.action, c.target)
		if len(es) != 1 || es[0].Actor.ID != e.moderator.ID || es[0].Reason != c.reason || es[0].Before == es[0].After {
			t.Fatalf("audit %s on %s: %+v", c.action, c.target, es)
		}
	}
}

// TestPendingIsInvisible checks that a pending thread and a pending reply are
// seen only by their author and moderators, until approved.
func TestPendingIsInvisible(t *testing.T) {
	e := newEnv(t)
	newbie := e.member(t, "Paul Patient", forum.RoleMember)
	other := e.member(t, "Olga Autre", forum.RoleMember, approved(10))

	open, first := e.newThread(t, e.moderator, "reseaux", "Supervision des sites distants")
	e.clock.Advance(time.Hour)
	pendingReply := e.reply(t, newbie, open.ID, "Nous utilisons Zabbix depuis deux ans.")
	e.clock.Advance(time.Hour)
	pendingThread, pendingFirst := e.newThread(t, newbie, "reseaux", "Un fil en attente de modération")

	// Listings, with and without filters.
	for _, q := range []forum.ThreadQuery{{}, {Theme: "reseaux"}, {AuthorityType: "commune"}} {
		l := e.listing(t, q)
		if listed(l, pendingThread.ID) || !listed(l, open.ID) {
			t.Fatalf("listing %+v: pending thread listed = %v, open thread listed = %v", q, listed(l, pendingThread.ID), listed(l, open.ID))
		}
	}
	// The thread, its first post and the pending reply: 404 for the anonymous and for another member.
	for name, viewer := range map[string]*forum.Member{"anonymous": nil, "other member": other} {
		if _, err := e.forum.Thread(e.ctx, viewer, pendingThread.ID); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("%s reads the pending thread: %v", name, err)
		}
		for _, id := range []string{pendingFirst.ID, pendingReply.ID} {
			if _, err := e.forum.Post(e.ctx, viewer, id); !errors.Is(err, forum.ErrNotFound) {
				t.Fatalf("%s reads pending post %s: %v", name, id, err)
			}
		}
		page, err := e.forum.Posts(e.ctx, viewer, open, 1)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || len(page.Posts) != 1 || page.Posts[0].ID != first.ID {
			t.Fatalf("%s sees %d posts in the open thread, want only the first", name, page.Total)
		}
	}
	// The author and moderators see them.
	for name, viewer := range map[string]*forum.Member{"author": newbie, "moderator": e.moderator, "admin": e.admin} {
		if _, err := e.forum.Thread(e.ctx, viewer, pendingThread.ID); err != nil {
			t.Fatalf("%s cannot read the pending thread: %v", name, err)
		}
		for _, id := range []string{pendingFirst.ID, pendingReply.ID} {
			p, err := e.forum.Post(e.ctx, viewer, id)
			if err != nil || p.Status != forum.PostPending {
				t.Fatalf("%s reads pending post %s: %v", name, id, err)
			}
		}
		page, err := e.forum.Posts(e.ctx, viewer, open, 1)
		if err != nil || page.Total != 2 {
			t.Fatalf("%s sees %d posts in the open thread, want 2 (%v)", name, page.Total, err)
		}
	}
	// Counts and "last post" ignore the pending reply.
	th := e.thread(t, open.ID)
	if th.PostCount != 1 || !th.LastActivityAt.Equal(t0) || th.LastPostID != first.ID || th.LastAuthor != e.moderator.DisplayName {
		t.Fatalf("open thread before approval: count %d, last activity %v, last post %s by %s", th.PostCount, th.LastActivityAt, th.LastPostID, th.LastAuthor)
	}
	if pt := e.thread(t, pendingThread.ID); pt.PostCount != 0 || pt.Status != forum.ThreadPending {
		t.Fatalf("pending thread: count %d, status %s", pt.PostCount, pt.Status)
	}

	// Approval makes them visible to all and counted; the thread's last
	// activity is the approval (its publication), so readers see it new.
	e.clock.Advance(time.Hour)
	approvedAt := e.clock.Now()
	e.approve(t, pendingReply.ID)
	th = e.thread(t, open.ID)
	if th.PostCount != 2 || !th.LastActivityAt.Equal(approvedAt) || th.LastPostID != pendingReply.ID || th.LastAuthor != newbie.DisplayName {
		t.Fatalf("open thread after approval: count %d, last activity %v (approved %v), last post %s by %s",
			th.PostCount, th.LastActivityAt, approvedAt, th.LastPostID, th.LastAuthor)
	}
	if p, err := e.forum.Post(e.ctx, nil, pendingReply.ID); err != nil || p.Status != forum.PostPublished {
		t.Fatalf("anonymous reads the approved reply: %v", err)
	}
	if page, err := e.forum.Posts(e.ctx, nil, th, 1); err != nil || page.Total != 2 {
		t.Fatalf("anonymous sees %d posts after approval (%v)", page.Total, err)
	}
	if got := e.reload(t, newbie).ApprovedPosts; got != 1 {
		t.Fatalf("ApprovedPosts = %d after one approval", got)
	}

	e.approve(t, pendingFirst.ID)
	pt := e.thread(t, pendingThread.ID)
	if pt.Status != forum.ThreadPublished || pt.PostCount != 1 {
		t.Fatalf("approved thread: status %s, count %d", pt.Status, pt.PostCount)
	}
	if !listed(e.listing(t, forum.ThreadQuery{Theme: "reseaux"}), pendingThread.ID) {
		t.Fatal("approved thread not listed")
	}
	for _, viewer := range []*forum.Member{nil, other} {
		if _, err := e.forum.Thread(e.ctx, viewer, pendingThread.ID); err != nil {
			t.Fatalf("approved thread unreadable: %v", err)
		}
		if _, err := e.forum.Post(e.ctx, viewer, pendingFirst.ID); err != nil {
			t.Fatalf("approved first post unreadable: %v", err)
		}
	}
	if got := e.reload(t, newbie).ApprovedPosts; got != 2 {
		t.Fatalf("ApprovedPosts = %d after two approvals", got)
	}
}

// TestOnlyModeratorsModerate calls every moderator action as a member and as nobody.
func TestOnlyModeratorsModerate(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Anne Auteure", forum.RoleMember)
	member := e.member(t, "Marc Membre", forum.RoleMember, approved(20))
	th, p := e.newThread(t, author, "reseaux", "Un fil à modérer bientôt")
	pubTh, pub := e.newThread(t, member, "portails", "Un fil déjà publié ici")

	actions := map[string]func(actor *forum.Member) error{
		"Approve":        func(a *forum.Member) error { return e.mod.Approve(e.ctx, a, p.ID, nil) },
		"Reject":         func(a *forum.Member) error { return e.mod.Reject(e.ctx, a, p.ID, "Hors sujet.") },
		"UndoReject":     func(a *forum.Member) error { return e.mod.UndoReject(e.ctx, a, p.ID) },
		"Hide":           func(a *forum.Member) error { return e.mod.Hide(e.ctx, a, pub.ID, "Raison.") },
		"Restore":        func(a *forum.Member) error { return e.mod.Restore(e.ctx, a, pub.ID) },
		"DismissReports": func(a *forum.Member) error { return e.mod.DismissReports(e.ctx, a, pub.ID) },
		"Queue":          func(a *forum.Member) error { _, err := e.mod.Queue(e.ctx, a, moderation.QueueFilter{}); return err },
		"Audit":          func(a *forum.Member) error { _, err := e.mod.Audit(e.ctx, a, moderation.AuditFilter{}); return err },
		"WriteAuditCSV": func(a *forum.Member) error {
			return e.mod.WriteAuditCSV(e.ctx, a, moderation.AuditFilter{}, io.Discard)
		},
		"UpdateThread": func(a *forum.Member) error {
			_, err := e.mod.UpdateThread(e.ctx, a, pubTh.ID, moderation.ThreadInput{Locked: ptr(true)})
			return err
		},
		"UpdateMember": func(a *forum.Member) error {
			_, err := e.mod.UpdateMember(e.ctx, a, author.ID, moderation.MemberInput{Trusted: ptr(true)})
			return err
		},
		"Suspend": func(a *forum.Member) error {
			_, err := e.mod.UpdateMember(e.ctx, a, author.ID, moderation.MemberInput{Suspend: "7d", Reason: "r"})
			return err
		},
		"Approve own": func(a *forum.Member) error { return e.mod.Approve(e.ctx, author, p.ID, nil) },
		"Approve by edit": func(a *forum.Member) error {
			return e.mod.Approve(e.ctx, a, p.ID, &moderation.QueueEdit{Title: ptr("Titre changé")})
		},
	}
	for name, act := range actions {
		t.Run(name, func(t *testing.T) {
			wantErr(t, act(member), forum.ErrForbidden)
			if name != "Approve own" {
				wantErr(t, act(nil), forum.ErrUnauthenticated)
			}
		})
	}
	if got := e.post(t, p.ID); got.Status != forum.PostPending || got.Decision != nil {
		t.Fatalf("pending post changed by non-moderators: %+v", got)
	}
	if got := e.thread(t, th.ID); got.Title != "Un fil à modérer bientôt" || got.Status != forum.ThreadPending {
		t.Fatalf("pending thread changed by non-moderators: %+v", got)
	}
	if got := e.thread(t, pubTh.ID); got.Locked || got.Status != forum.ThreadPublished {
		t.Fatalf("published thread changed by non-moderators: %+v", got)
	}
	if got := e.reload(t, author); got.Trusted || got.Status != forum.MemberActive {
		t.Fatalf("member changed by non-moderators: %+v", got)
	}
	if n, err := e.mod.PendingCount(e.ctx, member); err != nil || n != 0 {
		t.Fatalf("PendingCount for a member = %d, %v; want 0", n, err)
	}
	if n, err := e.mod.PendingCount(e.ctx, nil); err != nil || n != 0 {
		t.Fatalf("PendingCount for nobody = %d, %v; want 0", n, err)
	}
	if es := e.auditOf(t, "", ""); len(es) != 0 {
		t.Fatalf("audit entries after refused actions: %+v", es)
	}
	if msgs := e.mail.Messages(); len(msgs) != 0 {
		t.Fatalf("%d mails after refused actions", len(msgs))
	}
}

func ptr[T any](v T) *T { return &v }
