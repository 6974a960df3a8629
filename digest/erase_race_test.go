package digest_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
)

// gateSender holds every Send until open is closed.
type gateSender struct {
	next    mail.Sender
	entered chan struct{}
	open    chan struct{}
	once    sync.Once
}

func (g *gateSender) Send(ctx context.Context, m mail.Message) error {
	g.once.Do(func() { close(g.entered) })
	<-g.open
	return g.next.Send(ctx, m)
}

// readerMessage queues a due message to the reader, as a digest run that
// read the subscriptions before an erasure queues it.
func readerMessage(t *testing.T, e *env, sub *digest.Subscriber) {
	t.Helper()
	now := e.clock.Now()
	msg := digest.OutboxMessage{ID: forum.NewID(), Kind: digest.KindDigest, SubscriberID: sub.ID, To: sub.Email, Subject: "Résumé",
		Status: digest.StatusPending, NextAttemptAt: now, CreatedAt: now, Body: &digest.MessageBody{Text: "corps", MessageID: forum.NewID() + "@example.org"}}
	msg.Body.ID = msg.ID
	if ids, err := e.st.EnqueueMessages(e.ctx, []digest.OutboxMessage{msg}, false); err != nil || len(ids) != 1 {
		t.Fatalf("enqueue: %v %v", ids, err)
	}
}

// TestEraseRacesDelivery checks that once an erasure has returned, nothing
// is mailed to the address: a message being sent when it starts is sent
// before it returns, and a message queued after it is never sent.
func TestEraseRacesDelivery(t *testing.T) {
	e := newEnv(t)
	const addr = "lecteur@example.org"
	if err := e.svc.SubscribeEmail(e.ctx, addr, "fr", digest.SubscribeInput{Theme: "sig", Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	e.smtp.WaitFor(t, 1, 5*time.Second) // the confirmation
	sub, err := e.st.SubscriberByEmail(e.ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	gate := &gateSender{next: e.sender, entered: make(chan struct{}), open: make(chan struct{})}
	svc := digest.New(e.forum, e.st, gate, digest.Config{BaseURL: baseURL, SecretKey: []byte("0123456789abcdef0123456789abcdef"), Clock: e.clock, Backoff: time.Minute}, discard())

	// A digest being sent when the erasure starts.
	readerMessage(t, e, sub)
	delivered := make(chan int, 1)
	go func() {
		n, _ := svc.Deliver(e.ctx)
		delivered <- n
	}()
	<-gate.entered
	erased := make(chan error, 1)
	go func() { erased <- svc.Erase(e.ctx, sub.ID) }()
	select {
	case err := <-erased:
		t.Fatalf("erasure returned while a message to the address was being sent: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(gate.open)
	if err := <-erased; err != nil {
		t.Fatal(err)
	}
	received := len(e.smtp.Messages())
	if n := <-delivered; n != 1 || received != 2 {
		t.Fatalf("delivered %d, %d received by the server when the erasure returned; want 1, 2", n, received)
	}

	// A digest built before the erasure and queued after it.
	readerMessage(t, e, sub)
	if n, err := svc.Deliver(e.ctx); err != nil || n != 0 {
		t.Fatalf("delivered %d after the erasure (%v)", n, err)
	}
	time.Sleep(100 * time.Millisecond)
	if got := len(e.smtp.Messages()); got != 2 {
		t.Fatalf("%d messages received, want 2: mail went to an erased address", got)
	}
	if out, _ := e.st.OutboxMessages(e.ctx, 10); len(out) != 0 {
		t.Fatalf("outbox after the erasure: %+v", out)
	}
	log, err := e.st.DeliveryLog(e.ctx, 10)
	cancelled := 0
	for _, l := range log {
		if l.To == addr {
			t.Fatalf("the log keeps the erased address: %+v", l)
		}
		if l.Status == digest.StatusCancelled {
			cancelled++
		}
	}
	if err != nil || len(log) != 3 || cancelled != 1 {
		t.Fatalf("log after the erasure: %+v, %v", log, err)
	}
}
