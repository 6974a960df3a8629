package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"coterforum/forum"
)

// chunked streams n bytes of a body, in 32 KiB chunks, with no length.
type chunked struct {
	prefix string
	n      int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.prefix != "" {
		k := copy(p, c.prefix)
		c.prefix = c.prefix[k:]
		return k, nil
	}
	if c.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), c.n, 32<<10)
	for i := range k {
		p[i] = 'a'
	}
	c.n -= k
	return k, nil
}

// TestOversizeChunkedBodyIs413 sends 10 MB of chunked form and of chunked
// JSON, anonymous and logged in: always 413 with the limit in the page's
// language, never a CSRF refusal or a form error.
func TestOversizeChunkedBodyIs413(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	member := e.login(m, pw)
	id, _ := member.createThread("sig", nil, "Un fil pour les corps trop gros", "Premier message.")
	cases := []struct {
		name, path, ctype, prefix, lang, want string
	}{
		{"anonymous form", "/login", "application/x-www-form-urlencoded", "email=a%40b.fr&password=", "fr", "La requête est trop volumineuse"},
		{"member form", "/threads/" + id + "/posts", "application/x-www-form-urlencoded", "action=publish&body=", "fr", "La requête est trop volumineuse"},
		{"member form, English", "/threads/" + id + "/posts", "application/x-www-form-urlencoded", "action=publish&body=", "en", "The request is too large"},
		{"multipart form", "/threads", "multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n", "fr", "La requête est trop volumineuse"},
		{"member JSON", "/api/v1/threads/" + id + "/posts", "application/json", `{"body":"`, "fr", "body_too_large"},
		{"anonymous JSON, English", "/api/v1/session", "application/json", `{"email":"`, "en", "The request is too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := member
			if strings.HasPrefix(tc.name, "anonymous") {
				c = e.anon()
			}
			req, _ := http.NewRequest(http.MethodPost, e.ts.URL+tc.path, io.NopCloser(&chunked{prefix: tc.prefix, n: 10 << 20}))
			req.ContentLength = -1
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set("Accept-Language", tc.lang)
			if c.csrf != "" {
				req.Header.Set("X-CSRF-Token", c.csrf)
			}
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), tc.want) {
				t.Fatalf("%d %.300s, want 413 with %q", resp.StatusCode, body, tc.want)
			}
			if resp.TransferEncoding == nil && resp.ContentLength == 0 {
				t.Fatal("empty 413")
			}
		})
	}
	n, _ := e.st.CountPosts(t.Context(), forum.PostFilter{ThreadID: id, AllStatuses: true}, nil)
	if n != 1 {
		t.Fatalf("posts stored: %d, want 1", n)
	}
}
