package digest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/internal/testclock"
)

// scenario is the forum of the acceptance check: two members and a
// reader subscribe, the reader confirms, content is published, one post
// stays pending and one is rejected.
type scenario struct {
	*env
	bob, carol, newbie *forum.Member
	net, gis, web      *forum.Thread
	pending, rejected  *forum.Thread
	lateReply          *forum.Post // pending during the first run, approved after
	reader, lurker     string      // a confirmed reader, an unconfirmed one
}

func newScenario(t *testing.T) *scenario {
	e := newEnv(t)
	s := &scenario{env: e, reader: "lecteur@example.org", lurker: "jamais@example.org"}
	s.bob = e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	s.carol = e.member(t, "Carole Dép", "Département du Gard", "departement")
	s.newbie = e.member(t, "Nina Nouvelle", "Ville de Sète", "commune")
	e.subscribe(t, s.bob, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	e.subscribe(t, s.carol, digest.SubscribeInput{AuthorityType: "departement", Frequency: digest.Daily})
	e.subscribe(t, s.carol, digest.SubscribeInput{Theme: "sig", Frequency: digest.Weekly})
	for _, addr := range []string{s.reader, s.lurker} {
		if err := e.svc.SubscribeEmail(e.ctx, addr, "fr", digest.SubscribeInput{Theme: "sig", AuthorityType: "region", Frequency: digest.Daily}); err != nil {
			t.Fatal(err)
		}
	}
	confirmations := e.smtp.WaitFor(t, 2, 5*time.Second)
	if _, err := e.svc.Confirm(e.ctx, tokenOf(t, to(confirmations, s.reader)[0].Text, "/subscriptions/confirm")); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	s.net, _ = e.thread(t, e.author, "reseaux", "Migration vers IPv6", "commune")
	e.clock.Advance(time.Minute)
	s.gis, _ = e.thread(t, e.author, "sig", "Cadastre et PCRS", "region", "commune")
	e.clock.Advance(time.Minute)
	s.web, _ = e.thread(t, e.author, "portails", "Refonte du portail citoyen", "departement")
	e.reply(t, s.carol, s.net, "Nous avons migré l'an dernier, **aucun** souci.") // carol: untrusted → pending
	s.pending, _ = e.thread(t, s.newbie, "reseaux", "Fil en attente de modération", "commune")
	var rp *forum.Post
	s.rejected, rp = e.thread(t, s.newbie, "sig", "Fil refusé par la modération", "region")
	if err := e.mod.Reject(e.ctx, e.moderator, rp.ID, "Hors sujet."); err != nil {
		t.Fatal(err)
	}
	s.lateReply = e.reply(t, s.newbie, s.net, "Réponse approuvée après l'envoi du résumé.")
	return s
}

func TestDailyDigestEndToEnd(t *testing.T) {
	s := newScenario(t)
	before := len(s.smtp.Messages())
	if before != 2 {
		t.Fatalf("%d mails before the digest, want the 2 confirmations", before)
	}
	if n := s.runDaily(t, 12); n != 3 {
		t.Fatalf("first run sent %d, want 3 (bob, carol, reader)", n)
	}
	msgs := s.smtp.WaitFor(t, before+3, 5*time.Second)[before:]
	want := map[string][]string{
		strings.ToLower(s.bob.Email):   {s.net.Title},
		strings.ToLower(s.carol.Email): {s.web.Title},
		s.reader:                       {s.gis.Title},
	}
	all := []string{s.net.Title, s.gis.Title, s.web.Title}
	for addr, titles := range want {
		got := to(msgs, addr)
		if len(got) != 1 {
			t.Fatalf("%s got %d digests", addr, len(got))
		}
		m := got[0]
		if !strings.HasPrefix(m.Subject, "coterforum — votre sélection du 12 mars 2026\u00a0: 1 fil") {
			t.Errorf("%s: subject %q", addr, m.Subject)
		}
		for _, title := range all {
			in := strings.Contains(m.Text, title) && strings.Contains(m.HTML, title)
			if in != (title == titles[0]) {
				t.Errorf("%s: contains %q = %v", addr, title, in)
			}
		}
		for _, never := range []string{s.pending.Title, s.rejected.Title, "approuvée après", "aucun souci"} {
			if strings.Contains(m.Text+m.HTML, never) {
				t.Errorf("%s: digest contains unpublished %q", addr, never)
			}
		}
		if m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || headerToken(t, m) == "" {
			t.Errorf("%s: unsubscribe headers %v", addr, m.Header)
		}
	}
	if len(to(msgs, s.lurker)) != 0 {
		t.Fatal("the unconfirmed reader got a digest")
	}
	if !strings.Contains(to(msgs, strings.ToLower(s.bob.Email))[0].Text, "Nouveau fil — Commune") {
		t.Errorf("bob's digest: %s", to(msgs, strings.ToLower(s.bob.Email))[0].Text)
	}

	// A second run with nothing new sends nothing, even later the same day.
	if n := s.runDaily(t, 12); n != 0 {
		t.Fatalf("second run sent %d", n)
	}
	// The reply created before the first run and approved after it comes
	// in the next digest, once; the pending thread never does.
	s.clock.Advance(2 * time.Hour)
	if err := s.mod.Approve(s.ctx, s.moderator, s.lateReply.ID, nil); err != nil {
		t.Fatal(err)
	}
	if n := s.runDaily(t, 13); n != 1 {
		t.Fatalf("third run sent %d, want 1 (bob)", n)
	}
	msgs = s.smtp.WaitFor(t, before+4, 5*time.Second)
	last := msgs[len(msgs)-1]
	if last.To[0] != strings.ToLower(s.bob.Email) || !strings.Contains(last.Text, "approuvée après") || strings.Contains(last.Text, "Nouveau fil") {
		t.Fatalf("third digest to %v: %s", last.To, last.Text)
	}
	if n := s.runDaily(t, 14); n != 0 {
		t.Fatalf("fourth run sent %d", n)
	}
	for _, m := range s.smtp.Messages() {
		if m.To[0] == s.lurker && !strings.Contains(m.Subject, "confirmez") {
			t.Fatalf("the unconfirmed reader got %q", m.Subject)
		}
	}
	if out, _ := s.st.OutboxMessages(s.ctx, 10); len(out) != 0 {
		t.Fatalf("outbox not empty: %+v", out)
	}
}

func TestUnsubscribeLinks(t *testing.T) {
	s := newScenario(t)
	s.runDaily(t, 12)
	msgs := s.smtp.WaitFor(t, 5, 5*time.Second)
	bobMail := to(msgs, strings.ToLower(s.bob.Email))[0]
	tok := headerToken(t, bobMail)
	if tokenOf(t, bobMail.Text, "/subscriptions/unsubscribe") != tok {
		t.Error("the body's link is not the header's")
	}
	bob, _ := s.svc.SubscriberOf(s.ctx, s.bob)
	// Every token changed by one character does nothing.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	for i := range tok {
		for _, r := range []byte{alphabet[(strings.IndexByte(alphabet, tok[i])+1)%len(alphabet)], alphabet[(strings.IndexByte(alphabet, tok[i])+37)%len(alphabet)]} {
			bad := tok[:i] + string(r) + tok[i+1:]
			if _, err := s.svc.UnsubscribeByToken(s.ctx, bad); !errors.Is(err, forum.ErrNotFound) {
				t.Fatalf("altered token %q (position %d): %v", bad, i, err)
			}
		}
	}
	// Tokens of another purpose or subscriber do not unsubscribe either.
	carol, _ := s.svc.SubscriberOf(s.ctx, s.carol)
	for _, u := range []string{s.svc.ManageURL(bob.ID), s.svc.ConfirmURL(bob.ID)} {
		if _, err := s.svc.UnsubscribeByToken(s.ctx, u[strings.Index(u, "token=")+6:]); !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("%s: %v", u, err)
		}
	}
	if list, _ := s.svc.List(s.ctx, bob.ID); len(list) != 1 {
		t.Fatalf("bob's subscriptions after bad tokens: %d", len(list))
	}
	// GET shows what will stop, POST does it; twice is harmless.
	g, err := s.svc.Resolve(s.ctx, tok)
	if err != nil || g.Purpose != digest.PurposeUnsubscribeAll || g.Subscriber.ID != bob.ID {
		t.Fatalf("Resolve: %+v %v", g, err)
	}
	for range 2 {
		if _, err := s.svc.UnsubscribeByToken(s.ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if list, _ := s.svc.List(s.ctx, bob.ID); len(list) != 0 {
		t.Fatalf("bob still has %d subscriptions", len(list))
	}
	if list, _ := s.svc.List(s.ctx, carol.ID); len(list) != 2 {
		t.Fatalf("carol lost subscriptions: %d", len(list))
	}
	// One subscription's link stops only it.
	list, _ := s.svc.List(s.ctx, carol.ID)
	one := s.svc.UnsubscribeURL(carol.ID, list[0].ID)
	g, err = s.svc.Resolve(s.ctx, one[strings.Index(one, "token=")+6:])
	if err != nil || g.Subscription == nil || g.Subscription.Label != list[0].Label {
		t.Fatalf("Resolve one: %+v %v", g, err)
	}
	if _, err := s.svc.UnsubscribeByToken(s.ctx, one[strings.Index(one, "token=")+6:]); err != nil {
		t.Fatal(err)
	}
	if rest, _ := s.svc.List(s.ctx, carol.ID); len(rest) != 1 || rest[0].ID != list[1].ID {
		t.Fatalf("carol's subscriptions: %+v", rest)
	}
	// Bob gets nothing any more.
	s.clock.Advance(time.Hour)
	s.thread(t, s.author, "reseaux", "Encore un fil réseau", "commune")
	s.runDaily(t, 13)
	for _, m := range s.smtp.Messages() {
		if m.To[0] == strings.ToLower(s.bob.Email) && strings.Contains(m.Text, "Encore un fil") {
			t.Fatal("mail after unsubscribing")
		}
	}
}

func TestTemporaryFailuresAreRetried(t *testing.T) {
	s := newScenario(t)
	s.smtp.FailNext(2, 451)
	if n := s.runDaily(t, 12); n != 1 {
		t.Fatalf("sent %d at once, want 1 (two refused with 451)", n)
	}
	out, _ := s.st.OutboxMessages(s.ctx, 10)
	if len(out) != 2 || out[0].Status != digest.StatusPending || !strings.Contains(out[0].LastError, "451") {
		t.Fatalf("outbox: %+v", out)
	}
	if n, _ := s.svc.Deliver(s.ctx); n != 0 {
		t.Fatal("retried before the backoff")
	}
	sent, pending, err := s.svc.Drain(s.ctx, time.Hour) // the fake clock passes the backoff
	if err != nil || sent != 2 || pending != 0 {
		t.Fatalf("Drain: %d sent, %d pending, %v", sent, pending, err)
	}
	msgs := s.smtp.Messages()
	for _, addr := range []string{strings.ToLower(s.bob.Email), strings.ToLower(s.carol.Email), s.reader} {
		if n := len(to(msgs, addr)); n != 1+map[bool]int{true: 1}[addr == s.reader] {
			t.Errorf("%s received %d mails", addr, n)
		}
	}
	if n := s.runDaily(t, 12); n != 0 {
		t.Fatal("a run after the retries sent again")
	}
	log, _ := s.st.DeliveryLog(s.ctx, 20)
	retried := 0
	for _, e := range log {
		if e.Kind == digest.KindDigest && e.Status == digest.StatusSent && e.Attempts == 2 {
			retried++
		}
	}
	if retried != 2 {
		t.Errorf("%d digests logged as sent at the second attempt: %+v", retried, log)
	}
}

func TestPermanentFailureIsRecorded(t *testing.T) {
	s := newScenario(t)
	s.smtp.FailNext(1, 550)
	if n := s.runDaily(t, 12); n != 2 {
		t.Fatalf("sent %d, want 2", n)
	}
	s.clock.Advance(24 * time.Hour)
	if n, _ := s.svc.Deliver(s.ctx); n != 0 {
		t.Fatal("a permanent failure was retried")
	}
	log, _ := s.st.DeliveryLog(s.ctx, 20)
	failed := 0
	for _, e := range log {
		if e.Status == digest.StatusFailed {
			failed++
			if !strings.Contains(e.Error, "550") || e.Attempts != 1 {
				t.Errorf("failure recorded as %+v", e)
			}
		}
	}
	if failed != 1 {
		t.Fatalf("%d failures logged", failed)
	}
	if out, _ := s.st.OutboxMessages(s.ctx, 10); len(out) != 0 {
		t.Fatalf("outbox: %+v", out)
	}
}

func TestRetriesStopAtMaxAttempts(t *testing.T) {
	e := newEnv(t, func(c *digest.Config) { c.MaxAttempts = 3 })
	m := e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	e.clock.Advance(time.Minute)
	e.thread(t, e.author, "reseaux", "Fil du jour", "commune")
	e.smtp.FailNext(10, 421)
	e.runDaily(t, 12)
	sent, pending, err := e.svc.Drain(e.ctx, 24*time.Hour)
	if sent != 0 || pending != 0 || err != nil {
		t.Fatalf("Drain: %d sent, %d pending, %v", sent, pending, err)
	}
	log, _ := e.st.DeliveryLog(e.ctx, 10)
	if len(log) != 1 || log[0].Status != digest.StatusFailed || log[0].Attempts != 3 || !strings.Contains(log[0].Error, "421") {
		t.Fatalf("log: %+v", log)
	}
	if len(e.smtp.Messages()) != 0 {
		t.Fatal("delivered despite the failures")
	}
}

// stopClock is a fake clock that stops the Scheduler at a given time.
type stopClock struct {
	*testclock.Clock
	stop   time.Time
	cancel func()
}

func (c *stopClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.Now().Add(d).After(c.stop) {
		c.cancel()
		return context.Canceled
	}
	return c.Clock.Sleep(ctx, d)
}

func TestSchedulerSendsTheDailyDigest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var clock *stopClock
	e := newEnv(t, func(c *digest.Config) {
		clock = &stopClock{Clock: c.Clock.(*testclock.Clock), stop: time.Date(2026, 3, 14, 12, 0, 0, 0, paris), cancel: cancel}
		c.Clock = clock
	})
	m := e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	e.clock.Advance(time.Minute)
	e.thread(t, e.author, "reseaux", "Fil du jour", "commune")
	sched := e.svc.Scheduler()
	sched.Poll = time.Hour
	if err := sched.Run(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "12 mars 2026") {
		t.Fatalf("%d mails: %v", len(msgs), msgs)
	}
	run, err := e.st.LatestRun(e.ctx, digest.Daily)
	if err != nil || run.Period != "2026-03-14" || !run.Done || !run.Until.Equal(time.Date(2026, 3, 14, 7, 0, 0, 0, paris)) {
		t.Fatalf("latest run %+v %v", run, err)
	}
}

// TestManualAndScheduledRuns: the command sends what is new since the last
// digest whenever it runs; the Scheduler sends at most one digest a day.
func TestManualAndScheduledRuns(t *testing.T) {
	e := newEnv(t)
	m := e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	scheduled := func(at time.Time) int {
		t.Helper()
		e.clock.Set(at)
		n, err := e.svc.RunScheduled(e.ctx, digest.Daily, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	manual := func(at time.Time) int {
		t.Helper()
		e.clock.Set(at)
		n, err := e.svc.RunOnce(e.ctx, digest.Daily, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, paris) }
	e.clock.Set(day(11, 10))
	e.thread(t, e.author, "reseaux", "Premier fil", "commune")
	if n := scheduled(day(12, 7)); n != 1 {
		t.Fatalf("scheduled run at 7:00: %d", n)
	}
	e.clock.Set(day(12, 9))
	e.thread(t, e.author, "reseaux", "Deuxième fil", "commune")
	if n := scheduled(day(12, 10)); n != 0 {
		t.Fatalf("second scheduled run the same day sent %d", n)
	}
	if n := manual(day(12, 11)); n != 1 {
		t.Fatalf("manual run with something new sent %d", n)
	}
	if n := manual(day(12, 12)); n != 0 {
		t.Fatalf("manual run with nothing new sent %d", n)
	}
	if n := scheduled(day(13, 7)); n != 0 {
		t.Fatalf("next day, nothing new, sent %d", n)
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 2 || !strings.Contains(msgs[0].Text, "Premier fil") || strings.Contains(msgs[0].Text, "Deuxième") ||
		!strings.Contains(msgs[1].Text, "Deuxième fil") || strings.Contains(msgs[1].Text, "Premier fil") {
		t.Fatalf("%d mails", len(msgs))
	}
}
