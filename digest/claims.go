package digest

import (
	"context"
	"sync"
)

// claimSet remembers the outbox claims this process took and may still
// hold: a claim is busy while its messages are being sent; one whose send
// was interrupted (or whose outcome could not be recorded) stays, idle,
// until ReleaseClaims gives its messages back.
type claimSet struct {
	mu   sync.Mutex
	held map[string]bool // claim id → busy
}

// take records a claim about to be taken, busy.
func (c *claimSet) take(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held == nil {
		c.held = map[string]bool{}
	}
	c.held[id] = true
}

// done marks the send of a claim over: forgotten when every message it
// held was finished or put back, else kept for ReleaseClaims.
func (c *claimSet) done(id string, settled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if settled {
		delete(c.held, id)
	} else {
		c.held[id] = false
	}
}

// idle returns the claims kept but not being sent, and how many are busy.
func (c *claimSet) idle() (ids []string, busy int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, b := range c.held {
		if b {
			busy++
		} else {
			ids = append(ids, id)
		}
	}
	return ids, busy
}

// forget drops claims whose messages were given back.
func (c *claimSet) forget(ids []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if !c.held[id] {
			delete(c.held, id)
		}
	}
}

// ReleaseClaims gives back the outbox messages that this process claimed
// and did not finish (a send interrupted by the end of the context of
// Deliver, RunOnce or the Scheduler): they become pending and due at
// once, so that another replica sends them now rather than when their
// claim expires (Config.ClaimTTL). Call it when the process stops, after
// the Scheduler has returned. A claim whose messages are still being sent
// is left to expire: it returns how many messages were released and how
// many claims were busy.
func (s *Service) ReleaseClaims(ctx context.Context) (released, busy int, err error) {
	ids, busy := s.claims.idle()
	if len(ids) == 0 {
		return 0, busy, nil
	}
	released, err = s.store.ReleaseClaims(ctx, ids, s.now())
	if err != nil {
		return 0, busy, err
	}
	s.claims.forget(ids)
	return released, busy, nil
}
