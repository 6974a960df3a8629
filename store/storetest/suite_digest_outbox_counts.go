package storetest

import (
	"context"
	"testing"
	"time"

	"coterforum/digest"
)

// testDigestOutboxCounts checks the figures metrics report: the outbox by
// status, the pending messages that already failed once, and the messages
// failed since a time (older failures and sent ones do not count).
func testDigestOutboxCounts(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	if c, err := s.OutboxCounts(ctx, dt0); err != nil || c != (digest.OutboxCounts{}) {
		t.Fatalf("counts of an empty outbox: %+v %v", c, err)
	}
	dgEnqueue(t, s, false, []string{"p1", "p2", "r1", "s1", "f1", "f2", "ok"},
		dgMsg("p1", "sA", dt0), dgMsg("p2", "sA", dt0), dgMsg("r1", "sB", dt0),
		dgSending("s1", "sB", dt0, "k0", dt0.Add(time.Hour)), dgMsg("f1", "sC", dt0), dgMsg("f2", "sC", dt0), dgMsg("ok", "sC", dt0))
	got, err := s.ClaimMessages(ctx, []string{"r1", "f1", "f2", "ok"}, "c1", dt0, dt0.Add(time.Minute))
	if err != nil || len(got) != 4 {
		t.Fatalf("claim: %+v %v", got, err)
	}
	if err := s.RetryMessage(ctx, "r1", "c1", dt0.Add(time.Hour), "451 plus tard"); err != nil {
		t.Fatal(err)
	}
	byID := map[string]digest.OutboxMessage{}
	for _, m := range got {
		byID[m.ID] = m
	}
	f1, f2, ok := byID["f1"], byID["f2"], byID["ok"]
	entries := []digest.LogEntry{f1.Finished(digest.StatusFailed, "550", dt0.Add(-2*time.Hour)),
		f2.Finished(digest.StatusFailed, "550", dt0.Add(time.Minute)), ok.Finished(digest.StatusSent, "", dt0.Add(time.Minute))}
	if err := s.FinishMessages(ctx, entries, "c1"); err != nil {
		t.Fatal(err)
	}
	want := digest.OutboxCounts{Pending: 3, Sending: 1, Retrying: 1, Failed: 1}
	if c, err := s.OutboxCounts(ctx, dt0.Add(-time.Hour)); err != nil || c != want {
		t.Errorf("counts %+v %v, want %+v", c, err, want)
	}
	want.Failed = 2
	if c, err := s.OutboxCounts(ctx, dt0.Add(-3*time.Hour)); err != nil || c != want {
		t.Errorf("counts since earlier %+v %v, want %+v", c, err, want)
	}
}

func init() {
	register("DigestOutboxCounts", testDigestOutboxCounts)
}
