// Package periodic runs the server's background jobs (pruners, sweepers,
// reminders, the reconciler): once at start, then at a fixed period, until
// the server stops.
package periodic

import (
	"context"
	"log/slog"
	"time"
)

// Run calls round at once and then every period until ctx is cancelled,
// and returns nil then. A round that fails, other than by ctx's end, is
// logged with failed as the message and the next round runs as planned: a
// job never stops the server. A period of 0 or less means an hour.
func Run(ctx context.Context, every time.Duration, log *slog.Logger, failed string, round func(context.Context) error) error {
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := round(ctx); err != nil && ctx.Err() == nil && log != nil {
			log.Warn(failed, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
