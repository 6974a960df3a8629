package digest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

func mustParis(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestNextRunAcrossDST(t *testing.T) {
	paris := mustParis(t)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, paris) }
	utc := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		name    string
		after   time.Time
		freq    string
		hour    int
		weekday time.Weekday
		want    time.Time
	}{
		{"before the hour", at(2026, 3, 11, 6, 59), Daily, 7, time.Monday, utc(3, 11, 6)},
		{"at the hour: the next day", at(2026, 3, 11, 7, 0), Daily, 7, time.Monday, utc(3, 12, 6)},
		{"spring forward: 23 hours later", at(2026, 3, 28, 7, 0), Daily, 7, time.Monday, utc(3, 29, 5)},
		{"the day after spring forward", at(2026, 3, 29, 7, 0), Daily, 7, time.Monday, utc(3, 30, 5)},
		{"fall back: 25 hours later", at(2026, 10, 24, 7, 0), Daily, 7, time.Monday, utc(10, 25, 6)},
		{"during the repeated hour", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), Daily, 7, time.Monday, utc(10, 25, 6)},
		{"late evening, UTC already the next day", at(2026, 3, 11, 23, 30), Daily, 7, time.Monday, utc(3, 12, 6)},
		{"weekly: next Monday", at(2026, 3, 11, 9, 0), Weekly, 7, time.Monday, utc(3, 16, 6)},
		{"weekly: Monday after spring forward", at(2026, 3, 23, 7, 0), Weekly, 7, time.Monday, utc(3, 30, 5)},
		{"weekly: Monday after fall back", at(2026, 10, 19, 7, 0), Weekly, 7, time.Monday, utc(10, 26, 6)},
		{"weekly: Sunday of spring forward", at(2026, 3, 28, 12, 0), Weekly, 7, time.Sunday, utc(3, 29, 5)},
	}
	for _, c := range cases {
		got := NextRun(c.after, c.freq, c.hour, c.weekday, paris)
		if !got.Equal(c.want) {
			t.Errorf("%s: NextRun(%v) = %v, want %v", c.name, c.after, got.In(paris), c.want.In(paris))
		}
	}
	// An hour that does not exist (2:00 on 29 March) or exists twice (2:00
	// on 25 October) still gives exactly one slot on that date.
	for _, day := range []time.Time{at(2026, 3, 28, 12, 0), at(2026, 10, 24, 12, 0)} {
		first := NextRun(day, Daily, 2, time.Monday, paris)
		second := NextRun(first, Daily, 2, time.Monday, paris)
		if d := first.In(paris).Day(); d != day.Day()+1 {
			t.Errorf("slot at 2:00 after %v falls on day %d", day, d)
		}
		if second.In(paris).Day() != day.Day()+2 {
			t.Errorf("2:00 slot of %v repeated: %v then %v", day, first, second)
		}
	}
}

// simClock moves forward only when slept on.
type simClock struct{ t time.Time }

func (c *simClock) Now() time.Time { return c.t }
func (c *simClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.t = c.t.Add(d)
	return nil
}

// fakeJobs records the runs a Scheduler makes and stops it at end.
type fakeJobs struct {
	clock  *simClock
	end    time.Time
	cancel func()
	runs   map[string][]time.Time
	missed bool
}

func (f *fakeJobs) RunScheduled(_ context.Context, freq string, now time.Time) (int, error) {
	f.runs[freq] = append(f.runs[freq], now)
	f.clock.t = f.clock.t.Add(3 * time.Minute) // a run takes time
	return 0, nil
}

func (f *fakeJobs) Missed(context.Context, string, time.Time) (bool, error) { return f.missed, nil }

func (f *fakeJobs) Tick(context.Context) error {
	if f.clock.t.After(f.end) {
		f.cancel()
	}
	return nil
}

func TestSchedulerRunsEachSlotOnceAcrossDST(t *testing.T) {
	paris := mustParis(t)
	for _, span := range [][2]time.Time{
		{time.Date(2026, 3, 20, 0, 0, 0, 0, paris), time.Date(2026, 4, 10, 0, 0, 0, 0, paris)},
		{time.Date(2026, 10, 15, 0, 0, 0, 0, paris), time.Date(2026, 11, 5, 0, 0, 0, 0, paris)},
	} {
		clock := &simClock{t: span[0]}
		ctx, cancel := context.WithCancel(context.Background())
		jobs := &fakeJobs{clock: clock, end: span[1], cancel: cancel, runs: map[string][]time.Time{}}
		cfg := Config{Clock: clock}
		cfg.defaults()
		sc := &Scheduler{jobs: jobs, cfg: cfg, clock: clock, log: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: 17 * time.Minute}
		if err := sc.Run(ctx); err != nil {
			t.Fatal(err)
		}
		days := map[string]int{}
		for _, r := range jobs.runs[Daily] {
			l := r.In(paris)
			if l.Hour() != 7 || l.Minute() != 0 {
				t.Errorf("daily run at %v", l)
			}
			days[l.Format("2006-01-02")]++
		}
		for d := span[0]; d.Before(span[1]); d = d.AddDate(0, 0, 1) {
			if n := days[d.Format("2006-01-02")]; n != 1 {
				t.Errorf("%s: %d daily runs", d.Format("2006-01-02"), n)
			}
		}
		if len(jobs.runs[Daily]) != len(days) {
			t.Errorf("%d daily runs over %d days", len(jobs.runs[Daily]), len(days))
		}
		for _, r := range jobs.runs[Weekly] {
			if l := r.In(paris); l.Weekday() != time.Monday || l.Hour() != 7 || l.Minute() != 0 {
				t.Errorf("weekly run at %v", l)
			}
		}
		if len(jobs.runs[Weekly]) != 3 {
			t.Errorf("%d weekly runs in three weeks", len(jobs.runs[Weekly]))
		}
	}
}

func TestSchedulerCatchesUpAtStart(t *testing.T) {
	clock := &simClock{t: time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	jobs := &fakeJobs{clock: clock, end: clock.t, cancel: cancel, runs: map[string][]time.Time{}, missed: true}
	cfg := Config{Clock: clock}
	cfg.defaults()
	sc := &Scheduler{jobs: jobs, cfg: cfg, clock: clock, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	_ = sc.Run(ctx)
	if len(jobs.runs[Daily]) != 1 || len(jobs.runs[Weekly]) != 1 {
		t.Fatalf("catch-up runs: %v", jobs.runs)
	}
}
