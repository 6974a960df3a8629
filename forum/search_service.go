package forum

import (
	"context"
	"fmt"
	"html/template"
	"time"
)

const (
	// searchIndexBatch is how many documents the start-up indexing writes at once.
	searchIndexBatch = 200
)

// SearchRequest is a reader's search. Every field is a plain value; the
// words are never interpreted as operators or patterns.
type SearchRequest struct {
	Query         string
	Theme         string
	AuthorityType string
	AuthorID      string
	// From and To are days (their time of day is ignored), both included.
	From, To time.Time
	Page     int
}

// SearchResult is one found thread, with its post that holds the most
// words of the query (its first post when only its title has them).
type SearchResult struct {
	Thread Thread
	Post   Post
	// TitleHit says that the thread's title has every word of the query.
	TitleHit bool
	// TitleHTML is the escaped title with the matching words in <mark>.
	TitleHTML template.HTML
	// ExcerptHTML is an escaped excerpt of the post around the first match,
	// with the matching words in <mark>.
	ExcerptHTML template.HTML
}

// SearchResults is one page of results.
type SearchResults struct {
	Query   SearchQuery
	Results []SearchResult
	Page    int
	HasMore bool
	// Total is the number of threads found, on every page.
	Total int
	// Capped says that a word was found in more than MaxSearchHitsPerWord
	// places and only its newest ones were looked at.
	Capped bool
}

// Search finds the published threads whose title and published posts
// together hold every word of the query, each thread once: first the
// threads whose title has every word, then the others, newest first in
// each. A query with no meaningful word returns no result and no error:
// Query.Empty() tells the page to ask for a more precise search.
func (s *Service) Search(ctx context.Context, r SearchRequest) (*SearchResults, error) {
	q, err := ParseSearchQuery(r.Query)
	if err != nil {
		return nil, err
	}
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Page < 1 || r.Page > MaxPage {
		return nil, Invalidf("page", "page_invalid", "La page doit être comprise entre 1 et %d.", MaxPage)
	}
	f, err := s.searchFilter(ctx, q, r)
	if err != nil {
		return nil, err
	}
	res := &SearchResults{Query: q, Page: r.Page, Results: []SearchResult{}}
	if q.Empty() {
		return res, nil
	}
	m, found, err := s.searchThreads(ctx, q, f)
	if err != nil {
		return nil, err
	}
	res.Total, res.Capped = len(found), m.capped
	offset := (r.Page - 1) * SearchPerPage
	if offset >= len(found) {
		return res, nil
	}
	page := found[offset:min(len(found), offset+SearchPerPage)]
	res.HasMore = offset+len(page) < len(found)
	return res, s.addThreadHits(ctx, q, m, res, page)
}

// addThreadHits adds the threads ids (in that order) with their best post.
func (s *Service) addThreadHits(ctx context.Context, q SearchQuery, m *threadMatches, res *SearchResults, ids []string) error {
	threads, err := s.store.ThreadsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[string]Thread{}
	for _, th := range threads {
		byID[th.ID] = th
	}
	best := m.bestPosts(ids)
	postIDs := make([]string, 0, len(ids))
	for _, id := range ids {
		if pid, ok := best[id]; ok {
			postIDs = append(postIDs, pid)
		} else if th, ok := byID[id]; ok {
			best[id] = th.FirstPostID
			postIDs = append(postIDs, th.FirstPostID)
		}
	}
	posts, err := s.store.PostsByIDs(ctx, postIDs)
	if err != nil {
		return err
	}
	postByID := map[string]Post{}
	for _, p := range posts {
		postByID[p.ID] = p
	}
	full := uint32(1)<<len(q.Words) - 1
	for _, id := range ids {
		th, ok := byID[id]
		if !ok || th.Status != ThreadPublished {
			continue
		}
		p, ok := postByID[best[id]]
		if !ok || p.Status != PostPublished {
			p = Post{}
		}
		res.Results = append(res.Results, s.searchResult(q, th, p, m.title[id] == full))
	}
	return nil
}

// searchFilter checks the filters of a request and turns it into a store filter.
func (s *Service) searchFilter(ctx context.Context, q SearchQuery, r SearchRequest) (SearchFilter, error) {
	f := SearchFilter{Words: q.Words, Theme: r.Theme, AuthorityType: r.AuthorityType, AuthorID: r.AuthorID}
	if err := s.checkListingFilters(ctx, r.Theme, r.AuthorityType); err != nil {
		return f, err
	}
	if r.AuthorID != "" && !ValidID(r.AuthorID) {
		return f, Invalid("author", "author_invalid", "Auteur inconnu.")
	}
	if !r.From.IsZero() {
		f.From = day(r.From)
	}
	if !r.To.IsZero() {
		f.To = day(r.To).AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, Invalid("from", "dates_reversed", "La date de début doit précéder la date de fin.")
	}
	return f, nil
}

// day is the start of t's day (in t's location).
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func (s *Service) searchResult(q SearchQuery, th Thread, p Post, titleHit bool) SearchResult {
	th.TitleTerms, p.Terms, p.Revisions = nil, nil, nil
	return SearchResult{Thread: th, Post: p, TitleHit: titleHit, TitleHTML: q.Highlight(th.Title),
		ExcerptHTML: q.Excerpt(PlainExcerpt(p.HTML, len(p.HTML)+1))}
}

// IndexSearchTerms indexes the posts and threads written before search
// existed, in batches. It is idempotent and cheap once done (one query per
// collection); run it at start.
func (s *Service) IndexSearchTerms(ctx context.Context) (posts, threads int, err error) {
	done := map[string]bool{}
	for {
		batch, err := s.store.PostsWithoutTerms(ctx, searchIndexBatch)
		if err != nil {
			return posts, threads, err
		}
		if len(batch) == 0 {
			break
		}
		terms := make(map[string][]string, len(batch))
		for _, p := range batch {
			if done[p.ID] {
				return posts, threads, fmt.Errorf("search index: post %s still unindexed after its update", p.ID)
			}
			done[p.ID] = true
			terms[p.ID] = PostSearchTerms(p.HTML)
		}
		if err := s.store.SetPostTerms(ctx, terms); err != nil {
			return posts, threads, err
		}
		posts += len(batch)
		if len(batch) < searchIndexBatch {
			break
		}
	}
	for {
		batch, err := s.store.ThreadsWithoutTitleTerms(ctx, searchIndexBatch)
		if err != nil || len(batch) == 0 {
			return posts, threads, err
		}
		terms := make(map[string][]string, len(batch))
		for _, th := range batch {
			if done[th.ID] {
				return posts, threads, fmt.Errorf("search index: thread %s still unindexed after its update", th.ID)
			}
			done[th.ID] = true
			terms[th.ID] = SearchTerms(th.Title)
		}
		if err := s.store.SetThreadTitleTerms(ctx, terms); err != nil {
			return posts, threads, err
		}
		threads += len(batch)
		if len(batch) < searchIndexBatch {
			return posts, threads, nil
		}
	}
}
