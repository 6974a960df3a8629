package forum

import (
	"context"
	"log/slog"
	"time"

	"coterforum/internal/periodic"
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
	return periodic.Run(ctx, w.Every, w.Log, "session sweep failed", func(ctx context.Context) error {
		n, err := w.Service.SweepSessions(ctx)
		if err == nil && n > 0 {
			w.Log.Info("expired sessions deleted", "count", n)
		}
		if err != nil {
			return err
		}
		n, err = w.Service.SweepAccountTokens(ctx)
		if err == nil && n > 0 {
			w.Log.Info("expired account tokens deleted", "count", n)
		}
		return err
	})
}
