package forum

import (
	"context"
	"log/slog"
	"time"
)

// SessionSweeper deletes expired sessions and expired account tokens
// (password-reset and email-change links) periodically.
type SessionSweeper struct {
	Service *Service
	Every   time.Duration
	Log     *slog.Logger
}

// Run sweeps at start and then every period until ctx is cancelled.
func (w SessionSweeper) Run(ctx context.Context) error {
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		if n, err := w.Service.SweepSessions(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("session sweep failed", "err", err)
		} else if n > 0 {
			w.Log.Info("expired sessions deleted", "count", n)
		}
		if n, err := w.Service.SweepAccountTokens(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("account token sweep failed", "err", err)
		} else if n > 0 {
			w.Log.Info("expired account tokens deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
