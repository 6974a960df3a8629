package storetest

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

// dgSub is a subscription of sub to target at freq.
func dgSub(sub string, target digest.Target, freq string, pending bool) digest.Subscription {
	return digest.Subscription{ID: digest.SubscriptionID(sub, target, freq), SubscriberID: sub, Target: target,
		Frequency: freq, Pending: pending, CreatedAt: dt0}
}

// dgSubIDs lists the subscriptions as "subscriber/kind/frequency", sorted.
func dgSubIDs(subs []digest.Subscription) string {
	out := make([]string, len(subs))
	for i, s := range subs {
		out[i] = s.SubscriberID + "/" + s.Target.Kind + "/" + s.Frequency
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// testDigestSubscriptions checks the subscription queries the runner and
// the subscription pages rely on: ranges of subscribers, pending ones left
// out, thread subscriptions, activation and deletions.
func testDigestSubscriptions(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	theme := digest.Target{Kind: digest.TargetTheme, Theme: "reseaux"}
	both := digest.Target{Kind: digest.TargetThemeAuthority, Theme: "sig", AuthorityType: "region"}
	thread := digest.Target{Kind: digest.TargetThread, ThreadID: "t1"}
	subs := []digest.Subscription{
		dgSub("a", theme, digest.Daily, false),
		dgSub("b", theme, digest.Daily, false),
		dgSub("b", both, digest.Weekly, false),
		dgSub("b", thread, digest.Immediate, false),
		dgSub("c", theme, digest.Daily, true),
		dgSub("c", thread, digest.Immediate, true),
		dgSub("d", theme, digest.Daily, false),
		dgSub("d", digest.Target{Kind: digest.TargetThread, ThreadID: "t2"}, digest.Immediate, false),
	}
	for i := range subs {
		if err := s.InsertSubscription(ctx, &subs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertSubscription(ctx, &subs[1]); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("same subscription twice: %v", err)
	}
	got, err := s.SubscriptionsOf(ctx, "b")
	if err != nil || len(got) != 3 || !reflect.DeepEqual(got[2].Target, thread) || got[1].Target != both || got[0].Pending {
		t.Fatalf("subscriptions of b: %+v %v", got, err)
	}
	if got, err := s.SubscriptionsOf(ctx, "nobody"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("subscriptions of nobody: %#v %v", got, err)
	}
	active := func(after, last, freq, want string) {
		t.Helper()
		got, err := s.ActiveSubscriptions(ctx, after, last, freq)
		if err != nil || got == nil || dgSubIDs(got) != want {
			t.Errorf("ActiveSubscriptions(%q, %q, %s) = %s, %v; want %s", after, last, freq, dgSubIDs(got), err, want)
		}
	}
	active("", "d", digest.Daily, "a/theme/daily,b/theme/daily,d/theme/daily") // c is pending
	active("a", "c", digest.Daily, "b/theme/daily")                            // (a, c]
	active("b", "d", digest.Weekly, "")
	threadSubs := func(threadID, want string) {
		t.Helper()
		got, err := s.ThreadSubscriptions(ctx, threadID, digest.Immediate)
		if err != nil || got == nil || dgSubIDs(got) != want {
			t.Errorf("ThreadSubscriptions(%s) = %s, %v; want %s", threadID, dgSubIDs(got), err, want)
		}
	}
	threadSubs("t1", "b/thread/immediate")
	if err := s.ActivateSubscriptions(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	threadSubs("t1", "b/thread/immediate,c/thread/immediate")
	active("b", "c", digest.Daily, "c/theme/daily")
	if got, _ := s.ThreadSubscriptions(ctx, "t1", digest.Daily); len(got) != 0 {
		t.Errorf("thread subscriptions at another frequency: %+v", got)
	}
	for _, c := range []struct {
		sub, id string
		want    bool
	}{{"a", subs[1].ID, false}, {"b", "nope", false}, {"b", subs[1].ID, true}, {"b", subs[1].ID, false}} {
		if ok, err := s.DeleteSubscription(ctx, c.sub, c.id); err != nil || ok != c.want {
			t.Errorf("DeleteSubscription(%s, %s) = %v, %v; want %v", c.sub, c.id, ok, err, c.want)
		}
	}
	if n, err := s.DeleteSubscriptions(ctx, "d"); err != nil || n != 2 {
		t.Errorf("DeleteSubscriptions(d) = %d, %v", n, err)
	}
	if n, err := s.DeleteSubscriptions(ctx, "d"); err != nil || n != 0 {
		t.Errorf("DeleteSubscriptions(d) again = %d, %v", n, err)
	}
	active("", "z", digest.Daily, "a/theme/daily,c/theme/daily")
}

// testDigestSubscribersLifecycle checks subscriber lookups, confirmed
// pages, the language, deletion and bulk import.
func testDigestSubscribersLifecycle(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	at := dt0.Add(time.Hour)
	subs := []digest.Subscriber{
		{ID: "s1", Email: "un@example.org", Confirmed: true, ConfirmedAt: &at, CreatedAt: dt0, Lang: "fr", MemberID: "m1"},
		{ID: "s2", Email: "deux@example.org", CreatedAt: dt0, Lang: "en"},
		{ID: "s3", Email: "trois@example.org", Confirmed: true, CreatedAt: dt0, Lang: "fr"},
	}
	if err := s.InsertSubscriber(ctx, &subs[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertSubscriber(ctx, &digest.Subscriber{ID: "s1", Email: "autre@example.org", CreatedAt: dt0}); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("same id twice: %v", err)
	}
	// The import skips what exists: s1 by id, s9 by email.
	imported := append(subs, digest.Subscriber{ID: "s1", Email: "change@example.org", CreatedAt: dt0},
		digest.Subscriber{ID: "s9", Email: "deux@example.org", Confirmed: true, CreatedAt: dt0})
	if err := s.ImportSubscribers(ctx, imported, []digest.Subscription{
		dgSub("s1", digest.Target{Kind: digest.TargetTheme, Theme: "sig"}, digest.Daily, false),
		dgSub("s1", digest.Target{Kind: digest.TargetTheme, Theme: "sig"}, digest.Daily, true),
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SubscriptionsOf(ctx, "s1"); err != nil || len(got) != 1 || got[0].Pending {
		t.Errorf("imported subscriptions: %+v %v", got, err)
	}
	got, err := s.SubscriberByID(ctx, "s1")
	if err != nil || got.Email != "un@example.org" || got.MemberID != "m1" || !got.Confirmed || got.ConfirmedAt == nil ||
		!got.ConfirmedAt.Equal(at) || got.ConfirmSentAt != nil || !got.CreatedAt.Equal(dt0) || got.Lang != "fr" {
		t.Fatalf("s1 %+v %v", got, err)
	}
	if _, err := s.SubscriberByEmail(ctx, "change@example.org"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("an imported duplicate was written: %v", err)
	}
	if got, err := s.SubscriberByEmail(ctx, "deux@example.org"); err != nil || got.ID != "s2" || got.Confirmed || got.ConfirmedAt != nil {
		t.Errorf("deux@: %+v %v", got, err)
	}
	page := func(after string, limit int, want string) {
		t.Helper()
		got, err := s.ConfirmedSubscribers(ctx, after, limit)
		ids := make([]string, len(got))
		for i := range got {
			ids[i] = got[i].ID
		}
		if err != nil || got == nil || strings.Join(ids, ",") != want {
			t.Errorf("ConfirmedSubscribers(%q, %d) = %v, %v; want %s", after, limit, ids, err, want)
		}
	}
	page("", 10, "s1,s3")
	page("", 1, "s1")
	page("s1", 10, "s3")
	page("s3", 10, "")
	if err := s.SetSubscriberLang(ctx, "s2", "fr"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSubscriberLang(ctx, "personne", "fr"); err != nil {
		t.Errorf("language of an unknown subscriber: %v", err)
	}
	if got, _ := s.SubscriberByID(ctx, "s2"); got == nil || got.Lang != "fr" {
		t.Errorf("language not set: %+v", got)
	}
	if err := s.DeleteSubscriber(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscriber(ctx, "s2"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("second deletion: %v", err)
	}
	if _, err := s.SubscriberByID(ctx, "s2"); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("deleted subscriber found: %v", err)
	}
	if err := s.InsertSubscriber(ctx, &digest.Subscriber{ID: "s4", Email: "deux@example.org", CreatedAt: dt0}); err != nil {
		t.Errorf("the address of a deleted subscriber cannot be used again: %v", err)
	}
}

// testDigestRuns checks runs: one per id, the latest by Until then id, the
// cursor moved only from where it is, and the fields kept.
func testDigestRuns(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	if _, err := s.LatestRun(ctx, digest.Daily); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("latest of none: %v", err)
	}
	first := &digest.Run{ID: "daily:1", Frequency: digest.Daily, Period: "p1", Until: dt0, StartedAt: dt0, Tail: []string{}}
	second := &digest.Run{ID: "daily:2", Frequency: digest.Daily, Period: "p2", From: dt0, Until: dt0.Add(24 * time.Hour),
		StartedAt: dt0.Add(24 * time.Hour), Tail: []string{"p9", "p8"}, Exclude: []string{"p7"}}
	tie := &digest.Run{ID: "daily:0", Frequency: digest.Daily, Period: "p2", Until: second.Until, StartedAt: dt0, Tail: []string{}}
	weekly := &digest.Run{ID: "weekly:1", Frequency: digest.Weekly, Period: "w", Until: dt0.Add(48 * time.Hour), StartedAt: dt0, Tail: []string{}}
	for _, r := range []*digest.Run{first, second, tie, weekly} {
		if err := s.InsertRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertRun(ctx, first); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("same run twice: %v", err)
	}
	got, err := s.LatestRun(ctx, digest.Daily)
	if err != nil || got.ID != "daily:2" || !got.From.Equal(dt0) || !got.Until.Equal(second.Until) || got.Period != "p2" ||
		!reflect.DeepEqual(got.Tail, second.Tail) || !reflect.DeepEqual(got.Exclude, second.Exclude) || got.Done || got.DoneAt != nil {
		t.Fatalf("latest daily %+v %v", got, err)
	}
	for i, c := range []struct {
		from, to string
		want     bool
	}{{"", "s2", true}, {"", "s3", false}, {"s2", "s4", true}, {"s2", "s5", false}} {
		if ok, err := s.AdvanceRun(ctx, "daily:2", c.from, c.to); err != nil || ok != c.want {
			t.Errorf("advance %d: %v %v, want %v", i, ok, err, c.want)
		}
	}
	if ok, err := s.AdvanceRun(ctx, "daily:9", "", "s1"); err != nil || ok {
		t.Errorf("advance of an unknown run: %v %v", ok, err)
	}
	if err := s.FinishRun(ctx, "daily:2", dt0.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, "daily:9", dt0); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("finishing an unknown run: %v", err)
	}
	got, _ = s.LatestRun(ctx, digest.Daily)
	if got == nil || got.Cursor != "s4" || !got.Done || got.DoneAt == nil || !got.DoneAt.Equal(dt0.Add(25*time.Hour)) {
		t.Fatalf("finished run %+v", got)
	}
	if got, err := s.LatestRun(ctx, digest.Weekly); err != nil || got.ID != "weekly:1" || !got.From.IsZero() || got.Tail == nil || got.Exclude != nil {
		t.Fatalf("latest weekly %+v %v", got, err)
	}
}

// testDigestCounterValues checks that concurrent increments each get their
// own value, and that a counter starts at zero.
func testDigestCounterValues(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	if v, err := s.IncCounter(ctx, "neuf", -3); err != nil || v != -3 {
		t.Fatalf("new counter: %d %v", v, err)
	}
	const workers, each = 8, 25
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				v, err := s.IncCounter(ctx, "c", 2)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i := int64(1); i <= workers*each; i++ {
		if seen[2*i] != 1 {
			t.Fatalf("value %d returned %d times", 2*i, seen[2*i])
		}
	}
	if v, err := s.IncCounter(ctx, "neuf", 0); err != nil || v != -3 {
		t.Fatalf("other counter: %d %v", v, err)
	}
}

func init() {
	register("DigestSubscriptions", testDigestSubscriptions)
	register("DigestSubscribersLifecycle", testDigestSubscribersLifecycle)
	register("DigestRuns", testDigestRuns)
	register("DigestCounterValues", testDigestCounterValues)
}
