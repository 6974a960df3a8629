package server_test

import (
	"context"
	"strings"
	"testing"

	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// brEnglish makes the tab's browser ask for English pages (the language
// cookie the footer's switcher sets).
func brEnglish(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "cf_lang", Value: "en", URL: base}); err != nil {
		t.Fatalf("set the language cookie: %v", err)
	}
}

// brFrenchInChrome lists the interface texts (labels, buttons, navigation,
// headings, hints) of the page that still read as French. Posts, titles and
// names written by members are not interface text and are left out.
const brFrenchInChrome = `(() => {
	const french = /\b(les|des|une|votre|vos|aux|du|est|sont|pour|avec|dans|sur|ce|cette|connecter|abonnement|fil|message|réponse|thème|collectivité)\b/i;
	const out = [];
	for (const e of document.querySelectorAll("label, button, legend, th, nav a, .hint, h2, summary, .skip-link, .site-footer p, option")) {
		if (e.closest(".post-body, .lang-switch")) continue;
		const text = (e.innerText || e.textContent || "").replace(/\s+/g, " ").trim();
		if (text && french.test(text)) out.push(text.slice(0, 80));
	}
	return out;
})()`

// TestEnglishPagesHaveNoAxeViolations audits the main pages in English, as
// the issue asks: home, theme, thread, new thread, login, moderation queue
// and subscriptions, and checks that their interface is in English.
func TestEnglishPagesHaveNoAxeViolations(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "region")
	member, mempw := e.member(forum.RoleMember, "commune")
	nc, npw := e.newcomer("intercommunalite")
	mc, ac, ncc := e.login(mod, mpw), e.login(member, mempw), e.login(nc, npw)
	s := browserSeedThread(t, ac, mc)
	ncc.modNewThread("sig", []string{"intercommunalite"}, "Cadastre solaire intercommunal", "Qui a un **cadastre solaire** ?")

	base := e.ts.URL
	b := browsertest.New(t)
	ctx := b.Ctx()
	brEnglish(t, ctx, base)

	audit := func(name, path string) {
		t.Helper()
		brVisit(t, ctx, base+path, 200)
		if lang := brEval[string](t, ctx, `document.documentElement.lang`); lang != "en" {
			t.Fatalf("%s: <html lang=%q>, want en", name, lang)
		}
		if left := brEval[[]string](t, ctx, brFrenchInChrome); len(left) > 0 {
			t.Errorf("%s: French left in the English interface: %q", name, left)
		}
		browsertest.AssertNoViolations(t, name+" (en)", b.Axe(t, ctx))
	}
	audit("home", "/")
	audit("theme", "/themes/reseaux?authority_type=commune")
	audit("thread", "/threads/"+s.threadID)
	audit("login", "/login")
	audit("subscriptions (anonymous)", "/subscriptions")

	// Log in through the English form.
	brVisit(t, ctx, base+"/login", 200)
	brDo(t, ctx, "fill the login form",
		chromedp.SendKeys(chromedp.CSS("#email"), member.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), mempw),
	)
	brSubmit(t, ctx, "log in", 200, chromedp.Submit(chromedp.CSS("#password")))
	if got := brText(t, ctx, `.site-header a[href="/account"]`); got != member.DisplayName {
		t.Fatalf("after login the header shows %q", got)
	}
	audit("new thread", "/threads/new")
	audit("thread (member)", "/threads/"+s.threadID)
	audit("subscriptions (member)", "/subscriptions")
	brSubmit(t, ctx, "log out", 200, chromedp.Click(chromedp.CSS(`.site-header form[action="/logout"] button`)))

	brVisit(t, ctx, base+"/login", 200)
	brDo(t, ctx, "fill the login form",
		chromedp.SendKeys(chromedp.CSS("#email"), mod.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), mpw),
	)
	brSubmit(t, ctx, "log in", 200, chromedp.Submit(chromedp.CSS("#password")))
	audit("moderation queue", "/moderation")
	if n := brEval[int](t, ctx, `document.querySelectorAll(".queue-item").length`); n != 1 {
		t.Fatalf("the English queue shows %d items, want 1", n)
	}
}

// TestKeyboardSubscribe follows a theme with the keyboard only, then finds
// the subscription on the member's page.
func TestKeyboardSubscribe(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	base := e.ts.URL
	b := browsertest.New(t)
	ctx := b.Ctx()
	browserLogin(t, ctx, base, m, pw)
	brVisit(t, ctx, base+"/themes/sig", 200)

	// Tab from the top of the page until the follow form's frequency.
	var f brFocus
	for i := 0; i < 60; i++ {
		if f = brTab(t, b, ctx); f.ID == "follow-frequency" {
			break
		}
	}
	if f.ID != "follow-frequency" {
		t.Fatal("Tab never reached the follow form's frequency")
	}
	brAssertFocusVisible(t, f)
	brKeys(t, ctx, kb.ArrowDown)
	if v := brEval[string](t, ctx, `document.activeElement.value`); v != "weekly" {
		t.Fatalf("ArrowDown chose %q, want weekly", v)
	}
	if f = brTab(t, b, ctx); f.Tag != "button" || f.Text != "Suivre" {
		t.Fatalf("Tab from the frequency focuses %s %q, want the Suivre button", f.Tag, f.Text)
	}
	brAssertFocusVisible(t, f)
	brSubmit(t, ctx, "follow with Enter", 200, chromedp.KeyEvent(kb.Enter))
	if got := brText(t, ctx, ".notice"); !strings.Contains(got, "Abonnement enregistré") {
		t.Fatalf("after following, the notice is %q", got)
	}
	brVisit(t, ctx, base+"/subscriptions", 200)
	if got := brText(t, ctx, "main"); !strings.Contains(got, "SIG") || !strings.Contains(got, "semaine") {
		t.Fatalf("the subscriptions page does not list the weekly SIG subscription:\n%s", got)
	}
}
