package server_test

import (
	"context"
	"net/url"
	"testing"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/chromedp"
)

// TestPrivacyPagesHaveNoAxeViolations audits the personal data pages and
// the accessibility statement with axe-core, in French and in English.
func TestPrivacyPagesHaveNoAxeViolations(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	ctx := context.Background()
	m, pw := e.member(forum.RoleMember, "commune")
	const addr = "lecteur.axe@example.org"
	if err := e.digest.SubscribeEmail(ctx, addr, "fr", digest.SubscribeInput{Theme: "sig", Frequency: "daily"}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.SubscriberByEmail(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	base := e.ts.URL
	b := browsertest.New(t)

	anon := b.Ctx()
	// Chromium asks for English: the language switcher sets French (a
	// cookie that the other tabs share).
	brVisit(t, anon, base+"/", 200)
	if brEval[string](t, anon, `document.documentElement.lang`) != "fr" {
		brSubmit(t, anon, "switch to French", 200, chromedp.Click(chromedp.CSS(`form.lang-switch button`)))
	}
	for _, p := range []struct{ name, path, h1 string }{
		{"données personnelles", "/confidentialite", "Données personnelles"},
		{"déclaration d'accessibilité", "/accessibilite", "Déclaration d'accessibilité"},
		{"désabonnement avec effacement", "/subscriptions/unsubscribe?token=" + url.QueryEscape(tokenOf(e.digest.UnsubscribeURL(sub.ID, ""))), "Se désabonner"},
	} {
		brVisit(t, anon, base+p.path, 200)
		brAudit(t, b, anon, p.name, p.h1)
	}

	tab := b.NewTab(t)
	browserLogin(t, tab, base, m, pw)
	brVisit(t, tab, base+"/account", 200)
	if !brEval[bool](t, tab, `!!document.querySelector('a[href="/account/export"]') && !!document.querySelector('a[href="/account/delete"]')`) {
		t.Fatal("the account page does not link to the export and the deletion")
	}
	brAudit(t, b, tab, "mon compte (liens données personnelles)", "Mon compte")
	brVisit(t, tab, base+"/account/delete", 200)
	brAudit(t, b, tab, "suppression du compte", "Supprimer mon compte")
	// With a wrong password: the error is shown and tied to its field.
	brDo(t, tab, "type a wrong password", chromedp.SendKeys(chromedp.CSS("#password"), "pas-le-bon-mot-de-passe"))
	brSubmit(t, tab, "submit with a wrong password", 400, chromedp.Submit(chromedp.CSS("#password")))
	if !brEval[bool](t, tab, `document.getElementById("password").getAttribute("aria-describedby") === "password-error"`) {
		t.Fatal("the password error is not tied to its field")
	}
	brAudit(t, b, tab, "suppression du compte avec erreur", "Supprimer mon compte")

	// The English pages.
	brSubmit(t, tab, "switch to English", 200, chromedp.Click(chromedp.CSS(`form.lang-switch button`)))
	for _, p := range []struct{ name, path, h1 string }{
		{"personal data", "/confidentialite", "Personal data"},
		{"accessibility statement", "/accessibilite", "Accessibility statement"},
	} {
		brVisit(t, tab, base+p.path, 200)
		brAudit(t, b, tab, p.name, p.h1)
	}
}
