package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"coterforum/forum"
)

// testIdentityLinks: an identity link is found by (issuer, subject) only,
// is unique per (issuer, subject) and per (member, issuer), records each
// login, lists per member, and is deleted with the member's links only.
func testIdentityLinks(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	link := func(issuer, subject, member string) *forum.Identity {
		return &forum.Identity{ID: forum.NewID(), Issuer: issuer, Subject: subject, MemberID: member, Email: subject + "@mairie.example.fr",
			CreatedAt: at, LastLoginAt: at}
	}
	const pc, other = "https://proconnect.example", "https://autre.example"
	if _, err := s.IdentityBySubject(ctx, pc, "sub-a"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("no link yet: want ErrNotFound, got %v", err)
	}
	a := link(pc, "sub-a", "m1")
	a.SIRET, a.SIREN = "21930027400012", "219300274"
	if err := s.InsertIdentity(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.IdentityBySubject(ctx, pc, "sub-a")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.MemberID != "m1" || got.Email != a.Email || got.SIRET != a.SIRET || got.SIREN != a.SIREN ||
		!got.CreatedAt.Equal(at) || !got.LastLoginAt.Equal(at) {
		t.Fatalf("read back: %+v, want %+v", got, a)
	}
	// The same subject at another issuer is another person.
	if _, err := s.IdentityBySubject(ctx, other, "sub-a"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("other issuer: want ErrNotFound, got %v", err)
	}
	if err := s.InsertIdentity(ctx, link(pc, "sub-a", "m2")); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("same (issuer, subject) again: want ErrDuplicate, got %v", err)
	}
	if err := s.InsertIdentity(ctx, link(pc, "sub-b", "m1")); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("second link of m1 at the same issuer: want ErrDuplicate, got %v", err)
	}
	if err := s.InsertIdentity(ctx, link(other, "sub-a", "m1")); err != nil {
		t.Fatalf("m1 at another issuer: %v", err)
	}
	if err := s.InsertIdentity(ctx, link(pc, "sub-c", "m2")); err != nil {
		t.Fatal(err)
	}
	later := at.Add(48 * time.Hour)
	if err := s.RecordIdentityLogin(ctx, pc, "sub-a", "new@mairie.example.fr", "", "", later); err != nil {
		t.Fatal(err)
	}
	got, err = s.IdentityBySubject(ctx, pc, "sub-a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "new@mairie.example.fr" || got.SIRET != "" || got.SIREN != "" || !got.LastLoginAt.Equal(later) || !got.CreatedAt.Equal(at) {
		t.Fatalf("after a login: %+v", got)
	}
	if err := s.RecordIdentityLogin(ctx, pc, "nobody", "x@y.fr", "", "", later); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("login of an unknown link: want ErrNotFound, got %v", err)
	}
	ids, err := s.IdentitiesOf(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0].Issuer != other || ids[1].Issuer != pc {
		t.Fatalf("links of m1: %+v", ids)
	}
	if err := s.DeleteIdentitiesOf(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if ids, err := s.IdentitiesOf(ctx, "m1"); err != nil || len(ids) != 0 {
		t.Fatalf("links of m1 after deletion: %+v %v", ids, err)
	}
	if _, err := s.IdentityBySubject(ctx, pc, "sub-a"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("deleted link still found: %v", err)
	}
	if ids, err := s.IdentitiesOf(ctx, "m2"); err != nil || len(ids) != 1 || ids[0].Subject != "sub-c" {
		t.Fatalf("m2's link was touched: %+v %v", ids, err)
	}
	// A subject freed by the deletion may be linked again.
	if err := s.InsertIdentity(ctx, link(pc, "sub-a", "m3")); err != nil {
		t.Fatalf("relink after deletion: %v", err)
	}
}

func init() {
	register("IdentityLinks", testIdentityLinks)
}
