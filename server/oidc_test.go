package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/privacy"
)

// withOIDC configures the forum for the test provider.
func withOIDC(op *testOP, signup forum.SignupPolicy) envOption {
	return func(c *serverConfig) { c.OIDC = op.config(signup) }
}

// agent is a ProConnect identity as the provider's userinfo gives it.
func agent(sub, email string, verified bool) map[string]any {
	return map[string]any{"sub": sub, "email": email, "email_verified": verified, "given_name": "Dominique", "usual_name": "Agent"}
}

// nothingStored fails unless the forum holds members members, no link for
// sub, and the client no session.
func nothingStored(t *testing.T, e *env, c *client, op *testOP, sub string, members int64) {
	t.Helper()
	ctx := context.Background()
	if n, err := e.st.CountMembers(ctx); err != nil || n != members {
		t.Errorf("members: %d (%v), want %d", n, err, members)
	}
	if _, err := e.st.IdentityBySubject(ctx, op.ts.URL, sub); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("a link of %s was stored (%v)", sub, err)
	}
	if c.hasSession() {
		t.Error("the browser got a session")
	}
}

// TestProConnectButton: the button is on /login only when the provider is
// configured; without it, the ProConnect routes are 404.
func TestProConnectButton(t *testing.T) {
	op := newTestOP(t)
	on := newEnv(t, withOIDC(op, forum.SignupPolicy{Mode: forum.SignupClosed}))
	if status, body, _ := on.anon().get("/login?next=/themes/reseaux"); status != 200 || !strings.Contains(body, "Se connecter avec ProConnect") ||
		!strings.Contains(body, `href="/login/proconnect?next=%2fthemes%2freseaux"`) {
		t.Fatalf("/login with ProConnect: %d\n%s", status, body)
	}
	off := newEnv(t)
	if status, body, _ := off.anon().get("/login"); status != 200 || strings.Contains(body, "ProConnect") {
		t.Fatalf("/login without ProConnect: %d", status)
	}
	for _, p := range []string{"/login/proconnect", "/login/proconnect/callback?code=x&state=y"} {
		if status, _, _ := off.anon().get(p); status != http.StatusNotFound {
			t.Errorf("GET %s without ProConnect: %d", p, status)
		}
	}
}

// TestProConnectLoginCreatesAccount: in open mode a first login creates the
// account (no password, SIRET verified), with a working session; a later
// login finds it by the subject even when the address changed, and goes
// back to the page asked for, never to another site.
func TestProConnectLoginCreatesAccount(t *testing.T) {
	op := newTestOP(t)
	e := newEnv(t, withOIDC(op, forum.SignupPolicy{Mode: forum.SignupOpen}))
	ctx := context.Background()
	before, _ := e.st.CountMembers(ctx)
	id := agent("agent-1", "Dominique.Agent@Ville-Exemple.fr", true)
	id["siret"] = "219 300 274 00012"
	op.Next = id
	c := e.anon()
	status, body, resp := op.login(c, "/themes/reseaux")
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/account?notice=proconnect-welcome" {
		t.Fatalf("first login: %d %q %s", status, resp.Header.Get("Location"), body)
	}
	m, err := e.st.MemberByEmail(ctx, "dominique.agent@ville-exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	if m.DisplayName != "Dominique Agent" || m.PasswordHash != "" || m.Role != forum.RoleMember || m.Status != forum.MemberActive {
		t.Fatalf("created member: %+v", m)
	}
	link, err := e.st.IdentityBySubject(ctx, op.ts.URL, "agent-1")
	if err != nil || link.MemberID != m.ID || link.SIRET != "21930027400012" || link.SIREN != "219300274" {
		t.Fatalf("link: %+v %v", link, err)
	}
	if status, body, _ := c.get("/account"); status != 200 || !strings.Contains(body, "dominique.agent@ville-exemple.fr") {
		t.Fatalf("/account with the new session: %d", status)
	}
	if _, body, _ := e.anon().get("/members/" + m.ID); !strings.Contains(body, "SIREN 219300274 vérifié par ProConnect") {
		t.Fatalf("member page without the verified SIREN:\n%s", body)
	}
	// The password login does not open a passwordless account.
	if _, err := e.svc.Authenticate(ctx, m.Email, ""); !errors.Is(err, forum.ErrBadCredentials) {
		t.Fatalf("empty password: %v", err)
	}

	// Later: another browser, the address changed at the provider, no SIRET.
	op.Next = agent("agent-1", "d.agent@ville-exemple.fr", true)
	c2 := e.anon()
	status, _, resp = op.login(c2, "/threads/new?theme=reseaux")
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/threads/new?theme=reseaux&notice=logged-in" {
		t.Fatalf("second login: %d %q", status, resp.Header.Get("Location"))
	}
	if n, _ := e.st.CountMembers(ctx); n != before+1 {
		t.Fatalf("members: %d, want %d", n, before+1)
	}
	if status, body := c2.api("GET", "/api/v1/session", nil); status != 200 || !strings.Contains(jsonString(body), m.ID) {
		t.Fatalf("session of the second login: %d %v", status, body)
	}
	if _, body, _ := e.anon().get("/members/" + m.ID); strings.Contains(body, "vérifié par ProConnect") {
		t.Fatal("the SIREN is still shown after a login without siret")
	}
	// An open redirect is refused: the next page stays on the forum.
	status, _, resp = op.login(e.anon(), "//evil.example/x")
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/?notice=logged-in" {
		t.Fatalf("next=//evil.example: %d %q", status, resp.Header.Get("Location"))
	}
	// A SIRET that is not 14 digits verifies nothing.
	id = agent("agent-1", "d.agent@ville-exemple.fr", true)
	id["siret"] = "2193002740001"
	op.Next = id
	op.login(e.anon(), "/")
	if link, _ := e.st.IdentityBySubject(ctx, op.ts.URL, "agent-1"); link.SIREN != "" || link.SIRET != "" {
		t.Fatalf("13-digit SIRET stored: %+v", link)
	}

	// The passwordless account is deleted without a password to type, and
	// its link goes with it.
	if status, body, _ := c.get("/account/delete"); status != 200 || strings.Contains(body, `name="password"`) {
		t.Fatalf("/account/delete of a passwordless account: %d", status)
	}
	if status, body, _ := c.post("/account/delete", url.Values{"posts": {"anonymise"}}); status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", status, body)
	}
	if ids, err := e.st.IdentitiesOf(ctx, m.ID); err != nil || len(ids) != 0 {
		t.Fatalf("links after deletion: %v %v", ids, err)
	}
}

// TestProConnectRefusals: a wrong state, a replayed code, a wrong
// audience, an expired token, a wrong nonce, no flow cookie and the
// provider's refusal each get a clear 4xx page and store nothing.
func TestProConnectRefusals(t *testing.T) {
	op := newTestOP(t)
	e := newEnv(t, withOIDC(op, forum.SignupPolicy{Mode: forum.SignupOpen}))
	ctx := context.Background()
	members, _ := e.st.CountMembers(ctx)
	refused := func(name string, c *client, status int, body string, wantStatus int, want string) {
		t.Helper()
		if status != wantStatus || !strings.Contains(body, want) {
			t.Errorf("%s: %d, want %d with %q\n%s", name, status, wantStatus, want, body)
		}
		nothingStored(t, e, c, op, "agent-x", members)
	}
	op.Next = agent("agent-x", "x.agent@ville-exemple.fr", true)

	c := e.anon()
	cb := op.start(c, "/")
	q := cb.Query()
	q.Set("state", "pas-le-bon")
	cb.RawQuery = q.Encode()
	status, body, _ := c.finish(cb)
	refused("wrong state", c, status, body, http.StatusBadRequest, "paramètre state")

	c = e.anon()
	status, body, _ = c.get("/login/proconnect/callback?code=abc&state=def")
	refused("no flow cookie", c, status, body, http.StatusBadRequest, "pas été commencée dans ce navigateur")

	c = e.anon()
	cb = op.start(c, "/")
	q = cb.Query()
	q.Del("code")
	q.Set("error", "access_denied")
	cb.RawQuery = q.Encode()
	status, body, _ = c.finish(cb)
	refused("provider's refusal", c, status, body, http.StatusForbidden, "pas autorisé la connexion")

	for _, tt := range []struct {
		name  string
		forge func(map[string]any)
		want  string
	}{
		{"wrong audience", func(cl map[string]any) { cl["aud"] = "un-autre-site" }, "destinataire"},
		{"expired token", func(cl map[string]any) {
			cl["iat"], cl["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
		}, "destinataire, signature ou date"},
		{"wrong issuer", func(cl map[string]any) { cl["iss"] = "https://faux.example" }, "émetteur"},
		{"wrong nonce", func(cl map[string]any) { cl["nonce"] = "pas-le-bon" }, "paramètre nonce"},
	} {
		op.Forge = tt.forge
		c := e.anon()
		status, body, _ := op.login(c, "/")
		refused(tt.name, c, status, body, http.StatusBadRequest, tt.want)
	}
	op.Forge = nil

	// A replayed code: the legitimate login goes through; the same code
	// sent again, from another browser's flow, is refused by the provider.
	legit := e.anon()
	cb = op.start(legit, "/")
	if status, _, _ := legit.finish(cb); status != http.StatusSeeOther || !legit.hasSession() {
		t.Fatalf("legitimate login: %d", status)
	}
	link, err := e.st.IdentityBySubject(ctx, op.ts.URL, "agent-x")
	if err != nil {
		t.Fatal(err)
	}
	members++
	attacker := e.anon()
	own := op.start(attacker, "/")
	replay := own.Query()
	replay.Set("code", cb.Query().Get("code"))
	own.RawQuery = replay.Encode()
	status, body, _ = attacker.finish(own)
	if status != http.StatusBadRequest || !strings.Contains(body, "déjà utilisé ou expiré") || op.Reused != 1 {
		t.Fatalf("replayed code: %d (reused %d)\n%s", status, op.Reused, body)
	}
	if attacker.hasSession() {
		t.Fatal("the replayed code gave a session")
	}
	if n, _ := e.st.CountMembers(ctx); n != members {
		t.Fatalf("members after the replay: %d, want %d", n, members)
	}
	if sessions, _ := e.st.SessionsOf(ctx, link.MemberID); len(sessions) != 1 {
		t.Fatalf("sessions after the replay: %d, want 1", len(sessions))
	}
	// The refusal page is translated.
	c = e.anon()
	c.setLanguage("en")
	status, body, _ = c.get("/login/proconnect/callback?code=abc&state=def")
	if status != http.StatusBadRequest || !strings.Contains(body, "was not started in this browser") {
		t.Fatalf("English refusal: %d\n%s", status, body)
	}
}

// TestProConnectSignupModes: closed refuses a stranger with a clear page
// and stores nothing; domain-list creates accounts for its domains only;
// open creates one; an unverified address creates nothing, even in open.
func TestProConnectSignupModes(t *testing.T) {
	ctx := context.Background()
	try := func(t *testing.T, p forum.SignupPolicy, id map[string]any, wantCreated bool, want string) {
		t.Helper()
		op := newTestOP(t)
		e := newEnv(t, withOIDC(op, p))
		members, _ := e.st.CountMembers(ctx)
		op.Next = id
		c := e.anon()
		status, body, resp := op.login(c, "/")
		sub := id["sub"].(string)
		if !wantCreated {
			if status != http.StatusForbidden || !strings.Contains(body, want) {
				t.Fatalf("%s %v: %d, want 403 with %q\n%s", p.Mode, id["email"], status, want, body)
			}
			nothingStored(t, e, c, op, sub, members)
			return
		}
		if status != http.StatusSeeOther || resp.Header.Get("Location") != "/account?notice=proconnect-welcome" || !c.hasSession() {
			t.Fatalf("%s %v: %d %q", p.Mode, id["email"], status, resp.Header.Get("Location"))
		}
		if n, _ := e.st.CountMembers(ctx); n != members+1 {
			t.Fatalf("members: %d, want %d", n, members+1)
		}
	}
	domains := forum.SignupPolicy{Mode: forum.SignupDomainList, Domains: []string{"ville-exemple.fr"}}
	t.Run("closed", func(t *testing.T) {
		try(t, forum.SignupPolicy{Mode: forum.SignupClosed}, agent("s1", "a@ville-exemple.fr", true), false, "demandez une invitation")
	})
	t.Run("domain-list listed", func(t *testing.T) { try(t, domains, agent("s2", "b@Ville-Exemple.fr", true), true, "") })
	t.Run("domain-list other", func(t *testing.T) {
		try(t, domains, agent("s3", "c@sous.ville-exemple.fr", true), false, "demandez une invitation")
	})
	t.Run("open", func(t *testing.T) {
		try(t, forum.SignupPolicy{Mode: forum.SignupOpen}, agent("s4", "d@autre.example", true), true, "")
	})
	t.Run("open unverified", func(t *testing.T) {
		try(t, forum.SignupPolicy{Mode: forum.SignupOpen}, agent("s5", "e@autre.example", false), false, "ne garantit pas votre adresse")
	})
}

// TestProConnectLinksInvitedMember: an existing member is linked by a
// verified address only (an unverified one links nothing); the link is
// then used, is in the export, refuses a suspended member, and goes with
// the deleted account.
func TestProConnectLinksInvitedMember(t *testing.T) {
	op := newTestOP(t)
	e := newEnv(t, withOIDC(op, forum.SignupPolicy{Mode: forum.SignupClosed}))
	ctx := context.Background()
	m, pw := e.member(forum.RoleMember, "commune")
	members, _ := e.st.CountMembers(ctx)

	op.Next = agent("agent-m", strings.ToUpper(m.Email), false)
	c := e.anon()
	status, body, _ := op.login(c, "/")
	if status != http.StatusForbidden || !strings.Contains(body, "ne garantit pas votre adresse") {
		t.Fatalf("unverified address: %d\n%s", status, body)
	}
	nothingStored(t, e, c, op, "agent-m", members)

	// A moderator's account is not linked by its address alone.
	mod, _ := e.member(forum.RoleModerator, "region")
	members, _ = e.st.CountMembers(ctx)
	op.Next = agent("agent-mod", mod.Email, true)
	c = e.anon()
	if status, body, _ := op.login(c, "/"); status != http.StatusForbidden || !strings.Contains(body, "ne sont pas reliés à ProConnect") {
		t.Fatalf("moderator linked by address: %d\n%s", status, body)
	}
	nothingStored(t, e, c, op, "agent-mod", members)

	id := agent("agent-m", strings.ToUpper(m.Email), true)
	id["siret"] = "21930027400012"
	op.Next = id
	c = e.anon()
	status, _, resp := op.login(c, "/notifications")
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/notifications?notice=logged-in" {
		t.Fatalf("verified address: %d %q", status, resp.Header.Get("Location"))
	}
	if status, body := c.api("GET", "/api/v1/session", nil); status != 200 || !strings.Contains(jsonString(body), m.ID) {
		t.Fatalf("session: %d %v", status, body)
	}
	if n, _ := e.st.CountMembers(ctx); n != members {
		t.Fatalf("an account was created: %d members, want %d", n, members)
	}
	status, body, _ = c.get("/account/export")
	if status != 200 || !strings.Contains(body, `"proconnect_identities"`) || !strings.Contains(body, `"agent-m"`) || !strings.Contains(body, "219300274") {
		t.Fatalf("export: %d\n%s", status, body)
	}

	// Suspended: refused, no session.
	suspended, reason := forum.MemberSuspended, "test"
	if err := e.st.UpdateMember(ctx, m.ID, moderation.MemberChange{Status: &suspended, SuspendReason: &reason}); err != nil {
		t.Fatal(err)
	}
	e.svc.Invalidate(ctx, forum.MemberKey(m.ID))
	c = e.anon()
	status, body, _ = op.login(c, "/")
	if status != http.StatusForbidden || !strings.Contains(body, "suspendu ou supprimé") || c.hasSession() {
		t.Fatalf("suspended: %d\n%s", status, body)
	}
	active := forum.MemberActive
	if err := e.st.UpdateMember(ctx, m.ID, moderation.MemberChange{Status: &active, ClearUntil: true}); err != nil {
		t.Fatal(err)
	}

	// The deleted account takes its link with it; the identity is then a stranger.
	if err := e.srv.Privacy().DeleteAccount(ctx, m, privacy.DeleteInput{Password: pw, Posts: forum.DeletePostsAnonymise}); err != nil {
		t.Fatal(err)
	}
	if ids, err := e.st.IdentitiesOf(ctx, m.ID); err != nil || len(ids) != 0 {
		t.Fatalf("links after deletion: %v %v", ids, err)
	}
	c = e.anon()
	status, body, _ = op.login(c, "/")
	if status != http.StatusForbidden || !strings.Contains(body, "demandez une invitation") {
		t.Fatalf("after deletion: %d\n%s", status, body)
	}
	nothingStored(t, e, c, op, "agent-m", members)
}

// jsonString is a decoded JSON body written back, for substring checks.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestProConnectProviderDown: the forum starts while the provider is
// unreachable; the button then answers a clear 503, not a 500.
func TestProConnectProviderDown(t *testing.T) {
	op := newTestOP(t)
	e := newEnv(t, withOIDC(op, forum.SignupPolicy{Mode: forum.SignupOpen}))
	op.ts.Close()
	status, body, _ := e.anon().get("/login/proconnect")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "ProConnect ne répond pas") {
		t.Fatalf("provider down: %d\n%s", status, body)
	}
}
