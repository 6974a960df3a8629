package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

func init() {
	register("AccountTokens", testAccountTokens)
	register("SubscriberEmailChange", testSubscriberEmailChange)
}

// testSubscriberEmailChange: a member's subscriber follows the member's
// new address.
func testSubscriberEmailChange(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	ss, ok := s.(digest.SubscriberEmailStore)
	if !ok {
		t.Fatal("the store does not implement digest.SubscriberEmailStore")
	}
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	sub := &digest.Subscriber{ID: forum.NewID(), MemberID: "m1", Email: "old@example.org", Confirmed: true, CreatedAt: now, Lang: "fr"}
	if err := s.InsertSubscriber(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if err := ss.SetSubscriberEmail(ctx, sub.ID, "new@example.org"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SubscriberByEmail(ctx, "new@example.org"); err != nil || got.ID != sub.ID || got.MemberID != "m1" || !got.Confirmed {
		t.Fatalf("by the new address: %+v %v", got, err)
	}
	if _, err := s.SubscriberByEmail(ctx, "old@example.org"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("by the old address: %v", err)
	}
	if err := ss.SetSubscriberEmail(ctx, forum.NewID(), "x@example.org"); err != nil {
		t.Fatalf("a subscriber gone: %v", err)
	}
}

// testAccountTokens checks the store of password-reset and email-change
// tokens: read back by id, used once and only before expiry, deleted per
// member (one kind or all) and when expired; and the change of a member's
// address, refused when another account has it.
func testAccountTokens(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ts, ok := s.(forum.AccountTokenStore)
	if !ok {
		t.Fatal("the store does not implement forum.AccountTokenStore")
	}
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tok := func(id, kind, member, email string, life time.Duration) *forum.AccountToken {
		t.Helper()
		at := &forum.AccountToken{ID: id, Kind: kind, MemberID: member, Email: email, CreatedAt: now, ExpiresAt: now.Add(life)}
		if err := ts.InsertAccountToken(ctx, at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	get := func(id string) (*forum.AccountToken, error) {
		t.Helper()
		return ts.AccountTokenByID(ctx, id)
	}
	tok("r1", forum.TokenPasswordReset, "m1", "", time.Hour)
	tok("r2", forum.TokenPasswordReset, "m1", "", time.Hour)
	tok("e1", forum.TokenEmailChange, "m1", "new@example.org", 24*time.Hour)
	tok("r3", forum.TokenPasswordReset, "m2", "", time.Hour)
	tok("old", forum.TokenPasswordReset, "m2", "", time.Minute)

	if err := ts.InsertAccountToken(ctx, &forum.AccountToken{ID: "r1", Kind: forum.TokenPasswordReset, MemberID: "m9", CreatedAt: now, ExpiresAt: now}); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("a second token with the same id: want ErrDuplicate, got %v", err)
	}
	got, err := get("e1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != forum.TokenEmailChange || got.MemberID != "m1" || got.Email != "new@example.org" || !got.CreatedAt.Equal(now) ||
		!got.ExpiresAt.Equal(now.Add(24*time.Hour)) || got.UsedAt != nil {
		t.Fatalf("read back: %+v", got)
	}
	if _, err := get("nope"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("unknown id: want ErrNotFound, got %v", err)
	}

	// Used once, only before expiry.
	if ok, err := ts.UseAccountToken(ctx, "r1", now.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("first use: %v %v", ok, err)
	}
	if ok, err := ts.UseAccountToken(ctx, "r1", now.Add(2*time.Minute)); err != nil || ok {
		t.Fatalf("second use: %v %v", ok, err)
	}
	if got, _ := get("r1"); got == nil || got.UsedAt == nil || !got.UsedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("used token: %+v", got)
	}
	if ok, err := ts.UseAccountToken(ctx, "r2", now.Add(time.Hour)); err != nil || ok {
		t.Fatalf("use at expiry: %v %v", ok, err)
	}
	if ok, err := ts.UseAccountToken(ctx, "nope", now); err != nil || ok {
		t.Fatalf("use of an unknown token: %v %v", ok, err)
	}

	// Deleted per member and kind, then all of a member.
	if err := ts.DeleteMemberAccountTokens(ctx, "m1", forum.TokenPasswordReset); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"r1": false, "r2": false, "e1": true, "r3": true} {
		if _, err := get(id); (err == nil) != want {
			t.Fatalf("after deleting m1's reset tokens, %s: %v", id, err)
		}
	}
	if err := ts.DeleteMemberAccountTokens(ctx, "m1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := get("e1"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("m1's email token after deleting all of m1's: %v", err)
	}

	// Pruned once expired.
	n, err := ts.DeleteExpiredAccountTokens(ctx, now.Add(30*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("prune at +30 min: %d %v", n, err)
	}
	if _, err := get("old"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("expired token kept: %v", err)
	}
	if _, err := get("r3"); err != nil {
		t.Fatalf("live token pruned: %v", err)
	}

	// The address of a member changes, unless another account has it.
	mk := func(email string) *forum.Member {
		m := &forum.Member{ID: forum.NewID(), Email: email, DisplayName: "Camille", Authority: "Ville", AuthorityType: "commune",
			Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: now}
		if err := s.InsertMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := mk("a@example.org"), mk("b@example.org")
	if err := ts.SetMemberEmail(ctx, a.ID, "b@example.org"); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("taking another account's address: want ErrDuplicate, got %v", err)
	}
	if err := ts.SetMemberEmail(ctx, a.ID, "a2@example.org"); err != nil {
		t.Fatal(err)
	}
	if m, err := s.MemberByEmail(ctx, "a2@example.org"); err != nil || m.ID != a.ID {
		t.Fatalf("member by new address: %v %v", m, err)
	}
	if _, err := s.MemberByEmail(ctx, "a@example.org"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("old address still finds a member: %v", err)
	}
	if m, _ := s.MemberByID(ctx, b.ID); m == nil || m.Email != "b@example.org" {
		t.Fatalf("the other member changed: %+v", m)
	}
	if err := ts.SetMemberEmail(ctx, forum.NewID(), "c@example.org"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("unknown member: want ErrNotFound, got %v", err)
	}
}
