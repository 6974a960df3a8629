package forum

import (
	"context"
	"fmt"
	"html/template"
	"time"
)

const (
	// maxTitleHits bounds the threads ranked first because their title
	// matches; past it, the other title matches rank with the posts.
	maxTitleHits = 500
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

// SearchResult is one found post with the thread it belongs to.
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
}

// Search finds published posts of published threads that have every word
// of the query: first the threads whose title matches (newest first, shown
// with their first post), then the other posts (newest first). A query
// with no meaningful word returns no result and no error: Query.Empty()
// tells the page to ask for a more precise search.
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
	titles, err := s.store.SearchTitles(ctx, f, maxTitleHits)
	if err != nil {
		return nil, err
	}
	offset, want := (r.Page-1)*SearchPerPage, SearchPerPage+1
	var window []Thread
	if offset < len(titles) {
		window = titles[offset:min(len(titles), offset+want)]
	}
	firstIDs := make([]string, len(titles))
	for i, th := range titles {
		firstIDs[i] = th.FirstPostID
	}
	if err := s.addTitleHits(ctx, q, res, window); err != nil {
		return nil, err
	}
	if n := want - len(res.Results); n > 0 {
		posts, err := s.store.SearchPosts(ctx, f, firstIDs, max(0, offset-len(titles)), n)
		if err != nil {
			return nil, err
		}
		if err := s.addPostHits(ctx, q, res, posts); err != nil {
			return nil, err
		}
	}
	if len(res.Results) > SearchPerPage {
		res.Results, res.HasMore = res.Results[:SearchPerPage], true
	}
	return res, nil
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

// addTitleHits adds the threads whose title matches, with their first post.
func (s *Service) addTitleHits(ctx context.Context, q SearchQuery, res *SearchResults, threads []Thread) error {
	if len(threads) == 0 {
		return nil
	}
	ids := make([]string, len(threads))
	for i, th := range threads {
		ids[i] = th.FirstPostID
	}
	posts, err := s.store.PostsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[string]Post{}
	for _, p := range posts {
		byID[p.ID] = p
	}
	for _, th := range threads {
		p, ok := byID[th.FirstPostID]
		if !ok || p.Status != PostPublished {
			continue
		}
		res.Results = append(res.Results, s.searchResult(q, th, p, true))
	}
	return nil
}

// addPostHits adds posts found by their text, with their thread.
func (s *Service) addPostHits(ctx context.Context, q SearchQuery, res *SearchResults, posts []Post) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]string, 0, len(posts))
	for _, p := range posts {
		ids = append(ids, p.ThreadID)
	}
	threads, err := s.store.ThreadsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[string]Thread{}
	for _, th := range threads {
		byID[th.ID] = th
	}
	for _, p := range posts {
		th, ok := byID[p.ThreadID]
		if !ok || th.Status != ThreadPublished {
			continue
		}
		res.Results = append(res.Results, s.searchResult(q, th, p, false))
	}
	return nil
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
