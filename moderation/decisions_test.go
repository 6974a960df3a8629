package moderation_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

func TestApproveNotifiesAuthor(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Hélène Auteure", forum.RoleMember)
	title := "Migration IPv6 dans les communes"
	th, p := e.newThread(t, author, "reseaux", title)
	e.clock.Advance(30 * time.Minute)

	e.approve(t, p.ID)

	msgs := e.mail.WaitFor(t, 1, 5*time.Second)
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != author.Email {
		t.Fatalf("mails: %+v", msgs)
	}
	m := msgs[0]
	for _, want := range []string{"Bonjour Hélène Auteure", "approuvé", "publié", baseURL + "/posts/" + p.ID, "«\u00a0" + title + "\u00a0»"} {
		if !strings.Contains(m.Text, want) {
			t.Fatalf("approval mail lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.Subject, title) || !strings.HasPrefix(m.Subject, "Publié") {
		t.Fatalf("approval subject = %q", m.Subject)
	}

	ns, err := e.mod.Notifications(e.ctx, author)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Kind != moderation.KindApproved || ns[0].PostID != p.ID || ns[0].ThreadID != th.ID ||
		ns[0].Title != title || ns[0].Read || !ns[0].CreatedAt.Equal(e.clock.Now()) {
		t.Fatalf("notifications = %+v", ns)
	}
	if n, err := e.mod.UnreadCount(e.ctx, author); err != nil || n != 1 {
		t.Fatalf("UnreadCount = %d, %v", n, err)
	}
	if err := e.mod.MarkRead(e.ctx, author); err != nil {
		t.Fatal(err)
	}
	if n, err := e.mod.UnreadCount(e.ctx, author); err != nil || n != 0 {
		t.Fatalf("UnreadCount after MarkRead = %d, %v", n, err)
	}
	if ns, _ := e.mod.Notifications(e.ctx, e.moderator); len(ns) != 0 {
		t.Fatalf("the moderator got notifications: %+v", ns)
	}
	if _, err := e.mod.Notifications(e.ctx, nil); !errors.Is(err, forum.ErrUnauthenticated) {
		t.Fatalf("Notifications(nil): %v", err)
	}

	got := e.post(t, p.ID)
	if got.Status != forum.PostPublished || got.Decision == nil || got.Decision.Action != forum.DecisionApproved ||
		got.Decision.By.ID != e.moderator.ID || !got.Decision.At.Equal(e.clock.Now()) {
		t.Fatalf("approved post: %+v / %+v", got, got.Decision)
	}
	a := e.oneAudit(t, "post.approve", p.ID, e.moderator.ID, "")
	if a.Actor.DisplayName != e.moderator.DisplayName || a.ThreadID != th.ID || a.Before != forum.PostPending || a.After != forum.PostPublished {
		t.Fatalf("approve audit: %+v", a)
	}
}

func TestRejectNeedsReasonAndNotifiesAuthor(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Romain Refusé", forum.RoleMember)
	title := "Offre spéciale sur nos routeurs"
	th, p := e.newThread(t, author, "reseaux", title)

	for _, reason := range []string{"", "   \n\t "} {
		wantInvalid(t, e.mod.Reject(e.ctx, e.moderator, p.ID, reason), "reason", "reason_required")
	}
	wantInvalid(t, e.mod.Reject(e.ctx, e.moderator, p.ID, strings.Repeat("é", moderation.MaxReasonChars+1)), "reason", "reason_too_long")
	if got := e.post(t, p.ID); got.Status != forum.PostPending {
		t.Fatalf("refused rejects changed the post: %s", got.Status)
	}
	if len(e.mail.Messages()) != 0 {
		t.Fatal("mail sent for a refused reject")
	}

	reason := moderation.CannedReasons[2] + " Merci de retirer les prix."
	e.clock.Advance(5 * time.Minute)
	if err := e.mod.Reject(e.ctx, e.moderator, p.ID, "  "+reason+"  "); err != nil {
		t.Fatal(err)
	}

	msgs := e.mail.WaitFor(t, 1, 5*time.Second)
	if len(msgs) != 1 || msgs[0].To[0] != author.Email {
		t.Fatalf("mails: %+v", msgs)
	}
	m := msgs[0]
	if !strings.Contains(m.Subject, title) || !strings.HasPrefix(m.Subject, "Non publié") {
		t.Fatalf("reject subject = %q", m.Subject)
	}
	for _, want := range []string{"Bonjour Romain Refusé", "n'a pas été publié", "Raison\u00a0: " + reason, "Premier message de"} {
		if !strings.Contains(m.Text, want) {
			t.Fatalf("reject mail lacks %q:\n%s", want, m.Text)
		}
	}
	ns, err := e.mod.Notifications(e.ctx, author)
	if err != nil || len(ns) != 1 || ns[0].Kind != moderation.KindRejected || ns[0].Reason != reason || ns[0].Title != title {
		t.Fatalf("notifications = %+v, %v", ns, err)
	}

	got := e.post(t, p.ID)
	if got.Status != forum.PostRejected || got.Decision == nil || got.Decision.Reason != reason || got.Decision.By.ID != e.moderator.ID {
		t.Fatalf("rejected post: %+v", got)
	}
	if gt := e.thread(t, th.ID); gt.Status != forum.ThreadRejected || gt.PostCount != 0 {
		t.Fatalf("rejected thread: %s, %d", gt.Status, gt.PostCount)
	}
	for _, viewer := range []*forum.Member{nil, author} {
		if _, err := e.forum.Post(e.ctx, viewer, p.ID); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("rejected post readable by %v: %v", viewer, err)
		}
	}
	if listed(e.listing(t, forum.ThreadQuery{}), th.ID) {
		t.Fatal("rejected thread listed")
	}
	if r := e.reload(t, author); r.RejectedPosts != 1 || r.ApprovedPosts != 0 {
		t.Fatalf("author counts: approved %d, rejected %d", r.ApprovedPosts, r.RejectedPosts)
	}
	e.oneAudit(t, "post.reject", p.ID, e.moderator.ID, reason)
}

func TestRejectReplyKeepsThread(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Rita Réponse", forum.RoleMember)
	th, _ := e.newThread(t, e.moderator, "sig", "Choix d'un outil de SIG libre")
	r := e.reply(t, author, th.ID, "Venez voir notre stand !")
	if err := e.mod.Reject(e.ctx, e.admin, r.ID, moderation.CannedReasons[2]); err != nil {
		t.Fatal(err)
	}
	if got := e.thread(t, th.ID); got.Status != forum.ThreadPublished || got.PostCount != 1 {
		t.Fatalf("thread after a rejected reply: %s, %d", got.Status, got.PostCount)
	}
	if msgs := e.mail.WaitFor(t, 1, 5*time.Second); !strings.Contains(msgs[0].Text, "Votre message") {
		t.Fatalf("reply reject mail: %s", msgs[0].Text)
	}
}

func TestDecisionOnDecidedPost(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Denis Décidé", forum.RoleMember)
	second := e.member(t, "Sophie Seconde", forum.RoleModerator)
	th, _ := e.newThread(t, e.moderator, "portails", "Refonte du portail citoyen")
	r := e.reply(t, author, th.ID, "Nous avons choisi un CMS libre.")
	e.approve(t, r.ID)

	tests := map[string]func() error{
		"approve again": func() error { return e.mod.Approve(e.ctx, second, r.ID, nil) },
		"reject":        func() error { return e.mod.Reject(e.ctx, second, r.ID, "Doublon.") },
		"approve with edit": func() error {
			return e.mod.Approve(e.ctx, second, r.ID, &moderation.QueueEdit{Body: ptr("Texte remplacé")})
		},
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			err := f()
			if !moderation.IsAlreadyDecided(err) || !errors.Is(err, moderation.ErrAlreadyDecided) {
				t.Fatalf("err = %v, want already decided", err)
			}
			if !strings.Contains(err.Error(), e.moderator.DisplayName) || !strings.Contains(err.Error(), "Déjà traité par") {
				t.Fatalf("message %q does not name the deciding moderator", err)
			}
		})
	}
	got := e.post(t, r.ID)
	if got.Status != forum.PostPublished || got.Decision.By.ID != e.moderator.ID || got.Source != "Nous avons choisi un CMS libre." || len(got.Revisions) != 0 {
		t.Fatalf("decided post changed: %+v", got)
	}
	if c := e.thread(t, th.ID).PostCount; c != 2 {
		t.Fatalf("post count = %d, want 2", c)
	}
	if n := e.reload(t, author).ApprovedPosts; n != 1 {
		t.Fatalf("ApprovedPosts = %d", n)
	}
	if n := len(e.auditOf(t, "post.approve", r.ID)); n != 1 {
		t.Fatalf("%d approve entries", n)
	}
	if n := len(e.mailsTo(author.Email)); n != 1 {
		t.Fatalf("%d mails to the author", n)
	}
	// A published post of a moderator was never pending: a clear conflict too.
	if err := e.mod.Approve(e.ctx, second, th.FirstPostID, nil); !moderation.IsAlreadyDecided(err) {
		t.Fatalf("approve a never-queued post: %v", err)
	}
	if err := e.mod.Approve(e.ctx, second, "pas-un-identifiant", nil); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("approve an unknown id: %v", err)
	}
	if err := e.mod.Approve(e.ctx, second, forum.NewID(), nil); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("approve a missing post: %v", err)
	}
}

// TestConcurrentApprove has 20 moderators approve one post at once: one wins.
func TestConcurrentApprove(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Clément Concurrent", forum.RoleMember)
	th, _ := e.newThread(t, e.moderator, "reseaux", "Sauvegardes externalisées")
	r := e.reply(t, author, th.ID, "Nous sauvegardons chez un prestataire.")
	const n = 20
	mods := make([]*forum.Member, n)
	for i := range mods {
		mods[i] = e.member(t, fmt.Sprintf("Modérateur %02d", i), forum.RoleModerator)
	}

	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = e.mod.Approve(e.ctx, mods[i], r.ID, nil)
		}()
	}
	close(start)
	wg.Wait()

	winner := -1
	decided := 0
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("two winners: %d and %d", winner, i)
			}
			winner = i
		case moderation.IsAlreadyDecided(err):
			decided++
		default:
			t.Fatalf("approval %d: unexpected error %v", i, err)
		}
	}
	if winner < 0 || decided != n-1 {
		t.Fatalf("winner %d, %d already decided; want one winner and %d", winner, decided, n-1)
	}
	for i, err := range errs {
		if i != winner && !strings.Contains(err.Error(), mods[winner].DisplayName) {
			t.Fatalf("loser %d's message %q does not name the winner %s", i, err, mods[winner].DisplayName)
		}
	}
	got := e.post(t, r.ID)
	if got.Status != forum.PostPublished || got.Decision.By.ID != mods[winner].ID {
		t.Fatalf("post: %s decided by %s, winner %s", got.Status, got.Decision.By.ID, mods[winner].ID)
	}
	es := e.auditOf(t, "post.approve", r.ID)
	if len(es) != 1 || es[0].Actor.ID != mods[winner].ID {
		t.Fatalf("approve audit entries: %+v", es)
	}
	if all := e.auditOf(t, "", ""); len(all) != 1 {
		t.Fatalf("%d audit entries in all, want 1", len(all))
	}
	if c := e.thread(t, th.ID).PostCount; c != 2 {
		t.Fatalf("post count = %d, want 2", c)
	}
	if a := e.reload(t, author).ApprovedPosts; a != 1 {
		t.Fatalf("ApprovedPosts = %d, want 1", a)
	}
	if msgs := e.mail.Messages(); len(msgs) != 1 || msgs[0].To[0] != author.Email {
		t.Fatalf("%d mails, want 1 to the author", len(msgs))
	}
	if ns, _ := e.mod.Notifications(e.ctx, author); len(ns) != 1 {
		t.Fatalf("%d notifications, want 1", len(ns))
	}
}

// TestConcurrentApproveAndReject races approvals against rejections: exactly one decision.
func TestConcurrentApproveAndReject(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Chloé Course", forum.RoleMember)
	_, p := e.newThread(t, author, "sig", "Données cadastrales en open data")
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				errs[i] = e.mod.Approve(e.ctx, e.moderator, p.ID, nil)
			} else {
				errs[i] = e.mod.Reject(e.ctx, e.admin, p.ID, "Doublon d'un fil existant.")
			}
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else if !moderation.IsAlreadyDecided(err) {
			t.Fatalf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d decisions won, want 1", wins)
	}
	approves, rejects := len(e.auditOf(t, "post.approve", p.ID)), len(e.auditOf(t, "post.reject", p.ID))
	if approves+rejects != 1 {
		t.Fatalf("%d approve + %d reject entries", approves, rejects)
	}
	m := e.reload(t, author)
	th := e.thread(t, p.ThreadID)
	if approves == 1 && (m.ApprovedPosts != 1 || m.RejectedPosts != 0 || th.Status != forum.ThreadPublished || th.PostCount != 1) ||
		rejects == 1 && (m.ApprovedPosts != 0 || m.RejectedPosts != 1 || th.Status != forum.ThreadRejected || th.PostCount != 0) {
		t.Fatalf("approves %d rejects %d: member %d/%d, thread %s/%d", approves, rejects, m.ApprovedPosts, m.RejectedPosts, th.Status, th.PostCount)
	}
	if len(e.mail.Messages()) != 1 {
		t.Fatalf("%d mails, want 1", len(e.mail.Messages()))
	}
}

func TestApproveWithEdit(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Édouard Édité", forum.RoleMember)
	th, p := e.newThread(t, author, "reseaux", "Titre initial du fil", "commune")
	e.clock.Advance(time.Hour)

	edit := &moderation.QueueEdit{
		Title:          ptr("  Choix   d'un SIG pour  le département "),
		Theme:          ptr("sig"),
		AuthorityTypes: []string{"departement", "region", "departement"},
		Body:           ptr("Texte **corrigé** par la modération."),
	}
	if err := e.mod.Approve(e.ctx, e.moderator, p.ID, edit); err != nil {
		t.Fatal(err)
	}
	got := e.thread(t, th.ID)
	if got.Title != "Choix d'un SIG pour le département" || got.Theme != "sig" ||
		strings.Join(got.AuthorityTypes, ",") != "departement,region" || got.Status != forum.ThreadPublished || got.PostCount != 1 {
		t.Fatalf("edited thread: %+v", got)
	}
	gp := e.post(t, p.ID)
	if gp.Status != forum.PostPublished || gp.Source != "Texte **corrigé** par la modération." || !strings.Contains(gp.HTML, "<strong>corrigé</strong>") {
		t.Fatalf("edited post: %s %q %q", gp.Status, gp.Source, gp.HTML)
	}
	if len(gp.Revisions) != 1 || gp.Revisions[0].Source != p.Source || gp.Revisions[0].EditorID != e.moderator.ID || gp.EditedAt == nil {
		t.Fatalf("revisions: %+v", gp.Revisions)
	}
	if !listed(e.listing(t, forum.ThreadQuery{Theme: "sig"}), th.ID) || listed(e.listing(t, forum.ThreadQuery{Theme: "reseaux"}), th.ID) {
		t.Fatal("the edited thread is not listed under its new theme only")
	}
	if !listed(e.listing(t, forum.ThreadQuery{AuthorityType: "region"}), th.ID) || listed(e.listing(t, forum.ThreadQuery{AuthorityType: "commune"}), th.ID) {
		t.Fatal("the edited thread is not listed under its new authority types only")
	}
	a := e.oneAudit(t, "thread.edit", th.ID, e.moderator.ID, "modifié avant approbation")
	if !strings.Contains(a.Before, "Titre initial du fil") || !strings.Contains(a.Before, "thème=reseaux") ||
		!strings.Contains(a.After, "Choix d'un SIG") || !strings.Contains(a.After, "thème=sig") || !strings.Contains(a.After, "departement,region") {
		t.Fatalf("thread.edit before/after: %q / %q", a.Before, a.After)
	}
	e.oneAudit(t, "post.edit", p.ID, e.moderator.ID, "modifié avant approbation")
	e.oneAudit(t, "post.approve", p.ID, e.moderator.ID, "")
	msgs := e.mail.WaitFor(t, 1, 5*time.Second)
	if !strings.Contains(msgs[0].Subject, "Choix d'un SIG pour le département") {
		t.Fatalf("approval mail subject %q lacks the edited title", msgs[0].Subject)
	}

	// A reply's body can be edited; its thread's title cannot be edited through it.
	r := e.reply(t, author, th.ID, "Une réponse avec une coquile.")
	wantInvalid(t, e.mod.Approve(e.ctx, e.moderator, r.ID, &moderation.QueueEdit{Title: ptr("Un autre titre pour le fil")}), "title", "not_first_post")
	if got := e.post(t, r.ID); got.Status != forum.PostPending {
		t.Fatalf("reply after a refused edit: %s", got.Status)
	}
	if err := e.mod.Approve(e.ctx, e.moderator, r.ID, &moderation.QueueEdit{Body: ptr("Une réponse avec une coquille.")}); err != nil {
		t.Fatal(err)
	}
	if got := e.post(t, r.ID); got.Status != forum.PostPublished || got.Source != "Une réponse avec une coquille." || len(got.Revisions) != 1 {
		t.Fatalf("edited reply: %+v", got)
	}
	if got := e.thread(t, th.ID); got.Title != "Choix d'un SIG pour le département" || got.PostCount != 2 {
		t.Fatalf("thread after the reply: %+v", got)
	}
	// An "edit" that leaves the body as it is keeps no revision.
	r2 := e.reply(t, author, th.ID, "Rien à corriger ici.")
	if err := e.mod.Approve(e.ctx, e.moderator, r2.ID, &moderation.QueueEdit{Body: ptr("Rien à corriger ici.\r\n  ")}); err != nil {
		t.Fatal(err)
	}
	if got := e.post(t, r2.ID); got.Status != forum.PostPublished || len(got.Revisions) != 0 || got.EditedAt != nil {
		t.Fatalf("reply approved with an unchanged body: %+v", got)
	}
	if n := len(e.auditOf(t, "post.edit", r2.ID)); n != 0 {
		t.Fatalf("%d post.edit entries for an unchanged body", n)
	}
}

// TestConcurrentApproveWithEdits has moderators edit and approve one post at
// once: the winner's edit is the one published, and the losers change nothing.
func TestConcurrentApproveWithEdits(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Émile Édité", forum.RoleMember)
	th, p := e.newThread(t, author, "reseaux", "Titre original du fil")
	const n = 10
	mods := make([]*forum.Member, n)
	for i := range mods {
		mods[i] = e.member(t, fmt.Sprintf("Correcteur %02d", i), forum.RoleModerator)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = e.mod.Approve(e.ctx, mods[i], p.ID, &moderation.QueueEdit{
				Title: ptr(fmt.Sprintf("Titre corrigé numéro %02d", i)), Body: ptr(fmt.Sprintf("Corps corrigé numéro %02d", i))})
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("two winners: %d and %d", winner, i)
			}
			winner = i
		} else if !moderation.IsAlreadyDecided(err) {
			t.Fatalf("approval %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no winner")
	}
	gp, gt := e.post(t, p.ID), e.thread(t, th.ID)
	if gp.Status != forum.PostPublished || gp.Decision.By.ID != mods[winner].ID {
		t.Fatalf("post %s decided by %s, winner %s", gp.Status, gp.Decision.By.ID, mods[winner].ID)
	}
	if want := fmt.Sprintf("Corps corrigé numéro %02d", winner); gp.Source != want || !strings.Contains(gp.HTML, want) {
		t.Fatalf("published body %q, want the winner's %q", gp.Source, want)
	}
	if len(gp.Revisions) != 1 || gp.Revisions[0].Source != p.Source || gp.Revisions[0].EditorID != mods[winner].ID {
		t.Fatalf("revisions: %+v", gp.Revisions)
	}
	if want := fmt.Sprintf("Titre corrigé numéro %02d", winner); gt.Title != want || gt.Status != forum.ThreadPublished || gt.PostCount != 1 {
		t.Fatalf("thread %q %s %d, want the winner's title %q", gt.Title, gt.Status, gt.PostCount, want)
	}
	for _, action := range []string{"thread.edit", "post.edit", "post.approve"} {
		target := p.ID
		if action == "thread.edit" {
			target = th.ID
		}
		if es := e.auditOf(t, action, target); len(es) != 1 || es[0].Actor.ID != mods[winner].ID {
			t.Fatalf("%s entries: %+v", action, es)
		}
	}
	if msgs := e.mail.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Subject, gt.Title) {
		t.Fatalf("mails: %+v", msgs)
	}
}

func TestInvalidEditChangesNothing(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Inès Invalide", forum.RoleMember)
	if err := e.forum.ArchiveTheme(e.ctx, e.admin, "achats-marches", true); err != nil {
		t.Fatal(err)
	}
	th, p := e.newThread(t, author, "reseaux", "Titre initial du fil", "commune")
	tests := []struct {
		name        string
		edit        moderation.QueueEdit
		field, code string
	}{
		{"title too short", moderation.QueueEdit{Title: ptr("abc")}, "title", "title_too_short"},
		{"title empty", moderation.QueueEdit{Title: ptr("   ")}, "title", "title_empty"},
		{"title too long", moderation.QueueEdit{Title: ptr(strings.Repeat("a", forum.MaxTitleChars+1))}, "title", "title_too_long"},
		{"short title with valid theme and body", moderation.QueueEdit{Title: ptr("abc"), Theme: ptr("sig"), Body: ptr("Autre texte")}, "title", "title_too_short"},
		{"unknown theme", moderation.QueueEdit{Theme: ptr("inconnu"), Body: ptr("Autre texte")}, "theme", "theme_unknown"},
		{"archived theme", moderation.QueueEdit{Theme: ptr("achats-marches")}, "theme", "theme_unknown"},
		{"unknown authority type", moderation.QueueEdit{Title: ptr("Un titre tout à fait valable"), AuthorityTypes: []string{"village"}}, "authority_types", "authority_type_unknown"},
		{"no authority type", moderation.QueueEdit{AuthorityTypes: []string{}}, "authority_types", "authority_types_empty"},
		{"empty body with valid title", moderation.QueueEdit{Title: ptr("Un titre tout à fait valable"), Body: ptr("  \n ")}, "body", "body_empty"},
		{"body not UTF-8", moderation.QueueEdit{Theme: ptr("sig"), Body: ptr("texte \xff")}, "body", "body_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, e.mod.Approve(e.ctx, e.moderator, p.ID, &tt.edit), tt.field, tt.code)
			got := e.thread(t, th.ID)
			if got.Title != "Titre initial du fil" || got.Theme != "reseaux" || strings.Join(got.AuthorityTypes, ",") != "commune" || got.Status != forum.ThreadPending {
				t.Fatalf("thread changed: %+v", got)
			}
			gp := e.post(t, p.ID)
			if gp.Status != forum.PostPending || gp.Source != p.Source || len(gp.Revisions) != 0 || gp.Decision != nil {
				t.Fatalf("post changed: %+v", gp)
			}
		})
	}
	if es := e.auditOf(t, "", ""); len(es) != 0 {
		t.Fatalf("audit entries after invalid edits: %+v", es)
	}
	if len(e.mail.Messages()) != 0 {
		t.Fatal("mail sent after invalid edits")
	}
	// The post is still decidable.
	e.approve(t, p.ID)
}

func TestUndoReject(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Ursule Annulée", forum.RoleMember)
	th, p := e.newThread(t, author, "portails", "Accessibilité des démarches en ligne")
	reason := "Rejeté par erreur."
	if err := e.mod.Reject(e.ctx, e.moderator, p.ID, reason); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(14 * time.Minute)
	if err := e.mod.UndoReject(e.ctx, e.admin, p.ID); err != nil {
		t.Fatalf("undo within the grace period: %v", err)
	}
	if got := e.post(t, p.ID); got.Status != forum.PostPending || got.Decision.Action != forum.DecisionReopened || got.Decision.By.ID != e.admin.ID {
		t.Fatalf("post after undo: %s %+v", got.Status, got.Decision)
	}
	if got := e.thread(t, th.ID); got.Status != forum.ThreadPending {
		t.Fatalf("thread after undo: %s", got.Status)
	}
	if _, err := e.forum.Post(e.ctx, author, p.ID); err != nil {
		t.Fatalf("author cannot see the reopened post: %v", err)
	}
	if m := e.reload(t, author); m.RejectedPosts != 0 {
		t.Fatalf("RejectedPosts = %d after undo", m.RejectedPosts)
	}
	e.oneAudit(t, "post.undo_reject", p.ID, e.admin.ID, "")
	items, err := e.mod.Queue(e.ctx, e.moderator, moderation.QueueFilter{})
	if err != nil || len(items) != 1 || items[0].Post.ID != p.ID {
		t.Fatalf("queue after undo: %+v, %v", items, err)
	}
	// Undo twice: nothing to undo.
	wantErr(t, e.mod.UndoReject(e.ctx, e.admin, p.ID), forum.ErrConflict)

	// Rejected again, and the grace period passes.
	if err := e.mod.Reject(e.ctx, e.moderator, p.ID, reason); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(15*time.Minute + time.Second)
	err = e.mod.UndoReject(e.ctx, e.moderator, p.ID)
	wantErr(t, err, forum.ErrConflict)
	if !strings.Contains(err.Error(), "15 minutes") {
		t.Fatalf("message %q does not give the delay", err)
	}
	if got := e.post(t, p.ID); got.Status != forum.PostRejected {
		t.Fatalf("post after a late undo: %s", got.Status)
	}
	if got := e.thread(t, th.ID); got.Status != forum.ThreadRejected {
		t.Fatalf("thread after a late undo: %s", got.Status)
	}
	if n := len(e.auditOf(t, "post.undo_reject", p.ID)); n != 1 {
		t.Fatalf("%d undo entries", n)
	}

	// Undo then approve: the thread is published.
	th2, p2 := e.newThread(t, author, "portails", "Deuxième essai de publication")
	if err := e.mod.Reject(e.ctx, e.moderator, p2.ID, reason); err != nil {
		t.Fatal(err)
	}
	if err := e.mod.UndoReject(e.ctx, e.moderator, p2.ID); err != nil {
		t.Fatal(err)
	}
	e.approve(t, p2.ID)
	if got := e.thread(t, th2.ID); got.Status != forum.ThreadPublished || got.PostCount != 1 {
		t.Fatalf("thread approved after undo: %s %d", got.Status, got.PostCount)
	}

	// An approved post cannot be "un-rejected"; a reply can be.
	wantErr(t, e.mod.UndoReject(e.ctx, e.moderator, p2.ID), forum.ErrConflict)
	r := e.reply(t, author, th2.ID, "Une réponse refusée puis rouverte")
	if err := e.mod.Reject(e.ctx, e.moderator, r.ID, reason); err != nil {
		t.Fatal(err)
	}
	if err := e.mod.UndoReject(e.ctx, e.moderator, r.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.post(t, r.ID); got.Status != forum.PostPending {
		t.Fatalf("reply after undo: %s", got.Status)
	}
	if got := e.thread(t, th2.ID); got.Status != forum.ThreadPublished || got.PostCount != 1 {
		t.Fatalf("thread after a reply's undo: %s %d", got.Status, got.PostCount)
	}
	wantErr(t, e.mod.UndoReject(e.ctx, e.moderator, "nimporte"), forum.ErrNotFound)
}
