package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/store"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// webClient is a browser-like client: a cookie jar (kept across servers on
// 127.0.0.1: cookies do not depend on the port) and the CSRF token.
type webClient struct {
	t    *testing.T
	http *http.Client
	csrf string
}

func newWebClient(t *testing.T) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, http: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request (JSON body when body is not url.Values) and returns
// the status and the body.
func (c *webClient) do(method, u string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	ctype := "application/json"
	if form, ok := body.(url.Values); ok {
		rd, ctype = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept-Language", "fr")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must sends a request that must answer want, and decodes its JSON.
func (c *webClient) must(want int, method, u string, body any) map[string]any {
	c.t.Helper()
	status, b := c.do(method, u, body)
	if status != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, u, status, want, b)
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// loginAs opens a session through the API.
func loginAs(t *testing.T, base, email string) *webClient {
	c := newWebClient(t)
	out := c.must(200, "POST", base+"/api/v1/session", map[string]string{"email": email, "password": "un-mot-de-passe-long"})
	c.csrf, _ = out["csrf_token"].(string)
	return c
}

// forumFixture is a small forum with every kind of entity, built through
// the commands and the HTTP API of a running server.
type forumFixture struct {
	admin, mod, alice, bob, reader *webClient
	threads                        []string
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, k := range path {
		v = v.(map[string]any)[k]
	}
	s, _ := v.(string)
	return s
}

// buildForum fills the server at base, whose data dir is dir: members of
// every role, threads and posts approved, rejected, hidden and pending,
// reports, the audit, notifications, member and email-only subscriptions
// (confirmed), mail in the outbox, read marks, sessions, an invite, a
// digest run and an erased member.
func buildForum(t *testing.T, base, dir string) *forumFixture {
	for _, u := range []struct{ email, role string }{{"admin@ville.fr", "admin"}, {"mod@ville.fr", "moderator"},
		{"alice@ville.fr", "member"}, {"bob@ville.fr", "member"}, {"carol@ville.fr", "member"}} {
		addUser(t, u.email, u.role)
	}
	f := &forumFixture{admin: loginAs(t, base, "admin@ville.fr"), mod: loginAs(t, base, "mod@ville.fr"),
		alice: loginAs(t, base, "alice@ville.fr"), bob: loginAs(t, base, "bob@ville.fr")}
	carol := loginAs(t, base, "carol@ville.fr")
	newThread := func(c *webClient, theme, title, body string) (thread, post string) {
		out := c.must(201, "POST", base+"/api/v1/threads", map[string]any{"theme": theme, "authority_types": []string{"commune"}, "title": title, "body": body})
		return str(out, "thread", "id"), str(out, "post", "id")
	}
	reply := func(c *webClient, thread, body string) string {
		return str(c.must(201, "POST", base+"/api/v1/threads/"+thread+"/posts", map[string]any{"body": body}), "post", "id")
	}
	t1, _ := newThread(f.mod, "reseaux", "Supervision des réseaux communaux", "Qui utilise **Zabbix** ?")
	t2, p2 := newThread(f.alice, "sig", "Migration vers QGIS serveur", "Retour d'expérience sur QGIS.")
	f.mod.must(200, "POST", base+"/api/v1/moderation/posts/"+p2+"/approve", map[string]any{})
	_, p3 := newThread(f.bob, "portails", "Publicité pour mon logiciel", "Achetez !")
	f.mod.must(200, "POST", base+"/api/v1/moderation/posts/"+p3+"/reject", map[string]string{"reason": "publicité"})
	a1 := reply(f.alice, t1, "Nous utilisons Zabbix depuis 2019.")
	f.mod.must(200, "POST", base+"/api/v1/moderation/posts/"+a1+"/approve", map[string]any{})
	b1 := reply(f.bob, t1, "Centreon chez nous, réseau de 40 sites.")
	f.mod.must(200, "POST", base+"/api/v1/moderation/posts/"+b1+"/approve", map[string]any{})
	c1 := reply(carol, t2, "Nous aussi, avec PostGIS.")
	f.mod.must(200, "POST", base+"/api/v1/moderation/posts/"+c1+"/approve", map[string]any{})
	m2 := reply(f.mod, t2, "Un message qui sera masqué.")
	f.alice.must(201, "POST", base+"/api/v1/posts/"+b1+"/reports", map[string]string{"reason": "hors sujet"})
	f.bob.must(201, "POST", base+"/api/v1/posts/"+m2+"/reports", map[string]string{"reason": "doublon"})
	f.mod.must(200, "POST", base+"/api/v1/moderation/posts/"+m2+"/hide", map[string]string{"reason": "doublon"})
	reply(f.alice, t2, "Une réponse encore en attente.") // pending: shown to alice and moderators only
	f.alice.must(201, "POST", base+"/api/v1/subscriptions", map[string]any{"theme": "reseaux", "frequency": "daily"})
	f.bob.must(201, "POST", base+"/api/v1/subscriptions", map[string]any{"thread": t1, "frequency": "weekly"})
	f.admin.must(201, "POST", base+"/api/v1/invites", map[string]any{"email": "nouvelle@ville.fr", "role": "member"})
	// An email-only reader, confirmed through the link of its mail.
	f.reader = newWebClient(t)
	f.reader.must(202, "POST", base+"/api/v1/subscriptions", map[string]any{"email": "lecteur@example.org", "theme": "sig", "frequency": "weekly"})
	link := confirmLink(t, dir)
	// The confirmation form is posted like a browser on the same origin
	// (CSRF is http.CrossOriginProtection: no token in pages).
	if status, b := f.reader.do("POST", base+link, url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", status, b)
	}
	// Read marks: members open threads.
	for _, c := range []*webClient{f.alice, f.bob} {
		c.do("GET", base+"/threads/"+t1, nil)
	}
	// carol erases her account; her posts stay, signed by a deleted member (no name stored).
	carol.must(200, "DELETE", base+"/api/v1/account", map[string]any{"password": "un-mot-de-passe-long", "posts": "anonymise"})
	if err := run(context.Background(), []string{"digest", "run", "--frequency", "daily", "--wait", "1s"}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	// A message waiting in the outbox for its next attempt (a temporary
	// SMTP failure), queued as the digest runner queues them.
	st, _, err := openDumpStore(context.Background(), storeSpec{DataDir: dir}, false, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	next := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Millisecond)
	msg := digest.OutboxMessage{ID: "lecteur:2026-W49", Kind: digest.KindDigest, SubscriberID: "lecteur", Frequency: digest.Weekly,
		Period: "2026-W49", To: "lecteur@example.org", Subject: "Résumé de la semaine", Status: digest.StatusPending,
		NextAttemptAt: next, CreatedAt: next.Add(-24 * time.Hour), LastError: "451 réessayez plus tard",
		Body: &digest.MessageBody{ID: "lecteur:2026-W49", Text: "Bonjour", HTML: "<p>Bonjour</p>", MessageID: "<w49@coterforum>"}}
	if _, err := st.EnqueueMessages(context.Background(), []digest.OutboxMessage{msg}, false); err != nil {
		t.Fatal(err)
	}
	f.threads = []string{t1, t2}
	return f
}

// confirmLink finds the subscription confirmation link in the mail the
// server wrote as files under dir/mail.
func confirmLink(t *testing.T, dir string) string {
	re := regexp.MustCompile(`/subscriptions/confirm\?token=[\w.-]+`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "mail", "*"))
		for _, name := range files {
			b, _ := os.ReadFile(name)
			text := strings.NewReplacer("=\r\n", "", "=\n", "", "=3D", "=").Replace(string(b))
			if l := re.FindString(text); l != "" {
				return l
			}
		}
	}
	t.Fatal("no confirmation mail")
	return ""
}

// apiDump reads the forum as its users see it: listings, every thread as
// a visitor, a moderator and the author of a pending post, the moderation
// queue and audit, search, feeds, the members' own data (with their
// sessions) and the email-only reader's page.
func apiDump(t *testing.T, base string, f *forumFixture) map[string]string {
	anon := newWebClient(t)
	out := map[string]string{}
	get := func(who string, c *webClient, path string) {
		status, b := c.do("GET", base+path, nil)
		// Absolute links and per-request tokens aside, the pages must match.
		s := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).ReplaceAllString(string(b), "BASE")
		s = regexp.MustCompile(`(csrf_token" value=|nonce=)"[^"]*"`).ReplaceAllString(s, "$1")
		s = regexp.MustCompile(`"(csrf_token|exported_at|generated_at)":"[^"]*"`).ReplaceAllString(s, `"$1":""`)
		out[who+" "+path] = http.StatusText(status) + "\n" + s
	}
	for _, p := range []string{"/api/v1/threads", "/api/v1/threads?theme=sig", "/api/v1/threads?authority_type=commune&page=2",
		"/api/v1/search?q=zabbix", "/api/v1/search?q=qgis", "/feed.atom", "/themes/reseaux/feed.atom", "/api/v1/themes"} {
		get("anon", anon, p)
	}
	for _, id := range f.threads {
		for who, c := range map[string]*webClient{"anon": anon, "mod": f.mod, "alice": f.alice} {
			get(who, c, "/api/v1/threads/"+id)
		}
		get("anon", anon, "/threads/"+id+"/feed.atom")
	}
	get("mod", f.mod, "/api/v1/moderation/queue")
	get("mod", f.mod, "/api/v1/moderation/audit")
	for who, c := range map[string]*webClient{"alice": f.alice, "bob": f.bob} {
		get(who, c, "/api/v1/account/export")
		get(who, c, "/api/v1/notifications")
		get(who, c, "/api/v1/subscriptions")
		get(who, c, "/api/v1/session")
	}
	return out
}

// compareDumps fails the test on the first pages that differ.
func compareDumps(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	bad := 0
	for _, k := range keys {
		if a[k] != b[k] {
			bad++
			if bad <= 3 {
				t.Errorf("%s: %s differs:\n--- before\n%.1500s\n--- after\n%.1500s", what, k, a[k], b[k])
			}
		}
		if !strings.HasPrefix(a[k], "OK\n") && !strings.Contains(k, "page=2") {
			t.Errorf("%s: %s answered %.80s", what, k, a[k])
		}
	}
	if len(a) != len(b) || bad > 0 {
		t.Fatalf("%s: %d of %d pages differ", what, bad, len(a))
	}
}

// storeExport reads every collection of a store as Extended JSON lines.
func storeExport(t *testing.T, d store.Dumper) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, c := range store.Collections {
		after := ""
		for {
			docs, err := d.ExportBatch(ctx, c, after, 500)
			if err != nil {
				t.Fatalf("export %s: %v", c, err)
			}
			if len(docs) == 0 {
				break
			}
			for _, doc := range docs {
				j, err := bson.MarshalExtJSON(doc, true, false)
				if err != nil {
					t.Fatal(err)
				}
				out[c] = append(out[c], string(j))
			}
			after = docs[len(docs)-1].Lookup("_id").StringValue()
		}
	}
	return out
}

// compareExports fails the test when two stores' collections differ.
func compareExports(t *testing.T, what string, a, b map[string][]string) {
	t.Helper()
	for _, c := range store.Collections {
		if len(a[c]) != len(b[c]) {
			t.Errorf("%s: %s has %d documents, then %d", what, c, len(a[c]), len(b[c]))
			continue
		}
		for i := range a[c] {
			if a[c][i] != b[c][i] {
				t.Errorf("%s: %s document %d differs:\n%s\n%s", what, c, i, a[c][i], b[c][i])
				break
			}
		}
	}
	for _, c := range []string{"members", "sessions", "invites", "threads", "posts", "read_markers", "reports", "audit",
		"notifications", "digest_subscribers", "digest_subscriptions", "digest_outbox"} {
		if len(a[c]) == 0 {
			t.Errorf("%s: the forum has no %s: the fixture misses an entity", what, c)
		}
	}
}
