package server

import (
	"sync"
	"time"
)

// LoginLimits bounds failed logins in a sliding window.
type LoginLimits struct {
	PerAccount int           // failures allowed per account (default 5)
	PerClient  int           // failures allowed per client address (default 20)
	Window     time.Duration // default 15 minutes
}

// loginLimiter counts recent failed logins per account and per client. It is
// per process: with several replicas an attacker gets a few more tries each.
type loginLimiter struct {
	mu     sync.Mutex
	limits LoginLimits
	now    func() time.Time
	fails  map[string][]time.Time
}

func newLoginLimiter(l LoginLimits, now func() time.Time) *loginLimiter {
	if l.PerAccount <= 0 {
		l.PerAccount = 5
	}
	if l.PerClient <= 0 {
		l.PerClient = 20
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	return &loginLimiter{limits: l, now: now, fails: map[string][]time.Time{}}
}

func (l *loginLimiter) recent(key string) []time.Time {
	cut := l.now().Add(-l.limits.Window)
	ts := l.fails[key]
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = ts
	}
	return ts
}

// allowed reports whether a login attempt for account from client may be tried.
func (l *loginLimiter) allowed(account, client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent("a:"+account)) < l.limits.PerAccount && len(l.recent("c:"+client)) < l.limits.PerClient
}

// failed records a failed attempt.
func (l *loginLimiter) failed(account, client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.fails) > 100000 { // bound memory under a spray of accounts
		for k := range l.fails {
			l.recent(k)
		}
	}
	l.fails["a:"+account] = append(l.recent("a:"+account), now)
	l.fails["c:"+client] = append(l.recent("c:"+client), now)
}

// succeeded forgets the account's failures.
func (l *loginLimiter) succeeded(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "a:"+account)
}
