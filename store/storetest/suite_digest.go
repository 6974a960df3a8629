package storetest

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

var dt0 = time.Date(2026, 3, 12, 6, 0, 0, 0, time.UTC)

// TestPublishedPostsUsesPublicationTime checks the query digests rely on: a
// post is selected by its approval time when approved, by its creation time
// otherwise, and only when published.
func testPublishedPostsUsesPublicationTime(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	from, until := dt0, dt0.Add(24*time.Hour)
	approved := func(at time.Time) *forum.Decision { return &forum.Decision{Action: forum.DecisionApproved, At: at} }
	cases := []struct {
		name    string
		status  string
		created time.Time
		dec     *forum.Decision
		want    bool
	}{
		{"published before the window", forum.PostPublished, from.Add(-time.Hour), nil, false},
		{"published at the start", forum.PostPublished, from, nil, true},
		{"published in the window", forum.PostPublished, from.Add(time.Hour), nil, true},
		{"published at the end", forum.PostPublished, until, nil, false},
		{"created before, approved in the window", forum.PostPublished, from.Add(-48 * time.Hour), approved(from.Add(2 * time.Hour)), true},
		{"created in the window, approved after", forum.PostPublished, from.Add(time.Hour), approved(until.Add(time.Hour)), false},
		{"restored in the window, created before", forum.PostPublished, from.Add(-48 * time.Hour),
			&forum.Decision{Action: forum.DecisionRestored, At: from.Add(time.Hour)}, false},
		{"pending", forum.PostPending, from.Add(time.Hour), nil, false},
		{"rejected", forum.PostRejected, from.Add(time.Hour), &forum.Decision{Action: forum.DecisionRejected, At: from.Add(2 * time.Hour)}, false},
		{"hidden", forum.PostHidden, from.Add(time.Hour), &forum.Decision{Action: forum.DecisionHidden, At: from.Add(2 * time.Hour)}, false},
	}
	want := map[string]string{}
	for _, c := range cases {
		p := &forum.Post{ID: forum.NewID(), ThreadID: "t", Status: c.status, CreatedAt: c.created, Decision: c.dec, HTML: "<p>x</p>", Source: "x"}
		if err := s.InsertPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		if c.want {
			want[p.ID] = c.name
		}
	}
	var got []forum.Post
	after := ""
	for { // pages of 2 exercise afterID
		page, err := s.PublishedPosts(ctx, from, until, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(got) != len(want) {
		t.Errorf("got %d posts, want %d: %v", len(got), len(want), want)
	}
	for _, p := range got {
		if _, ok := want[p.ID]; !ok {
			t.Errorf("unexpected post %s (status %s, created %v, decision %+v)", p.ID, p.Status, p.CreatedAt, p.Decision)
		}
		if p.Source != "" || p.HTML == "" {
			t.Errorf("projection: source %q html %q", p.Source, p.HTML)
		}
		if at := digest.PublishedAt(&p); at.Before(from) || !at.Before(until) {
			t.Errorf("PublishedAt %v outside the window", at)
		}
	}
}

func testDigestLease(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	ttl := 10 * time.Minute
	try := func(holder string, now time.Time, want bool) {
		t.Helper()
		ok, err := s.AcquireLease(ctx, "digest:daily", holder, now, now.Add(ttl))
		if err != nil || ok != want {
			t.Fatalf("AcquireLease(%s, %v) = %v, %v; want %v", holder, now, ok, err, want)
		}
	}
	try("a", dt0, true)
	try("b", dt0.Add(time.Minute), false)
	try("a", dt0.Add(2*time.Minute), true) // renewal until +12 min
	try("b", dt0.Add(11*time.Minute), false)
	try("b", dt0.Add(12*time.Minute), true) // a crashed: its lease expired
	try("a", dt0.Add(13*time.Minute), false)
	if err := s.ReleaseLease(ctx, "digest:daily", "a"); err != nil { // not a's any more: no effect
		t.Fatal(err)
	}
	try("a", dt0.Add(14*time.Minute), false)
	if err := s.ReleaseLease(ctx, "digest:daily", "b"); err != nil {
		t.Fatal(err)
	}
	try("a", dt0.Add(15*time.Minute), true)
	if ok, err := s.AcquireLease(ctx, "digest:weekly", "c", dt0, dt0.Add(ttl)); !ok || err != nil {
		t.Fatalf("another lease is independent: %v %v", ok, err)
	}
}

func outMsg(id string) digest.OutboxMessage {
	return digest.OutboxMessage{ID: id, Kind: digest.KindDigest, SubscriberID: "s1", To: "a@example.org", Subject: "s",
		Status: digest.StatusPending, NextAttemptAt: dt0, CreatedAt: dt0,
		Body: &digest.MessageBody{ID: id, Text: "texte " + id, MessageID: id + "@example.org"}}
}

func testDigestOutboxClaimsAreExclusive(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	var msgs []digest.OutboxMessage
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5", "m6"} {
		msgs = append(msgs, outMsg(id))
	}
	ids, err := s.EnqueueMessages(ctx, msgs, false)
	if err != nil || len(ids) != 6 {
		t.Fatalf("enqueue: %v %v", ids, err)
	}
	if ids, err := s.EnqueueMessages(ctx, append(msgs[:2:2], outMsg("m7")), true); err != nil || len(ids) != 1 || ids[0] != "m7" {
		t.Fatalf("enqueue again: %v %v, want only m7", ids, err)
	}
	due, err := s.DueMessages(ctx, dt0, 100)
	if err != nil || len(due) != 7 {
		t.Fatalf("due: %v %v", due, err)
	}
	// Two claimers at once never get the same message.
	var mu sync.Mutex
	owner := map[string]string{}
	var wg sync.WaitGroup
	for _, c := range []string{"c1", "c2", "c3"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.ClaimMessages(ctx, due, c, dt0, dt0.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range got {
				if prev, ok := owner[m.ID]; ok {
					t.Errorf("%s claimed by %s and %s", m.ID, prev, c)
				}
				owner[m.ID] = c
				if m.Body == nil || m.Body.Text != "texte "+m.ID || m.Attempts != 1 || m.Status != digest.StatusSending {
					t.Errorf("claimed %+v body %+v", m, m.Body)
				}
			}
		}()
	}
	wg.Wait()
	if len(owner) != 7 {
		t.Fatalf("claimed %d of 7", len(owner))
	}
	if due, _ := s.DueMessages(ctx, dt0.Add(30*time.Second), 100); len(due) != 0 {
		t.Fatalf("claimed messages due again before the claim expires: %v", due)
	}
	// m1 sent; m2 back to pending later; m3's claimer crashes.
	if err := s.FinishMessages(ctx, []digest.LogEntry{{ID: "m1", Status: digest.StatusSent, FinishedAt: dt0}}, owner["m1"]); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryMessage(ctx, "m2", owner["m2"], dt0.Add(5*time.Minute), "451"); err != nil {
		t.Fatal(err)
	}
	due, _ = s.DueMessages(ctx, dt0.Add(2*time.Minute), 100)
	sort.Strings(due)
	if len(due) != 5 || due[0] != "m3" { // expired claims: m3..m7
		t.Fatalf("due after claim expiry: %v", due)
	}
	due, _ = s.DueMessages(ctx, dt0.Add(5*time.Minute), 100)
	if len(due) != 6 || due[5] != "m2" {
		t.Fatalf("due after backoff: %v, want m2 last (latest next attempt)", due)
	}
	// A finished message is never queued again, recovering or not.
	for _, recover := range []bool{false, true} {
		if ids, err := s.EnqueueMessages(ctx, []digest.OutboxMessage{outMsg("m1")}, recover); err != nil || len(ids) != 0 {
			t.Fatalf("m1 queued again (recover %v): %v %v", recover, ids, err)
		}
	}
	logged, err := s.LoggedIDs(ctx, []string{"m1", "m2"})
	if err != nil || !logged["m1"] || logged["m2"] {
		t.Fatalf("logged %v %v", logged, err)
	}
	// A finish by a claimer that lost its claim does not remove the message.
	again, _ := s.ClaimMessages(ctx, []string{"m3"}, "c9", dt0.Add(2*time.Minute), dt0.Add(3*time.Minute))
	if len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("reclaim: %+v", again)
	}
	if err := s.FinishMessages(ctx, []digest.LogEntry{{ID: "m3", Status: digest.StatusSent}}, owner["m3"]); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.OutboxMessages(ctx, 100); len(out) != 6 {
		t.Fatalf("outbox has %d messages, want 6", len(out))
	}
	n, err := s.CancelMessages(ctx, "s1", dt0)
	if err != nil || n != 1 { // only m2 is pending
		t.Fatalf("cancel: %d %v", n, err)
	}
	log, _ := s.DeliveryLog(ctx, 10)
	statuses := map[string]string{}
	for _, e := range log {
		statuses[e.ID] = e.Status
	}
	if statuses["m1"] != digest.StatusSent || statuses["m2"] != digest.StatusCancelled {
		t.Fatalf("log: %v", statuses)
	}
}

func testDigestSubscriberConditionalUpdates(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	sub := &digest.Subscriber{ID: forum.NewID(), Email: "lecteur@example.org", CreatedAt: dt0, Lang: "fr"}
	if err := s.InsertSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertSubscriber(ctx, &digest.Subscriber{ID: forum.NewID(), Email: sub.Email}); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("second subscriber with the same email: %v", err)
	}
	for i, c := range []struct {
		now  time.Time
		want bool
	}{{dt0, true}, {dt0.Add(30 * time.Minute), false}, {dt0.Add(time.Hour), true}} {
		ok, err := s.StampConfirmation(ctx, sub.ID, c.now, c.now.Add(-time.Hour))
		if err != nil || ok != c.want {
			t.Fatalf("stamp %d: %v %v, want %v", i, ok, err, c.want)
		}
	}
	if ok, err := s.ConfirmSubscriber(ctx, sub.ID, "", dt0.Add(time.Hour)); !ok || err != nil {
		t.Fatalf("confirm: %v %v", ok, err)
	}
	if ok, _ := s.ConfirmSubscriber(ctx, sub.ID, "", dt0.Add(2*time.Hour)); ok {
		t.Fatal("confirmed twice")
	}
	if ok, err := s.ConfirmSubscriber(ctx, sub.ID, "member1", dt0.Add(3*time.Hour)); !ok || err != nil {
		t.Fatalf("link: %v %v", ok, err)
	}
	got, _ := s.SubscriberByID(ctx, sub.ID)
	if !got.Confirmed || got.MemberID != "member1" || got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(dt0.Add(time.Hour)) {
		t.Fatalf("subscriber after link: %+v (confirmed at %v)", got, got.ConfirmedAt)
	}
	for i, c := range []struct {
		from, to time.Time
		want     bool
	}{{time.Time{}, dt0, true}, {time.Time{}, dt0, false}, {dt0.Add(time.Hour), dt0, false}, {dt0, dt0.Add(time.Hour), true}} {
		if ok, err := s.MoveMark(ctx, "m", c.from, c.to); err != nil || ok != c.want {
			t.Fatalf("mark %d: %v %v", i, ok, err)
		}
	}
	if at, _ := s.Mark(ctx, "m"); !at.Equal(dt0.Add(time.Hour)) {
		t.Fatalf("mark at %v", at)
	}
}

func init() {
	register("PublishedPostsUsesPublicationTime", testPublishedPostsUsesPublicationTime)
	register("DigestLease", testDigestLease)
	register("DigestOutboxClaimsAreExclusive", testDigestOutboxClaimsAreExclusive)
	register("DigestSubscriberConditionalUpdates", testDigestSubscriberConditionalUpdates)
}
