package lru

import (
	"fmt"
	"testing"
	"time"
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

// TestMaxAgeMakesOldEntriesMisses: with a maximum age, an entry older than
// it is a miss (and dropped); younger entries are hits; without one,
// entries never expire.
func TestMaxAgeMakesOldEntriesMisses(t *testing.T) {
	c := New(1 << 20)
	c.Add("forever", 1, 10)
	c.SetMaxAge(50 * time.Millisecond)
	c.Add("old", 1, 10)
	time.Sleep(80 * time.Millisecond)
	c.Add("young", 2, 10)
	if _, ok := c.Get("old"); ok {
		t.Fatal("an entry past the maximum age is still a hit")
	}
	if v, ok := c.Get("young"); !ok || v.(int) != 2 {
		t.Fatal("a young entry is a miss")
	}
	if st := c.Stats(); st.Entries != 2 {
		t.Fatalf("%d entries, want the expired one dropped", st.Entries)
	}
	c.SetMaxAge(0)
	if _, ok := c.Get("forever"); !ok {
		t.Fatal("without a maximum age an entry expired")
	}
}
