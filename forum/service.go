package forum

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
)

// Limits of the forum, explicit and tested.
const (
	MinTitleChars       = 5
	MaxTitleChars       = 150
	MaxAuthorityTypes   = 4
	ThreadsPerPage      = 20
	PostsPerPage        = 20
	MaxPage             = 10000
	MaxDisplayNameChars = 80
	MaxAuthorityChars   = 120
	MinPasswordChars    = 10
	MaxPasswordChars    = 256
	MaxEmailChars       = 254
	SessionLifetime     = 30 * 24 * time.Hour
	InviteLifetime      = 7 * 24 * time.Hour
	MaxThemeNameChars   = 80
	MaxThemeDescChars   = 500
	MaxQuoteSourceChars = 4000
)

// Service is the forum's domain service: every page and API call goes
// through it.
type Service struct {
	store Store
	log   *slog.Logger
	now   func() time.Time
	// dummyHash is compared against when an email is unknown, so that login
	// takes the same time either way.
	dummyHash string
	policy    PublishPolicy
	// hashing lets two argon2id computations (19 MiB each) run at a time,
	// so a burst of logins cannot exhaust memory (BENCHMARKS.md).
	hashing chan struct{}
	taxo    taxonomyCache
	// searchHitCap is MaxSearchHitsPerWord unless a test lowers it.
	searchHitCap int
	// changes holds the versions of cached things and the read cache.
	changes *changes
	// cacheObs is told of the read cache's lookups (metrics); nil: nobody.
	cacheObs func(cache string, hit bool)
}

// dummyPasswordHash is an argon2id hash, with the forum's parameters, of a
// password nobody has: written here rather than computed at start, which
// would cost every process 19 MiB of memory at its peak for nothing.
const dummyPasswordHash = "$argon2id$v=19$m=19456,t=3,p=1$7EoBAp3flosSIrkvHRkCqw$xRQyJ0i/xFapTHlKjPWMKRp/VzWo1IZ/0bVl4knvTF8"

// testDummyHash is the dummy hash inside `go test` binaries, made with the
// same cheap parameters as their passwords (hashParams), so that unknown
// addresses still cost what known ones do.
var testDummyHash = sync.OnceValue(func() string {
	h, err := argon2id.CreateHash("un mot de passe que personne n'a", testArgonParams)
	if err != nil {
		panic(err)
	}
	return h
})

// New returns a Service on the store. now may be nil (time.Now).
func New(store Store, log *slog.Logger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, log: log, now: func() time.Time { return now().UTC().Truncate(time.Millisecond) }, policy: publishAll{},
		hashing: make(chan struct{}, 2), changes: newChanges()}
	s.dummyHash = dummyPasswordHash
	if testing.Testing() {
		s.dummyHash = testDummyHash()
	}
	return s
}

// Store returns the underlying store.
func (s *Service) Store() Store { return s.store }

// Now returns the service's current time (UTC).
func (s *Service) Now() time.Time { return s.now() }

// withHashing runs fn while holding one of the argon2id slots.
func (s *Service) withHashing(ctx context.Context, fn func()) error {
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashing }()
	fn()
	return nil
}
