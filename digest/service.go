package digest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/mail"
)

// Clock tells the time and waits. Tests use a fake one to pass backoffs and
// to drive the Scheduler through days.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or until ctx is done (then it returns ctx.Err()).
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the system clock.
type realClock struct{}

// Now returns time.Now().
func (realClock) Now() time.Time { return time.Now() }

// Sleep waits on a timer.
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sunday selects Sunday as Config.WeeklyDay (time.Sunday, the zero value,
// means the default, Monday).
const Sunday = time.Weekday(7)

// Config holds the digest settings. Zero values take the defaults.
type Config struct {
	// BaseURL makes every link absolute (FORUM_BASE_URL); it never comes
	// from a request. Use https so that List-Unsubscribe one-click works.
	BaseURL string
	// SecretKey signs the tokens of confirmation, management and
	// unsubscribe links (store.Secret(ctx, "digest")). Required.
	SecretKey []byte
	// DailyHour is the local hour of daily digests (default 7).
	DailyHour int
	// WeeklyDay is the day of weekly digests, at DailyHour (default
	// time.Monday). time.Sunday is the zero value, so Sunday is written
	// digest.Sunday.
	WeeklyDay time.Weekday
	// Location is the time zone of the schedule and of dates in mail
	// (default Europe/Paris).
	Location *time.Location
	// MaxAttempts bounds delivery attempts of one message (default 8); then it fails.
	MaxAttempts int
	// Backoff is the wait after the first temporary failure, doubled at each
	// further one (default 30 s, capped at 6 h).
	Backoff time.Duration
	// Settle is how far before its start a run looks again for posts whose
	// publication was written late (default 1 minute).
	Settle time.Duration
	// MaxLookback bounds how old content a digest may include (default 35 days).
	MaxLookback time.Duration
	// LeaseTTL is how long a run's lease lasts without renewal (default 10 minutes).
	LeaseTTL time.Duration
	// ClaimTTL is how long a claimed message stays claimed (default 30
	// minutes); it must exceed the time to send a batch of 100.
	ClaimTTL time.Duration
	// PageSize is how many subscribers a run reads at once (default 1000);
	// their digests are built and sent 100 at a time.
	PageSize int
	// Workers is how many messages are sent at once (default 4).
	Workers int
	// ConfirmEvery is the minimum time between two confirmation mails to one
	// address (default 1 hour).
	ConfirmEvery time.Duration
	// ConfirmTTL is how long a confirmation link stays valid (default 7 days).
	ConfirmTTL time.Duration
	// Clock defaults to the system clock.
	Clock Clock
	// Observer, when set (metrics), is told of runs and deliveries.
	Observer Observer
}

// Observer is told of the digest runs and of each delivery's outcome.
type Observer interface {
	// DigestRun reports a run of a frequency: result is ok, busy (another
	// process holds the lease) or error.
	DigestRun(frequency, result string, d time.Duration)
	// MessageFinished reports a delivery attempt: sent, retry or failed.
	MessageFinished(result string)
}

// noObserver observes nothing.
type noObserver struct{}

func (noObserver) DigestRun(string, string, time.Duration) {}
func (noObserver) MessageFinished(string)                  {}

func (c *Config) defaults() {
	if c.DailyHour <= 0 || c.DailyHour > 23 {
		c.DailyHour = 7
	}
	switch {
	case c.WeeklyDay == Sunday:
		c.WeeklyDay = time.Sunday
	case c.WeeklyDay <= time.Sunday || c.WeeklyDay > time.Saturday:
		c.WeeklyDay = time.Monday
	}
	if c.Location == nil {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			loc = time.UTC
		}
		c.Location = loc
	}
	setDefault(&c.MaxAttempts, 8)
	setDefault(&c.Backoff, 30*time.Second)
	setDefault(&c.Settle, time.Minute)
	setDefault(&c.MaxLookback, 35*24*time.Hour)
	setDefault(&c.LeaseTTL, 10*time.Minute)
	setDefault(&c.ClaimTTL, 30*time.Minute)
	setDefault(&c.PageSize, 1000)
	setDefault(&c.Workers, 4)
	setDefault(&c.ConfirmEvery, time.Hour)
	setDefault(&c.ConfirmTTL, 7*24*time.Hour)
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Observer == nil {
		c.Observer = noObserver{}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}

func setDefault[T int | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Service manages subscriptions, builds digests and delivers them.
type Service struct {
	forum  *forum.Service
	store  Store
	sender mail.Sender
	// inflight keeps erasures and sends to the same subscriber apart.
	inflight *inflight
	cfg      Config
	log      *slog.Logger
	// msgDomain is the right-hand side of generated Message-IDs.
	msgDomain string
	// claims are the outbox claims this process may hold (ReleaseClaims).
	claims *claimSet
}

// New returns the digest service. forumSvc validates themes, authority types
// and threads; sender delivers (mail.New's SMTP or .eml sender).
func New(forumSvc *forum.Service, st Store, sender mail.Sender, cfg Config, log *slog.Logger) *Service {
	cfg.defaults()
	domain := "coterforum.invalid"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	if len(cfg.SecretKey) == 0 {
		log.Error("digest: no secret key configured; tokens are unusable")
	}
	return &Service{forum: forumSvc, store: st, sender: sender, cfg: cfg, log: log, msgDomain: domain, claims: &claimSet{}, inflight: &inflight{}}
}

// Config returns the settings in force (defaults applied).
func (s *Service) Config() Config { return s.cfg }

// now returns the clock's time in UTC, to the millisecond the store keeps.
func (s *Service) now() time.Time { return s.cfg.Clock.Now().UTC().Truncate(time.Millisecond) }

// randomID returns 16 random hex digits (lease holders, claims).
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// PublishedAt is when a published post became visible to everyone: the
// approval time for a post approved by a moderator, its creation time for a
// post published at once (or restored after being hidden, so that it does
// not come back in digests). store.PublishedPosts selects on the same rule.
func PublishedAt(p *forum.Post) time.Time {
	if p.Decision != nil && p.Decision.Action == forum.DecisionApproved {
		return p.Decision.At
	}
	return p.CreatedAt
}
