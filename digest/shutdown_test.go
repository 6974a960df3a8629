package digest_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
)

// hangSender is an SMTP server that never answers: each Send waits for the
// end of its context.
type hangSender struct{ calls atomic.Int32 }

func (h *hangSender) Send(ctx context.Context, _ mail.Message) error {
	h.calls.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

// TestStoppingSchedulerReleasesItsClaims stops a replica's Scheduler while
// it sends digests that it claimed (its SMTP server hangs), as serve does
// on SIGTERM, then releases its claims: another replica sends the messages
// at once, not when the claims would expire (30 minutes later).
func TestStoppingSchedulerReleasesItsClaims(t *testing.T) {
	e := newEnv(t)
	var readers []*forum.Member
	for i := range 6 {
		m := e.member(t, "Lecteur "+string(rune('A'+i)), "Ville", "commune")
		e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
		readers = append(readers, m)
	}
	e.clock.Advance(time.Minute)
	e.thread(t, e.author, "reseaux", "Fil du jour", "commune")
	e.clock.Set(time.Date(2026, 3, 12, 7, 0, 0, 0, paris)) // the daily slot: the Scheduler runs it at start

	hang := &hangSender{}
	stopping := digest.New(e.forum, e.st, hang, e.svc.Config(), discard())
	ctx, stop := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- stopping.Scheduler().Run(ctx) }()
	for deadline := time.Now().Add(10 * time.Second); hang.calls.Load() < 4; {
		if time.Now().After(deadline) {
			t.Fatalf("%d sends started, want 4 (the workers)", hang.calls.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	now := e.clock.Now()
	if due, err := e.st.DueMessages(e.ctx, now, 100); err != nil || len(due) != 0 {
		t.Fatalf("due while claimed: %v %v", due, err)
	}
	stop() // SIGTERM: the job returns after its current iteration
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the Scheduler did not stop")
	}
	released, busy, err := stopping.ReleaseClaims(e.ctx)
	if err != nil || released != len(readers) || busy != 0 {
		t.Fatalf("released %d (busy %d, %v), want %d", released, busy, err, len(readers))
	}
	out, err := e.st.OutboxMessages(e.ctx, 100)
	if err != nil || len(out) != len(readers) {
		t.Fatalf("outbox %d messages (%v), want %d", len(out), err, len(readers))
	}
	for _, m := range out {
		if m.Status != digest.StatusPending || m.ClaimID != "" || m.ClaimUntil != nil || m.NextAttemptAt.After(now) {
			t.Errorf("after release: %+v", m)
		}
	}
	// Another replica, at the same instant, sends them all.
	if n, err := e.svc.Deliver(e.ctx); err != nil || n != len(readers) {
		t.Fatalf("the other replica sent %d (%v), want %d", n, err, len(readers))
	}
	if got := len(e.smtp.Messages()); got != len(readers) {
		t.Fatalf("%d mails received, want %d", got, len(readers))
	}
	if released, busy, err := stopping.ReleaseClaims(e.ctx); released != 0 || busy != 0 || err != nil {
		t.Fatalf("second release: %d %d %v", released, busy, err)
	}
}
