package browsertest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const accessiblePage = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Recherche — Forum des DSI territoriaux</title>
<style>
body { font-family: sans-serif; color: #1a1a1a; background: #ffffff; margin: 2rem; }
a { color: #0b4f9c; }
button { color: #ffffff; background: #0b4f9c; border: 0; padding: .5rem 1rem; }
</style>
</head>
<body>
<header><a href="#contenu">Aller au contenu</a></header>
<main id="contenu">
<h1>Rechercher dans le forum</h1>
<p>Les fils de discussion sur les réseaux, les portails et l’état civil.</p>
<form action="/recherche" method="get">
<label for="q">Mots-clés</label>
<input id="q" name="q" type="search">
<button type="submit">Rechercher</button>
</form>
</main>
</body>
</html>`

const brokenPage = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Page cassée</title></head>
<body>
<main>
<h1>Page cassée</h1>
<img src="/logo.png">
<input type="text" name="nom">
<p style="color: #bbbbbb; background: #ffffff">Texte trop pâle pour être lu.</p>
</main>
</body>
</html>`

const keyboardPage = `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Clavier</title></head>
<body>
<main>
<h1>Navigation au clavier</h1>
<p><a href="#suite">Lire la suite</a></p>
<p><button type="button">Suivre ce fil</button></p>
</main>
</body>
</html>`

// servePages serves each page at its path, as text/html.
func servePages(t *testing.T, pages map[string]string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for path, body := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(body))
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestAccessiblePageHasNoViolations(t *testing.T) {
	srv := servePages(t, map[string]string{"/{$}": accessiblePage})
	b := New(t)
	ctx := b.Ctx()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(title, "Recherche") {
		t.Fatalf("title = %q: the page did not load", title)
	}
	vs := b.Axe(t, ctx)
	AssertNoViolations(t, "page accessible", vs)

	// A second audit of the same page reuses the injected axe-core.
	AssertNoViolations(t, "page accessible, second audit", b.Axe(t, ctx))
}

func TestBrokenPageReportsViolations(t *testing.T) {
	srv := servePages(t, map[string]string{"/{$}": brokenPage})
	b := New(t)
	ctx := b.Ctx()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	vs := b.Axe(t, ctx)
	ids := ViolationIDs(vs)
	for _, want := range []string{"image-alt", "label", "color-contrast", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe did not report %q; it reported %v", want, ids)
		}
	}
	for _, v := range vs {
		if v.Help == "" || v.Impact == "" || len(v.Nodes) == 0 {
			t.Errorf("violation %q lacks help, impact or nodes: %+v", v.ID, v)
		}
		for _, n := range v.Nodes {
			if len(n.Target) == 0 || n.HTML == "" {
				t.Errorf("violation %q has a node without target or html: %+v", v.ID, n)
			}
		}
	}
	report := FormatViolations(vs)
	for _, want := range []string{"image-alt", `<img src="/logo.png">`, "color-contrast"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}

	// AssertNoViolations must fail on these.
	rec := &recordingTB{TB: t}
	AssertNoViolations(rec, "page cassée", vs)
	if !rec.failed || !strings.Contains(rec.msg, "page cassée") || !strings.Contains(rec.msg, "image-alt") {
		t.Errorf("AssertNoViolations did not report the violations: failed=%v msg=%q", rec.failed, rec.msg)
	}
}

// recordingTB records Errorf instead of failing the test.
type recordingTB struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.failed = true
	r.msg = fmt.Sprintf(format, args...)
}

func TestTabMovesFocus(t *testing.T) {
	srv := servePages(t, map[string]string{"/{$}": keyboardPage})
	b := New(t)
	ctx := b.Ctx()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	tag, text, err := b.FocusedElement(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tag != "body" || text != "" {
		t.Fatalf("before any key, focus is on %s %q, want body", tag, text)
	}
	steps := []struct{ tag, text string }{
		{"a", "Lire la suite"},
		{"button", "Suivre ce fil"},
	}
	for i, want := range steps {
		if err := b.PressTab(ctx); err != nil {
			t.Fatal(err)
		}
		tag, text, err := b.FocusedElement(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tag != want.tag || text != want.text {
			t.Fatalf("after %d Tab: focus on %s %q, want %s %q", i+1, tag, text, want.tag, want.text)
		}
	}
	if err := b.PressShiftTab(ctx); err != nil {
		t.Fatal(err)
	}
	if tag, text, err := b.FocusedElement(ctx); err != nil || tag != "a" {
		t.Fatalf("after Shift+Tab: focus on %s %q (err %v), want the link", tag, text, err)
	}
}

func TestNewTabIsIndependent(t *testing.T) {
	srv := servePages(t, map[string]string{"/un": accessiblePage, "/deux": keyboardPage})
	b := New(t)
	first, second := b.Ctx(), b.NewTab(t)
	if err := chromedp.Do(first, chromedp.Navigate(srv.URL+"/un")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(second, chromedp.Navigate(srv.URL+"/deux")); err != nil {
		t.Fatal(err)
	}
	t1, err := chromedp.Run(first, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	t2, err := chromedp.Run(second, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(t1, "Recherche") || t2 != "Clavier" {
		t.Fatalf("titles = %q, %q; want the search page in the first tab and the keyboard page in the second", t1, t2)
	}
	// Focus in one tab does not move the other's.
	if err := b.PressTab(second); err != nil {
		t.Fatal(err)
	}
	if tag, _, err := b.FocusedElement(second); err != nil || tag != "a" {
		t.Fatalf("second tab: focus on %s (err %v), want the link", tag, err)
	}
	if tag, _, err := b.FocusedElement(first); err != nil || tag != "body" {
		t.Fatalf("first tab: focus on %s (err %v), want body", tag, err)
	}
}

func TestScreenshotWritesFullPagePNG(t *testing.T) {
	long := strings.Replace(accessiblePage, "</main>", strings.Repeat("<p>Ligne de texte.</p>\n", 120)+"</main>", 1)
	srv := servePages(t, map[string]string{"/{$}": long})
	b := New(t)
	ctx := b.Ctx()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "shots", "page.png")
	b.Screenshot(t, ctx, path)
	png, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s is not a PNG", path)
	}
	// The IHDR chunk holds the height at bytes 20..24: the page is taller
	// than the window, and the screenshot must be too.
	h := int(png[20])<<24 | int(png[21])<<16 | int(png[22])<<8 | int(png[23])
	if h <= WindowHeight {
		t.Fatalf("screenshot height = %d, want more than the window's %d (full page)", h, WindowHeight)
	}
}

func TestFindChromium(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "CHROMIUM_PATH" {
				return v
			}
			return ""
		}
	}
	exists := func(paths ...string) func(string) bool {
		return func(p string) bool { return slices.Contains(paths, p) }
	}
	tests := []struct {
		name    string
		env     string
		present []string
		want    string
		wantErr string
	}{
		{"env wins", "/opt/chromium/chrome", []string{"/opt/chromium/chrome", "/usr/bin/chromium"}, "/opt/chromium/chrome", ""},
		{"env broken", "/nope", []string{"/usr/bin/chromium"}, "", "CHROMIUM_PATH=/nope"},
		{"debian", "", []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"}, "/usr/bin/chromium", ""},
		{"chromium-browser", "", []string{"/usr/bin/chromium-browser"}, "/usr/bin/chromium-browser", ""},
		{"none", "", nil, "", "apt-get install chromium"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findChromium(env(tt.env), exists(tt.present...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestModuleRoot(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := moduleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("moduleRoot(%s) = %s without go.mod", wd, root)
	}
	if _, err := moduleRoot(t.TempDir()); err == nil || !strings.Contains(err.Error(), AxeScript) {
		t.Fatalf("moduleRoot outside a module: err = %v", err)
	}
}
