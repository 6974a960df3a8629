package digest_test

import (
	"testing"
	"time"

	"coterforum/digest"
)

// TestManualRunBeforeTheHourKeepsTheScheduledDigest: a `digest run` at 6:30
// must not stand for the 7:00 digest of the same day.
func TestManualRunBeforeTheHourKeepsTheScheduledDigest(t *testing.T) {
	e := newEnv(t)
	paris, _ := time.LoadLocation("Europe/Paris")
	reader := e.member(t, "Bruno Lecteur", "Ville de Lyon", "commune")
	e.subscribe(t, reader, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	e.clock.Set(time.Date(2026, 3, 12, 6, 0, 0, 0, paris))
	e.thread(t, e.author, "reseaux", "Premier fil avant la commande")
	e.clock.Set(time.Date(2026, 3, 12, 6, 30, 0, 0, paris))
	if n, err := e.svc.RunOnce(e.ctx, digest.Daily, e.clock.Now()); err != nil || n != 1 {
		t.Fatalf("manual run: %d %v", n, err)
	}
	e.clock.Set(time.Date(2026, 3, 12, 6, 45, 0, 0, paris))
	e.thread(t, e.author, "reseaux", "Deuxième fil entre la commande et 7 h")
	at7 := time.Date(2026, 3, 12, 7, 0, 0, 0, paris)
	e.clock.Set(at7)
	if missed, err := e.svc.Missed(e.ctx, digest.Daily, at7); err != nil || !missed {
		t.Fatalf("Missed at 7:00 after a manual run at 6:30: %v %v", missed, err)
	}
	if n, err := e.svc.RunScheduled(e.ctx, digest.Daily, at7); err != nil || n != 1 {
		t.Fatalf("scheduled run at 7:00: %d %v, want the second thread sent", n, err)
	}
	if n, err := e.svc.RunScheduled(e.ctx, digest.Daily, at7.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("second scheduled run the same day: %d %v", n, err)
	}
}
