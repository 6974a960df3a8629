package storetest

import (
	"context"
	"testing"
	"time"

	"coterforum/digest"
)

// testDigestStaleSubscribers checks which subscribers the pruning finds:
// unconfirmed ones that subscribed, and were last sent a confirmation,
// before the cut; never a confirmed one.
func testDigestStaleSubscribers(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	cut := dt0.Add(7 * 24 * time.Hour)
	old, recent, lateMail := dt0, cut.Add(time.Hour), cut.Add(time.Minute)
	for _, sub := range []digest.Subscriber{
		{ID: "a-stale", Email: "a@example.org", CreatedAt: old, ConfirmSentAt: &old},
		{ID: "b-never-mailed", Email: "b@example.org", CreatedAt: old},
		{ID: "c-confirmed", Email: "c@example.org", CreatedAt: old, Confirmed: true, ConfirmedAt: &old},
		{ID: "d-recent", Email: "d@example.org", CreatedAt: recent},
		{ID: "e-mailed-again", Email: "e@example.org", CreatedAt: old, ConfirmSentAt: &lateMail},
		{ID: "f-stale", Email: "f@example.org", CreatedAt: old, ConfirmSentAt: &old},
	} {
		if err := s.InsertSubscriber(ctx, &sub); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.StaleSubscribers(ctx, cut, 10)
	if err != nil || len(got) != 3 || got[0].ID != "a-stale" || got[1].ID != "b-never-mailed" || got[2].ID != "f-stale" {
		t.Fatalf("stale subscribers: %+v, %v", got, err)
	}
	if got, err := s.StaleSubscribers(ctx, cut, 1); err != nil || len(got) != 1 || got[0].ID != "a-stale" {
		t.Fatalf("one stale subscriber: %+v, %v", got, err)
	}
}

// testDigestPruneDeliveryLog checks that the entries finished before the
// cut go, and the others stay.
func testDigestPruneDeliveryLog(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	cut := dt0.Add(90 * 24 * time.Hour)
	var entries []digest.LogEntry
	for i, at := range []time.Time{dt0, cut.Add(-time.Second), cut, cut.Add(time.Hour)} {
		m := dgMsg(string(rune('a'+i)), "s1", dt0)
		entries = append(entries, m.Finished(digest.StatusSent, "", at))
	}
	if err := s.FinishMessages(ctx, entries, ""); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneDeliveryLog(ctx, cut)
	if err != nil || n != 2 {
		t.Fatalf("pruned %d entries, %v; want 2", n, err)
	}
	left, err := s.DeliveryLog(ctx, 10)
	if err != nil || dgLogIDs(left) != "d,c" {
		t.Fatalf("log after pruning: %s, %v", dgLogIDs(left), err)
	}
	if n, err := s.PruneDeliveryLog(ctx, cut); err != nil || n != 0 {
		t.Fatalf("pruned again: %d, %v", n, err)
	}
}

func init() {
	register("DigestStaleSubscribers", testDigestStaleSubscribers)
	register("DigestPruneDeliveryLog", testDigestPruneDeliveryLog)
}
