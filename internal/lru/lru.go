// Package lru is a least-recently-used cache bounded by the bytes its
// entries say they take. It is safe for concurrent use.
package lru

import (
	"container/list"
	"sync"
	"time"
)

// Cache holds values by key until their total size passes the bound; the
// least recently used go first.
type Cache struct {
	mu        sync.Mutex
	max, used int64
	// maxAge, when not zero, makes older entries misses.
	maxAge    time.Duration
	ll        *list.List
	m         map[string]*list.Element
	hits      int64
	misses    int64
	evictions int64
}

type entry struct {
	key   string
	val   any
	size  int64
	added time.Time
}

// New returns a cache holding at most maxBytes (as reported by Add).
func New(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, ll: list.New(), m: map[string]*list.Element{}}
}

// Get returns the value under key and marks it recently used.
func (c *Cache) Get(key string) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[key]
	if !ok {
		c.misses++
		return nil, false
	}
	e := el.Value.(*entry)
	if c.maxAge > 0 && time.Since(e.added) > c.maxAge {
		c.removeElement(el)
		c.misses++
		return nil, false
	}
	c.hits++
	c.ll.MoveToFront(el)
	return e.val, true
}

// Enabled reports whether the cache keeps anything (a bound above zero).
func (c *Cache) Enabled() bool { return c != nil && c.max > 0 }

// SetMaxAge makes entries older than d misses (0: no limit). Several
// processes sharing a database use it as a backstop against a missed
// invalidation.
func (c *Cache) SetMaxAge(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxAge = d
}

// Add stores val under key, replacing any previous value, then evicts the
// least recently used entries until the total fits. A value larger than an
// eighth of the bound is not stored: one huge entry must not empty the cache.
func (c *Cache) Add(key string, val any, size int64) {
	if c == nil {
		return
	}
	size += int64(len(key)) + 64 // the entry's own bookkeeping
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		c.removeElement(el)
	}
	if size > c.max/8 {
		return
	}
	c.m[key] = c.ll.PushFront(&entry{key: key, val: val, size: size, added: time.Now()})
	c.used += size
	for c.used > c.max {
		c.removeElement(c.ll.Back())
		c.evictions++
	}
}

// Remove drops the value under key, if any.
func (c *Cache) Remove(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		c.removeElement(el)
	}
}

func (c *Cache) removeElement(el *list.Element) {
	e := c.ll.Remove(el).(*entry)
	delete(c.m, e.key)
	c.used -= e.size
}

// Stats describes the cache's contents and use.
type Stats struct {
	Entries   int
	Bytes     int64
	MaxBytes  int64
	Hits      int64
	Misses    int64
	Evictions int64
}

// Stats returns the current figures.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Entries: len(c.m), Bytes: c.used, MaxBytes: c.max, Hits: c.hits, Misses: c.misses, Evictions: c.evictions}
}
