package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
	"coterforum/moderation"
	"coterforum/server"
	"coterforum/store"
	"coterforum/store/storetest"
)

// env is a running forum on a real embedded store, served by httptest.
type env struct {
	t      *testing.T
	dir    string
	st     store.Store
	svc    *forum.Service
	srv    *server.Server
	ts     *httptest.Server
	mail   mail.Sender
	mod    *moderation.Service
	digest *digest.Service
}

type serverConfig = server.Config

type envOption func(*serverConfig)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	dir := t.TempDir()
	return newEnvAt(t, dir, storetest.NewAt(t, dir), opts...)
}

func newEnvAt(t *testing.T, dir string, st store.Store, opts ...envOption) *env {
	t.Helper()
	return newEnvAtClock(t, dir, st, nil, opts...)
}

// newEnvAtClock is newEnvAt with the forum's clock now (nil: time.Now).
func newEnvAtClock(t *testing.T, dir string, st store.Store, now func() time.Time, opts ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := forum.New(st, log, now)
	if err := svc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, st: st, svc: svc, mail: mail.NewFileSender(t.TempDir(), "forum@example.org")}
	e.ts = httptest.NewUnstartedServer(nil)
	e.ts.Start()
	cfg := server.Config{BaseURL: e.ts.URL, Mail: e.mail, Log: log, Ready: st.Ping}
	for _, o := range opts {
		o(&cfg)
	}
	e.mail = cfg.Mail
	if cfg.Moderation == nil {
		cfg.Moderation = moderation.New(svc, st, cfg.Mail, moderation.Config{BaseURL: e.ts.URL}, log)
	}
	e.mod = cfg.Moderation
	if cfg.Digest == nil {
		key, err := st.Secret(ctx, "digest")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Digest = digest.New(svc, st, cfg.Mail, digest.Config{BaseURL: e.ts.URL, SecretKey: key}, log)
	}
	e.digest = cfg.Digest
	srv, err := server.New(ctx, svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts.Config.Handler = srv
	// Cleanups run last first: the server's mails end before the store closes.
	t.Cleanup(func() { srv.WaitBackground(context.Background()) })
	t.Cleanup(e.ts.Close)
	return e
}

// memberSeq varies the addresses; browser tests run in parallel.
var memberSeq atomic.Int64

// member creates an account and returns it with its password.
func (e *env) member(role, authorityType string) (*forum.Member, string) {
	e.t.Helper()
	seq := memberSeq.Add(1)
	pw := "mot-de-passe-solide-" + role
	m, err := e.svc.CreateMember(context.Background(), forum.NewMember{
		Email:       role + strings.Repeat("x", int(seq%7)) + "." + authorityType + "@" + strings.ReplaceAll(e.t.Name(), "/", "-") + ".example.org",
		DisplayName: "Camille " + role, Authority: "Ville de Testville", AuthorityType: authorityType,
		Role: role, Password: pw,
	})
	if err != nil {
		e.t.Fatalf("create member: %v", err)
	}
	trusted := true
	if err := e.st.UpdateMember(context.Background(), m.ID, moderation.MemberChange{Trusted: &trusted}); err != nil {
		e.t.Fatal(err)
	}
	m.Trusted = true
	return m, pw
}

// newcomer creates a member whose posts go to the moderation queue.
func (e *env) newcomer(authorityType string) (*forum.Member, string) {
	e.t.Helper()
	m, pw := e.member(forum.RoleMember, authorityType)
	trusted := false
	if err := e.st.UpdateMember(context.Background(), m.ID, moderation.MemberChange{Trusted: &trusted}); err != nil {
		e.t.Fatal(err)
	}
	m.Trusted = false
	return m, pw
}

// client is a browser-like HTTP client with its own cookies.
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
	csrf string
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login opens an API session for the member.
func (e *env) login(m *forum.Member, pw string) *client {
	e.t.Helper()
	c := e.anon()
	status, body := c.api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw})
	if status != 200 {
		e.t.Fatalf("login %s: %d %v", m.Email, status, body)
	}
	c.csrf = body["csrf_token"].(string)
	return c
}

// api sends a JSON request and decodes the JSON answer.
func (c *client) api(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.e.ts.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return resp.StatusCode, out
}

// get fetches a page and returns status, body and the response.
func (c *client) get(path string) (int, string, *http.Response) {
	c.t.Helper()
	resp, err := c.http.Get(c.e.ts.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp
}

// post submits a form as a browser does from one of the forum's pages
// (Origin and Sec-Fetch-Site: same-origin), and returns status, body and
// the response.
func (c *client) post(path string, form url.Values) (int, string, *http.Response) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.e.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp
}

// pageCSRF loads a page as a browser does before posting one of its forms.
// Forms carry no CSRF token any more (checkCSRF: the browser's
// Sec-Fetch-Site and Origin are checked instead), so it returns "", which
// forms may still send as csrf_token: the field is ignored.
func (c *client) pageCSRF(path string) string {
	c.t.Helper()
	if status, _, _ := c.get(path); status != http.StatusOK {
		c.t.Fatalf("GET %s: %d", path, status)
	}
	return ""
}

// errCode returns the error code of a JSON error body.
func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func errMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// createThread makes a thread through the API and returns its id and first post id.
func (c *client) createThread(theme string, types []string, title, body string) (string, string) {
	c.t.Helper()
	status, out := c.api("POST", "/api/v1/threads", map[string]any{"theme": theme, "authority_types": types, "title": title, "body": body})
	if status != 201 {
		c.t.Fatalf("create thread: %d %v", status, out)
	}
	return out["thread"].(map[string]any)["id"].(string), out["post"].(map[string]any)["id"].(string)
}

// testWriter sends server logs to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
