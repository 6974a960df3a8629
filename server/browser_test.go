package server_test

// Browser tests: the forum's real pages in headless chromium (see
// internal/browsertest). They audit the pages with axe-core, drive them with
// the keyboard only and watch the live Markdown preview. They never skip: a
// missing chromium or axe-core fails them.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browserRichBody is a post that uses every Markdown construct the
// editor's help names: headings, emphasis, lists, a task list, a link, code and a table.
const browserRichBody = "## Retour d'expérience\n\n" +
	"Nous avons migré **douze sites** vers la fibre noire, _sans coupure_ notable.\n\n" +
	"- Étude de l'existant\n- Consultation des opérateurs\n- Bascule site par site\n\n" +
	"1. Recenser les liens\n2. Chiffrer\n\n" +
	"- [x] Cahier des charges rédigé\n- [ ] Recette de la redondance\n\n" +
	"Voir la [documentation de l'ANSSI](https://cyber.gouv.fr/publications) et le code `show interfaces` :\n\n" +
	"```\nrouter ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n```\n\n" +
	"| Site | Débit | Coût annuel |\n|:-----|------:|:-----------:|\n| Mairie | 1 Gbit/s | 4 800 € |\n| Médiathèque | 500 Mbit/s | 2 100 € |\n\n" +
	"> Une citation d'un collègue de la région.\n"

// browserSeed is the content that the browser tests find on the forum.
type browserSeed struct {
	threadID, firstPostID, replyID string
	title                          string
}

// browserSeedThread publishes, through the API, a thread with
// browserRichBody written by author and a reply written by replier.
func browserSeedThread(t *testing.T, author, replier *client) browserSeed {
	t.Helper()
	s := browserSeed{title: "Fibre noire entre les sites de la commune"}
	s.threadID, s.firstPostID = author.createThread("reseaux", []string{"commune", "region"}, s.title, browserRichBody)
	status, out := replier.api("POST", "/api/v1/threads/"+s.threadID+"/posts", map[string]any{"body": "Merci, **très utile**. Quel opérateur avez-vous retenu ?"})
	if status != 201 {
		t.Fatalf("reply: %d %v", status, out)
	}
	s.replyID = out["post"].(map[string]any)["id"].(string)
	return s
}

// brVisit loads url in the tab and fails the test unless the server answers
// with the status want.
func brVisit(t *testing.T, ctx context.Context, url string, want int64) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	if resp.Status != want {
		t.Fatalf("%s: HTTP %d, want %d", url, resp.Status, want)
	}
}

// brText returns the visible text of the first element that sel matches.
func brText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// brEval evaluates a JavaScript expression in the tab.
func brEval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// brDo runs actions that return nothing, failing the test on error.
func brDo(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// brSubmit runs the action that submits a form (a key press, a click) and
// waits for the page that answers it, which must have the status want.
func brSubmit(t *testing.T, ctx context.Context, what string, want int64, trigger chromedp.Action[chromedp.Void]) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, trigger)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != want {
		t.Fatalf("%s: HTTP %d (%s), want %d", what, resp.Status, resp.URL, want)
	}
}

// browserLogin logs m in through the /login form of the tab and checks that
// the header then shows the member's name.
func browserLogin(t *testing.T, ctx context.Context, base string, m *forum.Member, pw string) {
	t.Helper()
	brVisit(t, ctx, base+"/login", 200)
	brDo(t, ctx, "fill the login form",
		chromedp.SendKeys(chromedp.CSS("#email"), m.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
	)
	brSubmit(t, ctx, "log in", 200, chromedp.Submit(chromedp.CSS("#password")))
	if got := brText(t, ctx, `nav[aria-label="Compte"] a[href="/account"]`); got != m.DisplayName {
		t.Fatalf("after login the header shows %q, want %q", got, m.DisplayName)
	}
}

// browserLogout presses the header's "Se déconnecter" button.
func browserLogout(t *testing.T, ctx context.Context) {
	t.Helper()
	// On a narrow screen the header's links are in its folded menu: open it.
	const openMenu = `(() => { const m = document.querySelector(".site-menu"); if (m) { m.open = true; } return true; })()`
	brEval[bool](t, ctx, openMenu)
	brSubmit(t, ctx, "log out", 200, chromedp.Click(chromedp.CSS(`nav[aria-label="Compte"] button[type=submit]`)))
	brEval[bool](t, ctx, openMenu)
	if got := brText(t, ctx, `nav[aria-label="Compte"]`); !strings.Contains(got, "Se connecter") {
		t.Fatalf("after logout the header shows %q", got)
	}
}

// brAudit checks that the tab's page shows heading h1 (so that the right page
// is audited) and has no axe-core violation.
func brAudit(t *testing.T, b *browsertest.Browser, ctx context.Context, name, h1 string) {
	t.Helper()
	if got := brText(t, ctx, "h1"); !strings.Contains(got, h1) {
		t.Fatalf("%s: heading %q, want one containing %q", name, got, h1)
	}
	browsertest.AssertNoViolations(t, name, b.Axe(t, ctx))
}

// brColorScheme emulates prefers-color-scheme (value "" ends the emulation).
func brColorScheme(t *testing.T, ctx context.Context, value string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: value}},
	}); err != nil {
		t.Fatalf("emulate prefers-color-scheme %q: %v", value, err)
	}
}

func TestPagesHaveNoAxeViolations(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	start := time.Now()
	e := newEnv(t)
	admin, adminPW := e.member(forum.RoleAdmin, "region")
	member, memberPW := e.member(forum.RoleMember, "commune")
	adminAPI, memberAPI := e.login(admin, adminPW), e.login(member, memberPW)
	s := browserSeedThread(t, adminAPI, memberAPI)
	if status, out := adminAPI.api("POST", "/api/v1/invites", map[string]any{"email": "nouvelle.dsi@exemple-commune.fr", "role": "member"}); status != 201 {
		t.Fatalf("invite: %d %v", status, out)
	}
	base := e.ts.URL
	thread := base + "/threads/" + s.threadID

	b := browsertest.New(t)

	// Anonymous visitor.
	anon := b.Ctx()
	for _, p := range []struct {
		name, path string
		status     int64
		h1         string
	}{
		{"accueil (anonyme)", "/", 200, ""},
		{"thème", "/themes/reseaux", 200, "Réseaux"},
		{"thème filtré par type", "/themes/reseaux?authority_type=commune", 200, "Réseaux"},
		{"type de collectivité", "/authority-types/commune", 200, "Communes"},
		{"fil (anonyme)", "/threads/" + s.threadID, 200, s.title},
		{"connexion", "/login", 200, "Connexion"},
		{"abonnement par courriel (anonyme)", "/subscriptions", 200, "S'abonner par courriel"},
		{"lien de désabonnement invalide", "/subscriptions/unsubscribe?token=faux", 404, "Lien invalide"},
		{"page introuvable", "/cette-page-n-existe-pas", 404, "Page introuvable"},
	} {
		brVisit(t, anon, base+p.path, p.status)
		if strings.HasPrefix(p.path, "/threads/") {
			// The audit must see every construct of the rich body.
			for _, sel := range []string{".post-body table th", ".post-body pre code", ".post-body li input[type=checkbox]", ".post-body a[href^='https://']", ".post-body ol li", ".post-body blockquote"} {
				if n := brEval[int](t, anon, fmt.Sprintf("document.querySelectorAll(%q).length", sel)); n == 0 {
					t.Fatalf("the thread page has no %s: the rich Markdown was not rendered", sel)
				}
			}
		}
		brAudit(t, b, anon, p.name, p.h1)
	}

	// Member, in a tab of its own (the cookies are shared).
	tab := b.NewTab(t)
	browserLogin(t, tab, base, member, memberPW)
	for _, p := range []struct{ name, path, h1, check string }{
		{"nouveau fil", "/threads/new", "Nouveau fil de discussion", `!!document.querySelector("form select#theme")`},
		{"fil avec formulaire de réponse", "/threads/" + s.threadID, s.title, `!!document.querySelector("section.reply form textarea#body")`},
		{"réponse avec citation", "/threads/" + s.threadID + "/reply?quote=" + s.firstPostID, "Répondre à", `document.getElementById("body").value.includes("douze sites")`},
		{"modification d'un message", "/posts/" + s.replyID + "/edit", "Modifier le message", `document.getElementById("body").value.includes("très utile")`},
		{"mon compte", "/account", "Mon compte", `!!document.querySelector("form input#current_password")`},
		{"mes abonnements", "/subscriptions", "Mes abonnements", `!!document.querySelector("form select#sub-frequency")`},
	} {
		brVisit(t, tab, base+p.path, 200)
		if !brEval[bool](t, tab, p.check) {
			t.Fatalf("%s: the page is not in the expected state (%s)", p.path, p.check)
		}
		brAudit(t, b, tab, p.name+" (membre)", p.h1)
	}

	// The thread page in dark mode: contrast must hold in both schemes. A
	// fresh tab (same cookies) keeps each tab well within its time limit.
	tab = b.NewTab(t)
	brVisit(t, tab, thread, 200)
	brColorScheme(t, tab, "dark")
	if !brEval[bool](t, tab, `matchMedia("(prefers-color-scheme: dark)").matches`) {
		t.Fatal("dark mode emulation did not take effect")
	}
	bg := brEval[string](t, tab, `getComputedStyle(document.body).backgroundColor`)
	if bg == "rgb(255, 255, 255)" {
		t.Fatalf("dark mode: body background is still %s", bg)
	}
	brAudit(t, b, tab, "fil (membre, mode sombre)", s.title)
	brColorScheme(t, tab, "")

	// A 320 px wide screen (WCAG 1.4.10 reflow): no horizontal scrolling.
	brDo(t, tab, "emulate a 320 px viewport", chromedp.EmulateViewport(320, 640))
	for _, path := range []string{"/threads/" + s.threadID, "/threads/new", "/"} {
		brVisit(t, tab, base+path, 200)
		w := brEval[struct {
			Inner  int `json:"inner"`
			Scroll int `json:"scroll"`
		}](t, tab, `({inner: window.innerWidth, scroll: document.documentElement.scrollWidth})`)
		if w.Inner != 320 {
			t.Fatalf("viewport emulation: window.innerWidth = %d, want 320", w.Inner)
		}
		if w.Scroll > 320+1 {
			wide := brEval[string](t, tab, `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > 321).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")).join(", ")`)
			t.Errorf("%s at 320 px: scrollWidth = %d, the page scrolls horizontally (too wide: %s)", path, w.Scroll, wide)
		}
	}
	brDo(t, tab, "reset the viewport", chromedp.ResetViewport())

	// The new-thread form after a failed submit, errors shown.
	brVisit(t, tab, base+"/threads/new", 200)
	brSubmit(t, tab, "submit the empty new-thread form", 422, chromedp.Click(chromedp.CSS(`button[value="publish"]`)))
	if n := brEval[int](t, tab, `document.querySelectorAll(".error-summary, .field-error, [aria-invalid=true]").length`); n < 3 {
		t.Fatalf("failed submit: only %d error elements shown", n)
	}
	if !brEval[bool](t, tab, `document.activeElement.classList.contains("error-summary")`) {
		t.Error("failed submit: the error summary does not get the focus")
	}
	brAudit(t, b, tab, "nouveau fil avec erreurs (membre)", "Nouveau fil de discussion")
	browserLogout(t, tab)

	// Administrator.
	tab = b.NewTab(t)
	browserLogin(t, tab, base, admin, adminPW)
	for _, p := range []struct{ name, path, h1 string }{
		{"administration des thèmes", "/admin/themes", "thèmes"},
		{"administration des invitations", "/admin/invites", "invitations"},
	} {
		brVisit(t, tab, base+p.path, 200)
		brAudit(t, b, tab, p.name, p.h1)
	}
	if !strings.Contains(brText(t, tab, "table"), "nouvelle.dsi@exemple-commune.fr") {
		t.Fatal("the invitations page does not list the invitation")
	}
	t.Logf("16 audits in %v", time.Since(start).Round(time.Millisecond))
}

// brFocus describes document.activeElement for the keyboard test.
type brFocus struct {
	Tag     string `json:"tag"`
	ID      string `json:"id"`
	Value   string `json:"value"`
	Text    string `json:"text"`
	Checked bool   `json:"checked"`
	InMain  bool   `json:"inMain"`
	Outline string `json:"outline"`
	Width   string `json:"width"`
}

// brFocusedJS describes document.activeElement: what it is, its state and
// its computed outline.
const brFocusedJS = `(() => {
	const e = document.activeElement || document.body;
	const cs = getComputedStyle(e);
	return {tag: e.tagName.toLowerCase(), id: e.id || "", value: e.value || "",
		text: (e.innerText || "").replace(/\s+/g, " ").trim(), checked: !!e.checked,
		inMain: !!document.querySelector("main") && document.querySelector("main").contains(e),
		outline: cs.outlineStyle, width: cs.outlineWidth};
})()`

func brFocused(t *testing.T, ctx context.Context) brFocus {
	t.Helper()
	return brEval[brFocus](t, ctx, brFocusedJS)
}

// brTab presses Tab and returns the newly focused element.
func brTab(t *testing.T, b *browsertest.Browser, ctx context.Context) brFocus {
	t.Helper()
	if err := b.PressTab(ctx); err != nil {
		t.Fatal(err)
	}
	return brFocused(t, ctx)
}

// brKeys types s into the focused element, as a keyboard would.
func brKeys(t *testing.T, ctx context.Context, s string) {
	t.Helper()
	brDo(t, ctx, fmt.Sprintf("type %q", s), chromedp.KeyEvent(s))
}

// brAssertFocusVisible fails when the focused element draws no outline.
func brAssertFocusVisible(t *testing.T, f brFocus) {
	t.Helper()
	if f.Outline == "none" || f.Width == "0px" {
		t.Errorf("focused %s %q has no visible focus indicator (outline-style %s, outline-width %s)", f.Tag, f.Text, f.Outline, f.Width)
	}
}

func TestKeyboardLoginAndPost(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	base := e.ts.URL
	b := browsertest.New(t)
	ctx := b.Ctx()

	brVisit(t, ctx, base+"/login", 200)
	// The first Tab reaches the skip link, drawn with a visible outline.
	f := brTab(t, b, ctx)
	if f.Tag != "a" || f.Text != "Aller au contenu" {
		t.Fatalf("first Tab focuses %s %q, want the skip link", f.Tag, f.Text)
	}
	brAssertFocusVisible(t, f)
	if vis := brEval[bool](t, ctx, `(() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.width > 0; })()`); !vis {
		t.Error("the focused skip link is not on screen")
	}
	// The next link (the forum's name) shows its focus too.
	f = brTab(t, b, ctx)
	if f.Tag != "a" || !strings.Contains(f.Text, "coterforum") {
		t.Fatalf("second Tab focuses %s %q, want the home link", f.Tag, f.Text)
	}
	brAssertFocusVisible(t, f)
	if err := b.PressShiftTab(ctx); err != nil {
		t.Fatal(err)
	}
	// Enter follows the skip link: the focus moves into main.
	brKeys(t, ctx, kb.Enter)
	if f = brFocused(t, ctx); !f.InMain {
		t.Fatalf("after Enter on the skip link the focus is on %s#%s, outside main", f.Tag, f.ID)
	}

	// Log in with the keyboard only.
	if f = brTab(t, b, ctx); f.ID != "email" {
		t.Fatalf("Tab from the main content focuses %s#%s, want #email", f.Tag, f.ID)
	}
	brKeys(t, ctx, m.Email)
	if f = brTab(t, b, ctx); f.ID != "password" {
		t.Fatalf("Tab from the email focuses %s#%s, want #password", f.Tag, f.ID)
	}
	brKeys(t, ctx, pw)
	brSubmit(t, ctx, "log in with Enter", 200, chromedp.KeyEvent(kb.Enter))
	if got := brText(t, ctx, `nav[aria-label="Compte"] a[href="/account"]`); got != m.DisplayName {
		t.Fatalf("after login the header shows %q, want %q", got, m.DisplayName)
	}

	// Write a new thread with the keyboard only.
	brVisit(t, ctx, base+"/threads/new", 200)
	brDo(t, ctx, "focus the theme", chromedp.Focus(chromedp.CSS("#theme")))
	brKeys(t, ctx, kb.ArrowDown)
	if v := brEval[string](t, ctx, `document.getElementById("theme").value`); v != "reseaux" {
		t.Fatalf("ArrowDown on the theme select chose %q, want reseaux", v)
	}
	// The member's own authority type comes checked; Space checks another.
	if f = brTab(t, b, ctx); f.Value != "commune" || !f.Checked {
		t.Fatalf("Tab from the theme focuses %s %q (checked %v), want the checked commune box", f.Tag, f.Value, f.Checked)
	}
	if f = brTab(t, b, ctx); f.Value != "intercommunalite" || f.Checked {
		t.Fatalf("second Tab focuses %s %q (checked %v), want the unchecked intercommunalite box", f.Tag, f.Value, f.Checked)
	}
	brKeys(t, ctx, " ")
	if f = brFocused(t, ctx); !f.Checked {
		t.Fatal("Space did not check the intercommunalite box")
	}
	for _, want := range []string{"departement", "region"} {
		if f = brTab(t, b, ctx); f.Value != want {
			t.Fatalf("Tab focuses %s %q, want the %s box", f.Tag, f.Value, want)
		}
	}
	if f = brTab(t, b, ctx); f.ID != "title" {
		t.Fatalf("Tab focuses %s#%s, want #title", f.Tag, f.ID)
	}
	title := "Wi-Fi public dans les mediatheques"
	brKeys(t, ctx, title)
	if f = brTab(t, b, ctx); f.ID != "body" {
		t.Fatalf("Tab focuses %s#%s, want the message #body", f.Tag, f.ID)
	}
	brKeys(t, ctx, "Quel **portail captif** utilisez-vous ?\n\n- authentification par SMS\n- journalisation\n")
	// The file input of the attachments comes before the buttons.
	if f = brTab(t, b, ctx); f.ID != "files" {
		t.Fatalf("Tab focuses %s#%s, want the file input #files", f.Tag, f.ID)
	}
	if f = brTab(t, b, ctx); f.Tag != "button" || f.Text != "Publier le fil" {
		t.Fatalf("Tab focuses %s %q, want the \"Publier le fil\" button", f.Tag, f.Text)
	}
	brAssertFocusVisible(t, f)
	brSubmit(t, ctx, "publish with Enter", 200, chromedp.KeyEvent(kb.Enter))

	if got := brText(t, ctx, "h1"); got != title {
		t.Fatalf("after publishing, the heading is %q, want %q", got, title)
	}
	html, err := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS(".post-body")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<strong>portail captif</strong>", "<li>authentification par SMS</li>", "<li>journalisation</li>"} {
		if !strings.Contains(html, want) {
			t.Errorf("the published post lacks %s:\n%s", want, html)
		}
	}
	if meta := brText(t, ctx, ".thread-header .meta"); !strings.Contains(meta, "Réseaux") || !strings.Contains(meta, "Intercommunalit") {
		t.Errorf("the thread's theme and authority types are wrong: %q", meta)
	}
}

func TestLivePreview(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "departement")
	s := browserSeedThread(t, e.login(m, pw), e.login(m, pw))
	base := e.ts.URL
	b := browsertest.New(t)
	ctx := b.Ctx()

	browserLogin(t, ctx, base, m, pw)
	brVisit(t, ctx, base+"/threads/"+s.threadID, 200)
	// Record any script element that ever enters the preview, and any alert.
	brEval[chromedp.Void](t, ctx, `(() => {
		window.__scripts = 0; window.__alerts = 0;
		window.alert = () => { window.__alerts++; };
		new MutationObserver((records) => {
			for (const r of records) for (const n of r.addedNodes) {
				if (n.nodeType === 1 && (n.tagName === "SCRIPT" || n.querySelector("script"))) window.__scripts++;
			}
		}).observe(document.getElementById("preview-output"), {childList: true, subtree: true});
	})()`)

	start := time.Now()
	brDo(t, ctx, "type in the reply", chromedp.SendKeys(chromedp.CSS("textarea#body"), "**gras** et _italique_"))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("preview-output").innerHTML.includes("<strong>gras</strong>")`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS("#preview-output")))
		t.Fatalf("no <strong>gras</strong> in the preview 5 s after typing (%v); it holds: %s", err, got)
	}
	t.Logf("preview shown %v after the typing started", time.Since(start).Round(time.Millisecond))
	if got, _ := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS("#preview-output"))); !strings.Contains(got, "<em>italique</em>") {
		t.Errorf("the preview lacks <em>italique</em>: %s", got)
	}
	// The counter shows the characters used out of the limit.
	if got := brEval[string](t, ctx, `document.querySelector("[data-counter-for=body]").textContent`); !strings.HasPrefix(got, "22 / 32") {
		t.Errorf("character counter = %q, want 22 / 32 000", got)
	}

	// Replace the text with a script: the preview must never hold one.
	brEval[chromedp.Void](t, ctx, `document.getElementById("body").select()`)
	brKeys(t, ctx, "<script>alert(1)</script>\n\nfin du test <script>alert(2)</script>")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const h = document.getElementById("preview-output").innerHTML; return !h.includes("gras") && h.includes("fin du test"); })()`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.InnerHTML(chromedp.CSS("#preview-output")))
		t.Fatalf("the preview did not follow the new text within 5 s (%v); it holds: %s", err, got)
	}
	time.Sleep(600 * time.Millisecond) // a late preview request would land by now
	r := brEval[struct {
		Scripts  int    `json:"scripts"`
		Observed int    `json:"observed"`
		Alerts   int    `json:"alerts"`
		HTML     string `json:"html"`
	}](t, ctx, `({scripts: document.querySelectorAll("#preview-output script").length, observed: window.__scripts,
		alerts: window.__alerts, html: document.getElementById("preview-output").innerHTML})`)
	if r.Scripts != 0 || r.Observed != 0 || r.Alerts != 0 || strings.Contains(strings.ToLower(r.HTML), "<script") {
		t.Fatalf("a script reached the preview: %d now, %d seen, %d alerts; html: %s", r.Scripts, r.Observed, r.Alerts, r.HTML)
	}
}
