package storetest

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/store"
)

// dgMsg is a pending message of subscriber sub, due at next, with a full body.
func dgMsg(id, sub string, next time.Time) digest.OutboxMessage {
	return digest.OutboxMessage{ID: id, Kind: digest.KindDigest, SubscriberID: sub, Frequency: digest.Daily,
		Period: "2026-03-12", To: sub + "@example.org", Subject: "Sujet " + id, Status: digest.StatusPending,
		NextAttemptAt: next, CreatedAt: dt0,
		Body: &digest.MessageBody{ID: id, Text: "texte " + id, HTML: "<p>" + id + "</p>",
			Headers: map[string]string{"List-Unsubscribe": "<https://forum.example.org/u/" + id + ">"}, MessageID: id + "@example.org"}}
}

// dgSending is dgMsg already claimed by claimID until until (as the
// digest service queues the messages it sends at once).
func dgSending(id, sub string, next time.Time, claimID string, until time.Time) digest.OutboxMessage {
	m := dgMsg(id, sub, next)
	m.Status, m.ClaimID, m.ClaimUntil, m.Attempts = digest.StatusSending, claimID, &until, 1
	return m
}

// dgEnqueue queues msgs and checks which ids were queued, in order.
func dgEnqueue(t *testing.T, s store.Store, recover bool, want []string, msgs ...digest.OutboxMessage) {
	t.Helper()
	ids, err := s.EnqueueMessages(context.Background(), msgs, recover)
	if err != nil {
		t.Fatalf("enqueue (recover %v): %v", recover, err)
	}
	if ids == nil || strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Fatalf("enqueue (recover %v) queued %#v, want %v", recover, ids, want)
	}
}

// dgOutboxIDs lists the ids in the outbox, oldest first.
func dgOutboxIDs(t *testing.T, s store.Store) string {
	t.Helper()
	out, err := s.OutboxMessages(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(out))
	for i, m := range out {
		ids[i] = m.ID
		if m.Body != nil {
			t.Errorf("OutboxMessages returned the body of %s", m.ID)
		}
	}
	return strings.Join(ids, ",")
}

// dgLogIDs joins the ids of log entries.
func dgLogIDs(entries []digest.LogEntry) string {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	return strings.Join(ids, ",")
}

// testDigestEnqueueOnceEver checks the permanent keys: a message is queued
// once, even twice in one batch, never again unless recovering a message
// that is neither in the outbox nor in the log.
func testDigestEnqueueOnceEver(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	dgEnqueue(t, s, false, []string{}, nil...)
	dgEnqueue(t, s, false, []string{"a", "b"}, dgMsg("a", "s1", dt0), dgMsg("b", "s1", dt0), dgMsg("a", "s1", dt0))
	dgEnqueue(t, s, false, []string{"c"}, dgMsg("a", "s1", dt0), dgMsg("c", "s2", dt0))
	dgEnqueue(t, s, true, []string{}, dgMsg("a", "s1", dt0), dgMsg("c", "s2", dt0)) // in the outbox
	if got := dgOutboxIDs(t, s); got != "a,b,c" {
		t.Fatalf("outbox %s", got)
	}
	// Forgetting the mail of s1 removes a and b but keeps their keys.
	if err := s.ForgetSubscriberMail(ctx, "s1", "tombe"); err != nil {
		t.Fatal(err)
	}
	if got := dgOutboxIDs(t, s); got != "c" {
		t.Fatalf("outbox after forgetting s1: %s", got)
	}
	dgEnqueue(t, s, false, []string{}, dgMsg("a", "s1", dt0))
	again := dgMsg("a", "s1", dt0)
	again.Body.Text = "reconstruit"
	dgEnqueue(t, s, true, []string{"a"}, again, dgMsg("c", "s2", dt0))
	dgEnqueue(t, s, true, []string{}, dgMsg("a", "s1", dt0))
	got, err := s.ClaimMessages(ctx, []string{"a"}, "k", dt0, dt0.Add(time.Minute))
	if err != nil || len(got) != 1 || got[0].Body == nil || got[0].Body.Text != "reconstruit" {
		t.Fatalf("recovered message: %+v %v", got, err)
	}
}

// testDigestDueMessagesOrder checks which messages are due and their order:
// by next attempt, then id, pending ones and expired claims mixed.
func testDigestDueMessagesOrder(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	now := dt0.Add(5 * time.Minute)
	dgEnqueue(t, s, false, []string{"p3", "p2", "p1", "p4", "p5", "x1", "x2", "x3"},
		dgMsg("p3", "s1", dt0.Add(time.Minute)),
		dgMsg("p2", "s1", dt0.Add(time.Minute)),
		dgMsg("p1", "s1", dt0.Add(2*time.Minute)),
		dgMsg("p4", "s1", now.Add(time.Millisecond)), // not yet
		dgMsg("p5", "s1", now),                       // due at now exactly
		dgSending("x1", "s1", dt0, "k", now),         // claim expires at now
		dgSending("x2", "s1", dt0.Add(90*time.Second), "k", dt0.Add(3*time.Minute)),
		dgSending("x3", "s1", dt0, "k", now.Add(time.Millisecond)), // still claimed
	)
	for _, c := range []struct {
		limit int
		want  string
	}{{100, "x1,p2,p3,x2,p1,p5"}, {3, "x1,p2,p3"}, {1, "x1"}, {0, "x1,p2,p3,x2,p1,p5"}} {
		due, err := s.DueMessages(ctx, now, c.limit)
		if err != nil || due == nil || strings.Join(due, ",") != c.want {
			t.Errorf("DueMessages(limit %d) = %#v, %v; want %s", c.limit, due, err, c.want)
		}
	}
	if due, err := s.DueMessages(ctx, dt0.Add(-time.Minute), 10); err != nil || due == nil || len(due) != 0 {
		t.Errorf("due before any: %#v %v", due, err)
	}
}

// sameEntry compares log entries, times by instant.
func sameEntry(a, b digest.LogEntry) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) || !a.FinishedAt.Equal(b.FinishedAt) {
		return false
	}
	a.CreatedAt, a.FinishedAt, b.CreatedAt, b.FinishedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

// testDigestFinishAndCancelMoveToLog checks that claimed messages come with
// their bodies and fields, that finishing and cancelling move messages to
// the log (first record kept), and the log's orders.
func testDigestFinishAndCancelMoveToLog(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	t1, t2 := dt0.Add(time.Hour), dt0.Add(2*time.Hour)
	a1, a2, b1 := dgMsg("a1", "sA", dt0), dgMsg("a2", "sA", dt0.Add(time.Minute)), dgMsg("b1", "sB", dt0)
	a3 := dgSending("a3", "sA", dt0, "k0", t2)
	dgEnqueue(t, s, false, []string{"a1", "a2", "a3", "b1"}, a1, a2, a3, b1)
	got, err := s.ClaimMessages(ctx, []string{"a1", "zz"}, "c1", dt0, dt0.Add(time.Minute))
	if err != nil || len(got) != 1 {
		t.Fatalf("claim: %+v %v", got, err)
	}
	m := got[0]
	if m.Status != digest.StatusSending || m.ClaimID != "c1" || m.ClaimUntil == nil || !m.ClaimUntil.Equal(dt0.Add(time.Minute)) ||
		m.Attempts != 1 || m.Kind != a1.Kind || m.Frequency != a1.Frequency || m.Period != a1.Period || m.To != a1.To ||
		m.Subject != a1.Subject || !m.CreatedAt.Equal(dt0) || !m.NextAttemptAt.Equal(dt0) || m.SubscriberID != "sA" {
		t.Errorf("claimed message %+v", m)
	}
	if m.Body == nil || !reflect.DeepEqual(*m.Body, *a1.Body) {
		t.Errorf("claimed body %+v, want %+v", m.Body, a1.Body)
	}
	sent := m.Finished(digest.StatusSent, "", t1)
	if err := s.FinishMessages(ctx, []digest.LogEntry{sent}, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishMessages(ctx, []digest.LogEntry{m.Finished(digest.StatusFailed, "550", t2)}, "c1"); err != nil {
		t.Fatal(err)
	}
	if got := dgOutboxIDs(t, s); got != "a2,a3,b1" {
		t.Fatalf("outbox after finishing a1: %s", got)
	}
	n, err := s.CancelMessages(ctx, "sA", t2) // a2 only: a3 is being sent
	if err != nil || n != 1 {
		t.Fatalf("cancel sA: %d %v", n, err)
	}
	if n, err := s.CancelMessages(ctx, "sA", t2); err != nil || n != 0 {
		t.Fatalf("cancel sA again: %d %v", n, err)
	}
	if n, err := s.CancelMessages(ctx, "sB", t2); err != nil || n != 1 {
		t.Fatalf("cancel sB: %d %v", n, err)
	}
	if got := dgOutboxIDs(t, s); got != "a3" {
		t.Fatalf("outbox after cancelling: %s", got)
	}
	dgEnqueue(t, s, true, []string{}, a1, a2, b1) // in the log: never again
	log, err := s.DeliveryLog(ctx, 10)
	if err != nil || dgLogIDs(log) != "b1,a2,a1" { // b1 and a2 finished together: by id, descending
		t.Fatalf("log %s %v", dgLogIDs(log), err)
	}
	if !sameEntry(log[2], sent) {
		t.Errorf("logged %+v, want %+v (the first record)", log[2], sent)
	}
	if want := a2.Finished(digest.StatusCancelled, "", t2); !sameEntry(log[1], want) {
		t.Errorf("cancelled %+v, want %+v", log[1], want)
	}
	if log, _ := s.DeliveryLog(ctx, 2); dgLogIDs(log) != "b1,a2" {
		t.Errorf("log limited to 2: %s", dgLogIDs(log))
	}
	if mine, err := s.DeliveriesTo(ctx, "sA"); err != nil || dgLogIDs(mine) != "a2,a1" {
		t.Errorf("deliveries to sA: %s %v", dgLogIDs(mine), err)
	}
	if none, err := s.DeliveriesTo(ctx, "nobody"); err != nil || none == nil || len(none) != 0 {
		t.Errorf("deliveries to nobody: %#v %v", none, err)
	}
	logged, err := s.LoggedIDs(ctx, []string{"a1", "a3", "zz"})
	if err != nil || !reflect.DeepEqual(logged, map[string]bool{"a1": true, "a3": false, "zz": false}) {
		t.Errorf("logged %v %v", logged, err)
	}
	if logged, err := s.LoggedIDs(ctx, nil); err != nil || logged == nil || len(logged) != 0 {
		t.Errorf("logged of none: %#v %v", logged, err)
	}
}

// testDigestRetryNeedsTheClaim checks that only the claimer puts a message
// back to pending, without its claim, with the error.
func testDigestRetryNeedsTheClaim(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	dgEnqueue(t, s, false, []string{"r1"}, dgMsg("r1", "s1", dt0))
	if got, _ := s.ClaimMessages(ctx, []string{"r1"}, "c1", dt0, dt0.Add(time.Minute)); len(got) != 1 {
		t.Fatalf("claim: %+v", got)
	}
	for _, claimID := range []string{"c2", ""} {
		if err := s.RetryMessage(ctx, "r1", claimID, dt0.Add(time.Hour), "pas à moi"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RetryMessage(ctx, "r1", "c1", dt0.Add(10*time.Minute), "451 plus tard"); err != nil {
		t.Fatal(err)
	}
	out, err := s.OutboxMessages(ctx, 10)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox %+v %v", out, err)
	}
	m := out[0]
	if m.Status != digest.StatusPending || m.ClaimID != "" || m.ClaimUntil != nil || m.LastError != "451 plus tard" ||
		!m.NextAttemptAt.Equal(dt0.Add(10*time.Minute)) || m.Attempts != 1 {
		t.Fatalf("retried message %+v", m)
	}
	// Without a claim, no claim id (not even "") finishes a message: r1
	// lost its claim, r2 never had one.
	dgEnqueue(t, s, false, []string{"r2"}, dgMsg("r2", "s1", dt0.Add(time.Hour)))
	r2 := dgMsg("r2", "s1", dt0)
	if err := s.FinishMessages(ctx, []digest.LogEntry{m.Finished(digest.StatusSent, "", dt0), r2.Finished(digest.StatusSent, "", dt0)}, ""); err != nil {
		t.Fatal(err)
	}
	if got := dgOutboxIDs(t, s); got != "r1,r2" {
		t.Fatalf("outbox after a finish without the claim: %s", got)
	}
}

// testDigestForgetSubscriberMail checks the erasure of a subscriber's mail:
// its messages leave the outbox, claimed or not, and its log entries keep
// only a tombstone address; other subscribers' mail is untouched.
func testDigestForgetSubscriberMail(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	dgEnqueue(t, s, false, []string{"f1", "f2", "f3", "g1", "g2"},
		dgMsg("f1", "sF", dt0), dgSending("f2", "sF", dt0, "k", dt0.Add(time.Hour)), dgMsg("f3", "sF", dt0),
		dgMsg("g1", "sG", dt0), dgMsg("g2", "sG", dt0))
	claimed, err := s.ClaimMessages(ctx, []string{"f1", "g1"}, "c", dt0, dt0.Add(time.Minute))
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	var done []digest.LogEntry
	for _, m := range claimed {
		done = append(done, m.Finished(digest.StatusSent, "", dt0))
	}
	if err := s.FinishMessages(ctx, done, "c"); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetSubscriberMail(ctx, "sF", forum.TombstoneEmail("sF")); err != nil {
		t.Fatal(err)
	}
	if got := dgOutboxIDs(t, s); got != "g2" {
		t.Fatalf("outbox after forgetting sF: %s", got)
	}
	if got, err := s.ClaimMessages(ctx, []string{"f2", "f3"}, "c2", dt0.Add(2*time.Hour), dt0.Add(3*time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("forgotten messages claimed: %+v %v", got, err)
	}
	f, _ := s.DeliveriesTo(ctx, "sF")
	g, _ := s.DeliveriesTo(ctx, "sG")
	if len(f) != 1 || f[0].To != forum.TombstoneEmail("sF") || f[0].Status != digest.StatusSent {
		t.Errorf("log of sF: %+v", f)
	}
	if len(g) != 1 || g[0].To != "sG@example.org" {
		t.Errorf("log of sG: %+v", g)
	}
	if err := s.ForgetSubscriberMail(ctx, "personne", "x"); err != nil {
		t.Errorf("forgetting a subscriber without mail: %v", err)
	}
	if err := s.DeleteSubscriber(ctx, "personne"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("deleting an unknown subscriber: %v", err)
	}
}

// testDigestOutboxReleaseClaims checks what a stopping process does with
// the messages it holds: those still claimed by its claims become pending
// and due at once, without a claim, their attempts kept; another claim's
// messages, pending ones and finished ones are left alone.
func testDigestOutboxReleaseClaims(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	until := dt0.Add(30 * time.Minute)
	dgEnqueue(t, s, false, []string{"a1", "a2", "a3", "b1", "p1"},
		dgSending("a1", "s1", dt0, "mine-1", until),
		dgSending("a2", "s1", dt0, "mine-2", until),
		dgSending("a3", "s2", dt0, "mine-2", until),
		dgSending("b1", "s1", dt0, "theirs", until),
		dgMsg("p1", "s1", dt0.Add(time.Hour)))
	// a3 is sent before the stop: it leaves the outbox.
	if err := s.FinishMessages(ctx, []digest.LogEntry{{ID: "a3", Status: digest.StatusSent, FinishedAt: dt0}}, "mine-2"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ReleaseClaims(ctx, nil, dt0); err != nil || n != 0 {
		t.Fatalf("release nothing: %d %v", n, err)
	}
	stop := dt0.Add(time.Minute)
	n, err := s.ReleaseClaims(ctx, []string{"mine-1", "mine-2", "unknown"}, stop)
	if err != nil || n != 2 {
		t.Fatalf("release: %d %v, want 2", n, err)
	}
	// Due at once for another process, long before the claims would expire.
	due, err := s.DueMessages(ctx, stop, 100)
	if err != nil || strings.Join(due, ",") != "a1,a2" {
		t.Fatalf("due after release: %v %v, want a1,a2", due, err)
	}
	out, err := s.OutboxMessages(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]digest.OutboxMessage{}
	for _, m := range out {
		byID[m.ID] = m
	}
	for _, id := range []string{"a1", "a2"} {
		m := byID[id]
		if m.Status != digest.StatusPending || m.ClaimID != "" || m.ClaimUntil != nil || !m.NextAttemptAt.Equal(stop) || m.Attempts != 1 {
			t.Errorf("%s after release: %+v", id, m)
		}
	}
	if m := byID["b1"]; m.Status != digest.StatusSending || m.ClaimID != "theirs" {
		t.Errorf("another claim's message was released: %+v", m)
	}
	if m := byID["p1"]; m.Status != digest.StatusPending || !m.NextAttemptAt.Equal(dt0.Add(time.Hour)) {
		t.Errorf("a pending message was moved: %+v", m)
	}
	if _, ok := byID["a3"]; ok {
		t.Error("a finished message came back")
	}
	// Another process claims them with their bodies; releasing again finds nothing.
	got, err := s.ClaimMessages(ctx, due, "next", stop, stop.Add(time.Minute))
	if err != nil || len(got) != 2 || got[0].Body == nil || got[0].Attempts != 2 {
		t.Fatalf("claim after release: %+v %v", got, err)
	}
	if n, err := s.ReleaseClaims(ctx, []string{"mine-1", "mine-2"}, stop); err != nil || n != 0 {
		t.Fatalf("second release: %d %v", n, err)
	}
}

func init() {
	register("DigestEnqueueOnceEver", testDigestEnqueueOnceEver)
	register("DigestDueMessagesOrder", testDigestDueMessagesOrder)
	register("DigestFinishAndCancelMoveToLog", testDigestFinishAndCancelMoveToLog)
	register("DigestRetryNeedsTheClaim", testDigestRetryNeedsTheClaim)
	register("DigestForgetSubscriberMail", testDigestForgetSubscriberMail)
	register("DigestOutboxReleaseClaims", testDigestOutboxReleaseClaims)
}
