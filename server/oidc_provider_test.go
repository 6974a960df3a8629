package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/server"

	"github.com/go-jose/go-jose/v4"
)

// testOP is a small OpenID Connect provider for the tests, served by
// httptest: discovery, JWKS (ES256), authorization (PKCE S256 required),
// token (client secret, single-use codes, PKCE checked) and userinfo.
// ProConnect-like, the ID token carries sub and nonce and the userinfo the
// identity. Forge lets a test alter the ID token's claims.
type testOP struct {
	t        *testing.T
	ts       *httptest.Server
	key      *ecdsa.PrivateKey
	clientID string
	secret   string

	mu     sync.Mutex
	grants map[string]*opGrant
	access map[string]map[string]any
	// Next is the identity of the next authorization (userinfo claims).
	Next map[string]any
	// Forge, when set, changes the claims of the next ID tokens.
	Forge func(claims map[string]any)
	// Reused counts exchanges of a code already used.
	Reused int
}

type opGrant struct {
	redirect, challenge, nonce string
	identity                   map[string]any
	used                       bool
}

func newTestOP(t *testing.T) *testOP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	op := &testOP{t: t, key: key, clientID: "forum-test", secret: "secret-du-forum", grants: map[string]*opGrant{}, access: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", op.jwks)
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	mux.HandleFunc("GET /userinfo", op.userinfo)
	op.ts = httptest.NewServer(mux)
	t.Cleanup(op.ts.Close)
	return op
}

// config is the forum's configuration for this provider.
func (op *testOP) config(signup forum.SignupPolicy) server.OIDCConfig {
	return server.OIDCConfig{Issuer: op.ts.URL, ClientID: op.clientID, ClientSecret: op.secret, Signup: signup}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (op *testOP) discovery(w http.ResponseWriter, r *http.Request) {
	u := op.ts.URL
	writeJSON(w, 200, map[string]any{"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
		"jwks_uri": u + "/jwks", "userinfo_endpoint": u + "/userinfo", "response_types_supported": []string{"code"},
		"subject_types_supported": []string{"public"}, "id_token_signing_alg_values_supported": []string{"ES256"},
		"code_challenge_methods_supported": []string{"S256"}, "scopes_supported": server.DefaultOIDCScopes})
}

func (op *testOP) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &op.key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
}

func (op *testOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != op.clientID || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" || !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code := opRandom()
	op.mu.Lock()
	op.grants[code] = &opGrant{redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), identity: op.Next}
	op.mu.Unlock()
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

func (op *testOP) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != op.clientID || secret != op.secret {
		writeJSON(w, 401, map[string]string{"error": "invalid_client"})
		return
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	g := op.grants[r.PostForm.Get("code")]
	switch {
	case g == nil:
		writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
		return
	case g.used:
		op.Reused++
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "code already used"})
		return
	}
	g.used = true
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if r.PostForm.Get("redirect_uri") != g.redirect || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "PKCE or redirect_uri mismatch"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": op.ts.URL, "sub": g.identity["sub"], "aud": op.clientID, "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce}
	if op.Forge != nil {
		op.Forge(claims)
	}
	at := opRandom()
	op.access[at] = g.identity
	writeJSON(w, 200, map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 60, "id_token": op.sign(claims)})
}

func (op *testOP) userinfo(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	claims, ok := op.access[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	op.mu.Unlock()
	if !ok {
		writeJSON(w, 401, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, 200, claims)
}

func (op *testOP) sign(claims map[string]any) string {
	op.t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: op.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		op.t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		op.t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		op.t.Fatal(err)
	}
	return s
}

func opRandom() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// start begins a ProConnect login in the client's browser and returns the
// callback URL the provider sends it back to (not followed yet).
func (op *testOP) start(c *client, next string) *url.URL {
	c.t.Helper()
	path := "/login/proconnect"
	if next != "" {
		path += "?next=" + url.QueryEscape(next)
	}
	status, body, resp := c.get(path)
	if status != http.StatusSeeOther {
		c.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	authz := resp.Header.Get("Location")
	if !strings.HasPrefix(authz, op.ts.URL+"/authorize?") {
		c.t.Fatalf("start redirects to %q", authz)
	}
	resp, err := c.http.Get(authz)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		c.t.Fatalf("authorize: %d", resp.StatusCode)
	}
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(cb.String(), c.e.ts.URL+"/login/proconnect/callback?") {
		c.t.Fatalf("authorize redirects to %q", cb)
	}
	return cb
}

// finish follows the callback URL in the client's browser.
func (c *client) finish(cb *url.URL) (int, string, *http.Response) {
	c.t.Helper()
	return c.get(strings.TrimPrefix(cb.String(), c.e.ts.URL))
}

// login runs a whole ProConnect login and returns the callback's answer.
func (op *testOP) login(c *client, next string) (int, string, *http.Response) {
	c.t.Helper()
	return c.finish(op.start(c, next))
}

// hasSession reports whether the client holds a session cookie of the forum.
func (c *client) hasSession() bool {
	u, _ := url.Parse(c.e.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "cf_session" && ck.Value != "" {
			return true
		}
	}
	return false
}
