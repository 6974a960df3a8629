package server_test

import (
	"testing"

	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/chromedp"
)

// TestProConnectPagesHaveNoAxeViolations audits /login with the ProConnect
// button and the refusal page a stranger gets when the club opens no
// account, in French and in English: the button is followed through the
// in-process provider and back.
func TestProConnectPagesHaveNoAxeViolations(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	op := newTestOP(t)
	e := newEnv(t, withOIDC(op, forum.SignupPolicy{Mode: forum.SignupClosed}))
	op.Next = agent("etranger", "inconnu@ville-exemple.fr", true)
	base := e.ts.URL
	b := browsertest.New(t)
	tab := b.Ctx()
	brVisit(t, tab, base+"/", 200)
	if brEval[string](t, tab, `document.documentElement.lang`) != "fr" {
		brSubmit(t, tab, "switch to French", 200, chromedp.Click(chromedp.CSS(`form.lang-switch button`)))
	}
	for _, lang := range []struct{ login, button, refused, lang string }{
		{"Connexion", "Se connecter avec ProConnect", "Accès refusé", "fr"},
		{"Log in", "Log in with ProConnect", "Access denied", "en"},
	} {
		brVisit(t, tab, base+"/login", 200)
		if got := brText(t, tab, `a[href^="/login/proconnect"]`); got != lang.button {
			t.Fatalf("%s: button %q, want %q", lang.lang, got, lang.button)
		}
		brAudit(t, b, tab, "login with ProConnect ("+lang.lang+")", lang.login)
		brSubmit(t, tab, "follow the ProConnect button", 403, chromedp.Click(chromedp.CSS(`a[href^="/login/proconnect"]`)))
		brAudit(t, b, tab, "ProConnect refusal ("+lang.lang+")", lang.refused)
		if lang.lang == "fr" {
			brVisit(t, tab, base+"/", 200)
			brSubmit(t, tab, "switch to English", 200, chromedp.Click(chromedp.CSS(`form.lang-switch button`)))
		}
	}
}
