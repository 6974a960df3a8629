package digest

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"coterforum/forum"
)

// NextRun returns the first digest time strictly after after: hour:00 local
// time in loc every day (daily) or every weekday (weekly). It works on civil
// dates, so a daylight-saving change neither skips nor doubles a day: each
// local date has exactly one slot (an hour that does not exist that day is
// taken as time.Date normalises it).
func NextRun(after time.Time, frequency string, hour int, weekday time.Weekday, loc *time.Location) time.Time {
	weekday %= 7 // Sunday may be written 7 (digest.Sunday)
	y, m, d := after.In(loc).Date()
	for i := 0; ; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC)
		if frequency == Weekly && day.Weekday() != weekday {
			continue
		}
		if t := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc); t.After(after) {
			return t
		}
	}
}

// prevRun returns the last digest time at or before now.
func prevRun(now time.Time, frequency string, hour int, weekday time.Weekday, loc *time.Location) time.Time {
	weekday %= 7
	y, m, d := now.In(loc).Date()
	for i := 0; ; i-- {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, time.UTC)
		if frequency == Weekly && day.Weekday() != weekday {
			continue
		}
		if t := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc); !t.After(now) {
			return t
		}
	}
}

// jobs is what the Scheduler drives; Service implements it.
type jobs interface {
	RunScheduled(ctx context.Context, frequency string, now time.Time) (int, error)
	// Missed reports whether this period's digests are past due and not done
	// (the process was down at the time, or a run was interrupted).
	Missed(ctx context.Context, frequency string, now time.Time) (bool, error)
	// Tick sends due messages and immediate notifications.
	Tick(ctx context.Context) error
}

// Scheduler is the background job of digests: daily ones at
// Config.DailyHour, weekly ones on Config.WeeklyDay at that hour (in
// Config.Location), and every Poll the immediate notifications and the
// retries that are due. At start it catches up on this period's digests if
// they were missed.
type Scheduler struct {
	jobs  jobs
	cfg   Config
	log   *slog.Logger
	clock Clock
	// Poll is how often due messages and immediate notifications are
	// looked for (default 1 minute).
	Poll time.Duration
}

// Scheduler returns the background job of the service; run it with
// go sched.Run(ctx).
func (s *Service) Scheduler() *Scheduler {
	return &Scheduler{jobs: s, cfg: s.cfg, log: s.log, clock: s.cfg.Clock, Poll: time.Minute}
}

// SetLog replaces the scheduler's logger (serve's names the job).
func (sc *Scheduler) SetLog(log *slog.Logger) { sc.log = log }

// Missed implements the Scheduler's catch-up check.
func (s *Service) Missed(ctx context.Context, frequency string, now time.Time) (bool, error) {
	slot := prevRun(now, frequency, s.cfg.DailyHour, s.cfg.WeeklyDay, s.cfg.Location)
	key := s.PeriodKey(frequency, now)
	if s.PeriodKey(frequency, slot) != key {
		return false, nil // this period's time has not come yet
	}
	latest, err := s.store.LatestRun(ctx, frequency)
	if errors.Is(err, forum.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return latest.Period != key || !latest.Done, nil
}

// Tick sends the immediate notifications and the messages that are due.
func (s *Service) Tick(ctx context.Context) error {
	_, err1 := s.SweepImmediate(ctx)
	_, err2 := s.Deliver(ctx)
	return errors.Join(err1, err2)
}

// Run runs until ctx is cancelled; it then returns nil.
func (sc *Scheduler) Run(ctx context.Context) error {
	poll := sc.Poll
	if poll <= 0 {
		poll = time.Minute
	}
	freqs := []string{Daily, Weekly}
	next := map[string]time.Time{}
	now := sc.clock.Now()
	for _, f := range freqs {
		next[f] = NextRun(now, f, sc.cfg.DailyHour, sc.cfg.WeeklyDay, sc.cfg.Location)
		if missed, err := sc.jobs.Missed(ctx, f, now); err != nil {
			sc.warn(ctx, "digest: catch-up check failed", f, err)
		} else if missed {
			sc.run(ctx, f, now)
		}
	}
	for {
		if err := sc.jobs.Tick(ctx); err != nil {
			sc.warn(ctx, "digest: delivery failed", "", err)
		}
		now = sc.clock.Now()
		wake := now.Add(poll)
		for _, t := range next {
			if t.Before(wake) {
				wake = t
			}
		}
		if err := sc.clock.Sleep(ctx, wake.Sub(now)); err != nil || ctx.Err() != nil {
			return nil
		}
		now = sc.clock.Now()
		for _, f := range freqs {
			if now.Before(next[f]) {
				continue
			}
			sc.run(ctx, f, now)
			// The first slot after the wake-up time (not after the end of
			// the run): never the same slot twice, none skipped.
			next[f] = NextRun(now, f, sc.cfg.DailyHour, sc.cfg.WeeklyDay, sc.cfg.Location)
		}
	}
}

func (sc *Scheduler) run(ctx context.Context, frequency string, now time.Time) {
	n, err := sc.jobs.RunScheduled(ctx, frequency, now)
	switch {
	case errors.Is(err, ErrBusy):
		sc.log.Info("digest: another process runs these digests", "frequency", frequency)
	case err != nil:
		sc.warn(ctx, "digest: run failed", frequency, err)
	default:
		sc.log.Info("digest: run done", "frequency", frequency, "sent", n)
	}
}

func (sc *Scheduler) warn(ctx context.Context, msg, frequency string, err error) {
	if ctx.Err() == nil {
		sc.log.Warn(msg, "frequency", frequency, "err", err)
	}
}
