package digest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
)

// TestHeadersCannotBeInjected: a title with CR/LF and non-ASCII text never
// adds a header or a recipient, in a digest or in an immediate notification.
func TestHeadersCannotBeInjected(t *testing.T) {
	e := newEnv(t)
	bob := e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	evil := "Évaluation x\r\nBcc: evil@example.org\r\nX-Injected: oui"
	th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: evil, Author: e.author.Ref(),
		Status: forum.ThreadPublished, CreatedAt: e.clock.Now(), LastActivityAt: e.clock.Now()}
	first := &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: e.author.Ref(), HTML: "<p>Bonjour\r\nBcc: evil2@example.org</p>",
		Status: forum.PostPublished, CreatedAt: e.clock.Now()}
	th.FirstPostID = first.ID
	if err := e.st.InsertPost(e.ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := e.st.InsertThread(e.ctx, th); err != nil {
		t.Fatal(err)
	}
	e.subscribe(t, bob, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	e.subscribe(t, bob, digest.SubscribeInput{Thread: th.ID, Frequency: digest.Immediate})
	e.clock.Advance(time.Minute)
	reply := e.reply(t, e.author, th, "Une réponse.")
	if n, err := e.svc.NotifyImmediate(e.ctx, reply); n != 1 || err != nil {
		t.Fatalf("NotifyImmediate: %d %v", n, err)
	}
	// A digest covering the thread (the first post is older than the subscription: only the reply).
	e.runDaily(t, 12)
	msgs := e.smtp.WaitFor(t, 2, 5*time.Second)
	for _, m := range msgs {
		if len(m.To) != 1 || m.To[0] != strings.ToLower(bob.Email) {
			t.Errorf("envelope recipients %v", m.To)
		}
		head, _, _ := strings.Cut(string(m.Raw), "\r\n\r\n")
		for _, line := range strings.Split(head, "\r\n") {
			if l := strings.ToLower(line); strings.HasPrefix(l, "bcc:") || strings.HasPrefix(l, "x-injected:") {
				t.Errorf("injected header line %q", line)
			}
		}
		for name := range m.Header {
			if !allowedHeaders[name] {
				t.Errorf("unexpected header %s: %q", name, m.Header[name])
			}
		}
		if len(m.Header["Bcc"]) > 0 || len(m.Header["X-Injected"]) > 0 || strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("headers %v, subject %q", m.Header, m.Subject)
		}
	}
	if !strings.Contains(msgs[0].Subject, "Évaluation x Bcc: evil@example.org X-Injected: oui") {
		t.Errorf("notification subject %q", msgs[0].Subject)
	}
}

var allowedHeaders = map[string]bool{"Auto-Submitted": true, "Content-Language": true, "Date": true, "List-Unsubscribe": true,
	"List-Unsubscribe-Post": true, "Mime-Version": true, "Message-Id": true, "Subject": true, "From": true, "To": true, "Content-Type": true}

// crashSender cancels the run after some messages were sent, as a crash
// would stop it.
type crashSender struct {
	inner  mail.Sender
	mu     sync.Mutex
	left   int
	cancel func()
}

func (c *crashSender) Send(ctx context.Context, m mail.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := c.inner.Send(ctx, m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left--; c.left == 0 {
		c.cancel()
	}
	return err
}

func TestInterruptedRunResumesWithoutDuplicates(t *testing.T) {
	small := func(c *digest.Config) { c.PageSize, c.Workers = 2, 1 }
	e := newEnv(t, small)
	var readers []*forum.Member
	for i := range 5 {
		m := e.member(t, "Lecteur "+string(rune('A'+i)), "Ville", "commune")
		e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
		readers = append(readers, m)
	}
	e.clock.Advance(time.Minute)
	e.thread(t, e.author, "reseaux", "Fil du jour", "commune")

	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	cfg := e.svc.Config()
	crashing := digest.New(e.forum, e.st, &crashSender{inner: e.sender, left: 3, cancel: cancel}, cfg, discard())
	now := time.Date(2026, 3, 12, 7, 0, 0, 0, paris)
	e.clock.Set(now)
	if _, err := crashing.RunOnce(ctx, digest.Daily, now); err == nil {
		t.Fatal("the interrupted run reported no error")
	}
	if got := len(e.smtp.Messages()); got != 3 {
		t.Fatalf("%d digests before the crash, want 3", got)
	}
	// The crashed process also left its lease behind: others wait for it to expire.
	if ok, err := e.st.AcquireLease(e.ctx, "digest:daily", "ghost", e.clock.Now(), e.clock.Now().Add(cfg.LeaseTTL)); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if _, err := e.svc.RunOnce(e.ctx, digest.Daily, now.Add(time.Minute)); !errors.Is(err, digest.ErrBusy) {
		t.Fatalf("run during another's lease: %v", err)
	}
	e.clock.Advance(cfg.LeaseTTL) // the lease expires, not yet the claim of the message being sent
	n, err := e.svc.RunOnce(e.ctx, digest.Daily, e.clock.Now())
	if err != nil || n != 1 {
		t.Fatalf("resumed run sent %d (%v), want 1 (the last page)", n, err)
	}
	e.clock.Advance(cfg.ClaimTTL)
	if n, err := e.svc.Deliver(e.ctx); err != nil || n != 1 {
		t.Fatalf("after the claim expired, %d sent (%v), want 1", n, err)
	}
	msgs := e.smtp.Messages()
	for _, m := range readers {
		if got := len(to(msgs, strings.ToLower(m.Email))); got != 1 {
			t.Errorf("%s received %d digests", m.DisplayName, got)
		}
	}
	if n := e.runDaily(t, 12); n != 0 {
		t.Fatalf("a further run sent %d", n)
	}
}

func TestImmediateNotifications(t *testing.T) {
	e := newEnv(t)
	bob := e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	carol := e.member(t, "Carole Dép", "Département du Gard", "departement")
	newbie := e.member(t, "Nina Nouvelle", "Ville de Sète", "commune")
	th, _ := e.thread(t, e.author, "reseaux", "Migration vers IPv6", "commune")
	for _, m := range []*forum.Member{bob, carol, e.author} {
		e.subscribe(t, m, digest.SubscribeInput{Thread: th.ID, Frequency: digest.Immediate})
	}
	if err := e.svc.SubscribeEmail(e.ctx, "jamais@example.org", "fr", digest.SubscribeInput{Thread: th.ID, Frequency: digest.Immediate}); err != nil {
		t.Fatal(err)
	}
	e.smtp.WaitFor(t, 1, 5*time.Second) // its confirmation
	if n, err := e.svc.SweepImmediate(e.ctx); n != 0 || err != nil {
		t.Fatalf("first sweep: %d %v", n, err)
	}
	e.clock.Advance(time.Minute)
	p := e.reply(t, e.author, th, "Une **réponse** de l'auteure.")
	for i, want := range []int{2, 0} { // bob and carol, not the author nor the unconfirmed reader; once
		if n, err := e.svc.NotifyImmediate(e.ctx, p); n != want || err != nil {
			t.Fatalf("NotifyImmediate #%d: %d %v", i, n, err)
		}
	}
	e.clock.Advance(time.Minute)
	if n, _ := e.svc.SweepImmediate(e.ctx); n != 0 {
		t.Fatalf("sweep re-sent %d", n)
	}
	// A reply nobody announced is caught by the sweep; a pending one waits for approval.
	e.reply(t, e.moderator, th, "Réponse du modérateur.")
	pending := e.reply(t, newbie, th, "Réponse en attente.")
	if n, _ := e.svc.NotifyImmediate(e.ctx, pending); n != 0 {
		t.Fatal("notified a pending reply")
	}
	e.clock.Advance(time.Minute)
	if n, err := e.svc.SweepImmediate(e.ctx); n != 3 || err != nil { // bob, carol, the author
		t.Fatalf("sweep: %d %v", n, err)
	}
	e.clock.Advance(time.Minute)
	if err := e.mod.Approve(e.ctx, e.moderator, pending.ID, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.svc.NotifyImmediate(e.ctx, pending); n != 3 {
		t.Fatalf("approved reply notified to %d", n)
	}
	msgs := e.smtp.WaitFor(t, 9, 5*time.Second)
	if n := len(to(msgs, "jamais@example.org")); n != 1 {
		t.Fatalf("the unconfirmed reader got %d mails", n)
	}
	bobs := to(msgs, strings.ToLower(bob.Email))
	if len(bobs) != 3 || !strings.Contains(bobs[0].Subject, "Migration vers IPv6") || !strings.Contains(bobs[0].Text, "Une réponse de l'auteure") {
		t.Fatalf("bob's notifications: %d, %q %q", len(bobs), bobs[0].Subject, bobs[0].Text)
	}
	// The header's link stops following this thread only.
	e.subscribe(t, bob, digest.SubscribeInput{Theme: "sig", Frequency: digest.Weekly})
	if _, err := e.svc.UnsubscribeByToken(e.ctx, headerToken(t, bobs[0])); err != nil {
		t.Fatal(err)
	}
	sub, _ := e.svc.SubscriberOf(e.ctx, bob)
	if list, _ := e.svc.List(e.ctx, sub.ID); len(list) != 1 || list[0].Target.Theme != "sig" {
		t.Fatalf("bob's subscriptions: %+v", list)
	}
}

// downSender is an SMTP server that refuses connections.
type downSender struct{ calls atomic.Int32 }

func (d *downSender) Send(context.Context, mail.Message) error {
	d.calls.Add(1)
	return &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
}

func TestServerDownStopsTheBatch(t *testing.T) {
	e := newEnv(t)
	for i := range 30 {
		m := e.member(t, fmt.Sprintf("Lecteur %d", i), "Ville", "commune")
		e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	}
	e.clock.Advance(time.Minute)
	e.thread(t, e.author, "reseaux", "Fil du jour", "commune")
	down := &downSender{}
	svc := digest.New(e.forum, e.st, down, e.svc.Config(), discard())
	now := time.Date(2026, 3, 12, 7, 0, 0, 0, paris)
	e.clock.Set(now)
	if n, err := svc.RunOnce(e.ctx, digest.Daily, now); n != 0 || err != nil {
		t.Fatalf("RunOnce: %d %v", n, err)
	}
	if c := down.calls.Load(); c > 10+int32(e.svc.Config().Workers) {
		t.Errorf("%d attempts on a server that is down", c)
	}
	out, _ := e.st.OutboxMessages(e.ctx, 100)
	if len(out) != 30 {
		t.Fatalf("%d messages waiting, want 30", len(out))
	}
	for _, m := range out {
		if m.Status != digest.StatusPending || !m.NextAttemptAt.After(now) {
			t.Fatalf("message %+v", m)
		}
	}
	// The server is back: everything goes, once.
	sent, pending, err := e.svc.Drain(e.ctx, time.Hour)
	if sent != 30 || pending != 0 || err != nil {
		t.Fatalf("Drain: %d sent, %d pending, %v", sent, pending, err)
	}
}
