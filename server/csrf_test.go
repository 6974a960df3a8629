package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"coterforum/forum"
)

// postFrom submits a form as a browser would from a page at origin, with
// the given Sec-Fetch-Site ("" for a browser that sends none, as on plain
// HTTP; origin "" for no Origin header).
func (c *client) postFrom(site, origin, path string, form url.Values) (int, string, *http.Response) {
	c.t.Helper()
	return c.send(http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), map[string]string{"Sec-Fetch-Site": site, "Origin": origin})
}

// send makes a request with the client's cookies and the non-empty headers.
func (c *client) send(method, path, ctype, body string, headers map[string]string) (int, string, *http.Response) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.e.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp
}

// TestCrossOriginRequestsRefused: a browser's unsafe request from another
// site is refused whatever its form (form post, text/plain JSON, login),
// from what the browser says (Sec-Fetch-Site) or, without it, from Origin;
// the forum's own pages, and clients that are not browsers, pass.
func TestCrossOriginRequestsRefused(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	victim := e.anon()
	if status, _, _ := victim.post("/login", url.Values{"email": {m.Email}, "password": {pw}}); status != http.StatusSeeOther {
		t.Fatalf("same-origin login: %d", status)
	}
	apiClient := e.login(m, pw)
	id, _ := apiClient.createThread("sig", nil, "Un fil visé par un autre site", "Premier message.")
	reply := url.Values{"body": {"Message forgé ailleurs."}, "action": {"publish"}}
	evil := "https://evil.example"
	refused := []struct {
		name, site, origin string
	}{
		{"cross-site", "cross-site", evil},
		{"cross-site without Origin", "cross-site", ""},
		{"same-site sibling", "same-site", "https://autre.example.org"},
		{"no Sec-Fetch-Site, foreign Origin (plain HTTP)", "", evil},
		{"no Sec-Fetch-Site, opaque Origin", "", "null"},
	}
	for _, tc := range refused {
		t.Run("form "+tc.name, func(t *testing.T) {
			status, body, _ := victim.postFrom(tc.site, tc.origin, "/threads/"+id+"/posts", reply)
			if status != http.StatusForbidden || !strings.Contains(body, "autre site") {
				t.Fatalf("%d %.200s, want 403 with a French reason", status, body)
			}
		})
	}
	// Cross-site JSON sent as text/plain (no preflight): with the victim's
	// API session, and anonymous (the e-mail subscription).
	for _, path := range []string{"/api/v1/threads/" + id + "/posts", "/api/v1/subscriptions"} {
		for _, c := range []*client{apiClient, e.anon()} {
			status, body, _ := c.send(http.MethodPost, path, "text/plain", `{"body":"forgé","theme":"sig","frequency":"daily","email":"cible@example.org"}`,
				map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil, "X-CSRF-Token": c.csrf})
			if status != http.StatusForbidden || !strings.Contains(body, `"forbidden"`) {
				t.Fatalf("cross-site text/plain JSON to %s: %d %s", path, status, body)
			}
		}
	}
	// Login CSRF: another site logging the visitor into the attacker's account.
	attacker, apw := e.member(forum.RoleMember, "region")
	stranger := e.anon()
	status, _, resp := stranger.postFrom("cross-site", evil, "/login", url.Values{"email": {attacker.Email}, "password": {apw}})
	if status != http.StatusForbidden || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("login CSRF: %d, Set-Cookie %q", status, resp.Header.Get("Set-Cookie"))
	}
	if status, _, _ := stranger.send(http.MethodPost, "/api/v1/session", "text/plain", `{"email":"`+attacker.Email+`","password":"`+apw+`"}`,
		map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": evil}); status != http.StatusForbidden {
		t.Fatalf("API login CSRF: %d", status)
	}
	// Nothing was stored.
	n, _ := e.st.CountPosts(context.Background(), forum.PostFilter{ThreadID: id, AllStatuses: true}, nil)
	if n != 1 {
		t.Fatalf("posts in the thread: %d, want 1", n)
	}

	// The forum's own pages pass: same-origin, or Origin naming the forum
	// (without Sec-Fetch-Site, or behind a proxy that rewrites Host).
	allowed := []struct {
		name    string
		headers map[string]string
	}{
		{"same-origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": e.ts.URL}},
		{"typed address (none)", map[string]string{"Sec-Fetch-Site": "none"}},
		{"Origin only", map[string]string{"Origin": e.ts.URL}},
		{"not a browser", nil},
	}
	for _, tc := range allowed {
		t.Run("allowed "+tc.name, func(t *testing.T) {
			status, body, _ := victim.send(http.MethodPost, "/threads/"+id+"/posts", "application/x-www-form-urlencoded",
				url.Values{"body": {"Réponse " + tc.name}, "action": {"publish"}}.Encode(), tc.headers)
			if status != http.StatusSeeOther {
				t.Fatalf("%d %.300s", status, body)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/language", strings.NewReader("lang=fr"))
	req.Host = "forum-1:8080" // the proxy's upstream name
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.ts.URL)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		t.Fatalf("behind a proxy rewriting Host: %v %v", resp.StatusCode, err)
	}
	// The API keeps its contract: with the session cookie, the token.
	apiClient.csrf = ""
	if status, out := apiClient.api("POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Sans jeton."}); status != http.StatusForbidden {
		t.Fatalf("API call with a session but no token: %d %v", status, out)
	}
}

// TestAnonymousPagesAreTheSameBytes: with no token in pages, every
// anonymous visitor gets the same bytes, plain and gzipped, and no cookie.
func TestAnonymousPagesAreTheSameBytes(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	id, _ := e.login(m, pw).createThread("reseaux", []string{"commune"}, "Fil pour le cache", strings.Repeat("Un texte assez long pour être compressé. ", 60))
	for _, page := range []string{"/threads/" + id, "/", "/login", "/subscriptions"} {
		for _, enc := range []string{"identity", "gzip"} {
			var bodies []string
			for range 2 {
				_, body, resp := e.anon().send(http.MethodGet, page, "", "", map[string]string{"Accept-Encoding": enc})
				if resp.Header.Get("Set-Cookie") != "" {
					t.Fatalf("%s sets a cookie: %q", page, resp.Header.Get("Set-Cookie"))
				}
				bodies = append(bodies, body)
			}
			if bodies[0] != bodies[1] || strings.Contains(bodies[0], "csrf") {
				t.Fatalf("%s (%s): two anonymous visitors got different bytes", page, enc)
			}
		}
	}
}
