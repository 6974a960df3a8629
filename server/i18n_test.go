package server_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"coterforum/i18n"
	"coterforum/templates"
)

// templateTexts finds the French source texts the templates translate:
// {{t "…"}}, {{tf "…" …}} and {{plural n "…" "…"}}.
var templateTexts = regexp.MustCompile(`\b(?:t|tf) "((?:[^"\\]|\\.)*)"|\bplural [^"{}]*"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"`)

// TestTemplateTextsHaveEnglish fails when a template asks for a text that
// the English catalog lacks (it would show in French on an English page).
func TestTemplateTextsHaveEnglish(t *testing.T) {
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	partials, _ := fs.Glob(templates.FS, "partials/*.html")
	count := 0
	for _, name := range append(names, partials...) {
		raw, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templateTexts.FindAllStringSubmatch(string(raw), -1) {
			for _, fr := range m[1:] {
				if fr == "" {
					continue
				}
				fr = strings.ReplaceAll(fr, `\"`, `"`)
				count++
				if !i18n.Has(fr) {
					t.Errorf("%s: no English for %q", name, fr)
				}
			}
		}
	}
	if count < 10 {
		t.Fatalf("found only %d translated texts: the pattern no longer matches the templates", count)
	}
}

func (c *client) getWithHeader(path, key, value string) (int, string, *http.Response) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.e.ts.URL+path, nil)
	req.Header.Set(key, value)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp
}

func TestLanguageFromHeaderCookieAndSetting(t *testing.T) {
	e := newEnv(t)
	a := e.anon()
	_, body, resp := a.getWithHeader("/", "Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Skip to content") || resp.Header.Get("Content-Language") != "en" {
		t.Fatalf("Accept-Language en: want an English page, got Content-Language %q", resp.Header.Get("Content-Language"))
	}
	_, body, _ = a.get("/")
	if !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "Aller au contenu") {
		t.Fatal("no Accept-Language: want French")
	}

	// The switcher sets a cookie that wins over Accept-Language.
	tok := a.pageCSRF("/")
	status, _, resp := a.post("/language", url.Values{"csrf_token": {tok}, "lang": {"en"}, "next": {"/themes/reseaux"}})
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/themes/reseaux" {
		t.Fatalf("switch: %d to %q", status, resp.Header.Get("Location"))
	}
	_, body, _ = a.getWithHeader("/", "Accept-Language", "fr")
	if !strings.Contains(body, `<html lang="en">`) {
		t.Fatal("language cookie must win over Accept-Language")
	}
	// Never a redirect to another site; no switch from another site.
	_, _, resp = a.post("/language", url.Values{"csrf_token": {tok}, "lang": {"fr"}, "next": {"//evil.example"}})
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("open redirect: %q", resp.Header.Get("Location"))
	}
	for _, next := range []string{"/\x0c/evil.example", "/\x00x", "/\\evil.example"} {
		if _, _, resp := a.post("/language", url.Values{"csrf_token": {tok}, "lang": {"fr"}, "next": {next}}); resp.Header.Get("Location") != "/" {
			t.Fatalf("next %q: Location %q, want /", next, resp.Header.Get("Location"))
		}
	}
	if status, _, _ := a.postFrom("cross-site", "https://evil.example", "/language", url.Values{"lang": {"en"}}); status != http.StatusForbidden {
		t.Fatalf("cross-site language switch: %d, want 403", status)
	}
	if status, _, _ := a.post("/language", url.Values{"csrf_token": {tok}, "lang": {"de"}}); status != http.StatusBadRequest {
		t.Fatalf("unknown language: %d, want 400", status)
	}

	// A member's setting wins over everything and follows them.
	m, pw := e.member("member", "commune")
	c := e.login(m, pw)
	tok = c.pageCSRF("/account")
	if status, _, _ := c.post("/language", url.Values{"csrf_token": {tok}, "lang": {"en"}}); status != http.StatusSeeOther {
		t.Fatalf("member switch: %d", status)
	}
	c2 := e.login(m, pw) // a new browser, no cookie
	_, body, _ = c2.getWithHeader("/", "Accept-Language", "fr")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "New thread") {
		t.Fatal("the member's language setting must follow them to a new browser")
	}
	// English errors, in the API too.
	_, body, _ = c2.getWithHeader("/threads/000000000000000000000000", "Accept-Language", "fr")
	if !strings.Contains(body, "Page or resource not found.") {
		t.Fatal("404 page must be in the member's language")
	}
}

// TestEnglishTitlesAndHeadings checks the data-driven texts of the reading
// pages: page titles, headings and introductions come in English too.
func TestEnglishTitlesAndHeadings(t *testing.T) {
	e := newEnv(t)
	a := e.anon()
	for _, tc := range []struct{ path, title, h1, absent string }{
		{"/", "<title>Latest threads · coterforum</title>", "<h1>Latest discussion threads</h1>", "Derniers fils"},
		{"/themes/reseaux", "<title>Networks · coterforum</title>", "<h1>Networks</h1>", "Réseaux locaux"},
		{"/authority-types/commune", "<title>Municipalities · coterforum</title>", "<h1>Municipalities: all themes</h1>", "tous thèmes confondus"},
		{"/confidentialite", "", "", "Données personnelles ·"},
	} {
		status, body, _ := a.getWithHeader(tc.path, "Accept-Language", "en")
		if status != 200 || !strings.Contains(body, tc.title) || !strings.Contains(body, tc.h1) || strings.Contains(body, tc.absent) {
			t.Errorf("%s in English: status %d, want %q and %q, and no %q", tc.path, status, tc.title, tc.h1, tc.absent)
		}
	}
	// French typography in the French heading.
	_, body, _ := a.get("/authority-types/commune")
	if !strings.Contains(body, "<h1>Communes\u00a0: tous les thèmes</h1>") {
		t.Error("the French heading lacks its non-breaking space before the colon")
	}
}
