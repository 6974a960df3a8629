package moderation_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/moderation"
)

func TestHideAndRestore(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Hugo Masqué", forum.RoleMember, approved(4))
	member := e.member(t, "Léa Lectrice", forum.RoleMember)
	th, first := e.newThread(t, e.moderator, "reseaux", "Choix d'un opérateur fibre")
	r := e.reply(t, author, th.ID, "Le numéro de téléphone du technicien est 06…")
	e.reply(t, member, th.ID, "Merci !")
	if c := e.thread(t, th.ID).PostCount; c != 2 {
		t.Fatalf("setup: post count %d (member's reply should be pending)", c)
	}

	wantInvalid(t, e.mod.Hide(e.ctx, e.moderator, r.ID, ""), "reason", "reason_required")
	wantErr(t, e.mod.Hide(e.ctx, member, r.ID, "Je n'aime pas."), forum.ErrForbidden)
	if got := e.post(t, r.ID); got.Status != forum.PostPublished {
		t.Fatalf("post after refused hides: %s", got.Status)
	}

	reason := moderation.CannedReasons[4]
	e.clock.Advance(time.Hour)
	if err := e.mod.Hide(e.ctx, e.moderator, r.ID, reason); err != nil {
		t.Fatal(err)
	}
	got := e.post(t, r.ID)
	if got.Status != forum.PostHidden || got.Decision.Action != forum.DecisionHidden || got.Decision.Reason != reason {
		t.Fatalf("hidden post: %s %+v", got.Status, got.Decision)
	}
	if c := e.thread(t, th.ID).PostCount; c != 1 {
		t.Fatalf("post count after hide = %d, want 1", c)
	}
	for _, viewer := range []*forum.Member{nil, member, author} {
		if _, err := e.forum.Post(e.ctx, viewer, r.ID); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("hidden post readable by %v: %v", viewer, err)
		}
	}
	if _, err := e.forum.Post(e.ctx, e.admin, r.ID); err != nil {
		t.Fatalf("admin cannot see the hidden post: %v", err)
	}
	if !listed(e.listing(t, forum.ThreadQuery{}), th.ID) {
		t.Fatal("hiding a reply unlisted the thread")
	}
	msgs := e.mail.WaitFor(t, 1, 5*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != author.Email || !strings.Contains(msgs[0].Subject, th.Title) ||
		!strings.HasPrefix(msgs[0].Subject, "Masqué") || !strings.Contains(msgs[0].Text, "Raison\u00a0: "+reason) {
		t.Fatalf("hide mail: %+v", msgs)
	}
	if ns, _ := e.mod.Notifications(e.ctx, author); len(ns) != 1 || ns[0].Kind != moderation.KindHidden || ns[0].Reason != reason {
		t.Fatalf("hide notification: %+v", ns)
	}
	a := e.oneAudit(t, "post.hide", r.ID, e.moderator.ID, reason)
	if a.Before != forum.PostPublished || a.After != forum.PostHidden || a.ThreadID != th.ID {
		t.Fatalf("hide audit: %+v", a)
	}

	// Hiding twice is a conflict naming who hid it; so is hiding a pending post.
	if err := e.mod.Hide(e.ctx, e.admin, r.ID, reason); !moderation.IsAlreadyDecided(err) || !strings.Contains(err.Error(), e.moderator.DisplayName) {
		t.Fatalf("hide twice: %v", err)
	}
	pending := e.reply(t, member, th.ID, "Encore en attente.")
	if err := e.mod.Hide(e.ctx, e.moderator, pending.ID, reason); err == nil {
		t.Fatal("a pending post was hidden")
	}
	if got := e.post(t, pending.ID); got.Status != forum.PostPending {
		t.Fatalf("pending post after a refused hide: %s", got.Status)
	}

	e.clock.Advance(time.Hour)
	wantErr(t, e.mod.Restore(e.ctx, member, r.ID), forum.ErrForbidden)
	if err := e.mod.Restore(e.ctx, e.admin, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.post(t, r.ID); got.Status != forum.PostPublished || got.Decision.Action != forum.DecisionRestored || got.Decision.By.ID != e.admin.ID {
		t.Fatalf("restored post: %s %+v", got.Status, got.Decision)
	}
	if c := e.thread(t, th.ID).PostCount; c != 2 {
		t.Fatalf("post count after restore = %d, want 2", c)
	}
	if _, err := e.forum.Post(e.ctx, nil, r.ID); err != nil {
		t.Fatalf("restored post unreadable: %v", err)
	}
	a = e.oneAudit(t, "post.restore", r.ID, e.admin.ID, "")
	if a.Before != forum.PostHidden || a.After != forum.PostPublished {
		t.Fatalf("restore audit: %+v", a)
	}
	if err := e.mod.Restore(e.ctx, e.admin, r.ID); !moderation.IsAlreadyDecided(err) {
		t.Fatalf("restore twice: %v", err)
	}
	if err := e.mod.Restore(e.ctx, e.admin, first.ID); err == nil {
		t.Fatal("a post never hidden was restored")
	}
	if got := e.post(t, first.ID); got.Status != forum.PostPublished || got.Decision != nil {
		t.Fatalf("post never hidden after a refused restore: %+v", got)
	}
	if c := e.thread(t, th.ID).PostCount; c != 2 {
		t.Fatalf("post count after refused restores = %d, want 2", c)
	}
}

func TestHideFirstPostHidesThread(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Théo Fil", forum.RoleMember, trusted)
	th, first := e.newThread(t, author, "centres-appel-citoyens", "Logiciel de gestion de la relation usagers")
	e.reply(t, e.moderator, th.ID, "Une réponse de la modération.")
	reason := "Fil en doublon d'une discussion existante."
	if err := e.mod.Hide(e.ctx, e.moderator, first.ID, reason); err != nil {
		t.Fatal(err)
	}
	got := e.thread(t, th.ID)
	if got.Status != forum.ThreadHidden || got.PostCount != 1 {
		t.Fatalf("thread after hiding its first post: %s, %d", got.Status, got.PostCount)
	}
	for _, q := range []forum.ThreadQuery{{}, {Theme: "centres-appel-citoyens"}, {AuthorityType: "commune"}} {
		if listed(e.listing(t, q), th.ID) {
			t.Fatalf("thread of a hidden first post listed in %+v", q)
		}
	}
	if _, err := e.forum.Thread(e.ctx, nil, th.ID); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("hidden thread readable: %v", err)
	}
	if _, err := e.forum.Thread(e.ctx, e.moderator, th.ID); err != nil {
		t.Fatalf("moderator cannot read the hidden thread: %v", err)
	}
	if _, err := e.forum.Reply(e.ctx, author, th.ID, "Je réponds quand même."); err == nil {
		t.Fatal("reply to a hidden thread accepted")
	}
	if msgs := e.mail.WaitFor(t, 1, 5*time.Second); !strings.Contains(msgs[0].Text, "Votre nouveau fil") {
		t.Fatalf("hide mail for a first post: %s", msgs[0].Text)
	}
	if err := e.mod.Restore(e.ctx, e.moderator, first.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.thread(t, th.ID); got.Status != forum.ThreadPublished || got.PostCount != 2 {
		t.Fatalf("thread after restore: %s, %d", got.Status, got.PostCount)
	}
	if !listed(e.listing(t, forum.ThreadQuery{Theme: "centres-appel-citoyens"}), th.ID) {
		t.Fatal("restored thread not listed")
	}
}

func TestThreadActions(t *testing.T) {
	e := newEnv(t)
	member := e.member(t, "Martine Membre", forum.RoleMember, approved(5))
	older, _ := e.newThread(t, member, "reseaux", "Ancien fil sur les VLAN", "commune")
	e.clock.Advance(time.Hour)
	newer, _ := e.newThread(t, member, "reseaux", "Fil récent sur le SD-WAN", "commune")

	type step struct {
		name   string
		in     moderation.ThreadInput
		action string
		check  func(t *testing.T, th *forum.Thread)
	}
	steps := []step{
		{"lock", moderation.ThreadInput{Locked: ptr(true), Reason: "Le débat tourne en rond."}, "thread.lock", func(t *testing.T, th *forum.Thread) {
			if !th.Locked {
				t.Fatal("not locked")
			}
			wantErr(t, replyErr(e, member, older.ID), forum.ErrLocked)
			if r := e.reply(t, e.moderator, older.ID, "Message de la modération dans un fil verrouillé."); r.Status != forum.PostPublished {
				t.Fatalf("moderator reply in a locked thread: %s", r.Status)
			}
			_, err := e.forum.EditPost(e.ctx, member, older.FirstPostID, "Modification interdite")
			wantErr(t, err, forum.ErrLocked)
		}},
		{"unlock", moderation.ThreadInput{Locked: ptr(false), Reason: "Reprise de la discussion."}, "thread.unlock", func(t *testing.T, th *forum.Thread) {
			if th.Locked {
				t.Fatal("still locked")
			}
			if err := replyErr(e, member, older.ID); err != nil {
				t.Fatalf("reply after unlock: %v", err)
			}
		}},
		{"pin", moderation.ThreadInput{Pinned: ptr(true), Reason: "Fil de référence."}, "thread.pin", func(t *testing.T, th *forum.Thread) {
			// The other thread has the latest activity, yet the pinned one comes first.
			e.reply(t, member, newer.ID, "Activité récente sur l'autre fil.")
			l := e.listing(t, forum.ThreadQuery{Theme: "reseaux"})
			if !th.Pinned || len(l.Threads) != 2 || l.Threads[0].ID != older.ID {
				t.Fatalf("pinned thread not first: %+v", l.Threads)
			}
		}},
		{"move", moderation.ThreadInput{Theme: ptr("sig"), Reason: "Relève du SIG."}, "thread.move", func(t *testing.T, th *forum.Thread) {
			if th.Theme != "sig" {
				t.Fatalf("theme = %s", th.Theme)
			}
			if !listed(e.listing(t, forum.ThreadQuery{Theme: "sig"}), older.ID) || listed(e.listing(t, forum.ThreadQuery{Theme: "reseaux"}), older.ID) {
				t.Fatal("moved thread not listed under its new theme only")
			}
		}},
		{"authority types", moderation.ThreadInput{AuthorityTypes: []string{"departement", "region"}, Reason: "Concerne surtout les départements."}, "thread.authority_types", func(t *testing.T, th *forum.Thread) {
			if strings.Join(th.AuthorityTypes, ",") != "departement,region" {
				t.Fatalf("types = %v", th.AuthorityTypes)
			}
			if !listed(e.listing(t, forum.ThreadQuery{AuthorityType: "departement"}), older.ID) || listed(e.listing(t, forum.ThreadQuery{AuthorityType: "commune"}), older.ID) {
				t.Fatal("retyped thread not listed under its new types only")
			}
		}},
		{"rename", moderation.ThreadInput{Title: ptr("  VLAN   et segmentation "), Reason: "Titre plus clair."}, "thread.rename", func(t *testing.T, th *forum.Thread) {
			if th.Title != "VLAN et segmentation" {
				t.Fatalf("title = %q", th.Title)
			}
		}},
		{"unpin", moderation.ThreadInput{Pinned: ptr(false)}, "thread.unpin", func(t *testing.T, th *forum.Thread) {
			if th.Pinned {
				t.Fatal("still pinned")
			}
		}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.clock.Advance(time.Minute)
			before := e.thread(t, older.ID)
			got, err := e.mod.UpdateThread(e.ctx, e.moderator, older.ID, s.in)
			if err != nil {
				t.Fatal(err)
			}
			stored := e.thread(t, older.ID)
			if got.Locked != stored.Locked || got.Pinned != stored.Pinned || got.Theme != stored.Theme || got.Title != stored.Title {
				t.Fatalf("returned thread %+v differs from stored %+v", got, stored)
			}
			s.check(t, stored)
			es := e.auditOf(t, s.action, older.ID)
			if len(es) != 1 {
				t.Fatalf("%d %s entries", len(es), s.action)
			}
			a := es[0]
			if a.Actor.ID != e.moderator.ID || a.Reason != s.in.Reason || a.TargetType != "thread" || !a.At.Equal(e.clock.Now()) ||
				a.Before == a.After || !strings.Contains(a.Before, before.Title) {
				t.Fatalf("%s audit: %+v", s.action, a)
			}
		})
	}
	if a := e.auditOf(t, "thread.move", older.ID)[0]; !strings.Contains(a.Before, "thème=reseaux") || !strings.Contains(a.After, "thème=sig") {
		t.Fatalf("move before/after: %q / %q", a.Before, a.After)
	}
	if a := e.auditOf(t, "thread.lock", older.ID)[0]; strings.Contains(a.Before, "verrouillé") || !strings.Contains(a.After, "verrouillé") {
		t.Fatalf("lock before/after: %q / %q", a.Before, a.After)
	}
	// The other thread was not touched.
	if got := e.thread(t, newer.ID); got.Locked || got.Pinned || got.Theme != "reseaux" || got.Title != "Fil récent sur le SD-WAN" {
		t.Fatalf("other thread changed: %+v", got)
	}

	// Several changes at once: one entry per action.
	if _, err := e.mod.UpdateThread(e.ctx, e.admin, newer.ID, moderation.ThreadInput{Locked: ptr(true), Pinned: ptr(true), Reason: "Annonce."}); err != nil {
		t.Fatal(err)
	}
	if len(e.auditOf(t, "thread.lock", newer.ID)) != 1 || len(e.auditOf(t, "thread.pin", newer.ID)) != 1 {
		t.Fatal("a combined change is not audited per action")
	}

	// Invalid changes change nothing.
	if err := e.forum.ArchiveTheme(e.ctx, e.admin, "achats-marches", true); err != nil {
		t.Fatal(err)
	}
	invalid := []struct {
		name        string
		in          moderation.ThreadInput
		field, code string
	}{
		{"unknown theme", moderation.ThreadInput{Theme: ptr("cuisine"), Locked: ptr(false)}, "theme", "theme_unknown"},
		{"archived theme", moderation.ThreadInput{Theme: ptr("achats-marches")}, "theme", "theme_unknown"},
		{"unknown type", moderation.ThreadInput{AuthorityTypes: []string{"canton"}}, "authority_types", "authority_type_unknown"},
		{"no type", moderation.ThreadInput{AuthorityTypes: []string{}}, "authority_types", "authority_types_empty"},
		{"short title", moderation.ThreadInput{Title: ptr("VLAN"), Pinned: ptr(false)}, "title", "title_too_short"},
		{"long reason", moderation.ThreadInput{Locked: ptr(false), Reason: strings.Repeat("x", moderation.MaxReasonChars+1)}, "reason", "reason_too_long"},
	}
	before := e.thread(t, newer.ID)
	entries := len(e.auditOf(t, "", ""))
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.mod.UpdateThread(e.ctx, e.moderator, newer.ID, tt.in)
			wantInvalid(t, err, tt.field, tt.code)
			got := e.thread(t, newer.ID)
			if got.Locked != before.Locked || got.Pinned != before.Pinned || got.Theme != before.Theme || got.Title != before.Title ||
				strings.Join(got.AuthorityTypes, ",") != strings.Join(before.AuthorityTypes, ",") {
				t.Fatalf("thread changed: %+v", got)
			}
		})
	}
	if n := len(e.auditOf(t, "", "")); n != entries {
		t.Fatalf("invalid changes were audited: %d entries, want %d", n, entries)
	}
	_, err := e.mod.UpdateThread(e.ctx, e.moderator, forum.NewID(), moderation.ThreadInput{Locked: ptr(true)})
	wantErr(t, err, forum.ErrNotFound)
}

func replyErr(e *env, m *forum.Member, threadID string) error {
	_, err := e.forum.Reply(e.ctx, m, threadID, "Une réponse de membre.")
	return err
}

func TestSuspendMember(t *testing.T) {
	e := newEnv(t)
	member := e.member(t, "Sylvain Suspendu", forum.RoleMember, approved(5))
	th, _ := e.newThread(t, e.moderator, "reseaux", "Un fil pour répondre")
	reason := "Propos injurieux envers un autre membre."

	// A reason is required to suspend.
	_, err := e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{Suspend: "7d"})
	wantInvalid(t, err, "reason", "reason_required")

	m, err := e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{Suspend: "7d", Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	until := t0.Add(7 * 24 * time.Hour)
	if m.Status != forum.MemberSuspended || m.SuspendedUntil == nil || !m.SuspendedUntil.Equal(until) || m.SuspendReason != reason {
		t.Fatalf("suspended member: %+v", m)
	}
	stored := e.reload(t, member)
	wantErr(t, e.forum.CanWrite(stored), forum.ErrSuspended)
	_, _, err = e.forum.CreateThread(e.ctx, stored, forum.NewThreadInput{Theme: "reseaux", Title: "Je suis suspendu", Body: "Texte"})
	wantErr(t, err, forum.ErrSuspended)
	wantErr(t, replyErr(e, stored, th.ID), forum.ErrSuspended)
	if _, err := e.forum.Thread(e.ctx, stored, th.ID); err != nil {
		t.Fatalf("a suspended member cannot read: %v", err)
	}
	a := e.oneAudit(t, "member.suspend", member.ID, e.moderator.ID, reason)
	if a.TargetType != "member" || a.Before != "active" || !strings.HasPrefix(a.After, "suspended:2026-03-19T") ||
		moderation.DescribeState(i18n.FR, a.After) != "suspendu jusqu'au 19 mars 2026 à 10 h 00" ||
		moderation.DescribeState(i18n.EN, a.After) != "suspended until 19 March 2026 at 10:00" {
		t.Fatalf("suspend audit: %+v", a)
	}

	e.clock.Advance(6 * 24 * time.Hour)
	wantErr(t, e.forum.CanWrite(e.reload(t, member)), forum.ErrSuspended)
	e.clock.Advance(2 * 24 * time.Hour) // 8 days in all
	stored = e.reload(t, member)
	if err := e.forum.CanWrite(stored); err != nil {
		t.Fatalf("still suspended after 8 days: %v", err)
	}
	if err := replyErr(e, stored, th.ID); err != nil {
		t.Fatalf("reply after the suspension ended: %v", err)
	}

	// Indefinitely: still suspended a year later; "none" lifts it.
	m, err = e.mod.UpdateMember(e.ctx, e.admin, member.ID, moderation.MemberInput{Suspend: "indefinite", Reason: reason})
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != forum.MemberSuspended || m.SuspendedUntil != nil {
		t.Fatalf("indefinite suspension: %+v", m)
	}
	e.clock.Advance(365 * 24 * time.Hour)
	wantErr(t, e.forum.CanWrite(e.reload(t, member)), forum.ErrSuspended)
	if a := e.auditOf(t, "member.suspend", member.ID)[0]; a.Actor.ID != e.admin.ID || a.After != "suspended" || moderation.DescribeState(i18n.FR, a.After) != "suspendu sans limite" {
		t.Fatalf("indefinite suspend audit: %+v", a)
	}
	m, err = e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{Suspend: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != forum.MemberActive || m.SuspendedUntil != nil || m.SuspendReason != "" {
		t.Fatalf("lifted suspension: %+v", m)
	}
	if err := e.forum.CanWrite(e.reload(t, member)); err != nil {
		t.Fatalf("still suspended after none: %v", err)
	}
	e.oneAudit(t, "member.unsuspend", member.ID, e.moderator.ID, "")

	// A 7-day suspension followed by "none" ends at once.
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{Suspend: "7d", Reason: reason}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{Suspend: "none"}); err != nil {
		t.Fatal(err)
	}
	if got := e.reload(t, member); got.Status != forum.MemberActive || got.SuspendedUntil != nil || e.forum.CanWrite(got) != nil {
		t.Fatalf("after 7d then none: %+v", got)
	}
}

func TestSuspendValidation(t *testing.T) {
	e := newEnv(t)
	member := e.member(t, "Valentin Valide", forum.RoleMember)
	for _, d := range []string{"7x", "7", "d", "0d", "-1d", "+7d", "07d", "7 d", "7dd", "3651d", "1w", "forever", "7D"} {
		t.Run(d, func(t *testing.T) {
			_, err := e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{Suspend: d, Reason: "Essai."})
			wantInvalid(t, err, "suspend", "suspend_invalid")
		})
	}
	for _, d := range []string{"1d", "3650d"} {
		if _, err := e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{Suspend: d, Reason: "Essai."}); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	if got := e.reload(t, member); got.SuspendedUntil == nil || !got.SuspendedUntil.Equal(t0.Add(3650*24*time.Hour)) {
		t.Fatalf("after 3650d: %+v", got.SuspendedUntil)
	}
	if n := len(e.auditOf(t, "member.suspend", member.ID)); n != 2 {
		t.Fatalf("%d suspend entries, want 2 (invalid durations are not audited)", n)
	}
	_, err := e.mod.UpdateMember(e.ctx, e.moderator, forum.NewID(), moderation.MemberInput{Suspend: "1d", Reason: "Essai."})
	wantErr(t, err, forum.ErrNotFound)
	// Nothing to change: nothing audited.
	before := len(e.auditOf(t, "", ""))
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, member.ID, moderation.MemberInput{}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.auditOf(t, "", "")); n != before {
		t.Fatalf("an empty change was audited")
	}
}

func TestSuspendPermissions(t *testing.T) {
	e := newEnv(t)
	other := e.member(t, "Oscar Modérateur", forum.RoleModerator)
	member := e.member(t, "Mia Membre", forum.RoleMember)
	in := moderation.MemberInput{Suspend: "7d", Reason: "Essai de suspension."}
	tests := []struct {
		name          string
		actor, target *forum.Member
		in            moderation.MemberInput
		want          error
		field         string
	}{
		{"moderator suspends admin", e.moderator, e.admin, in, forum.ErrForbidden, ""},
		{"moderator suspends moderator", e.moderator, other, in, forum.ErrForbidden, ""},
		{"moderator suspends self", e.moderator, e.moderator, in, forum.ErrForbidden, ""},
		{"moderator lifts own suspension", e.moderator, e.moderator, moderation.MemberInput{Suspend: "none"}, forum.ErrForbidden, ""},
		{"moderator marks admin always moderated", e.moderator, e.admin, moderation.MemberInput{AlwaysModerate: ptr(true)}, forum.ErrForbidden, ""},
		{"admin suspends self", e.admin, e.admin, in, nil, "suspend"},
		{"member suspends member", member, other, in, forum.ErrForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.mod.UpdateMember(e.ctx, tt.actor, tt.target.ID, tt.in)
			if tt.field != "" {
				wantInvalid(t, err, tt.field, "self_suspend")
			} else {
				wantErr(t, err, tt.want)
			}
			if got := e.reload(t, tt.target); got.Status != forum.MemberActive || got.AlwaysModerate {
				t.Fatalf("target changed: %+v", got)
			}
		})
	}
	if es := e.auditOf(t, "", ""); len(es) != 0 {
		t.Fatalf("refused actions audited: %+v", es)
	}
	// An admin may suspend a moderator, who then cannot write, nor moderate by writing.
	if _, err := e.mod.UpdateMember(e.ctx, e.admin, other.ID, in); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.forum.CanWrite(e.reload(t, other)), forum.ErrSuspended)
	e.oneAudit(t, "member.suspend", other.ID, e.admin.ID, in.Reason)
}
