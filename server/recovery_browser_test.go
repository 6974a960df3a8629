package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/internal/browsertest"
	"coterforum/internal/testclock"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// brTabTo presses Tab until the focused element has the id or the text
// want, and fails after 40 presses.
func brTabTo(t *testing.T, b *browsertest.Browser, ctx context.Context, want string) {
	t.Helper()
	for range 40 {
		if f := brTab(t, b, ctx); f.ID == want || f.Text == want {
			return
		}
	}
	t.Fatalf("Tab never reached %q", want)
}

// TestKeyboardPasswordReset: a member who forgot the password gets back in
// with the keyboard alone, from /login through the mailed link to a new
// login; axe-core finds nothing on the new pages, in French and English.
func TestKeyboardPasswordReset(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	clk := testclock.New(time.Now())
	e, smtp := newEnvClock(t, clk)
	m, pw := e.member(forum.RoleMember, "commune")
	base := e.ts.URL
	b := browsertest.New(t)
	ctx := b.Ctx()
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "cf_lang", Value: "fr", URL: base}); err != nil {
		t.Fatal(err)
	}

	brVisit(t, ctx, base+"/login", 200)
	brTabTo(t, b, ctx, "Mot de passe oublié ?")
	brSubmit(t, ctx, "follow « Mot de passe oublié ? » with Enter", 200, chromedp.KeyEvent(kb.Enter))
	brAudit(t, b, ctx, "mot de passe oublié", "Mot de passe oublié")
	brTabTo(t, b, ctx, "email")
	brKeys(t, ctx, m.Email)
	brSubmit(t, ctx, "ask for the link with Enter", 200, chromedp.KeyEvent(kb.Enter))
	if got := brText(t, ctx, "main"); !strings.Contains(got, "Si un compte actif utilise cette adresse") {
		t.Fatalf("after the request the page says %q", got)
	}
	brAudit(t, b, ctx, "lien envoyé", "Mot de passe oublié")

	link := resetLink.FindString(waitMail(t, smtp, m.Email, 1).Text)
	brVisit(t, ctx, link, 200)
	brAudit(t, b, ctx, "nouveau mot de passe", "Nouveau mot de passe")
	brTabTo(t, b, ctx, "password")
	const newPw = "mon-nouveau-mot-de-passe"
	brKeys(t, ctx, newPw)
	brSubmit(t, ctx, "save the password with Enter", 200, chromedp.KeyEvent(kb.Enter))
	if got := brText(t, ctx, "body"); !strings.Contains(got, "Votre mot de passe est changé") {
		t.Fatalf("no confirmation after the reset: %q", got)
	}
	brTabTo(t, b, ctx, "email")
	brKeys(t, ctx, m.Email)
	brTabTo(t, b, ctx, "password")
	brKeys(t, ctx, newPw)
	brSubmit(t, ctx, "log in with Enter", 200, chromedp.KeyEvent(kb.Enter))
	if got := brText(t, ctx, `nav[aria-label="Compte"] a[href="/account"]`); got != m.DisplayName {
		t.Fatalf("after login the header shows %q, want %q", got, m.DisplayName)
	}
	if status, _ := e.anon().api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw}); status != 401 {
		t.Fatalf("the old password still works: %d", status)
	}

	// The other new pages: the account's email form, the used link, the
	// email change confirmation.
	brVisit(t, ctx, base+"/account", 200)
	brAudit(t, b, ctx, "mon compte (changement d'adresse)", "Mon compte")
	brVisit(t, ctx, link, 400)
	brAudit(t, b, ctx, "lien déjà utilisé", "Nouveau mot de passe")
	web := e.anon()
	web.post("/login", url.Values{"email": {m.Email}, "password": {newPw}})
	web.post("/account/email", url.Values{"email": {"nouvelle@example.org"}, "current_password": {newPw}})
	confirm := emailLink.FindString(waitMail(t, smtp, "nouvelle@example.org", 1).Text)
	brVisit(t, ctx, confirm, 200)
	brAudit(t, b, ctx, "confirmer la nouvelle adresse", "Nouvelle adresse")
	brVisit(t, ctx, base+"/account/email/confirm?token=faux", 400)
	brAudit(t, b, ctx, "lien de confirmation invalide", "Nouvelle adresse")

	// In English.
	brEnglish(t, ctx, base)
	brVisit(t, ctx, base+"/account", 200)
	brAudit(t, b, ctx, "my account (email change)", "My account")
	if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "cf_session", URL: base}); err != nil {
		t.Fatal(err)
	}
	brVisit(t, ctx, base+"/login", 200)
	brTabTo(t, b, ctx, "Forgotten your password?")
	brSubmit(t, ctx, "follow « Forgotten your password? » with Enter", 200, chromedp.KeyEvent(kb.Enter))
	brAudit(t, b, ctx, "forgotten password", "Forgotten password")
	brVisit(t, ctx, base+"/password/forgot?sent=1", 200)
	brAudit(t, b, ctx, "link sent", "Forgotten password")
	forgot(t, e, m.Email)
	brVisit(t, ctx, resetLink.FindString(waitMail(t, smtp, m.Email, 2).Text), 200)
	brAudit(t, b, ctx, "new password", "New password")
	brVisit(t, ctx, link, 400)
	brAudit(t, b, ctx, "used link", "New password")
	brVisit(t, ctx, confirm, 200)
	brAudit(t, b, ctx, "confirm the new address", "New address")
	brVisit(t, ctx, base+"/account/email/confirm?token=faux", 400)
	brAudit(t, b, ctx, "invalid confirmation link", "New address")
}
