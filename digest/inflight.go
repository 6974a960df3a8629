package digest

import (
	"context"
	"errors"
	"sync"
	"time"

	"coterforum/forum"
)

// inflight keeps an erasure and the sending of mail to the same subscriber
// apart in this process: a message being sent when an erasure starts is
// sent before the erasure goes on, and none starts while it runs. After
// the erasure, the subscriber record is gone, and send checks it first.
type inflight struct {
	mu      sync.Mutex
	sending map[string]int  // subscriber id → messages being sent
	erasing map[string]bool // subscriber ids being erased
}

// start records a message to sub about to be sent; false while sub is being erased.
func (f *inflight) start(sub string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.erasing[sub] {
		return false
	}
	if f.sending == nil {
		f.sending = map[string]int{}
	}
	f.sending[sub]++
	return true
}

// done ends what start began.
func (f *inflight) done(sub string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sending[sub]--; f.sending[sub] <= 0 {
		delete(f.sending, sub)
	}
}

// erase marks sub as being erased, waits until no message to it is being
// sent, and returns the function that ends the mark.
func (f *inflight) erase(ctx context.Context, sub string) (func(), error) {
	f.mu.Lock()
	if f.erasing == nil {
		f.erasing = map[string]bool{}
	}
	f.erasing[sub] = true
	f.mu.Unlock()
	release := func() {
		f.mu.Lock()
		delete(f.erasing, sub)
		f.mu.Unlock()
	}
	for {
		f.mu.Lock()
		n := f.sending[sub]
		f.mu.Unlock()
		if n == 0 {
			return release, nil
		}
		select {
		case <-ctx.Done():
			release()
			return func() {}, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// errErased marks a message whose subscriber was erased: it is not sent.
var errErased = errors.New("destinataire effacé")

// sendUnlessErased sends m unless its subscriber is being erased or gone.
// When started is true, the caller calls s.inflight.done(m.SubscriberID)
// once the outcome is recorded (an erasure then finds it in the log).
func (s *Service) sendUnlessErased(ctx context.Context, m *OutboxMessage) (started bool, err error) {
	if m.SubscriberID == "" {
		return false, s.send(ctx, m)
	}
	if !s.inflight.start(m.SubscriberID) {
		return false, errErased
	}
	return true, s.checkAndSend(ctx, m)
}

// checkAndSend sends m if its subscriber still exists.
func (s *Service) checkAndSend(ctx context.Context, m *OutboxMessage) error {
	if _, err := s.store.SubscriberByID(ctx, m.SubscriberID); errors.Is(err, forum.ErrNotFound) {
		return errErased
	} else if err != nil {
		return err
	}
	return s.send(ctx, m)
}
