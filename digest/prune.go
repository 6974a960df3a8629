package digest

import (
	"context"
	"log/slog"
	"time"

	"coterforum/internal/periodic"
)

// How long the digests keep what they know of an address.
const (
	// UnconfirmedKeep is how long a reader who never confirmed stays (at
	// least Config.ConfirmTTL, the life of the confirmation link).
	UnconfirmedKeep = 7 * 24 * time.Hour
	// DeliveryLogKeep is how long a delivery log entry stays.
	DeliveryLogKeep = 90 * 24 * time.Hour
)

// pruneBatch is how many stale subscribers are read at once.
const pruneBatch = 100

// Prune erases the readers who never confirmed their address within
// UnconfirmedKeep (like Erase: their subscriptions, queued mail and
// record), and deletes the delivery log entries older than DeliveryLogKeep.
// It returns how many subscribers and log entries went.
func (s *Service) Prune(ctx context.Context) (subscribers int, entries int64, err error) {
	before := s.now().Add(-max(UnconfirmedKeep, s.cfg.ConfirmTTL))
	for {
		subs, err := s.store.StaleSubscribers(ctx, before, pruneBatch)
		if err != nil {
			return subscribers, 0, err
		}
		for _, sub := range subs {
			if err := s.Erase(ctx, sub.ID); err != nil {
				return subscribers, 0, err
			}
			subscribers++
		}
		if len(subs) < pruneBatch {
			break
		}
	}
	entries, err = s.store.PruneDeliveryLog(ctx, s.now().Add(-DeliveryLogKeep))
	return subscribers, entries, err
}

// Pruner runs Prune at start and then every period.
type Pruner struct {
	Service *Service
	Every   time.Duration
	Log     *slog.Logger
}

// Run prunes at once, then every period, until ctx is cancelled.
func (p Pruner) Run(ctx context.Context) error {
	return periodic.Run(ctx, p.Every, p.Log, "digest pruning not completed", func(ctx context.Context) error {
		subs, entries, err := p.Service.Prune(ctx)
		if err == nil && (subs > 0 || entries > 0) {
			p.Log.Info("digest data pruned", "unconfirmed_subscribers", subs, "log_entries", entries)
		}
		return err
	})
}
