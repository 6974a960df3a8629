package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/server"
)

// behindProxy trusts loopback's X-Forwarded-For, so that a test can speak
// from any address.
func behindProxy(c *serverConfig) {
	_, v4, _ := net.ParseCIDR("127.0.0.0/8")
	_, v6, _ := net.ParseCIDR("::1/128")
	c.TrustedProxies = []*net.IPNet{v4, v6}
}

// loginFrom posts credentials to the API from address ip ("" for the
// connection's own), with c's cookies.
func (c *client) loginFrom(ip, email, password string) *http.Response {
	c.t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+"/api/v1/session", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func retryAfter(t *testing.T, resp *http.Response) int {
	t.Helper()
	n, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("429 without a Retry-After in seconds: %q", resp.Header.Get("Retry-After"))
	}
	return n
}

// TestLoginOwnerNotLockedOut is the lockout of issue 11: while clients
// from many addresses are refused on an account, its owner, who logged in
// before, still logs in with the right password, from the browser that
// logged in (device cookie) and from the address that did (API client
// without cookies).
func TestLoginOwnerNotLockedOut(t *testing.T) {
	e := newEnv(t, behindProxy, func(c *serverConfig) {
		c.LoginLimits = server.LoginLimits{PerAccount: 4, Delay: time.Minute} // the attack stays slowed for the whole test
	})
	m, pw := e.member(forum.RoleModerator, "commune")
	browser := e.anon()
	if resp := browser.loginFrom("198.51.100.10", m.Email, pw); resp.StatusCode != 200 {
		t.Fatalf("owner's first login: %d", resp.StatusCode)
	}
	// The attack: wrong passwords from rotating addresses until refused.
	attacker := e.anon()
	refused := 0
	for i := 0; i < 40 && refused < 3; i++ {
		resp := attacker.loginFrom(fmt.Sprintf("203.0.113.%d", i+1), m.Email, fmt.Sprintf("devine-%d-xxxxxxxx", i))
		switch resp.StatusCode {
		case http.StatusTooManyRequests:
			retryAfter(t, resp)
			refused++
		case http.StatusUnauthorized:
		default:
			t.Fatalf("attack attempt %d: %d", i, resp.StatusCode)
		}
	}
	if refused < 3 {
		t.Fatal("the attack was never refused")
	}
	// The owner's browser, from a new address (a laptop on another network).
	if resp := browser.loginFrom("192.0.2.50", m.Email, pw); resp.StatusCode != 200 {
		t.Fatalf("owner's browser during the attack: %d", resp.StatusCode)
	}
	// A cookie-less API client from the address that logged in before.
	if resp := e.anon().loginFrom("198.51.100.10", m.Email, pw); resp.StatusCode != 200 {
		t.Fatalf("owner's known address during the attack: %d", resp.StatusCode)
	}
	// The attack is still refused.
	if resp := attacker.loginFrom("203.0.113.200", m.Email, "encore-faux-xxxxxxxx"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("attack after the owner's login: %d, want 429", resp.StatusCode)
	} else {
		retryAfter(t, resp)
	}
	// A forged device cookie is no key.
	forged := e.anon()
	u, _ := http.NewRequest("GET", e.ts.URL, nil)
	forged.http.Jar.SetCookies(u.URL, []*http.Cookie{{Name: "cf_device", Value: "abc.def"}})
	if resp := forged.loginFrom("203.0.113.201", m.Email, "encore-faux-xxxxxxxx"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("forged device cookie: %d, want 429", resp.StatusCode)
	}
}

// TestLoginIPv6RotationIsOneClient: rotating addresses inside one /64 does
// not escape the per-client limits, and every 429 says when to retry.
func TestLoginIPv6RotationIsOneClient(t *testing.T) {
	e := newEnv(t, behindProxy)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.anon()
	for i := 0; i < 5; i++ {
		if resp := c.loginFrom(fmt.Sprintf("2001:db8:42:7::%x", i+1), m.Email, "pas-le-bon-xxxxxxxx"); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	resp := c.loginFrom("2001:db8:42:7:9999::1", m.Email, pw)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("6th attempt from the same /64: %d, want 429", resp.StatusCode)
	}
	if n := retryAfter(t, resp); n > 60 {
		t.Fatalf("Retry-After %d s, want at most one refill (60 s)", n)
	}
	if resp := c.loginFrom("2001:db8:42:8::1", m.Email, pw); resp.StatusCode != 200 {
		t.Fatalf("another /64: %d", resp.StatusCode)
	}
}
