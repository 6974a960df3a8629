package server_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// brRect is an element's box in the viewport, from getBoundingClientRect.
type brRect struct {
	Top    float64 `json:"top"`
	Bottom float64 `json:"bottom"`
	Height float64 `json:"height"`
	Width  float64 `json:"width"`
}

// brBox returns the box of the first element matching sel (the test fails
// when there is none).
func brBox(t *testing.T, ctx context.Context, sel string) brRect {
	t.Helper()
	ok := brEval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector(%q)`, sel))
	if !ok {
		t.Fatalf("no element %s", sel)
	}
	return brEval[brRect](t, ctx, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return {top: r.top, bottom: r.bottom, height: r.height, width: r.width}; })()`, sel))
}

// brVisible reports whether the first element matching sel is rendered
// (not in a closed <details>, not display:none).
func brVisible(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	return brEval[bool](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q);
		return !!e && e.checkVisibility() && e.getBoundingClientRect().width > 0; })()`, sel))
}

// TestPhoneLayoutPutsContentFirst checks, at 375 × 667 (a phone) and
// 1280 × 900, in French and English, logged in as a moderator (the fullest
// header): the first thread of the home page and of a theme listing, and the
// first post of a thread, start above the fold; on the phone the header is
// one row whose menu (a <details>) opens with the keyboard, shows a visible
// focus and leads into the search box; on the wide screen the navigation is
// inline, the menu button absent, and the search box as tall as its button.
// axe-core finds nothing on any of these pages, menu open or closed. The
// admin's themes page, at both sizes, shows the shared form style: name
// fields of a readable width, selects that show their whole choice.
// Screenshots go to $COTERFORUM_SCREENSHOTS when set.
func TestPhoneLayoutPutsContentFirst(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "region")
	member, mempw := e.member(forum.RoleMember, "commune")
	admin, adminPW := e.member(forum.RoleAdmin, "departement")
	mc, ac := e.login(mod, mpw), e.login(member, mempw)
	for i := range 3 {
		ac.createThread("reseaux", []string{"commune"}, fmt.Sprintf("Supervision du réseau, retour d'expérience %d", i+1), "Quels outils utilisez-vous ?")
	}
	s := browserSeedThread(t, ac, mc)
	long, _ := ac.createThread("portails", []string{"commune"}, "Refonte du portail citoyen", strings.Repeat(
		"Nous avons refondu le portail de la commune avec un prestataire local, en gardant les démarches en ligne existantes et le compte citoyen. ", 8))
	shots := os.Getenv("COTERFORUM_SCREENSHOTS")

	b := browsertest.New(t)
	ctx := b.Ctx()
	base := e.ts.URL
	brVisit(t, ctx, base+"/login", 200)
	brDo(t, ctx, "fill the login form", chromedp.SendKeys(chromedp.CSS("#email"), mod.Email), chromedp.SendKeys(chromedp.CSS("#password"), mpw))
	brSubmit(t, ctx, "log in", 200, chromedp.Submit(chromedp.CSS("#password")))

	pages := []struct{ name, path, first string }{
		{"home", "/", ".thread-item .thread-title"},
		{"theme", "/themes/reseaux", ".thread-item .thread-title"},
		{"thread", "/threads/" + s.threadID, ".post .post-header"},
	}
	for _, vp := range []struct {
		w, h  int64
		phone bool
	}{{375, 667, true}, {1280, 900, false}} {
		for _, lang := range []string{"fr", "en"} {
			ctx = b.NewTab(t) // a tab lives a minute; the session cookie is shared
			brVisit(t, ctx, base+"/", 200)
			brDo(t, ctx, "set the viewport", chromedp.EmulateViewport(vp.w, vp.h))
			brEval[string](t, ctx, `document.cookie = "cf_lang=`+lang+`; path=/"`)
			for _, p := range pages {
				name := fmt.Sprintf("%s %dpx (%s)", p.name, vp.w, lang)
				brVisit(t, ctx, base+p.path, 200)
				if got := brEval[string](t, ctx, `document.documentElement.lang`); got != lang {
					t.Fatalf("%s: page in %q", name, got)
				}
				first := brBox(t, ctx, p.first)
				if first.Bottom > float64(vp.h) || first.Height == 0 {
					t.Errorf("%s: the first %s ends at %.0f px, below the fold (%d px)", name, p.first, first.Bottom, vp.h)
				}
				if w := brEval[float64](t, ctx, `document.documentElement.scrollWidth`); w > float64(vp.w) {
					t.Errorf("%s: the page is %.0f px wide, wider than the screen", name, w)
				}
				header := brBox(t, ctx, ".site-header")
				if vp.phone && header.Height > 64 {
					t.Errorf("%s: the header is %.0f px tall", name, header.Height)
				}
				t.Logf("%s: header %.0f px, first %s from %.0f to %.0f px", name, header.Height, p.first, first.Top, first.Bottom)
				if shots != "" {
					b.Screenshot(t, ctx, filepath.Join(shots, fmt.Sprintf("%s-%d-%s.png", p.name, vp.w, lang)))
				}
				browsertest.AssertNoViolations(t, name, b.Axe(t, ctx))
			}

			brVisit(t, ctx, base+"/", 200)
			if vp.phone {
				if brVisible(t, ctx, ".themes-nav a") || brVisible(t, ctx, "#site-search-q") {
					t.Fatalf("phone (%s): the navigation shows before the menu is opened", lang)
				}
				// Tab from the top of the page to the menu's summary.
				found := false
				for range 4 {
					if err := b.PressTab(ctx); err != nil {
						t.Fatal(err)
					}
					if brEval[bool](t, ctx, `document.activeElement.matches(".site-menu > summary")`) {
						found = true
						break
					}
				}
				if !found {
					t.Fatalf("phone (%s): Tab never reaches the menu", lang)
				}
				if _, text, _ := b.FocusedElement(ctx); text != "Menu" {
					t.Errorf("phone (%s): the menu's label is %q", lang, text)
				}
				if !brEval[bool](t, ctx, `(() => { const e = document.activeElement; const s = getComputedStyle(e);
					return e.matches(":focus-visible") && s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; })()`) {
					t.Errorf("phone (%s): the focused menu shows no focus outline", lang)
				}
				brDo(t, ctx, "open the menu", chromedp.KeyEvent(kb.Enter))
				if !brEval[bool](t, ctx, `document.querySelector(".site-menu").open`) || !brVisible(t, ctx, ".themes-nav a") {
					t.Fatalf("phone (%s): Enter does not open the menu", lang)
				}
				if err := b.PressTab(ctx); err != nil {
					t.Fatal(err)
				}
				if tag, text, _ := b.FocusedElement(ctx); !brEval[bool](t, ctx, `document.activeElement.matches(".account-nav li:first-child a")`) {
					t.Errorf("phone (%s): after the menu, Tab goes to %s %q, not the menu's first link", lang, tag, text)
				}
				if r := brBox(t, ctx, ".themes-nav a"); r.Bottom > float64(vp.h) && r.Top > float64(vp.h) {
					t.Errorf("phone (%s): the open menu's themes are off screen", lang)
				}
				if shots != "" {
					b.Screenshot(t, ctx, filepath.Join(shots, "menu-open-375-"+lang+".png"))
				}
				browsertest.AssertNoViolations(t, "menu ouvert 375px ("+lang+")", b.Axe(t, ctx))
			} else {
				if brVisible(t, ctx, ".site-menu > summary") {
					t.Errorf("wide (%s): the menu button shows", lang)
				}
				for _, sel := range []string{".themes-nav a", `.account-nav a[href="/account"]`, "#site-search-q"} {
					if !brVisible(t, ctx, sel) {
						t.Errorf("wide (%s): %s is not shown inline", lang, sel)
					}
				}
				in, btn := brBox(t, ctx, "#site-search-q"), brBox(t, ctx, ".site-search button")
				if math.Abs(in.Height-btn.Height) > 1 || in.Width < 150 {
					t.Errorf("wide (%s): search box %.0f×%.0f px, its button %.0f px tall", lang, in.Width, in.Height, btn.Height)
				}
				if ph := brEval[string](t, ctx, `document.querySelector("#site-search-q").placeholder`); ph == "" {
					t.Errorf("wide (%s): the search box has no placeholder", lang)
				}
				// Reading width: the lines of a long paragraph hold about 75
				// characters (its length over its number of lines).
				brVisit(t, ctx, base+"/threads/"+long, 200)
				chars := brEval[float64](t, ctx, `(() => { const p = document.querySelector(".post-body p");
					const lines = Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
					return p.textContent.length / lines; })()`)
				t.Logf("wide (%s): about %.0f characters a line in a post", lang, chars)
				if chars < 60 || chars > 85 {
					t.Errorf("wide (%s): post lines hold about %.0f characters, not about 75", lang, chars)
				}
			}
		}
	}

	// The header's inline logout button works on a wide screen.
	brSubmit(t, ctx, "log out", 200, chromedp.Click(chromedp.CSS(`.account-nav form[action="/logout"] button`)))
	if brEval[bool](t, ctx, `!!document.querySelector('.account-nav a[href="/account"]')`) {
		t.Fatal("still logged in after logging out")
	}

	// The shared form style on the admin's themes page: fields of a
	// readable width, selects that show their whole choice.
	ctx = b.NewTab(t)
	brVisit(t, ctx, base+"/login", 200)
	brDo(t, ctx, "fill the login form", chromedp.SendKeys(chromedp.CSS("#email"), admin.Email), chromedp.SendKeys(chromedp.CSS("#password"), adminPW))
	brSubmit(t, ctx, "log in as admin", 200, chromedp.Submit(chromedp.CSS("#password")))
	for _, vp := range []struct{ w, h int64 }{{375, 667}, {1280, 900}} {
		brDo(t, ctx, "set the viewport", chromedp.EmulateViewport(vp.w, vp.h))
		brVisit(t, ctx, base+"/admin/themes", 200)
		name := fmt.Sprintf("admin themes %dpx", vp.w)
		if in := brBox(t, ctx, `main form input[name="name_fr"]`); in.Width < 240 || in.Height < 40 {
			t.Errorf("%s: a theme's name field is %.0f×%.0f px", name, in.Width, in.Height)
		}
		if cut := brEval[int](t, ctx, `Array.from(document.querySelectorAll("main select")).filter(s => {
				const c = document.createElement("canvas").getContext("2d"); c.font = getComputedStyle(s).font;
				return c.measureText(s.options[s.selectedIndex].text).width > s.clientWidth - 24; }).length`); cut > 0 {
			t.Errorf("%s: %d selects cut their choice", name, cut)
		}
		if w := brEval[float64](t, ctx, `document.documentElement.scrollWidth`); w > float64(vp.w) {
			t.Errorf("%s: the page is %.0f px wide", name, w)
		}
		if shots != "" {
			b.Screenshot(t, ctx, filepath.Join(shots, fmt.Sprintf("admin-themes-%d.png", vp.w)))
		}
		browsertest.AssertNoViolations(t, name, b.Axe(t, ctx))
	}
}
