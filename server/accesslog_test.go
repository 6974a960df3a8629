package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"coterforum/forum"
)

// lockedBuffer collects log output from concurrent requests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// accessLines returns the JSON access-log lines, failing on any line that
// is not JSON.
func accessLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, raw := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("log line is not JSON: %q (%v)", raw, err)
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	return lines
}

func jsonLogEnv(t *testing.T, opts ...envOption) (*env, *lockedBuffer) {
	t.Helper()
	buf := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(buf, nil))
	e := newEnv(t, append([]envOption{func(c *serverConfig) { c.Log = log }}, opts...)...)
	return e, buf
}

// TestAccessLogLine checks one JSON line per request with the method, the
// route pattern, the status, the duration, the bytes and the request id
// that the response's X-Request-Id carries.
func TestAccessLogLine(t *testing.T) {
	e, buf := jsonLogEnv(t)
	author, apw := e.member(forum.RoleMember, "commune")
	threadID, _ := e.login(author, apw).createThread("reseaux", []string{"commune"}, "Supervision des commutateurs", "Quel outil ?")
	before := len(accessLines(t, buf.String()))
	req, _ := http.NewRequest("GET", e.ts.URL+"/threads/"+threadID, nil)
	req.Header.Set("Accept-Encoding", "identity") // bytes written are the body's
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("thread page: %d", resp.StatusCode)
	}
	id := resp.Header.Get("X-Request-Id")
	if id == "" {
		t.Fatal("no X-Request-Id in the response")
	}
	lines := accessLines(t, buf.String())
	if len(lines) != before+1 {
		t.Fatalf("%d access lines for one request", len(lines)-before)
	}
	l := lines[len(lines)-1]
	if l["method"] != "GET" || l["route"] != "/threads/:id" || l["status"] != float64(200) || l["request_id"] != id {
		t.Errorf("access line %v", l)
	}
	if n, ok := l["bytes"].(float64); !ok || int(n) != len(body) {
		t.Errorf("bytes %v, want %d", l["bytes"], len(body))
	}
	if d, ok := l["duration"].(float64); !ok || d <= 0 {
		t.Errorf("duration %v", l["duration"])
	}
}

// TestAccessLogKeepsNoSecret sends tokens in a query string, a path, a
// cookie and a password: none reaches the logs, and the lines name the
// route patterns.
func TestAccessLogKeepsNoSecret(t *testing.T) {
	e, buf := jsonLogEnv(t)
	secrets := []string{"JETONDEQUERYSECRET", "JETONDECHEMINSECRET", "COOKIESECRETDESESSION", "MOTDEPASSESECRET"}
	c := e.anon()
	req, _ := http.NewRequest("GET", e.ts.URL+"/subscriptions/unsubscribe?token="+secrets[0], nil)
	req.AddCookie(&http.Cookie{Name: "cf_session", Value: secrets[2]})
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c.get("/invite/" + secrets[1])
	c.api("POST", "/api/v1/session", map[string]any{"email": "personne@example.org", "password": secrets[3]})
	out := buf.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("the log holds %s:\n%s", s, out)
		}
	}
	routes := map[string]bool{}
	for _, l := range accessLines(t, out) {
		routes[l["route"].(string)] = true
	}
	for _, r := range []string{"/subscriptions/unsubscribe", "/invite/:token", "/api/v1/session"} {
		if !routes[r] {
			t.Errorf("no access line for %s in %v", r, routes)
		}
	}
}

// TestAccessLogRequestID checks that an incoming X-Request-Id is kept only
// from a trusted proxy and only when short and safe.
func TestAccessLogRequestID(t *testing.T) {
	get := func(e *env, id string) string {
		req, _ := http.NewRequest("GET", e.ts.URL+"/healthz", nil)
		req.Header.Set("X-Request-Id", id)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("X-Request-Id")
	}
	untrusted, _ := jsonLogEnv(t)
	if got := get(untrusted, "proxy-id-1"); got == "proxy-id-1" || got == "" {
		t.Errorf("untrusted client's id: answered %q", got)
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	_, v6, _ := net.ParseCIDR("::1/128")
	trusted, _ := jsonLogEnv(t, func(c *serverConfig) { c.TrustedProxies = []*net.IPNet{loopback, v6} })
	if got := get(trusted, "proxy-id-1"); got != "proxy-id-1" {
		t.Errorf("trusted proxy's id: answered %q", got)
	}
	for _, bad := range []string{"a b", "<script>", strings.Repeat("x", 65)} {
		if got := get(trusted, bad); got == bad || got == "" {
			t.Errorf("unsafe id %q: answered %q", bad, got)
		}
	}
}
