package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Search reads the multikey indexes of the search terms (forum.SearchTerms,
// written with every title and post HTML), then the equality fields, then
// _id descending: results come newest first, as on SQLite, and a page stops
// the scan. A post's thread conditions (published, theme, authority type)
// are read from the copy the post carries (threadscope.go).

// searchIndexes serve SearchTitles and SearchPosts.
var searchIndexes = map[string][]index{
	colPosts:   {{name: "posts_search_v1", keys: keys("terms", 1, "status", 1, "thread_published", 1, "_id", -1)}},
	colThreads: {{name: "threads_search_v1", keys: keys("title_terms", 1, "status", 1, "_id", -1)}},
}

// termsFilter requires field to hold every word, each in any of its
// variants: one $all for the words with one variant, an $in per word with
// several; a word without variants is ignored (as on SQLite). The terms are
// values, never operators or patterns. It is empty when no word has a
// variant.
func termsFilter(field string, words [][]string) bson.D {
	var all bson.A
	var either bson.A
	for _, w := range words {
		switch len(w) {
		case 0:
			continue
		case 1:
			all = append(all, w[0])
			continue
		}
		vs := make(bson.A, len(w))
		for i, v := range w {
			vs[i] = v
		}
		either = append(either, bson.D{{Key: field, Value: bson.D{{Key: "$in", Value: vs}}}})
	}
	f := bson.D{}
	if len(all) > 0 {
		f = append(f, bson.E{Key: field, Value: bson.D{{Key: "$all", Value: all}}})
	}
	if len(either) > 0 {
		f = append(f, bson.E{Key: "$and", Value: either})
	}
	return f
}

// createdFilter bounds the created_at field by f.From and f.To.
func createdFilter(f forum.SearchFilter) bson.D {
	r := bson.D{}
	if !f.From.IsZero() {
		r = append(r, bson.E{Key: "$gte", Value: f.From})
	}
	if !f.To.IsZero() {
		r = append(r, bson.E{Key: "$lt", Value: f.To})
	}
	if len(r) == 0 {
		return nil
	}
	return bson.D{{Key: "created_at", Value: r}}
}

// newestFirst is the order of search results.
var newestFirst = bson.D{{Key: "_id", Value: -1}}

// searchTitlesQuery is SearchTitles' query; ok is false without words.
func searchTitlesQuery(f forum.SearchFilter, limit int) (q findQuery, ok bool) {
	filter := termsFilter("title_terms", f.Words)
	if len(filter) == 0 {
		return findQuery{}, false
	}
	filter = append(filter, bson.E{Key: "status", Value: forum.ThreadPublished})
	filter = append(filter, threadScope(f.Theme, f.AuthorityType, f.AuthorID)...)
	filter = append(filter, createdFilter(f)...)
	return findQuery{col: colThreads, filter: filter, sort: newestFirst, limit: int64(max(limit, 0)), hint: "threads_search_v1"}, true
}

// SearchTitles returns published threads whose title terms have every word,
// newest first (by _id, which follows creation).
func (s *Store) SearchTitles(ctx context.Context, f forum.SearchFilter, limit int) ([]forum.Thread, error) {
	q, ok := searchTitlesQuery(f, limit)
	if !ok {
		return []forum.Thread{}, nil
	}
	return find[forum.Thread](ctx, s, q)
}

// searchPostFields is what a search result needs of a post (an inclusion
// projection).
var searchPostFields = bson.D{
	{Key: "_id", Value: 1}, {Key: "thread_id", Value: 1}, {Key: "author", Value: 1}, {Key: "html", Value: 1},
	{Key: "status", Value: 1}, {Key: "created_at", Value: 1}, {Key: "edited_at", Value: 1},
}

// searchPostsQuery is SearchPosts' query; ok is false without words. The
// thread conditions are the post's copy of its thread's scope: a bounded
// filter, whatever the number of threads. With an author, the author's
// posts are read newest first (posts_author_v2 backwards) and each is
// checked for the words: an author has few posts, a word may have many.
func searchPostsQuery(f forum.SearchFilter, excludeIDs []string, skip, limit int) (q findQuery, ok bool) {
	filter := termsFilter("terms", f.Words)
	if len(filter) == 0 {
		return findQuery{}, false
	}
	filter = append(filter, bson.E{Key: "status", Value: forum.PostPublished}, bson.E{Key: "thread_published", Value: true})
	if f.Theme != "" {
		filter = append(filter, bson.E{Key: "thread_theme", Value: f.Theme})
	}
	if f.AuthorityType != "" {
		filter = append(filter, bson.E{Key: "thread_types", Value: f.AuthorityType})
	}
	hint := "posts_search_v1"
	if f.AuthorID != "" {
		filter = append(filter, bson.E{Key: "author.id", Value: f.AuthorID})
		hint = "posts_author_v2"
	}
	filter = append(filter, createdFilter(f)...)
	if len(excludeIDs) > 0 {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$nin", Value: excludeIDs}}})
	}
	return findQuery{col: colPosts, filter: filter, sort: newestFirst, projection: searchPostFields,
		skip: int64(max(skip, 0)), limit: int64(max(limit, 0)), hint: hint}, true
}

// SearchPosts returns published posts of published threads having every
// word, newest first (by _id, which follows creation), except excludeIDs
// (the first posts of the threads found by title: a bounded list).
func (s *Store) SearchPosts(ctx context.Context, f forum.SearchFilter, excludeIDs []string, skip, limit int) ([]forum.Post, error) {
	q, ok := searchPostsQuery(f, excludeIDs, skip, limit)
	if !ok {
		return []forum.Post{}, nil
	}
	return find[forum.Post](ctx, s, q)
}

// Marks of a completed search backfill (migrations.go): once a pass finds
// nothing left to index, later starts do not look again.
const (
	markPostTerms  = "search_backfill_posts_v1"
	markTitleTerms = "search_backfill_titles_v1"
)

// PostsWithoutTerms returns up to limit posts that have no search terms
// yet, written by an earlier version; none once a pass found none.
func (s *Store) PostsWithoutTerms(ctx context.Context, limit int) ([]forum.Post, error) {
	return withoutTerms[forum.Post](ctx, s, markPostTerms, findQuery{col: colPosts,
		filter: bson.D{{Key: "terms", Value: bson.D{{Key: "$exists", Value: false}}}}, limit: int64(limit),
		projection: bson.D{{Key: "_id", Value: 1}, {Key: "html", Value: 1}}})
}

// ThreadsWithoutTitleTerms returns up to limit threads that have no title
// terms yet, written by an earlier version; none once a pass found none.
func (s *Store) ThreadsWithoutTitleTerms(ctx context.Context, limit int) ([]forum.Thread, error) {
	return withoutTerms[forum.Thread](ctx, s, markTitleTerms, findQuery{col: colThreads,
		filter: bson.D{{Key: "title_terms", Value: bson.D{{Key: "$exists", Value: false}}}}, limit: int64(limit),
		projection: bson.D{{Key: "_id", Value: 1}, {Key: "title", Value: 1}}})
}

// withoutTerms runs a backfill query unless its mark says a pass already
// found nothing; it sets the mark when the query finds nothing. Every write
// path writes the terms, so nothing is left once a pass completed.
func withoutTerms[T any](ctx context.Context, s *Store, mark string, q findQuery) ([]T, error) {
	done, err := s.migrated(ctx, mark)
	if err != nil || done {
		return []T{}, err
	}
	docs, err := find[T](ctx, s, q)
	if err == nil && len(docs) == 0 {
		err = s.recordMigration(ctx, mark)
	}
	return docs, err
}

// SetPostTerms writes the terms of posts that still have none.
func (s *Store) SetPostTerms(ctx context.Context, terms map[string][]string) error {
	return s.setTermsOnce(ctx, colPosts, "terms", terms)
}

// SetThreadTitleTerms writes the title terms of threads that still have none.
func (s *Store) SetThreadTitleTerms(ctx context.Context, terms map[string][]string) error {
	return s.setTermsOnce(ctx, colThreads, "title_terms", terms)
}

// setTermsOnce sets field on each document that lacks it: other replicas
// may be serving, and a document written meanwhile by a post edit or a
// rename keeps its newer terms.
func (s *Store) setTermsOnce(ctx context.Context, col, field string, terms map[string][]string) error {
	for id, t := range terms {
		if t == nil {
			t = []string{}
		}
		filter := bson.D{{Key: "_id", Value: id}, {Key: field, Value: bson.D{{Key: "$exists", Value: false}}}}
		err := s.updateOne(ctx, col, filter, bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: t}}}})
		if err != nil && err != forum.ErrNotFound {
			return err
		}
	}
	return nil
}
