package forum

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"hash/fnv"
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

// VersionRecord is a key's version as stored for other processes.
type VersionRecord struct {
	Key       string    `bson:"_id"`
	V         int64     `bson:"v"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// VersionStore keeps key versions in the database, for processes sharing it.
type VersionStore interface {
	// BumpVersions adds one to each key's stored version and sets its
	// updated_at to at (upserting).
	BumpVersions(ctx context.Context, keys []string, at time.Time) error
	// VersionsSince returns the keys updated after since (all when zero).
	VersionsSince(ctx context.Context, since time.Time) ([]VersionRecord, error)
}

// Shared-mode timing.
const (
	// DefaultPollEvery is how often a process sharing its database reads
	// the versions changed by the others.
	DefaultPollEvery = 500 * time.Millisecond
	// pollOverlap re-reads versions this much older than the newest seen,
	// so a writer whose clock lags or whose bump committed late is not missed.
	pollOverlap = 3 * time.Second
	// maxStaleness: past this without a successful poll, caches are bypassed.
	maxStaleness = time.Second
)

// sharing is how a process shares its database with others.
type sharing struct {
	remote VersionStore
	every  time.Duration
}

// changes holds the versions of keys in this process.
type changes struct {
	epoch uint64 // random per process: stamps never repeat across restarts or replicas
	gen   atomic.Uint64

	mu sync.RWMutex
	v  map[Key]uint64

	// Shared mode: several processes on one database. The poll state
	// (seen, since, polled) belongs to the one RunChanges loop.
	share    atomic.Pointer[sharing]
	seen     map[string]int64
	since    time.Time
	polled   bool
	lastPoll atomic.Int64 // unix nanoseconds of the last successful poll

	cache *lru.Cache
}

func newChanges() *changes {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &changes{epoch: binary.LittleEndian.Uint64(b[:]), v: map[Key]uint64{}, seen: map[string]int64{},
		cache: lru.New(DefaultCacheBytes)}
}

// DefaultCacheBytes bounds the in-process read cache (FORUM_CACHE_BYTES).
const DefaultCacheBytes = 64 << 20

// SetCacheBytes replaces the read cache by an empty one of that bound; call
// it at wiring time.
func (s *Service) SetCacheBytes(n int64) {
	if n <= 0 {
		n = DefaultCacheBytes
	}
	s.changes.cache = lru.New(n)
}

// Cache is the process's read cache, shared by the forum's data and the
// server's rendered pages; entries are valid under a Stamp.
func (s *Service) Cache() *lru.Cache { return s.changes.cache }

// ShareChanges makes this process publish its invalidations to the database
// and follow the other processes' (RunChanges polls every `every`). Use it
// when several processes share a MongoDB; the embedded store has one process.
// Until the first poll, and whenever polls fail for over a second, caches
// are bypassed.
func (s *Service) ShareChanges(every time.Duration) bool {
	vs, ok := s.store.(VersionStore)
	if !ok {
		return false
	}
	if every <= 0 {
		every = DefaultPollEvery
	}
	s.changes.share.Store(&sharing{remote: vs, every: every})
	return true
}

// Invalidate records that the things keys cover changed: at once in this
// process, and within a poll interval in the others sharing the database.
// Call it after the write (and after the last write of a multi-step change).
// It never fails the caller: a failure to publish is logged.
func (s *Service) Invalidate(ctx context.Context, keys ...Key) {
	if len(keys) == 0 {
		return
	}
	c := s.changes
	c.mu.Lock()
	for _, k := range keys {
		c.v[k] = c.gen.Add(1)
	}
	c.mu.Unlock()
	if sh := c.share.Load(); sh != nil {
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = string(k)
		}
		if err := sh.remote.BumpVersions(context.WithoutCancel(ctx), names, time.Now().UTC()); err != nil {
			s.log.Error("cache versions not published to the other processes", "keys", names, "err", err)
		}
	}
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
// owns its database; with a shared database, while the last poll of the
// other processes' changes is under a second old.
func (s *Service) CacheFresh() bool {
	c := s.changes
	if c.share.Load() == nil {
		return true
	}
	return time.Since(time.Unix(0, c.lastPoll.Load())) < maxStaleness
}

// RunChanges follows the other processes' invalidations until ctx ends; it
// returns at once when the database is not shared.
func (s *Service) RunChanges(ctx context.Context) error {
	sh := s.changes.share.Load()
	if sh == nil {
		return nil
	}
	t := time.NewTicker(sh.every)
	defer t.Stop()
	for {
		if err := s.pollChanges(ctx, sh.remote); err != nil && ctx.Err() == nil {
			s.log.Warn("cache versions not read", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// pollChanges reads the versions changed since the last poll and bumps the
// local version of every key another process changed.
func (s *Service) pollChanges(ctx context.Context, remote VersionStore) error {
	c := s.changes
	start := time.Now()
	var since time.Time
	first := !c.polled
	if !first && !c.since.IsZero() {
		since = c.since.Add(-pollOverlap)
	}
	recs, err := remote.VersionsSince(ctx, since)
	if err != nil {
		return err
	}
	var changed []Key
	for _, r := range recs {
		if prev, ok := c.seen[r.Key]; !ok || prev != r.V {
			c.seen[r.Key] = r.V
			if !first {
				changed = append(changed, Key(r.Key))
			}
		}
		if r.UpdatedAt.After(c.since) {
			c.since = r.UpdatedAt
		}
	}
	if len(changed) > 0 {
		c.mu.Lock()
		for _, k := range changed {
			c.v[k] = c.gen.Add(1)
		}
		c.mu.Unlock()
	}
	c.polled = true
	c.lastPoll.Store(start.UnixNano())
	return nil
}
