package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/store"
)

// DumpForum is a forum holding every kind of entity, written by BuildForum
// through the Store's methods: what a copy or a backup must carry whole.
type DumpForum struct {
	// Threads are the ids of its threads, Posts of its posts.
	Threads, Posts []string
	// Word is in the title of a published thread and in published posts
	// (search must find them after a copy); Theme and AuthorityType have
	// published threads.
	Word, Theme, AuthorityType string
}

// BuildForum writes a forum with every kind of entity into s: themes (one
// archived) and authority types; members (a moderator, a suspended one, a
// trusted one, one being deleted, one erased); sessions; invites (one used);
// threads in every status, pinned and locked; posts in every status, with
// revisions, decisions (approved, rejected, hidden, edited by a moderator),
// a reminder, erased bodies; read markers; reports (one resolved); audit
// entries; notifications (some read); digest subscribers (confirmed or
// not), subscriptions (one pending), runs (one done), a lease, a mark,
// queued messages with bodies (one sent to the log, one retried, one
// cancelled), secrets and counters.
func BuildForum(t testing.TB, s store.Store) *DumpForum {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	t0 := time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	f := &DumpForum{Word: "messagerie", Theme: "reseaux", AuthorityType: "commune"}

	for i, th := range []forum.Theme{
		{Slug: "reseaux", NameFR: "Réseaux", NameEN: "Networks", Description: "Fibre, Wi-Fi…", Position: 1, Moderation: forum.ModerationNewMembers, CreatedAt: t0},
		{Slug: "sig", NameFR: "SIG", Position: 2, Moderation: forum.ModerationAll, CreatedAt: t0},
		{Slug: "archives", NameFR: "Archives", Position: 3, Moderation: forum.ModerationAll, CreatedAt: t0},
	} {
		must("theme", s.InsertTheme(ctx, &th))
		if i == 2 {
			yes := true
			must("archive theme", s.UpdateTheme(ctx, th.Slug, forum.ThemeUpdate{Archived: &yes}))
		}
	}
	for _, a := range []forum.AuthorityType{
		{Slug: "commune", NameFR: "Commune", NameEN: "Municipality", Plural: "Communes", Position: 1},
		{Slug: "region", NameFR: "Région", Plural: "Régions", Position: 2},
	} {
		must("authority type", s.InsertAuthorityType(ctx, &a))
	}

	member := func(name, role string) *forum.Member {
		m := &forum.Member{ID: forum.NewID(), Email: name + "@ville.fr", DisplayName: name, Authority: "Ville de " + name,
			AuthorityType: "commune", Role: role, Status: forum.MemberActive, PasswordHash: "$argon2id$" + name, CreatedAt: at(0)}
		must("member", s.InsertMember(ctx, m))
		return m
	}
	alice, bob, carol := member("alice", forum.RoleModerator), member("bob", forum.RoleMember), member("carol", forum.RoleMember)
	dave, erin := member("dave", forum.RoleMember), member("erin", forum.RoleMember)
	must("profile", s.UpdateMemberProfile(ctx, bob.ID, "Bob", "Région Bretagne", "region", "en"))
	until, reason, suspended, trusted := at(60*24*30), "hors sujet répété", forum.MemberSuspended, true
	must("suspend", s.UpdateMember(ctx, bob.ID, moderation.MemberChange{Status: &suspended, SuspendedUntil: &until, SuspendReason: &reason}))
	must("trust", s.UpdateMember(ctx, carol.ID, moderation.MemberChange{Trusted: &trusted, AlwaysModerate: &trusted}))
	must("approved", s.IncMemberApprovedPosts(ctx, carol.ID, 3))
	must("rejected", s.IncMemberRejectedPosts(ctx, bob.ID, 1))
	must("begin deletion", s.BeginMemberDeletion(ctx, erin.ID, "keep", at(50)))

	for _, m := range []*forum.Member{alice, bob} {
		must("session", s.InsertSession(ctx, &forum.Session{ID: forum.NewID(), MemberID: m.ID, CSRFToken: "csrf-" + m.ID, CreatedAt: at(1), ExpiresAt: at(60 * 24)}))
	}
	used := &forum.Invite{ID: forum.NewID(), Email: "new@ville.fr", Role: forum.RoleMember, InvitedBy: alice.ID, CreatedAt: at(2), ExpiresAt: at(60 * 24 * 7)}
	must("invite", s.InsertInvite(ctx, used))
	must("identity", s.InsertIdentity(ctx, &forum.Identity{ID: forum.NewID(), Issuer: "https://auth.proconnect.gouv.fr/api/v2",
		Subject: "agent-alice", MemberID: alice.ID, Email: alice.Email, SIRET: "21930027400012", SIREN: "219300274", CreatedAt: at(2), LastLoginAt: at(3)}))
	if ok, err := s.UseInvite(ctx, used.ID, at(3)); !ok || err != nil {
		t.Fatalf("use invite: %v, %v", ok, err)
	}
	must("invite", s.InsertInvite(ctx, &forum.Invite{ID: forum.NewID(), Email: "later@ville.fr", Role: forum.RoleModerator, InvitedBy: alice.ID, CreatedAt: at(4), ExpiresAt: at(60 * 24 * 7)}))

	thread := func(theme string, types []string, title string, author *forum.Member, status string, min int) *forum.Thread {
		th := &forum.Thread{ID: forum.NewID(), Theme: theme, AuthorityTypes: types, Title: title, Author: author.Ref(), Status: status,
			CreatedAt: at(min), LastActivityAt: at(min)}
		must("thread", s.InsertThread(ctx, th))
		f.Threads = append(f.Threads, th.ID)
		return th
	}
	post := func(th *forum.Thread, author *forum.Member, text, status string, min int) *forum.Post {
		p := &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: author.Ref(), Source: text, HTML: "<p>" + text + "</p>", Status: status, CreatedAt: at(min)}
		must("post", s.InsertPost(ctx, p))
		if status == forum.PostPublished {
			must("record", s.RecordThreadPost(ctx, th.ID, 1, p))
		}
		f.Posts = append(f.Posts, p.ID)
		return p
	}
	th1 := thread("reseaux", []string{"commune", "region"}, "Migration de la messagerie", carol, forum.ThreadPublished, 10)
	th2 := thread("sig", []string{"region"}, "Cadastre et messagerie", alice, forum.ThreadPublished, 20)
	th3 := thread("reseaux", []string{"commune"}, "Fil en attente", bob, forum.ThreadPending, 30)
	th4 := thread("sig", []string{"commune"}, "Fil rejeté", bob, forum.ThreadPending, 40)
	th5 := thread("reseaux", nil, "Fil masqué sur la messagerie", dave, forum.ThreadPublished, 45)
	pinned, locked := true, true
	must("pin", s.UpdateThread(ctx, th1.ID, moderation.ThreadChange{Pinned: &pinned}))
	must("lock", s.UpdateThread(ctx, th2.ID, moderation.ThreadChange{Locked: &locked, AuthorityTypes: []string{"region", "commune"}}))
	if ok, err := s.SetThreadStatus(ctx, th4.ID, []string{forum.ThreadPending}, forum.ThreadRejected); !ok || err != nil {
		t.Fatalf("reject thread: %v, %v", ok, err)
	}
	if ok, err := s.SetThreadStatus(ctx, th5.ID, []string{forum.ThreadPublished}, forum.ThreadHidden); !ok || err != nil {
		t.Fatalf("hide thread: %v, %v", ok, err)
	}

	p1 := post(th1, carol, "La messagerie migre vers un nouveau prestataire.", forum.PostPublished, 10)
	p2 := post(th1, alice, "Quel calendrier pour la messagerie ?", forum.PostPublished, 11)
	must("edit", s.EditPost(ctx, p2.ID, forum.PostEdit{Current: p2.Source, Source: "Quel calendrier pour la bascule de messagerie ?",
		HTML: "<p>Quel calendrier pour la bascule de messagerie ?</p>", Previous: forum.Revision{Source: p2.Source, EditedAt: at(12), EditorID: alice.ID}, EditedAt: at(12)}))
	p3 := post(th1, bob, "Réponse en attente de modération.", forum.PostPending, 13)
	if ok, err := s.MarkReminded(ctx, p3.ID, at(200)); !ok || err != nil {
		t.Fatalf("remind: %v, %v", ok, err)
	}
	decide := func(p *forum.Post, status, action string, min int) {
		d := forum.Decision{Action: action, By: alice.Ref(), At: at(min), Reason: "décision " + action}
		if ok, err := s.DecidePost(ctx, p.ID, moderation.PostCondition{Statuses: []string{p.Status}}, status, d); !ok || err != nil {
			t.Fatalf("decide %s: %v, %v", action, ok, err)
		}
	}
	decide(post(th1, bob, "Message refusé.", forum.PostPending, 14), forum.PostRejected, forum.DecisionRejected, 15)
	decide(post(th1, dave, "Message masqué après coup.", forum.PostPublished, 16), forum.PostHidden, forum.DecisionHidden, 17)
	p6 := post(th2, bob, "La messagerie du cadastre, approuvée.", forum.PostPending, 20)
	decide(p6, forum.PostPublished, forum.DecisionApproved, 21)
	must("record", s.RecordThreadPost(ctx, th2.ID, 1, p6))
	p7 := post(th2, bob, "Texte à reprendre.", forum.PostPending, 22)
	if ok, err := s.DecidePostEdited(ctx, p7.ID, moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostPublished,
		forum.Decision{Action: forum.DecisionApproved, By: alice.Ref(), At: at(23)},
		forum.PostEdit{Current: p7.Source, Source: "Texte repris par la modération.", HTML: "<p>Texte repris par la modération.</p>",
			Previous: forum.Revision{Source: p7.Source, EditedAt: at(23), EditorID: alice.ID}, EditedAt: at(23)}); !ok || err != nil {
		t.Fatalf("decide edited: %v, %v", ok, err)
	}
	post(th3, bob, "Premier message d'un fil en attente.", forum.PostPending, 30)
	post(th4, bob, "Premier message d'un fil rejeté.", forum.PostPending, 40)
	post(th5, dave, "Premier message d'un fil masqué sur la messagerie.", forum.PostPublished, 45)
	dp := post(th2, dave, "Message de dave sur la messagerie, bientôt effacé.", forum.PostPublished, 46)

	// dave's account is erased: bodies, name, then the tombstone.
	must("begin deletion", s.BeginMemberDeletion(ctx, dave.ID, "erase", at(100)))
	must("erase bodies", s.ErasePostBodies(ctx, dave.ID, "(effacé)", "<p>(effacé)</p>"))
	must("anonymise", s.AnonymiseMember(ctx, dave.ID, forum.DeletedRef(dave.ID), []string{dp.ID}))
	must("finish deletion", s.FinishMemberDeletion(ctx, dave.ID, forum.TombstoneEmail(dave.ID), at(101)))

	for _, m := range []struct {
		who  *forum.Member
		th   *forum.Thread
		post *forum.Post
	}{{alice, th1, p2}, {bob, th1, p1}, {bob, th2, p6}, {carol, th2, p6}} {
		must("read marker", s.AdvanceReadMarker(ctx, &forum.ReadMarker{ID: forum.ReadMarkerID(m.who.ID, m.th.ID),
			MemberID: m.who.ID, ThreadID: m.th.ID, PostID: m.post.ID, PostAt: m.post.CreatedAt}))
	}

	for i, r := range []*forum.Member{bob, carol} {
		must("report", s.InsertReport(ctx, &moderation.Report{ID: p1.ID + ":" + r.ID, PostID: p1.ID, ThreadID: th1.ID, Reporter: r.Ref(),
			Reason: fmt.Sprintf("signalement %d", i), CreatedAt: at(60 + i), Open: true}))
	}
	must("resolve", s.ResolveReports(ctx, p1.ID, alice.ID, at(70)))
	must("report", s.InsertReport(ctx, &moderation.Report{ID: p2.ID + ":" + carol.ID, PostID: p2.ID, ThreadID: th1.ID, Reporter: carol.Ref(), CreatedAt: at(71), Open: true}))
	must("audit", s.InsertAudit(ctx, &moderation.AuditEntry{ID: forum.NewID(), At: at(15), Actor: alice.Ref(), Action: "post.reject", TargetType: "post", TargetID: p3.ID, ThreadID: th1.ID, Reason: "hors sujet"}))
	must("audit", s.InsertAudit(ctx, &moderation.AuditEntry{ID: forum.NewID(), At: at(80), Actor: alice.Ref(), Action: "member.suspend", TargetType: "member", TargetID: bob.ID, Before: "active", After: "suspended"}))
	must("notification", s.InsertNotification(ctx, &moderation.Notification{ID: forum.NewID(), MemberID: bob.ID, Kind: "post_rejected", PostID: p3.ID, ThreadID: th1.ID, Title: th1.Title, Reason: "hors sujet", CreatedAt: at(15)}))
	must("notification", s.InsertNotification(ctx, &moderation.Notification{ID: forum.NewID(), MemberID: carol.ID, Kind: "post_approved", Title: th2.Title, CreatedAt: at(21)}))
	must("read notifications", s.MarkNotificationsRead(ctx, carol.ID))

	buildDigests(t, s, at, carol, th1, must)
	if _, err := s.Secret(ctx, "csrf"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IncCounter(ctx, "visites", 42); err != nil {
		t.Fatal(err)
	}
	return f
}

// buildDigests writes the digest side of BuildForum's forum.
func buildDigests(t testing.TB, s store.Store, at func(int) time.Time, member *forum.Member, th *forum.Thread, must func(string, error)) {
	t.Helper()
	ctx := context.Background()
	confirmedAt, sentAt := at(5), at(6)
	subs := []*digest.Subscriber{
		{ID: forum.NewID(), MemberID: member.ID, Email: member.Email, Confirmed: true, ConfirmedAt: &confirmedAt, CreatedAt: at(5), Lang: "fr"},
		{ID: forum.NewID(), Email: "lecteur@mairie.fr", ConfirmSentAt: &sentAt, CreatedAt: at(6), Lang: "en"},
		{ID: forum.NewID(), Email: "parti@mairie.fr", Confirmed: true, ConfirmedAt: &confirmedAt, CreatedAt: at(7), Lang: "fr"},
	}
	for _, sub := range subs {
		must("subscriber", s.InsertSubscriber(ctx, sub))
	}
	for _, sub := range []digest.Subscription{
		{SubscriberID: subs[0].ID, Target: digest.Target{Kind: digest.TargetTheme, Theme: "reseaux"}, Frequency: digest.Daily, CreatedAt: at(8)},
		{SubscriberID: subs[0].ID, Target: digest.Target{Kind: digest.TargetThread, ThreadID: th.ID}, Frequency: digest.Weekly, CreatedAt: at(8)},
		{SubscriberID: subs[1].ID, Target: digest.Target{Kind: digest.TargetThemeAuthority, Theme: "sig", AuthorityType: "region"}, Frequency: digest.Daily, Pending: true, CreatedAt: at(9)},
	} {
		sub.ID = digest.SubscriptionID(sub.SubscriberID, sub.Target, sub.Frequency)
		must("subscription", s.InsertSubscription(ctx, &sub))
	}
	done := &digest.Run{ID: "daily:" + at(60*24).Format(time.RFC3339), Frequency: digest.Daily, Period: "2025-11-04", Until: at(60 * 24),
		Tail: []string{}, StartedAt: at(60 * 24)}
	must("run", s.InsertRun(ctx, done))
	if ok, err := s.AdvanceRun(ctx, done.ID, "", subs[0].ID); !ok || err != nil {
		t.Fatalf("advance run: %v, %v", ok, err)
	}
	must("finish run", s.FinishRun(ctx, done.ID, at(60*24+1)))
	must("run", s.InsertRun(ctx, &digest.Run{ID: "daily:" + at(2*60*24).Format(time.RFC3339), Frequency: digest.Daily, Period: "2025-11-05",
		From: done.Until, Until: at(2 * 60 * 24), Tail: []string{th.FirstPostID, "x"}, Exclude: []string{"y"}, StartedAt: at(2 * 60 * 24)}))
	if ok, err := s.AcquireLease(ctx, "digest", "serveur-1", at(0), at(10)); !ok || err != nil {
		t.Fatalf("lease: %v, %v", ok, err)
	}
	if ok, err := s.MoveMark(ctx, "immediate", time.Time{}, at(30)); !ok || err != nil {
		t.Fatalf("mark: %v, %v", ok, err)
	}
	var msgs []digest.OutboxMessage
	for i, sub := range []*digest.Subscriber{subs[0], subs[0], subs[2], subs[0]} {
		m := digest.OutboxMessage{ID: fmt.Sprintf("%s:%d", sub.ID, i), Kind: digest.KindDigest, SubscriberID: sub.ID, Frequency: digest.Daily,
			Period: "2025-11-04", To: sub.Email, Subject: fmt.Sprintf("Résumé %d", i), Status: digest.StatusPending,
			NextAttemptAt: at(60 * 24), CreatedAt: at(60 * 24)}
		if i != 1 {
			m.Body = &digest.MessageBody{ID: m.ID, Text: "Bonjour", HTML: "<p>Bonjour</p>", MessageID: fmt.Sprintf("<%d@coterforum>", i),
				Headers: map[string]string{"List-Unsubscribe": "<https://forum/x>", "List-Id": "coterforum", "X-Zèbre": "z"}}
		}
		msgs = append(msgs, m)
	}
	if ids, err := s.EnqueueMessages(ctx, msgs, false); err != nil || len(ids) != len(msgs) {
		t.Fatalf("enqueue: %v, %v", ids, err)
	}
	claimed, err := s.ClaimMessages(ctx, []string{msgs[0].ID, msgs[1].ID}, "claim-1", at(60*24), at(60*24+5))
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d, %v", len(claimed), err)
	}
	must("finish", s.FinishMessages(ctx, []digest.LogEntry{claimed[0].Finished(digest.StatusSent, "", at(60*24+1))}, "claim-1"))
	must("retry", s.RetryMessage(ctx, msgs[1].ID, "claim-1", at(60*24+30), "451 réessayez"))
	if n, err := s.CancelMessages(ctx, subs[2].ID, at(60*24+2)); n != 1 || err != nil {
		t.Fatalf("cancel: %d, %v", n, err)
	}
	if _, err := s.ClaimMessages(ctx, []string{msgs[3].ID}, "claim-2", at(60*24), at(60*24+5)); err != nil {
		t.Fatal(err)
	}
}
