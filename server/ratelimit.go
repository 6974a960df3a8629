package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// LoginLimits bounds password checks (logins, password changes, account
// deletions). Three token buckets (golang.org/x/time/rate) apply:
//   - per (account, client) pair: a client guessing one account's password;
//   - per client, wider: a client spraying many accounts;
//   - per account, for clients that never logged into it: past its burst,
//     attempts are slowed by a doubling delay, never refused for good.
//
// A client that has logged into the account before (a signed device cookie,
// or its address seen in a successful login) skips the per-account limit,
// and with the cookie the per-client one too: failures from other clients
// never block its owner. A client is its IPv4 address or its IPv6 /64.
// Limits are per process: with several replicas an attacker gets a few more
// tries each.
type LoginLimits struct {
	PerPair    int           // burst per (account, client) pair (default 5)
	PerClient  int           // burst per client, all accounts together (default 30)
	PerAccount int           // burst per account from unknown clients (default 10)
	Refill     time.Duration // one pair or client attempt comes back every Refill (default 1 min)
	// AccountRefill: one per-account attempt comes back every AccountRefill (default 5 min).
	AccountRefill time.Duration
	// Delay is the first wait once an account's burst is spent; it doubles
	// at each slowed attempt up to MaxDelay (defaults 2 s and 5 min).
	Delay, MaxDelay time.Duration
}

func (l LoginLimits) withDefaults() LoginLimits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.PerPair, 5)
	def(&l.PerClient, 30)
	def(&l.PerAccount, 10)
	defd(&l.Refill, time.Minute)
	defd(&l.AccountRefill, 5*time.Minute)
	defd(&l.Delay, 2*time.Second)
	defd(&l.MaxDelay, 5*time.Minute)
	return l
}

// limiterEntries bounds each table: beyond it the least recently used
// entries go (a spray of keys only forgets the oldest limits).
const limiterEntries = 100_000

// knownClientTTL is how long an address that logged into an account stays
// known for it.
const knownClientTTL = 30 * 24 * time.Hour

// loginLimiter holds the buckets in expirable LRUs: idle entries expire on
// their own once their bucket would be full again, so nothing ever walks a
// whole table.
type loginLimiter struct {
	limits   LoginLimits
	now      func() time.Time
	refused  func() // called at each refusal (metrics)
	pairs    *expirable.LRU[string, *rate.Limiter]
	clients  *expirable.LRU[string, *rate.Limiter]
	accounts *expirable.LRU[string, *accountState]
	known    *expirable.LRU[string, struct{}] // account + "\x00" + client key
	// mu only makes get-or-create atomic; it guards no table-wide work.
	mu sync.Mutex
}

// accountState is one account's bucket and its slow-down.
type accountState struct {
	mu    sync.Mutex
	lim   *rate.Limiter
	next  time.Time     // no attempt from an unknown client before
	delay time.Duration // the last slow-down
}

func newLoginLimiter(l LoginLimits, now func() time.Time, refused func()) *loginLimiter {
	l = l.withDefaults()
	if refused == nil {
		refused = func() {}
	}
	return &loginLimiter{limits: l, now: now, refused: refused,
		pairs:    expirable.NewLRU[string, *rate.Limiter](limiterEntries, nil, time.Duration(l.PerPair)*l.Refill),
		clients:  expirable.NewLRU[string, *rate.Limiter](limiterEntries, nil, time.Duration(l.PerClient)*l.Refill),
		accounts: expirable.NewLRU[string, *accountState](limiterEntries, nil, time.Duration(l.PerAccount)*l.AccountRefill+l.MaxDelay),
		known:    expirable.NewLRU[string, struct{}](limiterEntries, nil, knownClientTTL),
	}
}

// clientKey is the limiter's name for an address: IPv4 as is, IPv6 by its
// /64 (one subscriber's network: rotating inside it is one client).
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// bucket returns the key's bucket in t, created full, and renews its expiry.
func (l *loginLimiter) bucket(t *expirable.LRU[string, *rate.Limiter], key string, burst int, every time.Duration) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := t.Get(key)
	if !ok {
		b = rate.NewLimiter(rate.Every(every), burst)
	}
	t.Add(key, b)
	return b
}

func (l *loginLimiter) account(account string) *accountState {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts.Get(account)
	if !ok {
		a = &accountState{lim: rate.NewLimiter(rate.Every(l.limits.AccountRefill), l.limits.PerAccount)}
	}
	l.accounts.Add(account, a)
	return a
}

// loginAttempt is a password check let through by begin.
type loginAttempt struct {
	account, client, pair string
}

// waitOf is how long until b has a token again.
func waitOf(b *rate.Limiter, now time.Time) time.Duration {
	r := b.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return d
}

// begin takes an attempt for account from client (its address) before the
// password is checked, so that parallel attempts count too. device is the
// id of a valid device cookie for this account, or "". Refused: false and
// how long to wait.
func (l *loginLimiter) begin(account, ip, device string) (loginAttempt, time.Duration, bool) {
	now := l.now()
	client := clientKey(ip)
	a := loginAttempt{account: account, client: client, pair: account + "\x00" + client}
	if device != "" {
		// The owner's browser: only its own failures count against it.
		a.pair = account + "\x00d:" + device
		if p := l.bucket(l.pairs, a.pair, l.limits.PerPair, l.limits.Refill); !p.AllowN(now, 1) {
			return l.refuse(waitOf(p, now))
		}
		return a, 0, true
	}
	p := l.bucket(l.pairs, a.pair, l.limits.PerPair, l.limits.Refill)
	if !p.AllowN(now, 1) {
		return l.refuse(waitOf(p, now))
	}
	cl := l.bucket(l.clients, client, l.limits.PerClient, l.limits.Refill)
	if !cl.AllowN(now, 1) {
		return l.refuse(waitOf(cl, now))
	}
	if l.known.Contains(account + "\x00" + client) {
		return a, 0, true
	}
	if wait, ok := l.slow(l.account(account), now); !ok {
		return l.refuse(wait)
	}
	return a, 0, true
}

// slow applies an account's limit to an unknown client: its burst, then
// one attempt per delay, the delay doubling up to MaxDelay. The delay is
// forgotten once the bucket is full again (the account was left alone).
func (l *loginLimiter) slow(st *accountState, now time.Time) (time.Duration, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if now.Before(st.next) {
		return st.next.Sub(now), false
	}
	if st.lim.TokensAt(now) >= float64(st.lim.Burst()) {
		st.delay = 0
	}
	if st.lim.AllowN(now, 1) {
		return 0, true
	}
	st.delay = min(max(2*st.delay, l.limits.Delay), l.limits.MaxDelay)
	st.next = now.Add(st.delay)
	return 0, true
}

func (l *loginLimiter) refuse(wait time.Duration) (loginAttempt, time.Duration, bool) {
	l.refused()
	return loginAttempt{}, max(wait, time.Second), false
}

// succeeded forgets the pair's attempts and remembers the client as one
// that logged into the account.
func (l *loginLimiter) succeeded(a loginAttempt) {
	l.pairs.Remove(a.pair)
	l.known.Add(a.account+"\x00"+a.client, struct{}{})
}

// forget drops what the limiter remembers of the attempt's account and
// client once the account is deleted.
func (l *loginLimiter) forget(a loginAttempt) {
	l.pairs.Remove(a.pair)
	l.known.Remove(a.account + "\x00" + a.client)
}

// deviceCookie marks a browser that logged into an account: signed, so
// only the forum can issue it, and bound to the account it logged into.
const deviceCookie = "cf_device"

// deviceSig signs a device id for an account.
func (s *Server) deviceSig(account, id string) string {
	mac := hmac.New(sha256.New, s.deviceKey)
	mac.Write([]byte(account + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// device returns the id of the request's device cookie when it is valid for
// account, else "".
func (s *Server) device(c echo.Context, account string) string {
	ck, err := c.Cookie(deviceCookie)
	if err != nil {
		return ""
	}
	id, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || id == "" || !hmac.Equal([]byte(sig), []byte(s.deviceSig(account, id))) {
		return ""
	}
	return id
}

// beginLogin takes a password check for account under the login limits;
// refused, it sets Retry-After and returns errTooManyLogins.
func (s *Server) beginLogin(c echo.Context, account string) (loginAttempt, error) {
	account = strings.ToLower(strings.TrimSpace(account))
	a, wait, ok := s.limiter.begin(account, c.RealIP(), s.device(c, account))
	if !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return a, errTooManyLogins
	}
	return a, nil
}

// loginSucceeded clears the attempt's pair and marks the browser and its
// address as known for the account.
func (s *Server) loginSucceeded(c echo.Context, a loginAttempt) {
	s.limiter.succeeded(a)
	id := s.device(c, a.account)
	if id == "" {
		id = rand.Text()
	}
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: id + "." + s.deviceSig(a.account, id), Path: "/", HttpOnly: true,
		Secure: s.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(knownClientTTL / time.Second)})
}
