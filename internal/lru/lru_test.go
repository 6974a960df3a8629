package lru

import (
	"fmt"
	"testing"
)

func TestCacheEvictsLeastRecentlyUsedByBytes(t *testing.T) {
	c := New(10 * 1024)
	for i := range 5 {
		c.Add(fmt.Sprintf("k%d", i), i, 1000) // ~1 KiB each with bookkeeping
	}
	if _, ok := c.Get("k0"); !ok { // k0 becomes the most recently used
		t.Fatal("k0 missing")
	}
	for i := 5; i < 12; i++ {
		c.Add(fmt.Sprintf("k%d", i), i, 1000)
	}
	st := c.Stats()
	if st.Bytes > st.MaxBytes {
		t.Fatalf("cache holds %d bytes over its bound %d", st.Bytes, st.MaxBytes)
	}
	if _, ok := c.Get("k0"); !ok {
		t.Fatal("recently used k0 was evicted")
	}
	if _, ok := c.Get("k1"); ok {
		t.Fatal("least recently used k1 is still there")
	}
	if st.Evictions == 0 {
		t.Fatal("no eviction counted")
	}
	// Replacing a key does not count it twice.
	before := c.Stats().Bytes
	c.Add("k0", "again", 1000)
	if c.Stats().Bytes != before {
		t.Fatalf("replacing changed the size: %d → %d", before, c.Stats().Bytes)
	}
	// A value over an eighth of the bound is refused and drops the old one.
	c.Add("k0", "huge", 5000)
	if _, ok := c.Get("k0"); ok {
		t.Fatal("oversized value stored")
	}
	c.Remove("k11")
	if _, ok := c.Get("k11"); ok {
		t.Fatal("removed value still there")
	}
}
