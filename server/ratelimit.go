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
	// refused is called at each refusal (metrics).
	refused func()
}

func newLoginLimiter(l LoginLimits, now func() time.Time, refused func()) *loginLimiter {
	if l.PerAccount <= 0 {
		l.PerAccount = 5
	}
	if l.PerClient <= 0 {
		l.PerClient = 20
	}
	if l.Window <= 0 {
		l.Window = 15 * time.Minute
	}
	if refused == nil {
		refused = func() {}
	}
	return &loginLimiter{limits: l, now: now, fails: map[string][]time.Time{}, refused: refused}
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

// begin reserves an attempt for account from client, before the password is
// checked, so that parallel attempts count too; false when a limit is
// reached. The reservation counts as a failure until done says otherwise.
func (l *loginLimiter) begin(account, client string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 100000 { // bound memory under a spray of accounts
		for k := range l.fails {
			l.recent(k)
		}
	}
	if len(l.recent("a:"+account)) >= l.limits.PerAccount || len(l.recent("c:"+client)) >= l.limits.PerClient {
		l.refused()
		return time.Time{}, false
	}
	now := l.now()
	l.fails["a:"+account] = append(l.fails["a:"+account], now)
	l.fails["c:"+client] = append(l.fails["c:"+client], now)
	return now, true
}

// succeeded forgets the account's failures and the client's reservation.
func (l *loginLimiter) succeeded(account, client string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "a:"+account)
	ts := l.fails["c:"+client]
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].Equal(at) {
			l.fails["c:"+client] = append(ts[:i:i], ts[i+1:]...)
			break
		}
	}
}
