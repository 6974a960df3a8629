package moderation_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

func (e *env) queue(t *testing.T, f moderation.QueueFilter) []moderation.QueueItem {
	t.Helper()
	items, err := e.mod.Queue(e.ctx, e.moderator, f)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func (e *env) pendingCount(t *testing.T) int {
	t.Helper()
	n, err := e.mod.PendingCount(e.ctx, e.moderator)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReportsHideAfterThreshold(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Arnaud Signalé", forum.RoleMember, approved(10))
	th, _ := e.newThread(t, e.moderator, "reseaux", "Pare-feu et télétravail")
	r := e.reply(t, author, th.ID, "Un message discutable.")
	if r.Status != forum.PostPublished {
		t.Fatal("setup: the reply should be published")
	}
	reporters := make([]*forum.Member, 4)
	for i := range reporters {
		reporters[i] = e.member(t, fmt.Sprintf("Rapporteur %d", i+1), forum.RoleMember)
	}

	// Refused reports.
	wantInvalid(t, e.mod.Report(e.ctx, author, r.ID, "Je me signale."), "post", "own_post")
	wantInvalid(t, e.mod.Report(e.ctx, reporters[0], r.ID, "  "), "reason", "reason_required")
	wantErr(t, e.mod.Report(e.ctx, nil, r.ID, "Anonyme."), forum.ErrUnauthenticated)
	wantErr(t, e.mod.Report(e.ctx, reporters[0], forum.NewID(), "Introuvable."), forum.ErrNotFound)

	e.clock.Advance(time.Minute)
	if err := e.mod.Report(e.ctx, reporters[0], r.ID, "Propos désobligeants."); err != nil {
		t.Fatal(err)
	}
	firstReportAt := e.clock.Now()
	// The same member reporting twice counts once.
	e.clock.Advance(time.Minute)
	wantInvalid(t, e.mod.Report(e.ctx, reporters[0], r.ID, "Encore une fois."), "post", "already_reported")
	e.clock.Advance(time.Minute)
	if err := e.mod.Report(e.ctx, reporters[1], r.ID, "Hors sujet."); err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, e.mod.Report(e.ctx, reporters[1], r.ID, "Et de trois ?"), "post", "already_reported")
	if got := e.post(t, r.ID); got.Status != forum.PostPublished {
		t.Fatalf("post after 2 distinct reporters: %s", got.Status)
	}
	if c := e.thread(t, th.ID).PostCount; c != 2 {
		t.Fatalf("post count = %d", c)
	}
	items := e.queue(t, moderation.QueueFilter{})
	if len(items) != 1 || items[0].Kind != moderation.ItemReported || items[0].Post.ID != r.ID || len(items[0].Reports) != 2 ||
		!items[0].Since.Equal(firstReportAt) || items[0].Thread.ID != th.ID {
		t.Fatalf("queue with 2 reports: %+v", items)
	}
	if items[0].Reports[0].Reporter.ID != reporters[0].ID || items[0].Reports[0].Reason != "Propos désobligeants." ||
		items[0].Reports[1].Reporter.ID != reporters[1].ID || items[0].Reports[1].Reason != "Hors sujet." {
		t.Fatalf("reports in the queue: %+v", items[0].Reports)
	}
	if n := e.pendingCount(t); n != 1 {
		t.Fatalf("PendingCount = %d, want 1", n)
	}
	if es := e.auditOf(t, "post.auto_hide", r.ID); len(es) != 0 {
		t.Fatal("hidden too early")
	}

	// The third distinct reporter hides it.
	e.clock.Advance(time.Minute)
	if err := e.mod.Report(e.ctx, reporters[2], r.ID, "Spam."); err != nil {
		t.Fatal(err)
	}
	got := e.post(t, r.ID)
	if got.Status != forum.PostHidden || got.Decision == nil || got.Decision.Action != forum.DecisionHidden || got.Decision.By.ID != "system" {
		t.Fatalf("post after 3 reporters: %s %+v", got.Status, got.Decision)
	}
	if c := e.thread(t, th.ID).PostCount; c != 1 {
		t.Fatalf("post count after auto-hide = %d, want 1", c)
	}
	for _, viewer := range []*forum.Member{nil, reporters[3], author} {
		if _, err := e.forum.Post(e.ctx, viewer, r.ID); !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("hidden post readable by %v: %v", viewer, err)
		}
	}
	if page, err := e.forum.Posts(e.ctx, nil, th, 1); err != nil || page.Total != 1 {
		t.Fatalf("anonymous sees %d posts (%v)", page.Total, err)
	}
	if _, err := e.forum.Post(e.ctx, e.moderator, r.ID); err != nil {
		t.Fatalf("moderator cannot see the hidden post: %v", err)
	}
	a := e.oneAudit(t, "post.auto_hide", r.ID, "system", got.Decision.Reason)
	if a.Before != forum.PostPublished || a.After != forum.PostHidden || a.Actor.DisplayName == "" {
		t.Fatalf("auto-hide audit: %+v", a)
	}
	// A fourth member can no longer see, nor report, it.
	wantErr(t, e.mod.Report(e.ctx, reporters[3], r.ID, "Trop tard."), forum.ErrNotFound)

	items = e.queue(t, moderation.QueueFilter{})
	if len(items) != 1 || items[0].Kind != moderation.ItemReported || items[0].Post.Status != forum.PostHidden || len(items[0].Reports) != 3 {
		t.Fatalf("queue after auto-hide: %+v", items)
	}
	if n := e.pendingCount(t); n != 1 {
		t.Fatalf("PendingCount = %d, want 1", n)
	}

	// Dismissing the reports publishes the post again and empties the queue.
	e.clock.Advance(time.Hour)
	if err := e.mod.DismissReports(e.ctx, e.moderator, r.ID); err != nil {
		t.Fatal(err)
	}
	got = e.post(t, r.ID)
	if got.Status != forum.PostPublished || got.Decision.Action != forum.DecisionRestored || got.Decision.By.ID != e.moderator.ID {
		t.Fatalf("post after dismissal: %s %+v", got.Status, got.Decision)
	}
	if c := e.thread(t, th.ID).PostCount; c != 2 {
		t.Fatalf("post count after dismissal = %d, want 2", c)
	}
	if _, err := e.forum.Post(e.ctx, nil, r.ID); err != nil {
		t.Fatalf("restored post unreadable: %v", err)
	}
	if items := e.queue(t, moderation.QueueFilter{}); len(items) != 0 {
		t.Fatalf("queue after dismissal: %+v", items)
	}
	if n := e.pendingCount(t); n != 0 {
		t.Fatalf("PendingCount after dismissal = %d", n)
	}
	e.oneAudit(t, "reports.dismiss", r.ID, e.moderator.ID, "")
	e.oneAudit(t, "post.restore", r.ID, e.moderator.ID, "")
	// Closed reports no longer count: one new report does not hide it.
	if err := e.mod.Report(e.ctx, reporters[3], r.ID, "Nouveau signalement."); err != nil {
		t.Fatal(err)
	}
	if got := e.post(t, r.ID); got.Status != forum.PostPublished {
		t.Fatalf("one report after dismissal hid the post: %s", got.Status)
	}
}

func TestReportRules(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Bérénice Auteure", forum.RoleMember)
	reporter := e.member(t, "Rémi Rapporteur", forum.RoleMember)
	th, first := e.newThread(t, e.moderator, "sig", "Référentiel d'adresses")
	pending := e.reply(t, author, th.ID, "Une réponse en attente.")

	// A pending post cannot be reported: others do not see it, moderators are told why.
	wantErr(t, e.mod.Report(e.ctx, reporter, pending.ID, "Je ne devrais pas le voir."), forum.ErrNotFound)
	wantInvalid(t, e.mod.Report(e.ctx, e.admin, pending.ID, "Signalement d'un message en attente."), "post", "not_published")

	// A suspended member cannot report.
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, reporter.ID, moderation.MemberInput{Suspend: "indefinite", Reason: "Abus de signalements."}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.mod.Report(e.ctx, e.reload(t, reporter), first.ID, "Suspendu."), forum.ErrSuspended)

	// Dismissing reports of a published post closes them and leaves it published.
	other := e.member(t, "Odile Autre", forum.RoleMember)
	if err := e.mod.Report(e.ctx, other, first.ID, "Information erronée."); err != nil {
		t.Fatal(err)
	}
	if n := e.pendingCount(t); n != 2 {
		t.Fatalf("PendingCount = %d, want 2 (one pending, one reported)", n)
	}
	if err := e.mod.DismissReports(e.ctx, e.admin, first.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.post(t, first.ID); got.Status != forum.PostPublished || got.Decision != nil {
		t.Fatalf("dismissed post: %s %+v", got.Status, got.Decision)
	}
	e.oneAudit(t, "reports.dismiss", first.ID, e.admin.ID, "")
	if n := len(e.auditOf(t, "post.restore", first.ID)); n != 0 {
		t.Fatalf("%d restore entries for a post that was not hidden", n)
	}
	items := e.queue(t, moderation.QueueFilter{})
	if len(items) != 1 || items[0].Post.ID != pending.ID || items[0].Kind != moderation.ItemPending {
		t.Fatalf("queue: %+v", items)
	}
	wantErr(t, e.mod.DismissReports(e.ctx, e.moderator, forum.NewID()), forum.ErrNotFound)
}

// TestReportsHideFirstPost hides a whole thread when its first post is reported.
func TestReportsHideFirstPost(t *testing.T) {
	e := newEnvConfig(t, moderation.Config{ReportsToHide: 2})
	author := e.member(t, "Firmin Premier", forum.RoleMember, trusted)
	th, p := e.newThread(t, author, "portails", "Un fil signalé dès le début")
	if err := e.mod.Report(e.ctx, e.member(t, "Un", forum.RoleMember), p.ID, "Publicité."); err != nil {
		t.Fatal(err)
	}
	if !listed(e.listing(t, forum.ThreadQuery{}), th.ID) {
		t.Fatal("thread unlisted after one report (threshold 2)")
	}
	if err := e.mod.Report(e.ctx, e.member(t, "Deux", forum.RoleMember), p.ID, "Publicité."); err != nil {
		t.Fatal(err)
	}
	got := e.thread(t, th.ID)
	if got.Status != forum.ThreadHidden || got.PostCount != 0 {
		t.Fatalf("thread after threshold: %s, %d", got.Status, got.PostCount)
	}
	if listed(e.listing(t, forum.ThreadQuery{}), th.ID) {
		t.Fatal("thread of a hidden first post still listed")
	}
	if _, err := e.forum.Thread(e.ctx, nil, th.ID); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("hidden thread readable: %v", err)
	}
	if err := e.mod.DismissReports(e.ctx, e.moderator, p.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.thread(t, th.ID); got.Status != forum.ThreadPublished || got.PostCount != 1 {
		t.Fatalf("thread after dismissal: %s, %d", got.Status, got.PostCount)
	}
	if !listed(e.listing(t, forum.ThreadQuery{}), th.ID) {
		t.Fatal("thread not listed again after dismissal")
	}
}

// TestConcurrentReports has many distinct members report at once: the post is
// hidden once, counted down once.
func TestConcurrentReports(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Cyril Contesté", forum.RoleMember, approved(5))
	th, _ := e.newThread(t, e.moderator, "reseaux", "Un fil très fréquenté")
	r := e.reply(t, author, th.ID, "Un message très contesté.")
	const n = 8
	reporters := make([]*forum.Member, n)
	for i := range reporters {
		reporters[i] = e.member(t, fmt.Sprintf("Signaleur %d", i), forum.RoleMember)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.mod.Report(e.ctx, reporters[i], r.ID, "Contenu inapproprié.")
		}()
	}
	wg.Wait()
	accepted := 0
	for _, err := range errs {
		// A reporter arriving after the hide no longer sees the post.
		if err == nil {
			accepted++
		} else if !errors.Is(err, forum.ErrNotFound) {
			t.Fatalf("unexpected report error: %v", err)
		}
	}
	if accepted < 3 {
		t.Fatalf("%d reports accepted, want at least 3", accepted)
	}
	if got := e.post(t, r.ID); got.Status != forum.PostHidden {
		t.Fatalf("post: %s", got.Status)
	}
	if c := e.thread(t, th.ID).PostCount; c != 1 {
		t.Fatalf("post count = %d, want 1 (counted down once)", c)
	}
	if es := e.auditOf(t, "post.auto_hide", r.ID); len(es) != 1 {
		t.Fatalf("%d auto-hide entries, want 1", len(es))
	}
}
