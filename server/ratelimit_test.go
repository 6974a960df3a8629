package server

import (
	"fmt"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestClientKeyGroupsIPv6By64(t *testing.T) {
	cases := []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:eeee:dddd:cccc"},
		{"192.0.2.7", "::ffff:192.0.2.7"},
	}
	for _, tc := range cases {
		if clientKey(tc.a) != clientKey(tc.b) {
			t.Errorf("%s and %s are two clients: %q %q", tc.a, tc.b, clientKey(tc.a), clientKey(tc.b))
		}
	}
	for _, pair := range [][2]string{{"2001:db8:1:2::1", "2001:db8:1:3::1"}, {"192.0.2.7", "192.0.2.8"}} {
		if clientKey(pair[0]) == clientKey(pair[1]) {
			t.Errorf("%s and %s are one client", pair[0], pair[1])
		}
	}
}

// TestLoginLimiterIPv6RotationIsOneClient: addresses rotated inside one
// /64 share the pair's and the client's buckets.
func TestLoginLimiterIPv6RotationIsOneClient(t *testing.T) {
	clk := &fakeClock{time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	l := newLoginLimiter(LoginLimits{PerPair: 3, PerClient: 5}, clk.now, nil)
	for i := 1; i <= 3; i++ {
		if _, _, ok := l.begin("a@example.org", fmt.Sprintf("2001:db8:5:6::%x", i), ""); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if _, wait, ok := l.begin("a@example.org", "2001:db8:5:6:abcd::1", ""); ok || wait <= 0 {
		t.Fatalf("4th attempt from the same /64: ok=%v wait=%v, want refused with a wait", ok, wait)
	}
	// The wider per-client limit also holds across accounts in the /64.
	for i := 0; i < 2; i++ {
		if _, _, ok := l.begin(fmt.Sprintf("b%d@example.org", i), fmt.Sprintf("2001:db8:5:6::%x", 100+i), ""); !ok {
			t.Fatalf("other account %d refused", i)
		}
	}
	if _, _, ok := l.begin("c@example.org", "2001:db8:5:6::200", ""); ok {
		t.Fatal("per-client limit not applied across the /64")
	}
	if _, _, ok := l.begin("c@example.org", "2001:db8:5:7::1", ""); !ok {
		t.Fatal("another /64 refused")
	}
}

// TestLoginLimiterAccountSlowDownGrows: past the account's burst, attempts
// from unknown clients wait a delay that doubles; the owner's known client
// is not slowed, and the delay is forgotten once the account is left alone.
func TestLoginLimiterAccountSlowDownGrows(t *testing.T) {
	clk := &fakeClock{time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	lim := LoginLimits{PerAccount: 2, AccountRefill: time.Minute, Delay: 2 * time.Second, MaxDelay: 16 * time.Second}
	l := newLoginLimiter(lim, clk.now, nil)
	// The owner logged in once from 198.51.100.1.
	a, _, ok := l.begin("owner@example.org", "198.51.100.1", "")
	if !ok {
		t.Fatal("owner's first login refused")
	}
	l.succeeded(a)
	ip := 0
	attempt := func() (time.Duration, bool) {
		ip++
		_, wait, ok := l.begin("owner@example.org", fmt.Sprintf("203.0.113.%d", ip), "")
		return wait, ok
	}
	for i := 0; i < 2; i++ { // the rest of the burst (the owner's login took one), then one slowed attempt
		if _, ok := attempt(); !ok {
			t.Fatalf("attempt %d in the burst refused", i)
		}
	}
	var waits []time.Duration
	for len(waits) < 5 {
		wait, ok := attempt()
		if ok {
			continue
		}
		waits = append(waits, wait)
		// The owner's known address is never slowed by the others.
		if _, _, ok := l.begin("owner@example.org", "198.51.100.1", ""); !ok {
			t.Fatalf("owner's known client refused while others wait %v", wait)
		}
		clk.t = clk.t.Add(wait)
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 16 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	// Left alone until the bucket is full again: no delay any more.
	clk.t = clk.t.Add(3 * time.Minute)
	for i := 0; i < 3; i++ {
		if _, ok := attempt(); !ok {
			t.Fatalf("after a quiet spell, attempt %d refused", i)
		}
	}
	if wait, ok := attempt(); ok || wait != 2*time.Second {
		t.Fatalf("slow-down after a quiet spell: ok=%v wait=%v, want it to start again at 2s", ok, wait)
	}
}
