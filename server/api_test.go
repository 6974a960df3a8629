package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"coterforum/forum"

	"golang.org/x/net/html"
)

const richBody = "## Notre retour\n\n| Site | Débit |\n|---|---|\n| Mairie | 1 Gb/s |\n\n- point un\n- point deux\n\nVoir [le guide](https://cyber.gouv.fr/guide).\n\n```nginx\nserver { listen 443 ssl; }\n```\n"

func TestAPIThreadLifecycle(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	anon := e.anon()

	status, out := anon.api("GET", "/api/v1/themes", nil)
	if status != 200 || len(out["themes"].([]any)) != 6 {
		t.Fatalf("themes: %d %v", status, out)
	}
	first := out["themes"].([]any)[0].(map[string]any)
	if first["slug"] != "reseaux" || first["name"] != "Réseaux" {
		t.Fatalf("first theme = %v", first)
	}
	status, out = anon.api("GET", "/api/v1/authority-types", nil)
	if status != 200 || len(out["authority_types"].([]any)) != 4 {
		t.Fatalf("authority types: %d %v", status, out)
	}

	id, _ := c.createThread("reseaux", []string{"departement", "region"}, "Déploiement SD-WAN entre 40 sites", richBody)
	status, out = anon.api("GET", "/api/v1/threads/"+id, nil)
	if status != 200 {
		t.Fatalf("get thread: %d %v", status, out)
	}
	posts := out["posts"].([]any)
	html := posts[0].(map[string]any)["body_html"].(string)
	for _, want := range []string{"<table>", "<li>point un</li>", `href="https://cyber.gouv.fr/guide"`, `rel="nofollow noopener ugc"`, "<pre><code", "<h2"} {
		if !strings.Contains(html, want) {
			t.Errorf("body_html lacks %q:\n%s", want, html)
		}
	}
	if posts[0].(map[string]any)["status"] != "published" {
		t.Fatalf("status = %v", posts[0])
	}

	// A second thread elsewhere, then the filters.
	c.createThread("sig", nil, "QGIS ou solution propriétaire ?", "Votre avis ?")
	check := func(q string, want int) {
		t.Helper()
		status, out := anon.api("GET", "/api/v1/threads"+q, nil)
		if status != 200 {
			t.Fatalf("%s: %d %v", q, status, out)
		}
		if got := len(out["threads"].([]any)); got != want {
			t.Fatalf("%s: %d threads, want %d", q, got, want)
		}
	}
	check("", 2)
	check("?theme=reseaux", 1)
	check("?theme=sig", 1)
	check("?authority_type=region", 1)
	check("?authority_type=commune", 1) // defaulted to the author's type
	check("?theme=sig&authority_type=region", 0)

	// Reply.
	status, out = c.api("POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Merci, **très utile**."})
	if status != 201 || out["post"].(map[string]any)["status"] != "published" {
		t.Fatalf("reply: %d %v", status, out)
	}
	_, out = anon.api("GET", "/api/v1/threads/"+id, nil)
	if n := out["thread"].(map[string]any)["post_count"]; n != float64(2) {
		t.Fatalf("post_count = %v", n)
	}
	if got := len(out["posts"].([]any)); got != 2 {
		t.Fatalf("%d posts", got)
	}
	// Edit own post keeps a revision.
	pid := out["posts"].([]any)[1].(map[string]any)["id"].(string)
	status, out = c.api("PATCH", "/api/v1/posts/"+pid, map[string]any{"body": "Merci, *très* utile."})
	if status != 200 || out["post"].(map[string]any)["revisions"] != float64(1) {
		t.Fatalf("edit: %d %v", status, out)
	}
	// Someone else cannot edit it.
	other, opw := e.member(forum.RoleMember, "region")
	status, _ = e.login(other, opw).api("PATCH", "/api/v1/posts/"+pid, map[string]any{"body": "piraté"})
	if status != 403 {
		t.Fatalf("edit by other: %d", status)
	}
}

func TestAPIBadInputStoresNothing(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	big := strings.Repeat("a", 1<<20)
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"missing theme", map[string]any{"title": "Un titre correct", "body": "x"}, 400, "theme_missing"},
		{"unknown theme", map[string]any{"theme": "inconnu", "title": "Un titre correct", "body": "x"}, 400, "theme_unknown"},
		{"unknown authority type", map[string]any{"theme": "sig", "authority_types": []string{"canton"}, "title": "Un titre correct", "body": "x"}, 400, "authority_type_unknown"},
		{"empty title", map[string]any{"theme": "sig", "title": "  ", "body": "x"}, 400, "title_empty"},
		{"short title", map[string]any{"theme": "sig", "title": "abc", "body": "x"}, 400, "title_too_short"},
		{"long title", map[string]any{"theme": "sig", "title": strings.Repeat("é", 151), "body": "x"}, 400, "title_too_long"},
		{"empty body", map[string]any{"theme": "sig", "title": "Un titre correct", "body": " \n "}, 400, "body_empty"},
		{"body over 32000 chars", map[string]any{"theme": "sig", "title": "Un titre correct", "body": strings.Repeat("é", forum.MaxPostSourceChars+1)}, 400, "body_too_long"},
		{"1 MB body", map[string]any{"theme": "sig", "title": "Un titre correct", "body": big}, 413, "body_too_large"},
		{"operator injection", `{"theme": {"$ne": null}, "title": "Un titre correct", "body": "x"}`, 400, "json_type"},
		{"types not a list", `{"theme": "sig", "authority_types": {"$in": ["region"]}, "title": "Un titre correct", "body": "x"}`, 400, "json_type"},
		{"malformed JSON", `{"theme": "sig",`, 400, "json_invalid"},
		{"not an object", `["sig"]`, 400, "json_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, out := c.api("POST", "/api/v1/threads", tc.body)
			if status != tc.status || errCode(out) != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, out, tc.status, tc.code)
			}
			msg := errMessage(out)
			if msg == "" || !looksFrench(msg) {
				t.Fatalf("message not a French sentence: %q", msg)
			}
		})
	}
	// Exactly at the limit is accepted.
	if status, out := c.api("POST", "/api/v1/threads", map[string]any{"theme": "sig", "title": "Un titre correct", "body": strings.Repeat("é", forum.MaxPostSourceChars)}); status != 201 {
		t.Fatalf("body at the limit: %d %v", status, out)
	}
	ts, err := e.st.ListThreads(context.Background(), forum.ThreadFilter{Statuses: []string{"published", "pending", "rejected", "hidden"}})
	if err != nil || len(ts) != 1 {
		t.Fatalf("threads stored: %d (%v), want only the valid one", len(ts), err)
	}
	n, _ := e.st.CountPosts(context.Background(), forum.PostFilter{ThreadID: ts[0].ID, AllStatuses: true}, nil)
	if n != 1 {
		t.Fatalf("posts stored in the thread: %d", n)
	}
}

func looksFrench(s string) bool {
	for _, w := range []string{"Le ", "La ", "Choisissez", "Thème", "Type", "Le message", "La requête", "Le corps", "Le champ", "Le titre"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func TestAPIAuthAndCSRF(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	anon := e.anon()
	if status, out := anon.api("POST", "/api/v1/threads", map[string]any{"theme": "sig", "title": "Un titre correct", "body": "x"}); status != 401 || errCode(out) != "unauthenticated" {
		t.Fatalf("anonymous create: %d %v", status, out)
	}
	if status, out := anon.api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": "mauvais-mot-de-passe"}); status != 401 || errCode(out) != "bad_credentials" {
		t.Fatalf("bad password: %d %v", status, out)
	}
	if status, _ := anon.api("POST", "/api/v1/session", map[string]any{"email": "inconnu@example.org", "password": pw}); status != 401 {
		t.Fatalf("unknown email: %d", status)
	}
	c := e.login(m, pw)
	token := c.csrf
	c.csrf = ""
	if status, out := c.api("POST", "/api/v1/threads", map[string]any{"theme": "sig", "title": "Un titre correct", "body": "x"}); status != 403 || errCode(out) != "forbidden" {
		t.Fatalf("without CSRF header: %d %v", status, out)
	}
	c.csrf = "faux" + token[4:]
	if status, _ := c.api("POST", "/api/v1/threads", map[string]any{"theme": "sig", "title": "Un titre correct", "body": "x"}); status != 403 {
		t.Fatalf("wrong CSRF: %d", status)
	}
	c.csrf = token
	if status, _ := c.api("GET", "/api/v1/session", nil); status != 200 {
		t.Fatalf("session: %d", status)
	}
	if status, _ := c.api("DELETE", "/api/v1/session", nil); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	// The session is gone server side: replaying the old cookie fails.
	if n, _ := e.st.CountMembers(context.Background()); n != 1 {
		t.Fatalf("members: %d", n)
	}
	if status, _ := c.api("GET", "/api/v1/session", nil); status != 401 {
		t.Fatalf("after logout: %d", status)
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	anon := e.anon()
	for i := 0; i < 5; i++ {
		if status, _ := anon.api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": fmt.Sprintf("faux-%d-xxxxxxxx", i)}); status != 401 {
			t.Fatalf("attempt %d: %d", i, status)
		}
	}
	status, out := anon.api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw})
	if status != 429 || errCode(out) != "too_many_requests" {
		t.Fatalf("after 5 failures, right password: %d %v", status, out)
	}
	// Another account from the same client is still allowed (per-client limit is higher).
	m2, pw2 := e.member(forum.RoleMember, "region")
	if status, _ := anon.api("POST", "/api/v1/session", map[string]any{"email": m2.Email, "password": pw2}); status != 200 {
		t.Fatalf("other account: %d", status)
	}
}

func TestPendingPostInvisible(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author, apw := e.member(forum.RoleMember, "commune")
	other, opw := e.member(forum.RoleMember, "region")
	mod, mpw := e.member(forum.RoleModerator, "departement")
	ac := e.login(author, apw)
	id, _ := ac.createThread("portails", nil, "Refonte du portail citoyen", "Premier message.")
	// The moderation queue is not built yet: put a pending reply and a
	// pending thread in the store as the moderation rules will.
	th, _ := e.st.ThreadByID(ctx, id)
	pending := &forum.Post{ID: forum.NewID(), ThreadID: id, Author: author.Ref(), Source: "secret", HTML: "<p>brouillon-unique</p>",
		Status: forum.PostPending, CreatedAt: th.CreatedAt}
	if err := e.st.InsertPost(ctx, pending); err != nil {
		t.Fatal(err)
	}
	pth := &forum.Thread{ID: forum.NewID(), Theme: "portails", AuthorityTypes: []string{"commune"}, Title: "Fil en attente",
		Author: author.Ref(), Status: forum.ThreadPending, CreatedAt: th.CreatedAt, LastActivityAt: th.CreatedAt}
	if err := e.st.InsertThread(ctx, pth); err != nil {
		t.Fatal(err)
	}
	seesPost := func(c *client) bool {
		_, out := c.api("GET", "/api/v1/threads/"+id, nil)
		for _, p := range out["posts"].([]any) {
			if p.(map[string]any)["id"] == pending.ID {
				return true
			}
		}
		return false
	}
	anon, oc, mc := e.anon(), e.login(other, opw), e.login(mod, mpw)
	if seesPost(anon) || seesPost(oc) {
		t.Fatal("pending post shown to someone else")
	}
	if !seesPost(ac) || !seesPost(mc) {
		t.Fatal("pending post hidden from its author or a moderator")
	}
	for _, c := range []*client{anon, oc} {
		if status, _ := c.api("GET", "/api/v1/posts/"+pending.ID, nil); status != 404 {
			t.Fatalf("pending post by id: %d", status)
		}
		if status, _ := c.api("GET", "/api/v1/threads/"+pth.ID, nil); status != 404 {
			t.Fatalf("pending thread by id: %d", status)
		}
		if _, body, _ := c.get("/threads/" + id); strings.Contains(body, "brouillon-unique") {
			t.Fatal("pending post on the page")
		}
	}
	if status, _ := ac.api("GET", "/api/v1/posts/"+pending.ID, nil); status != 200 {
		t.Fatalf("author reading own pending post: %d", status)
	}
	_, body, _ := ac.get("/threads/" + id)
	if !strings.Contains(body, "brouillon-unique") || !strings.Contains(body, "attente de modération") {
		t.Fatalf("author does not see the pending banner:\n%s", body)
	}
	_, out := anon.api("GET", "/api/v1/threads", nil)
	if n := len(out["threads"].([]any)); n != 1 {
		t.Fatalf("thread list has %d threads, want 1 (pending hidden)", n)
	}
	_, out = anon.api("GET", "/api/v1/threads/"+id, nil)
	if n := out["thread"].(map[string]any)["post_count"]; n != float64(1) {
		t.Fatalf("post_count counts the pending post: %v", n)
	}
}

func TestHostileMarkdownThroughAPI(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	body := "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n[y](data:text/html;base64,PHNjcmlwdD4=)\n\n<a href=\"javascript:alert(2)\" style=\"color:red\">z</a>"
	id, _ := c.createThread("sig", nil, "Test de sécurité", body)
	_, page, _ := e.anon().get("/threads/" + id)
	assertSafeHTML(t, page)
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("raw HTML typed in a post is not shown as text")
	}
}

// appScript is the forum's own script, fingerprinted or not.
var appScript = regexp.MustCompile(`^/static/app(\.[0-9a-f]{8})?\.js$`)

// assertSafeHTML parses a page as a browser would and fails on any script
// but the forum's own, event handler, style attribute or dangerous URL.
func assertSafeHTML(t *testing.T, page string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" {
				src := ""
				for _, a := range n.Attr {
					if a.Key == "src" {
						src = a.Val
					}
				}
				if !appScript.MatchString(src) || n.FirstChild != nil {
					t.Fatalf("foreign script element: %v", n.Attr)
				}
			}
			for _, a := range n.Attr {
				key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(key, "on") || key == "style" {
					t.Fatalf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
				if (key == "href" || key == "src" || key == "action" || key == "formaction") &&
					(strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "vbscript:")) {
					t.Fatalf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func TestUnknownIDsAre404(t *testing.T) {
	e := newEnv(t)
	anon := e.anon()
	for _, p := range []string{"/api/v1/threads/nope", "/api/v1/threads/" + forum.NewID(), "/api/v1/posts/%24ne", "/api/v1/nothing"} {
		if status, out := anon.api("GET", p, nil); status != 404 || errCode(out) != "not_found" {
			t.Fatalf("%s: %d %v", p, status, out)
		}
	}
	if status, out := anon.api("GET", "/api/v1/threads?page=-1", nil); status != 400 || errCode(out) != "page_invalid" {
		t.Fatalf("bad page: %d %v", status, out)
	}
	if status, out := anon.api("GET", "/api/v1/threads?theme=inconnu", nil); status != 400 || errCode(out) != "theme_unknown" {
		t.Fatalf("unknown theme filter: %d %v", status, out)
	}
}

// TestLoginLimitHoldsUnderParallelAttempts sends 30 wrong passwords at once:
// the reservation happens before hashing, so at most 5 are even tried.
func TestLoginLimitHoldsUnderParallelAttempts(t *testing.T) {
	e := newEnv(t)
	m, _ := e.member(forum.RoleMember, "commune")
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			status, _ := e.anon().api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": fmt.Sprintf("faux-%d", i)})
			mu.Lock()
			codes[status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if codes[401] != 5 || codes[429] != 25 {
		t.Fatalf("status counts = %v, want 5×401 and 25×429", codes)
	}
}

func TestRobustnessOfTheSurface(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	// HEAD answers like GET, without a body.
	req, _ := http.NewRequest(http.MethodHead, e.ts.URL+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("HEAD /healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	// Logging in again through the API with a session cookie works.
	c := e.login(m, pw)
	c.csrf = ""
	status, out := c.api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw})
	if status != 200 {
		t.Fatalf("second API login with a cookie: %d %v", status, out)
	}
	c.csrf = out["csrf_token"].(string)
	// A chunked body over the limit is a 413, not a JSON error.
	big := strings.NewReader(`{"email":"` + strings.Repeat("a", 400<<10) + `"}`)
	req, _ = http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/session", io.NopCloser(big))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked oversize body: %d", resp.StatusCode)
	}
	// A malformed form body is a 400 with a French page, not a 500.
	web := e.anon()
	token := web.pageCSRF("/login")
	web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {pw}})
	token = web.pageCSRF("/threads/new")
	req, _ = http.NewRequest(http.MethodPost, e.ts.URL+"/threads", strings.NewReader("garbage"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=zz")
	req.Header.Set("X-CSRF-Token", token)
	resp, err = web.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "illisible") {
		t.Fatalf("malformed multipart: %d", resp.StatusCode)
	}
	// Control characters and bidi overrides are refused in titles.
	if status, out := c.api("POST", "/api/v1/threads", map[string]any{"theme": "sig", "title": "Titre \u202egnp.exe piégé", "body": "x"}); status != 400 || errCode(out) != "title_invalid" {
		t.Fatalf("bidi title: %d %v", status, out)
	}
}
