package forum

import (
	"context"
	"math/bits"
	"slices"
	"strings"
)

// MaxSearchHitsPerWord bounds the places (titles, posts) read for one word
// of a query, newest first: a word found in more places than that is looked
// for only in its newest ones, and SearchResults.Capped says so.
const MaxSearchHitsPerWord = 5000

// SearchHit is one place where a word of a search was found: the title of
// a published thread (PostID empty), or a published post of a published
// thread.
type SearchHit struct {
	ThreadID string
	PostID   string
}

// ThreadSearchStore finds where the words of a search are, so that a
// thread matches when its title and its published posts together hold
// every word.
type ThreadSearchStore interface {
	// SearchWordHits returns where one word (any of variants) is found
	// under f's other conditions (f.Words is ignored): the titles of
	// published threads and the published posts of published threads, at
	// most limit of each, newest first.
	SearchWordHits(ctx context.Context, f SearchFilter, variants []string, limit int) ([]SearchHit, error)
}

// SetSearchHitCap lowers the places read for each word of a search (a
// test's small forum shows the cap at work); n <= 0 restores
// MaxSearchHitsPerWord. Call it before serving.
func (s *Service) SetSearchHitCap(n int) { s.searchHitCap = n }

// threadMatches gathers the hits of a query's words: for each thread, the
// words found in it (bit i for word i), in its title, and in each post.
type threadMatches struct {
	thread     map[string]uint32
	title      map[string]uint32
	post       map[string]uint32
	postThread map[string]string
	capped     bool
}

// searchThreads finds the threads whose title and published posts together
// hold every word of q, under f's other conditions. It stops early when no
// thread holds the words read so far.
func (s *Service) searchThreads(ctx context.Context, q SearchQuery, f SearchFilter) (*threadMatches, []string, error) {
	m := &threadMatches{thread: map[string]uint32{}, title: map[string]uint32{}, post: map[string]uint32{}, postThread: map[string]string{}}
	limit := s.searchHitCap
	if limit <= 0 {
		limit = MaxSearchHitsPerWord
	}
	for i, w := range q.Words {
		// One more than the cap tells whether the word is past it.
		hits, err := s.store.SearchWordHits(ctx, f, w, limit+1)
		if err != nil {
			return nil, nil, err
		}
		bit := uint32(1) << i
		titles, posts := 0, 0
		for _, h := range hits {
			if h.PostID == "" {
				if titles++; titles > limit {
					m.capped = true
					continue
				}
				m.title[h.ThreadID] |= bit
			} else {
				if posts++; posts > limit {
					m.capped = true
					continue
				}
				m.post[h.PostID] |= bit
				m.postThread[h.PostID] = h.ThreadID
			}
			if i == 0 || m.thread[h.ThreadID] != 0 {
				m.thread[h.ThreadID] |= bit
			}
		}
		so := bit<<1 - 1
		for id, b := range m.thread {
			if b != so {
				delete(m.thread, id)
			}
		}
		if len(m.thread) == 0 {
			break
		}
	}
	full := uint32(1)<<len(q.Words) - 1
	found := make([]string, 0, len(m.thread))
	for id, b := range m.thread {
		if b == full {
			found = append(found, id)
		}
	}
	// The threads whose title holds every word first, then the others;
	// newest first in each (ids follow creation).
	slices.SortFunc(found, func(a, b string) int {
		ta, tb := m.title[a] == full, m.title[b] == full
		if ta != tb {
			if ta {
				return -1
			}
			return 1
		}
		return strings.Compare(b, a)
	})
	return m, found, nil
}

// bestPosts returns, for each thread of ids, its post that holds the most
// words of the query (the oldest of equals); a thread found by its title
// alone has none.
func (m *threadMatches) bestPosts(ids []string) map[string]string {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	best := map[string]string{}
	score := map[string]int{}
	for pid, b := range m.post {
		tid := m.postThread[pid]
		if !want[tid] {
			continue
		}
		n := bits.OnesCount32(b)
		if cur, ok := best[tid]; !ok || n > score[tid] || (n == score[tid] && pid < cur) {
			best[tid], score[tid] = pid, n
		}
	}
	return best
}
