package store

import (
	"cmp"
	"context"
	"slices"

	"coterforum/forum"
)

// wordsMatch reports whether terms have every word, in any of its variants.
func wordsMatch(terms []string, words [][]string) bool {
	for _, w := range words {
		if !slices.ContainsFunc(w, func(v string) bool { return slices.Contains(terms, v) }) {
			return false
		}
	}
	return true
}

// inRange reports whether a creation time is within the filter's dates.
func inRange(created int64, f forum.SearchFilter) bool {
	if !f.From.IsZero() && created < millis(f.From) {
		return false
	}
	return f.To.IsZero() || created < millis(f.To)
}

// newestFirst orders by creation time then id, both descending.
func newestFirst(aCreated, bCreated int64, aID, bID string) int {
	if c := cmp.Compare(bCreated, aCreated); c != 0 {
		return c
	}
	return cmp.Compare(bID, aID)
}

// titleHits returns the ids of the published threads whose title terms
// have every word, newest first, at most limit (0: all).
func (ix *searchIndex) titleHits(f forum.SearchFilter, limit int) []string {
	var hits []*ixThread
	for i := range ix.threads {
		t := &ix.threads[i]
		if !t.exists || t.status != forum.ThreadPublished || !wordsMatch(t.titleTerms, f.Words) ||
			(f.Theme != "" && t.theme != f.Theme) ||
			(f.AuthorityType != "" && !slices.Contains(t.types, f.AuthorityType)) ||
			(f.AuthorID != "" && t.author != f.AuthorID) || !inRange(t.created, f) {
			continue
		}
		hits = append(hits, t)
	}
	slices.SortFunc(hits, func(a, b *ixThread) int { return newestFirst(a.created, b.created, a.id, b.id) })
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	ids := make([]string, len(hits))
	for i, t := range hits {
		ids[i] = t.id
	}
	return ids
}

// candidates returns the ascending numbers of the posts having every word.
func (ix *searchIndex) candidates(words [][]string) []int32 {
	if len(words) == 0 {
		all := make([]int32, len(ix.posts))
		for i := range all {
			all[i] = int32(i)
		}
		return all
	}
	lists := make([][]int32, len(words))
	for i, w := range words {
		for _, v := range w {
			if id, ok := ix.termIDs[v]; ok {
				lists[i] = union(lists[i], ix.postings[id])
			}
		}
		if len(lists[i]) == 0 {
			return nil
		}
	}
	slices.SortFunc(lists, func(a, b []int32) int { return cmp.Compare(len(a), len(b)) })
	out := lists[0]
	for _, l := range lists[1:] {
		out = intersect(out, l)
	}
	return out
}

// union merges two ascending lists; it returns b itself when a is empty.
func union(a, b []int32) []int32 {
	if len(a) == 0 {
		return b
	}
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// intersect returns the numbers in both ascending lists, in a new list.
func intersect(a, b []int32) []int32 {
	out := []int32{}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// postHits returns the ids of the published posts of published threads
// having every word, with the same filters and order as SearchPosts' query.
func (ix *searchIndex) postHits(f forum.SearchFilter, excludeIDs []string, skip, limit int) []string {
	exclude := make(map[string]bool, len(excludeIDs))
	for _, id := range excludeIDs {
		exclude[id] = true
	}
	byThread := f.Theme != "" || f.AuthorityType != ""
	var hits []*ixPost
	for _, n := range ix.candidates(f.Words) {
		p := &ix.posts[n]
		if p.status != forum.PostPublished || (f.AuthorID != "" && p.author != f.AuthorID) ||
			!inRange(p.created, f) || exclude[p.id] {
			continue
		}
		t := &ix.threads[p.thread]
		if byThread {
			// The query keeps the posts of the matching published threads.
			if !t.exists || t.status != forum.ThreadPublished || (f.Theme != "" && t.theme != f.Theme) ||
				(f.AuthorityType != "" && !slices.Contains(t.types, f.AuthorityType)) {
				continue
			}
		} else if t.exists && t.status != forum.ThreadPublished {
			// The query drops the posts of the threads not published.
			continue
		}
		hits = append(hits, p)
	}
	slices.SortFunc(hits, func(a, b *ixPost) int { return newestFirst(a.created, b.created, a.id, b.id) })
	if skip >= len(hits) {
		return nil
	}
	hits = hits[skip:]
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	ids := make([]string, len(hits))
	for i, p := range hits {
		ids[i] = p.id
	}
	return ids
}

// searchTitlesIndexed is SearchTitles answered by the index.
func (s *Store) searchTitlesIndexed(ctx context.Context, f forum.SearchFilter, limit int) ([]forum.Thread, error) {
	var ids []string
	if err := s.search.read(ctx, s, func() { ids = s.search.titleHits(f, limit) }); err != nil {
		return nil, err
	}
	return fetchInOrder(ctx, s, colThreads, ids, nil, func(t *forum.Thread) string { return t.ID })
}

// searchPostsIndexed is SearchPosts answered by the index.
func (s *Store) searchPostsIndexed(ctx context.Context, f forum.SearchFilter, excludeIDs []string, skip, limit int) ([]forum.Post, error) {
	var ids []string
	if err := s.search.read(ctx, s, func() { ids = s.search.postHits(f, excludeIDs, skip, limit) }); err != nil {
		return nil, err
	}
	return fetchInOrder(ctx, s, colPosts, ids, searchPostFields, func(p *forum.Post) string { return p.ID })
}
