package server_test

// The render cache and HTTP caching (issue 6): every write that changes a
// page is visible on the next read by anonymous visitors, members and
// moderators; no cache entry shows a pending post to anyone but its author
// and the moderators; per-visitor parts are never shared; ETags give 304s;
// two server processes on one database see each other's writes within a
// second.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/server"
	"coterforum/store/sqlite"
	"coterforum/store/storetest"
)

// cacheViewers are the three kinds of reader of a page.
type cacheViewers struct {
	anon, member, mod *client
}

// read returns the page as each viewer sees it (anonymous, member, moderator).
func (v cacheViewers) read(t *testing.T, path string) (anon, member, mod string) {
	t.Helper()
	get := func(c *client) string {
		status, body, _ := c.get(path)
		if status != 200 {
			return ""
		}
		return body
	}
	return get(v.anon), get(v.member), get(v.mod)
}

// all asserts that every viewer's page contains (or not) text.
func (v cacheViewers) all(t *testing.T, path, text string, want bool, what string) {
	t.Helper()
	a, m, d := v.read(t, path)
	for i, body := range []string{a, m, d} {
		if strings.Contains(body, text) != want {
			t.Fatalf("%s: %s as %s: contains %q = %v, want %v", what, path, []string{"anonymous", "member", "moderator"}[i], text, !want, want)
		}
	}
}

func apiOK(t *testing.T, c *client, method, path string, body any) map[string]any {
	t.Helper()
	status, out := c.api(method, path, body)
	if status >= 300 {
		t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

func TestCacheInvalidationRules(t *testing.T) {
	e := newEnv(t)
	admin, apw := e.member(forum.RoleAdmin, "region")
	modr, mpw := e.member(forum.RoleModerator, "region")
	author, pw := e.member(forum.RoleMember, "commune")
	newbie, npw := e.newcomer("commune")
	adm := e.login(admin, apw)
	v := cacheViewers{anon: e.anon(), member: e.login(author, pw), mod: e.login(modr, mpw)}
	nb := e.login(newbie, npw)

	id, _ := v.member.createThread("reseaux", []string{"commune"}, "Fibre noire intercommunale", "Premier message publié.")
	page := "/threads/" + id
	api := "/api/v1/threads/" + id
	v.all(t, page, "Premier message publié.", true, "new thread")
	v.all(t, "/", "Fibre noire intercommunale", true, "new thread on home")

	// New published reply: the thread page and the listings (post count).
	v.all(t, "/", "0\u00a0réponse", true, "count before reply")
	apiOK(t, v.member, "POST", api+"/posts", map[string]any{"body": "Réponse publiée aussitôt."})
	v.all(t, page, "Réponse publiée aussitôt.", true, "published reply")
	v.all(t, "/", "1\u00a0réponse", true, "listing after reply")
	v.all(t, "/themes/reseaux", "1\u00a0réponse", true, "theme listing after reply")
	v.all(t, "/authority-types/commune", "1\u00a0réponse", true, "authority listing after reply")

	// A pending reply: its author and the moderators only, even after the
	// author's and the moderator's views were rendered and cached.
	out := apiOK(t, nb, "POST", api+"/posts", map[string]any{"body": "Réponse en attente de relecture."})
	pendingID := obj(out, "post")["id"].(string)
	if _, body, _ := nb.get(page); !strings.Contains(body, "Réponse en attente de relecture.") {
		t.Fatal("the author does not see their pending post")
	}
	a, m, d := v.read(t, page)
	if strings.Contains(a, "Réponse en attente") || strings.Contains(m, "Réponse en attente") || !strings.Contains(d, "Réponse en attente") {
		t.Fatal("pending post shown to the wrong viewer")
	}
	for _, c := range []*client{v.anon, v.member} {
		if _, out := c.api("GET", api, nil); strings.Contains(toJSON(out), "Réponse en attente") {
			t.Fatal("pending post in another viewer's JSON")
		}
		if status, _ := c.api("GET", "/api/v1/posts/"+pendingID, nil); status != 404 {
			t.Fatalf("pending post by id: %d", status)
		}
	}
	if _, out := nb.api("GET", api, nil); !strings.Contains(toJSON(out), "Réponse en attente") {
		t.Fatal("the author's JSON lacks their pending post")
	}
	// The moderators' header counts the queue; the count follows decisions.
	if _, body, _ := v.mod.get("/"); !strings.Contains(body, "Modération <span class=\"count\">(1") {
		t.Fatal("moderator header does not count the pending post")
	}

	// Approval: everyone sees it; the author's notification count goes up.
	if _, body, _ := nb.get("/"); strings.Contains(body, "Notifications <span") {
		t.Fatal("unread notifications before any")
	}
	apiOK(t, v.mod, "POST", "/api/v1/moderation/posts/"+pendingID+"/approve", nil)
	v.all(t, page, "Réponse en attente de relecture.", true, "approved post")
	v.all(t, "/", "2\u00a0réponses", true, "listing after approval")
	if _, body, _ := nb.get("/"); !strings.Contains(body, "Notifications <span class=\"count\">(1") {
		t.Fatal("unread notification count not updated")
	}
	if _, body, _ := v.mod.get("/"); !strings.Contains(body, "Modération <span class=\"count\">(0") {
		t.Fatal("moderator header still counts the approved post")
	}
	apiOK(t, nb, "POST", "/api/v1/notifications/read", nil)
	if _, body, _ := nb.get("/"); strings.Contains(body, "Notifications <span") {
		t.Fatal("notifications read but still counted")
	}

	// Rejection: the author's own view loses the pending post.
	out = apiOK(t, nb, "POST", api+"/posts", map[string]any{"body": "Seconde réponse à refuser."})
	rejectID := obj(out, "post")["id"].(string)
	if _, body, _ := nb.get(page); !strings.Contains(body, "Seconde réponse à refuser.") {
		t.Fatal("pending post not shown to its author")
	}
	apiOK(t, v.mod, "POST", "/api/v1/moderation/posts/"+rejectID+"/reject", map[string]any{"reason": "Hors sujet."})
	if _, body, _ := nb.get(page); strings.Contains(body, "Seconde réponse à refuser.") {
		t.Fatal("rejected post still shown to its author as pending")
	}

	// Edit.
	out = apiOK(t, v.member, "GET", api, nil)
	firstID := objs(out, "posts")[0]["id"].(string)
	apiOK(t, v.member, "PATCH", "/api/v1/posts/"+firstID, map[string]any{"body": "Premier message corrigé."})
	v.all(t, page, "Premier message corrigé.", true, "edited post")
	v.all(t, page, "Premier message publié.", false, "edited post (old text)")

	// Hide and restore.
	apiOK(t, v.mod, "POST", "/api/v1/moderation/posts/"+pendingID+"/hide", map[string]any{"reason": "Données personnelles."})
	a, m, d = v.read(t, page)
	if strings.Contains(a, "Réponse en attente de relecture.") || strings.Contains(m, "Réponse en attente de relecture.") {
		t.Fatal("hidden post still shown")
	}
	if !strings.Contains(d, "Message masqué par la modération") {
		t.Fatal("moderator does not see the hidden post")
	}
	apiOK(t, v.mod, "POST", "/api/v1/moderation/posts/"+pendingID+"/restore", nil)
	v.all(t, page, "Réponse en attente de relecture.", true, "restored post")

	// Thread: lock, pin, rename, move, retype.
	apiOK(t, v.mod, "PATCH", "/api/v1/moderation/threads/"+id, map[string]any{"locked": true})
	v.all(t, page, `<span class="badge">Verrouillé</span>`, true, "locked thread")
	v.all(t, "/", `<span class="badge">Verrouillé</span>`, true, "locked thread in listing")
	if _, body, _ := v.member.get(page); strings.Contains(body, `id="reply-title"`) {
		t.Fatal("reply form on a locked thread")
	}
	apiOK(t, v.mod, "PATCH", "/api/v1/moderation/threads/"+id, map[string]any{"pinned": true})
	v.all(t, "/", `<span class="badge">Épinglé</span>`, true, "pinned thread")
	apiOK(t, v.mod, "PATCH", "/api/v1/moderation/threads/"+id, map[string]any{"title": "Fibre noire : retours d'expérience"})
	v.all(t, page, "Fibre noire\u00a0: retours d&#39;expérience", true, "renamed thread")
	v.all(t, "/", "Fibre noire\u00a0: retours d&#39;expérience", true, "renamed thread in listing")
	v.all(t, "/themes/sig", "Fibre noire", false, "before the move")
	apiOK(t, v.mod, "PATCH", "/api/v1/moderation/threads/"+id, map[string]any{"theme": "sig"})
	v.all(t, "/themes/reseaux", "Fibre noire", false, "moved out of the theme")
	v.all(t, "/themes/sig", "Fibre noire", true, "moved into the theme")
	v.all(t, "/authority-types/region", "Fibre noire", false, "before the retype")
	apiOK(t, v.mod, "PATCH", "/api/v1/moderation/threads/"+id, map[string]any{"authority_types": []string{"region"}})
	v.all(t, "/authority-types/commune", "Fibre noire", false, "retyped out")
	v.all(t, "/authority-types/region", "Fibre noire", true, "retyped in")
	if _, out := v.anon.api("GET", "/api/v1/threads?theme=sig", nil); !strings.Contains(toJSON(out), "retours d'expérience") {
		t.Fatal("JSON listing not updated")
	}

	// Taxonomy: rename, reorder, archive a theme.
	apiOK(t, adm, "PATCH", "/api/v1/themes/sig", map[string]any{"name_fr": "Cartographie et SIG"})
	v.all(t, "/", "Cartographie et SIG", true, "renamed theme")
	v.all(t, page, "Cartographie et SIG", true, "renamed theme on a thread page")
	navOrder := func(body string) bool { // is "portails" before "reseaux" in the navigation?
		return strings.Index(body, `href="/themes/portails"`) < strings.Index(body, `href="/themes/reseaux"`)
	}
	if _, body, _ := v.anon.get("/"); navOrder(body) {
		t.Fatal("unexpected initial theme order")
	}
	apiOK(t, adm, "PATCH", "/api/v1/themes/portails", map[string]any{"move": "up"})
	for _, c := range []*client{v.anon, v.member, v.mod} {
		if _, body, _ := c.get("/"); !navOrder(body) {
			t.Fatal("theme order not updated")
		}
	}
	apiOK(t, adm, "PATCH", "/api/v1/themes/achats-marches", map[string]any{"archived": true})
	v.all(t, "/", `<a href="/themes/achats-marches"`, false, "archived theme")

	// A new pending thread: in no listing, seen by its author and moderators only.
	tid, _, status := nb.modNewThread("reseaux", []string{"commune"}, "Fil d'un nouveau membre", "À relire.")
	if status != forum.PostPending {
		t.Fatalf("newcomer thread %s", status)
	}
	v.all(t, "/", "Fil d&#39;un nouveau membre", false, "pending thread in listing")
	if s, _, _ := v.anon.get("/threads/" + tid); s != 404 {
		t.Fatalf("pending thread to anonymous: %d", s)
	}
	if s, _, _ := v.member.get("/threads/" + tid); s != 404 {
		t.Fatalf("pending thread to another member: %d", s)
	}
	if s, _, _ := v.mod.get("/threads/" + tid); s != 200 {
		t.Fatalf("pending thread to a moderator: %d", s)
	}

	// Member renamed and suspended: their own header and rights follow at once.
	apiOK(t, v.mod, "PATCH", "/api/v1/moderation/threads/"+id, map[string]any{"locked": false})
	if _, body, _ := v.member.get(page); !strings.Contains(body, `id="reply-title"`) {
		t.Fatal("no reply form on an unlocked thread")
	}
	if err := e.svc.UpdateProfile(context.Background(), author, forum.ProfileInput{DisplayName: "Camille Renommée",
		Authority: author.Authority, AuthorityType: author.AuthorityType}); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := v.member.get(page); !strings.Contains(body, `<a href="/account">Camille Renommée</a>`) {
		t.Fatal("renamed member's header not updated")
	}
	apiOK(t, v.mod, "PATCH", "/api/v1/moderation/members/"+author.ID, map[string]any{"suspend": "7d", "reason": "Propos déplacés."})
	if _, body, _ := v.member.get(page); strings.Contains(body, `id="reply-title"`) {
		t.Fatal("suspended member still offered the reply form")
	}
	if status, _ := v.member.api("POST", api+"/posts", map[string]any{"body": "Malgré la suspension."}); status < 400 {
		t.Fatalf("suspended member replied: %d", status)
	}

	// Logout ends the session at once, cached or not.
	var old []*http.Cookie
	old = append(old, v.mod.http.Jar.Cookies(mustURL(t, e.ts.URL))...)
	if status, _ := v.mod.api("GET", "/api/v1/session", nil); status != 200 {
		t.Fatal("session not open")
	}
	apiOK(t, v.mod, "DELETE", "/api/v1/session", nil)
	replay := e.anon()
	replay.http.Jar.SetCookies(mustURL(t, e.ts.URL), old)
	if status, _ := replay.api("GET", "/api/v1/session", nil); status != 401 {
		t.Fatalf("logged-out session still accepted: %d", status)
	}
}

func TestCacheCompression(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	id, _ := e.login(m, pw).createThread("reseaux", []string{"commune"}, "Fil pour le cache", strings.Repeat("Un texte assez long pour être compressé. ", 60))
	page := "/threads/" + id
	v1 := e.anon()
	v1.get(page) // fills the cache

	// The gzip body (compressed once, when cached) decodes to the plain one.
	fetch := func(enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", e.ts.URL+page, nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := v1.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	plainResp, plain := fetch("identity")
	gzResp, gz := fetch("gzip, br")
	if plainResp.Header.Get("Content-Encoding") != "" || gzResp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("encodings: %q %q", plainResp.Header.Get("Content-Encoding"), gzResp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unz, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip stream: %v", err)
	}
	if !bytes.Equal(unz, plain) {
		t.Fatal("gzip and plain bodies differ")
	}
	if len(gz) >= len(plain)/2 {
		t.Fatalf("gzip body %d bytes for %d plain", len(gz), len(plain))
	}
	for _, resp := range []*http.Response{plainResp, gzResp} {
		vary := strings.Join(resp.Header.Values("Vary"), ", ")
		if !strings.Contains(vary, "Accept-Encoding") || !strings.Contains(vary, "Cookie") || !strings.Contains(vary, "Accept-Language") {
			t.Fatalf("Vary: %q", resp.Header.Values("Vary"))
		}
		if resp.Header.Get("Cache-Control") != "public, no-cache" {
			t.Fatalf("anonymous Cache-Control: %q", resp.Header.Get("Cache-Control"))
		}
	}
	if plainResp.Header.Get("ETag") == gzResp.Header.Get("ETag") {
		t.Fatal("the same strong ETag for two codings")
	}
	// A member's page is private and never stored.
	mc := e.login(m, pw)
	_, body, resp := mc.get(page)
	if resp.Header.Get("Cache-Control") != "private, no-store" || !strings.Contains(body, "/logout") {
		t.Fatalf("member page: %q", resp.Header.Get("Cache-Control"))
	}
}

func TestCacheETagRoundTrip(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	mc := e.login(m, pw)
	id, _ := mc.createThread("reseaux", []string{"commune"}, "Fil des ETag", "Corps.")
	for _, path := range []string{"/threads/" + id, "/", "/themes/reseaux", "/api/v1/threads/" + id, "/api/v1/threads?theme=reseaux"} {
		for _, c := range []*client{e.anon(), mc} {
			c.get(path) // the anonymous visitor gets their cookie first
			_, _, resp := c.get(path)
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatalf("%s: no ETag", path)
			}
			req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
			req.Header.Set("If-None-Match", etag)
			r2, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r2.Body)
			r2.Body.Close()
			if r2.StatusCode != http.StatusNotModified || len(b) != 0 {
				t.Fatalf("%s: If-None-Match %s: %d (%d bytes)", path, etag, r2.StatusCode, len(b))
			}
			apiOK(t, mc, "POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Une réponse change l'ETag."})
			r3, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, r3.Body)
			r3.Body.Close()
			if r3.StatusCode != 200 || r3.Header.Get("ETag") == etag {
				t.Fatalf("%s after a write: %d, ETag %s", path, r3.StatusCode, r3.Header.Get("ETag"))
			}
		}
	}
}

func TestCacheStaticAssetsFingerprinted(t *testing.T) {
	e := newEnv(t)
	_, body, _ := e.anon().get("/")
	css := regexp.MustCompile(`href="(/static/style\.[0-9a-f]{8}\.css)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatal("stylesheet not fingerprinted")
	}
	status, text, resp := e.anon().get(css[1])
	if status != 200 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.Contains(text, "{") {
		t.Fatalf("fingerprinted asset: %d %q", status, resp.Header.Get("Cache-Control"))
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	status, _, resp = e.anon().get("/static/style.css")
	if status != 200 || resp.Header.Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("plain asset: %d %q", status, resp.Header.Get("Cache-Control"))
	}
	if status, _, _ := e.anon().get("/static/nope.css"); status != 404 {
		t.Fatalf("missing asset: %d", status)
	}
}

func TestCacheBoundedByBytes(t *testing.T) {
	e := newEnv(t)
	e.svc.SetCacheBytes(256 << 10)
	m, pw := e.member(forum.RoleMember, "commune")
	mc := e.login(m, pw)
	var ids []string
	for i := range 12 {
		id, _ := mc.createThread("reseaux", []string{"commune"}, "Fil numéro "+string(rune('A'+i)), strings.Repeat("Texte à mettre en cache. ", 200))
		ids = append(ids, id)
	}
	anon := e.anon()
	for _, id := range ids {
		anon.get("/threads/" + id)
	}
	st := e.svc.Cache().Stats()
	if st.Bytes > st.MaxBytes || st.Evictions == 0 {
		t.Fatalf("cache %d/%d bytes, %d evictions", st.Bytes, st.MaxBytes, st.Evictions)
	}
	// An evicted page is rendered again, correctly.
	if _, body, _ := anon.get("/threads/" + ids[0]); !strings.Contains(body, "Fil numéro A") {
		t.Fatal("evicted page not served again")
	}
}

// TestCacheTwoProcesses runs two servers, each with its own caches, on one
// database, as two replicas on one MongoDB or a command beside the server
// on SQLite (then with its own connections to the database file): a write
// through one is visible through the other within a second, and so is a
// logout.
func TestCacheTwoProcesses(t *testing.T) {
	a := newEnv(t)
	second := a.st
	if a.st.Engine() == "sqlite" {
		s2, err := sqlite.Open(context.Background(), sqlite.Config{DataDir: a.dir, Command: true}, storetest.Quiet())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s2.Close(context.Background()) })
		second = s2
	}
	b := newEnvAt(t, a.dir, second)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, e := range []*env{a, b} {
		if !e.svc.ShareChanges(100*time.Millisecond, 0) {
			t.Fatal("store does not keep versions")
		}
		go e.svc.RunChanges(ctx)
	}
	waitFresh := func(e *env) {
		for !e.svc.CacheFresh() {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFresh(a)
	waitFresh(b)
	m, pw := a.member(forum.RoleMember, "commune")
	newbie, npw := a.newcomer("commune")
	modr, mpw := a.member(forum.RoleModerator, "region")
	ma := a.login(m, pw)
	id, _ := ma.createThread("reseaux", []string{"commune"}, "Fil partagé entre deux processus", "Corps.")
	page := "/threads/" + id
	anonB := b.anon()
	if _, body, _ := anonB.get(page); !strings.Contains(body, "Corps.") {
		t.Fatal("thread not visible through the other process")
	}
	anonB.get("/") // cached in b

	// within polls until cond holds on b, at most a second.
	within := func(what string, cond func() bool) {
		t.Helper()
		start := time.Now()
		for !cond() {
			if time.Since(start) > time.Second {
				t.Fatalf("%s: not visible through the other process within a second", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("%s: visible through the other process after %v", what, time.Since(start).Round(time.Millisecond))
	}
	// A pending post approved on a: visible on b.
	nbA := a.login(newbie, npw)
	out := apiOK(t, nbA, "POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Réponse approuvée ailleurs."})
	postID := obj(out, "post")["id"].(string)
	if _, body, _ := anonB.get(page); strings.Contains(body, "Réponse approuvée ailleurs.") {
		t.Fatal("pending post visible")
	}
	modA := a.login(modr, mpw)
	apiOK(t, modA, "POST", "/api/v1/moderation/posts/"+postID+"/approve", nil)
	within("approval", func() bool {
		_, body, _ := anonB.get(page)
		return strings.Contains(body, "Réponse approuvée ailleurs.")
	})
	within("listing", func() bool { _, body, _ := anonB.get("/"); return strings.Contains(body, "1\u00a0réponse") })

	// A session opened on a, used on b, logged out on a: refused on b.
	modB := b.anon()
	modB.http.Jar.SetCookies(mustURL(t, b.ts.URL), modA.http.Jar.Cookies(mustURL(t, a.ts.URL)))
	modB.csrf = modA.csrf
	if status, _ := modB.api("GET", "/api/v1/session", nil); status != 200 {
		t.Fatal("session not shared")
	}
	apiOK(t, modA, "DELETE", "/api/v1/session", nil)
	within("logout", func() bool { status, _ := modB.api("GET", "/api/v1/session", nil); return status == 401 })
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestConcurrentReadersRenderOnce: after a write, fifty anonymous readers
// asking for the changed page at the same moment cause one render of it;
// the others are served its bytes, the same for all.
func TestConcurrentReadersRenderOnce(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	mc := e.login(m, pw)
	id, _ := mc.createThread("reseaux", []string{"commune"}, "Fil très lu", "Premier message.")
	page := "/threads/" + id
	for attempt := 0; ; attempt++ {
		apiOK(t, mc, "POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Une réponse de plus."})
		minute := time.Now().Unix() / 60
		before := server.AnonymousRenders(e.srv)
		var wg sync.WaitGroup
		bodies := make([]string, 50)
		for i := range bodies {
			wg.Go(func() {
				status, body, _ := e.anon().get(page)
				if status != http.StatusOK || !strings.Contains(body, "Une réponse de plus.") {
					t.Errorf("reader %d: %d", i, status)
				}
				bodies[i] = body
			})
		}
		wg.Wait()
		renders := server.AnonymousRenders(e.srv) - before
		if time.Now().Unix()/60 != minute && attempt == 0 {
			continue // the minute turned: pages of both minutes were rendered
		}
		if renders != 1 {
			t.Fatalf("%d renders for 50 concurrent readers of one version", renders)
		}
		for i, body := range bodies {
			if body != bodies[0] {
				t.Fatalf("reader %d got other bytes than reader 0", i)
			}
		}
		return
	}
}
