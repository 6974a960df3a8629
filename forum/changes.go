package forum

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"coterforum/internal/lru"
)

// Key names something that readers cache and that writes change: a thread,
// a listing, a member, the moderation queue, the taxonomy. Every write that
// changes what a key covers calls Service.Invalidate with that key, after the
// write; readers cache under the key's version (Service.Stamp), so a changed
// version is a miss.
type Key string

// Keys that are not per-document.
const (
	// KeyAll is part of every stamp: bumping it invalidates every cache
	// (for writes that change what many pages show, e.g. an account
	// deletion that anonymises a member's posts).
	KeyAll Key = "all"
	// KeyTaxonomy covers the themes and authority types (every page's navigation).
	KeyTaxonomy Key = "taxonomy"
	// KeyQueue covers the moderation queue's size (the moderators' header).
	KeyQueue Key = "queue"
	// KeyHome covers the home listing and the unfiltered thread listing.
	KeyHome Key = "listing:home"
)

// ThreadKey covers a thread page: the thread and all its posts, whatever their status.
func ThreadKey(id string) Key { return Key("thread:" + id) }

// ThemeListingKey covers a theme's listing (with any authority-type filter).
func ThemeListingKey(slug string) Key { return Key("listing:theme:" + slug) }

// AuthorityListingKey covers an authority type's listing (with any theme filter).
func AuthorityListingKey(slug string) Key { return Key("listing:authority:" + slug) }

// MemberKey covers what is cached per member: the member and their sessions.
func MemberKey(id string) Key { return Key("member:" + id) }

// NotificationsKey covers a member's unread notification count.
func NotificationsKey(id string) Key { return Key("notifications:" + id) }

// ReadsKey covers a member's read markers (the unread marks of their listings).
func ReadsKey(id string) Key { return Key("reads:" + id) }

// ListingKeys are the listings a thread appears in: home, its theme, its
// authority types.
func ListingKeys(th *Thread) []Key {
	keys := []Key{KeyHome, ThemeListingKey(th.Theme)}
	for _, a := range th.AuthorityTypes {
		keys = append(keys, AuthorityListingKey(a))
	}
	return keys
}

// ThreadKeys are the thread's page and every listing it appears in: what a
// change to a thread's posts, title, status, flags or place invalidates.
// A move or retype must also invalidate the keys of the thread as it was.
func ThreadKeys(th *Thread) []Key {
	return append([]Key{ThreadKey(th.ID)}, ListingKeys(th)...)
}

// ListingKey is the key of a thread listing with these filters.
func ListingKey(theme, authorityType string) Key {
	switch {
	case theme != "":
		return ThemeListingKey(theme)
	case authorityType != "":
		return AuthorityListingKey(authorityType)
	}
	return KeyHome
}

// Change is one entry of the database's change sequence: the keys one
// write changed, numbered by the database (an autoincrement row on SQLite,
// one $inc counter on MongoDB), never by a writer's clock.
type Change struct {
	Seq int64 `bson:"_id"`
	// Origin is the process that wrote it (its own changes are skipped).
	Origin string    `bson:"origin"`
	Keys   []string  `bson:"keys"`
	At     time.Time `bson:"at"`
}

// ChangeStore keeps the change sequence, for processes sharing a database.
type ChangeStore interface {
	// PublishChanges appends one change with the next number of the
	// sequence; inside Store.Atomically, in its transaction.
	PublishChanges(ctx context.Context, origin string, keys []string, at time.Time) error
	// ChangesSince returns up to limit changes numbered above after, in order.
	ChangesSince(ctx context.Context, after int64, limit int) ([]Change, error)
	// ChangeBounds returns the lowest number still stored and the highest
	// number given so far (0 when none).
	ChangeBounds(ctx context.Context) (first, last int64, err error)
	// PruneChanges removes the changes written before before, except the
	// last one, and says how many.
	PruneChanges(ctx context.Context, before time.Time) (int64, error)
}

// Shared-mode timing.
const (
	// DefaultPollEvery is how often a process sharing its database reads
	// the changes made by the others.
	DefaultPollEvery = 500 * time.Millisecond
	// DefaultMaxAge bounds the age of a cache entry when several server
	// processes share a database: a backstop if a change is ever missed.
	DefaultMaxAge = 30 * time.Second
	// maxStaleness: once polls fail for this long, caches are bypassed.
	maxStaleness = time.Second
	// maxPollAge: past this without a successful poll (a poll that hangs,
	// not one merely late under load), caches are bypassed too.
	maxPollAge = 10 * time.Second
	// pollTimeout bounds one poll.
	pollTimeout = 5 * time.Second
	// gapWait is how long a poller waits for a missing number of the
	// sequence (taken by a writer whose insert is not visible yet) before
	// going past it: the writer died, or its change failed and was retried
	// under another number.
	gapWait = 5 * time.Second
	// keepChanges is how long changes stay in the database; a process that
	// did not poll for longer drops its whole cache.
	keepChanges = 10 * time.Minute
	// pruneEvery is how often RunChanges prunes the sequence.
	pruneEvery = time.Minute
	// pollBatch is how many changes one query reads.
	pollBatch = 1000
)

// sharing is how a process shares its database with others.
type sharing struct {
	remote ChangeStore
	every  time.Duration
}

// changes holds the versions of keys in this process.
type changes struct {
	epoch  uint64 // random per process: stamps never repeat across restarts or replicas
	origin string // the epoch in hex: this process's changes in the sequence
	gen    atomic.Uint64

	mu sync.RWMutex
	v  map[Key]uint64

	// Shared mode: several processes on one database. The poll state
	// (applied, above, gaps, polled) belongs to the one RunChanges loop.
	share atomic.Pointer[sharing]
	// applied: every change numbered up to it was applied; above: changes
	// numbered higher already applied; gaps: when a missing number was
	// first noticed.
	applied  int64
	above    map[int64]bool
	gaps     map[int64]time.Time
	polled   bool
	polledAt time.Time    // the service's clock at the last successful poll
	lastPoll atomic.Int64 // unix nanoseconds of the last successful poll
	// failingSince is when polls started failing (unix nanoseconds; 0: the
	// last one succeeded).
	failingSince atomic.Int64

	cache *lru.Cache
}

func newChanges() *changes {
	var b [8]byte
	_, _ = rand.Read(b[:])
	epoch := binary.LittleEndian.Uint64(b[:])
	return &changes{epoch: epoch, origin: strconv.FormatUint(epoch, 16), v: map[Key]uint64{},
		above: map[int64]bool{}, gaps: map[int64]time.Time{}, cache: lru.New(DefaultCacheBytes)}
}

// DefaultCacheBytes bounds the in-process read cache (FORUM_CACHE_BYTES).
const DefaultCacheBytes = 64 << 20

// SetCacheBytes replaces the read cache by an empty one of that bound; 0
// turns caching off (every page is read from the store and rendered, to
// measure the store). Call it at wiring time.
func (s *Service) SetCacheBytes(n int64) {
	if n < 0 {
		n = DefaultCacheBytes
	}
	s.changes.cache = lru.New(n)
}

// Cache is the process's read cache, shared by the forum's data and the
// server's rendered pages; entries are valid under a Stamp.
func (s *Service) Cache() *lru.Cache { return s.changes.cache }

// SetCacheObserver has observe told of each lookup of the read cache
// (metrics): cache names the kind of entry (thread, posts, listing,
// session, and the server's and moderation's kinds), hit says whether a
// current entry was found. Call it at wiring time.
func (s *Service) SetCacheObserver(observe func(cache string, hit bool)) { s.cacheObs = observe }

// ObserveCache reports one lookup of the read cache to the observer, if any.
func (s *Service) ObserveCache(cache string, hit bool) {
	if s.cacheObs != nil {
		s.cacheObs(cache, hit)
	}
}

// ShareChanges makes this process publish its invalidations to the
// database's change sequence and follow the other processes' (RunChanges
// polls every `every`). maxAge > 0 also bounds the age of every cache
// entry: use it when several servers share a MongoDB. Until the first
// poll, and whenever polls fail for over a second, caches are bypassed.
func (s *Service) ShareChanges(every, maxAge time.Duration) bool {
	cs, ok := s.store.(ChangeStore)
	if !ok {
		return false
	}
	if every <= 0 {
		every = DefaultPollEvery
	}
	if maxAge > 0 {
		s.changes.cache.SetMaxAge(maxAge)
	}
	s.changes.share.Store(&sharing{remote: cs, every: every})
	return true
}

// publishTries bounds the attempts to publish one change.
var publishTries = []time.Duration{0, 50 * time.Millisecond, 250 * time.Millisecond, time.Second}

// Invalidate records that the things keys cover changed: in this process
// once the change is committed (at once outside Store.Atomically), and in
// the others sharing the database at their next poll. Call it with the
// write, inside the same Atomically when there is one: the change is then
// published in the write's transaction, and a change that cannot be
// published (after retries) fails the write. Outside one, a change that
// cannot be published makes this process bypass its caches until its next
// successful poll, and is logged.
func (s *Service) Invalidate(ctx context.Context, keys ...Key) {
	if len(keys) == 0 {
		return
	}
	c := s.changes
	AfterCommit(ctx, func() {
		c.mu.Lock()
		for _, k := range keys {
			c.v[k] = c.gen.Add(1)
		}
		c.mu.Unlock()
	})
	sh := c.share.Load()
	if sh == nil {
		return
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = string(k)
	}
	pctx := context.WithoutCancel(ctx)
	tries := publishTries
	if tx := TxFrom(ctx); tx != nil && tx.Exclusive() {
		// Inside the SQLite writer's transaction: a sleep would stall every
		// write, and a retry after an error (SQLITE_FULL…) is pointless.
		tries = publishTries[:1]
	}
	var err error
	for _, wait := range tries {
		time.Sleep(wait)
		if err = sh.remote.PublishChanges(pctx, c.origin, names, time.Now().UTC()); err == nil {
			return
		}
	}
	if Fail(ctx, fmt.Errorf("publication des changements %v : %w", names, err)) == nil {
		return
	}
	c.failingSince.Store(1) // long ago: bypassed until the next successful poll
	s.log.Error("cache versions not published to the other processes: caches bypassed until the next poll", "keys", names, "err", err)
}

// Stamp returns a value that changes whenever one of keys (or KeyAll) is
// invalidated, unique to this process: a cache entry made under a stamp is
// valid while Stamp returns the same value.
func (s *Service) Stamp(keys ...Key) uint64 {
	c := s.changes
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], c.epoch)
	h.Write(b[:])
	c.mu.RLock()
	binary.LittleEndian.PutUint64(b[:], c.v[KeyAll])
	h.Write(b[:])
	for _, k := range keys {
		binary.LittleEndian.PutUint64(b[:], c.v[k])
		h.Write(b[:])
		h.Write([]byte(k))
	}
	c.mu.RUnlock()
	return h.Sum64()
}

// CacheFresh reports whether caches may be trusted: always in a process that
// owns its database; with a shared database, once the other processes'
// changes were read, unless polls fail for over a second or none succeeded
// for ten. A poll merely late, on a busy server, keeps the caches: dropping
// them then would only add load to load.
func (s *Service) CacheFresh() bool {
	c := s.changes
	if c.share.Load() == nil {
		return true
	}
	last := c.lastPoll.Load()
	if last == 0 || time.Since(time.Unix(0, last)) > maxPollAge {
		return false
	}
	failing := c.failingSince.Load()
	return failing == 0 || time.Since(time.Unix(0, failing)) < maxStaleness
}

// RunChanges follows the other processes' invalidations until ctx ends,
// and prunes the old changes; it returns at once when the database is not
// shared.
func (s *Service) RunChanges(ctx context.Context) error {
	return ChangesPoller{Service: s, Log: s.log}.Run(ctx)
}

// ChangesPoller is RunChanges as a background job with its own logger.
type ChangesPoller struct {
	Service *Service
	// Log receives the failed polls (default: the service's logger).
	Log *slog.Logger
}

// Run is RunChanges, logging to p.Log.
func (p ChangesPoller) Run(ctx context.Context) error {
	s, log := p.Service, p.Log
	if log == nil {
		log = s.log
	}
	sh := s.changes.share.Load()
	if sh == nil {
		return nil
	}
	t := time.NewTicker(sh.every)
	defer t.Stop()
	var pruned time.Time
	for {
		pctx, cancel := context.WithTimeout(ctx, pollTimeout)
		err := s.pollChanges(pctx, sh.remote)
		cancel()
		switch {
		case err == nil:
			s.changes.failingSince.Store(0)
		case ctx.Err() == nil:
			s.changes.failingSince.CompareAndSwap(0, time.Now().UnixNano())
			log.Warn("cache versions not read", "err", err)
		}
		if time.Since(pruned) > pruneEvery {
			if _, err := sh.remote.PruneChanges(ctx, time.Now().Add(-keepChanges)); err != nil && ctx.Err() == nil {
				log.Warn("old cache versions not pruned", "err", err)
			}
			pruned = time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// pollChanges applies the changes the other processes made since the last
// poll. Numbers are applied in order: a missing number (a writer that took
// it has not committed yet) holds the poller back up to gapWait, and a
// sequence pruned past the last applied number drops every cache.
func (s *Service) pollChanges(ctx context.Context, remote ChangeStore) error {
	c := s.changes
	start := time.Now()
	if !c.polled {
		_, last, err := remote.ChangeBounds(ctx)
		if err != nil {
			return err
		}
		// Nothing is cached yet: what came before is already in the store.
		c.applied, c.polled, c.polledAt = last, true, s.now()
		c.lastPoll.Store(start.UnixNano())
		return nil
	}
	first, _, err := remote.ChangeBounds(ctx)
	if err != nil {
		return err
	}
	var changed []Key
	if first > c.applied+1 && s.now().Sub(c.polledAt) > keepChanges/2 {
		// Changes were pruned before this process read them. (A process
		// that polled recently cannot have missed any: changes are kept
		// keepChanges; the numbers below the lowest stored are then
		// changes not committed yet, gaps like any other.)
		changed = append(changed, KeyAll)
		c.applied = first - 1
		clear(c.above)
		clear(c.gaps)
	}
	for cursor := c.applied; ; {
		batch, err := remote.ChangesSince(ctx, cursor, pollBatch)
		if err != nil {
			return err
		}
		for _, ch := range batch {
			cursor = ch.Seq
			if ch.Seq <= c.applied || c.above[ch.Seq] {
				continue
			}
			c.above[ch.Seq] = true
			if ch.Origin != c.origin {
				for _, k := range ch.Keys {
					changed = append(changed, Key(k))
				}
			}
		}
		if len(batch) < pollBatch {
			break
		}
	}
	// Move past every number applied, then past gaps waited for long enough.
	for len(c.above) > 0 {
		next := c.applied + 1
		if c.above[next] {
			delete(c.above, next)
			delete(c.gaps, next)
			c.applied = next
			continue
		}
		seen, ok := c.gaps[next]
		if !ok {
			c.gaps[next] = start
			break
		}
		if start.Sub(seen) < gapWait {
			break
		}
		delete(c.gaps, next)
		c.applied = next
	}
	if len(changed) > 0 {
		c.mu.Lock()
		for _, k := range changed {
			c.v[k] = c.gen.Add(1)
		}
		c.mu.Unlock()
	}
	c.polledAt = s.now()
	c.lastPoll.Store(start.UnixNano())
	return nil
}
