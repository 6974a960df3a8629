package forum_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/internal/testclock"
	"coterforum/store/storetest"
)

func newService(t *testing.T) (*forum.Service, *testclock.Clock) {
	t.Helper()
	st := storetest.New(t)
	c := testclock.New(time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC))
	svc := forum.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), c.Now)
	if err := svc.SeedTaxonomy(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc, c
}

func mustMember(t *testing.T, svc *forum.Service, email, role string) *forum.Member {
	t.Helper()
	m, err := svc.CreateMember(context.Background(), forum.NewMember{Email: email, DisplayName: "Dominique Test",
		Authority: "Région Bretagne", AuthorityType: "region", Role: role, Password: "un-mot-de-passe-long"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func fieldOf(err error) string {
	var ve *forum.ValidationError
	if errors.As(err, &ve) {
		return ve.Field + "/" + ve.Code
	}
	return ""
}

func TestSeedTaxonomyIdempotent(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	admin := mustMember(t, svc, "admin@example.org", forum.RoleAdmin)
	name := "Réseaux et télécoms"
	if err := svc.UpdateTheme(ctx, admin, "reseaux", forum.ThemeInput{NameFR: name}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	themes, _ := svc.Themes(ctx, true)
	types, _ := svc.AuthorityTypes(ctx)
	if len(themes) != 6 || len(types) != 4 {
		t.Fatalf("%d themes, %d types after a second seed", len(themes), len(types))
	}
	if themes[0].NameFR != name {
		t.Fatalf("seed overwrote an admin's rename: %q", themes[0].NameFR)
	}
}

func TestCreateMemberValidation(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	base := forum.NewMember{Email: "Claire.Martin@Example.ORG ", DisplayName: "Claire Martin", Authority: "Ville de Lyon",
		AuthorityType: "commune", Password: "un-mot-de-passe-long"}
	m, err := svc.CreateMember(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if m.Email != "claire.martin@example.org" || m.Role != forum.RoleMember || m.PasswordHash == "" || m.PasswordHash == base.Password {
		t.Fatalf("member = %+v", m)
	}
	cases := map[string]func(*forum.NewMember){
		"email/email_taken":                     func(n *forum.NewMember) { n.Email = "CLAIRE.martin@example.org" },
		"email/email_invalid":                   func(n *forum.NewMember) { n.Email = "pas-une-adresse" },
		"password/password_too_short":           func(n *forum.NewMember) { n.Email = "a@example.org"; n.Password = "court" },
		"authority_type/authority_type_unknown": func(n *forum.NewMember) { n.Email = "b@example.org"; n.AuthorityType = "canton" },
		"role/role_invalid":                     func(n *forum.NewMember) { n.Email = "c@example.org"; n.Role = "root" },
		"display_name/name_invalid":             func(n *forum.NewMember) { n.Email = "d@example.org"; n.DisplayName = "  " },
	}
	for want, mutate := range cases {
		in := base
		mutate(&in)
		if _, err := svc.CreateMember(ctx, in); fieldOf(err) != want {
			t.Errorf("%s: got %v", want, err)
		}
	}
	if _, err := svc.Authenticate(ctx, "claire.martin@example.org", "un-mot-de-passe-long"); err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "claire.martin@example.org", "mauvais"); !errors.Is(err, forum.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestSessionsExpire(t *testing.T) {
	svc, clk := newService(t)
	ctx := context.Background()
	m := mustMember(t, svc, "s@example.org", forum.RoleMember)
	token, _, err := svc.StartSession(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := svc.SessionMember(ctx, token); err != nil || got.ID != m.ID {
		t.Fatalf("fresh session: %v", err)
	}
	clk.Advance(forum.SessionLifetime + time.Second)
	if _, _, err := svc.SessionMember(ctx, token); !errors.Is(err, forum.ErrUnauthenticated) {
		t.Fatalf("expired session accepted: %v", err)
	}
	token2, _, _ := svc.StartSession(ctx, m)
	clk.Advance(forum.SessionLifetime + time.Second)
	if n, err := svc.SweepSessions(ctx); err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if _, _, err := svc.SessionMember(ctx, token2); !errors.Is(err, forum.ErrUnauthenticated) {
		t.Fatal("swept session still valid")
	}
}

func TestInvitations(t *testing.T) {
	svc, clk := newService(t)
	ctx := context.Background()
	admin := mustMember(t, svc, "admin@example.org", forum.RoleAdmin)
	member := mustMember(t, svc, "m@example.org", forum.RoleMember)
	if _, _, err := svc.CreateInvite(ctx, member, "x@example.org", "", ""); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("member invited: %v", err)
	}
	if _, _, err := svc.CreateInvite(ctx, admin, "m@example.org", "", ""); fieldOf(err) != "email/email_taken" {
		t.Fatalf("invite existing member: %v", err)
	}
	token, _, err := svc.CreateInvite(ctx, admin, "Nouveau@Example.org", forum.RoleModerator, "en")
	if err != nil {
		t.Fatal(err)
	}
	p := forum.ProfileInput{DisplayName: "Nouvel Arrivant", Authority: "Département du Nord", AuthorityType: "departement"}
	// Invalid input does not burn the invitation.
	if _, err := svc.AcceptInvite(ctx, token, p, "court"); fieldOf(err) != "password/password_too_short" {
		t.Fatalf("short password: %v", err)
	}
	m, err := svc.AcceptInvite(ctx, token, p, "un-mot-de-passe-long")
	if err != nil {
		t.Fatal(err)
	}
	if m.Email != "nouveau@example.org" || m.Role != forum.RoleModerator {
		t.Fatalf("member = %+v", m)
	}
	// The account speaks the invitation's language.
	if got, err := svc.Authenticate(ctx, m.Email, "un-mot-de-passe-long"); err != nil || got.Lang != "en" {
		t.Fatalf("invited account's language: %+v, %v", got, err)
	}
	// Unless the person chose another one.
	token3, _, err := svc.CreateInvite(ctx, admin, "choix@example.org", "", "en")
	if err != nil {
		t.Fatal(err)
	}
	p3 := p
	p3.Lang = "fr"
	if m3, err := svc.AcceptInvite(ctx, token3, p3, "un-mot-de-passe-long"); err != nil || m3.Lang != "fr" {
		t.Fatalf("chosen language: %+v, %v", m3, err)
	}
	if _, _, err := svc.CreateInvite(ctx, admin, "x@example.org", "", "de"); fieldOf(err) != "lang/lang_invalid" {
		t.Fatalf("invitation in German: %v", err)
	}
	if _, err := svc.AcceptInvite(ctx, token, p, "un-mot-de-passe-long"); !errors.Is(err, forum.ErrInviteInvalid) {
		t.Fatalf("reused invitation: %v", err)
	}
	token2, _, _ := svc.CreateInvite(ctx, admin, "tard@example.org", "", "")
	clk.Advance(forum.InviteLifetime + time.Minute)
	if _, err := svc.AcceptInvite(ctx, token2, p, "un-mot-de-passe-long"); !errors.Is(err, forum.ErrInviteInvalid) {
		t.Fatalf("expired invitation: %v", err)
	}
}

func TestSuspendedAndLocked(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	m := mustMember(t, svc, "m@example.org", forum.RoleMember)
	th, _, err := svc.CreateThread(ctx, m, forum.NewThreadInput{Theme: "sig", Title: "Un fil de test", Body: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	if len(th.AuthorityTypes) != 1 || th.AuthorityTypes[0] != "region" {
		t.Fatalf("authority types default to the author's: %v", th.AuthorityTypes)
	}
	suspended := *m
	suspended.Status = forum.MemberSuspended
	if _, err := svc.Reply(ctx, &suspended, th.ID, "Je suis suspendu"); !errors.Is(err, forum.ErrSuspended) {
		t.Fatalf("suspended reply: %v", err)
	}
	if _, _, err := svc.CreateThread(ctx, &suspended, forum.NewThreadInput{Theme: "sig", Title: "Un autre fil", Body: "x"}); !errors.Is(err, forum.ErrSuspended) {
		t.Fatalf("suspended thread: %v", err)
	}
	if _, err := svc.Reply(ctx, nil, th.ID, "anonyme"); !errors.Is(err, forum.ErrUnauthenticated) {
		t.Fatalf("anonymous reply: %v", err)
	}
}

func TestEditKeepsRevisions(t *testing.T) {
	svc, clk := newService(t)
	ctx := context.Background()
	m := mustMember(t, svc, "m@example.org", forum.RoleMember)
	mod := mustMember(t, svc, "mod@example.org", forum.RoleModerator)
	other := mustMember(t, svc, "o@example.org", forum.RoleMember)
	_, p, _ := svc.CreateThread(ctx, m, forum.NewThreadInput{Theme: "sig", Title: "Un fil de test", Body: "Version 1"})
	clk.Advance(time.Hour)
	if _, err := svc.EditPost(ctx, m, p.ID, "Version 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EditPost(ctx, mod, p.ID, "Version 3 (modérateur)"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.EditPost(ctx, other, p.ID, "Vandalisme"); !errors.Is(err, forum.ErrForbidden) {
		t.Fatalf("other member edit: %v", err)
	}
	got, _ := svc.Post(ctx, nil, p.ID)
	if got.Source != "Version 3 (modérateur)" || len(got.Revisions) != 2 || got.Revisions[0].Source != "Version 1" || got.EditedAt == nil {
		t.Fatalf("post after edits: %+v", got)
	}
	if got.Revisions[1].EditorID != mod.ID {
		t.Fatalf("revision editor = %s", got.Revisions[1].EditorID)
	}
}

func TestTaxonomyCacheSeesOwnChangesAtOnce(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	admin := mustMember(t, svc, "admin@example.org", forum.RoleAdmin)
	if _, err := svc.Themes(ctx, false); err != nil { // fill the cache
		t.Fatal(err)
	}
	if _, err := svc.AddTheme(ctx, admin, forum.ThemeInput{Slug: "cyber", NameFR: "Cybersécurité"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Theme(ctx, "cyber"); err != nil {
		t.Fatalf("new theme not seen: %v", err)
	}
	if err := svc.ArchiveTheme(ctx, admin, "cyber", true); err != nil {
		t.Fatal(err)
	}
	active, _ := svc.Themes(ctx, false)
	for _, th := range active {
		if th.Slug == "cyber" {
			t.Fatal("archived theme still listed as active")
		}
	}
	// Callers get copies: changing them does not change the cache.
	active[0].NameFR = "modifié"
	again, _ := svc.Themes(ctx, false)
	if again[0].NameFR == "modifié" {
		t.Fatal("cache shared with callers")
	}
}
