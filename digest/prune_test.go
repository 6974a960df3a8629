package digest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

// TestPruneUnconfirmedAndOldLog checks that a reader who never confirmed is
// erased after 7 days (not before), a confirmed one stays, and delivery log
// entries go after 90 days.
func TestPruneUnconfirmedAndOldLog(t *testing.T) {
	e := newEnv(t)
	in := digest.SubscribeInput{Theme: "sig", Frequency: digest.Daily}
	for _, addr := range []string{"jamais@example.org", "oui@example.org"} {
		if err := e.svc.SubscribeEmail(e.ctx, addr, "fr", in); err != nil {
			t.Fatal(err)
		}
	}
	e.smtp.WaitFor(t, 2, 5*time.Second) // the confirmation mails, logged
	yes, err := e.st.SubscriberByEmail(e.ctx, "oui@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Confirm(e.ctx, strings.TrimPrefix(e.svc.ConfirmURL(yes.ID), baseURL+"/subscriptions/confirm?token=")); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(6 * 24 * time.Hour)
	if subs, entries, err := e.svc.Prune(e.ctx); err != nil || subs != 0 || entries != 0 {
		t.Fatalf("pruned %d subscribers, %d entries after 6 days (%v)", subs, entries, err)
	}
	e.clock.Advance(24*time.Hour + time.Minute)
	if subs, entries, err := e.svc.Prune(e.ctx); err != nil || subs != 1 || entries != 0 {
		t.Fatalf("pruned %d subscribers, %d entries after 7 days (%v)", subs, entries, err)
	}
	if _, err := e.st.SubscriberByEmail(e.ctx, "jamais@example.org"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("unconfirmed subscriber after 7 days: %v", err)
	}
	if _, err := e.st.SubscriberByEmail(e.ctx, "oui@example.org"); err != nil {
		t.Fatalf("confirmed subscriber pruned: %v", err)
	}
	if log, _ := e.st.DeliveryLog(e.ctx, 10); len(log) != 2 {
		t.Fatalf("%d log entries before 90 days", len(log))
	}
	e.clock.Advance(84 * 24 * time.Hour)
	if subs, entries, err := e.svc.Prune(e.ctx); err != nil || subs != 0 || entries != 2 {
		t.Fatalf("pruned %d subscribers, %d entries after 90 days (%v)", subs, entries, err)
	}
	if log, _ := e.st.DeliveryLog(e.ctx, 10); len(log) != 0 {
		t.Fatalf("%d log entries after 90 days", len(log))
	}
}
