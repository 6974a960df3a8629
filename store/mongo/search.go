package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// searchIndexes are the multikey indexes on the search terms. MongoDB
// answers a search from them; the embedded store scans anyway.
var searchIndexes = map[string][]mongodrv.IndexModel{
	colPosts: {
		{Keys: bson.D{{Key: "terms", Value: 1}}, Options: options.Index().SetName("terms")},
	},
	colThreads: {
		{Keys: bson.D{{Key: "title_terms", Value: 1}}, Options: options.Index().SetName("title_terms")},
	},
}

// termsFilter requires field to hold every word, each in any of its
// variants: one $all for the words with one variant, an $in per word with
// several. The terms are values, never operators or patterns.
func termsFilter(field string, words [][]string) bson.D {
	var all bson.A
	var either bson.A
	for _, w := range words {
		if len(w) == 1 {
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

// SearchTitles returns published threads whose title terms have every word,
// newest first: from the in-memory index on the embedded store, by a query
// on MongoDB.
func (s *Store) SearchTitles(ctx context.Context, f forum.SearchFilter, limit int) ([]forum.Thread, error) {
	filter := bson.D{{Key: "status", Value: forum.ThreadPublished}}
	filter = append(filter, termsFilter("title_terms", f.Words)...)
	filter = append(filter, threadScope(f.Theme, f.AuthorityType, f.AuthorID)...)
	filter = append(filter, createdFilter(f)...)
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return findAll[forum.Thread](ctx, s, colThreads, filter, opts)
}

// SearchPosts returns published posts of published threads having every
// word, newest first: from the in-memory index on the embedded store, by a
// query on MongoDB.
func (s *Store) SearchPosts(ctx context.Context, f forum.SearchFilter, excludeIDs []string, skip, limit int) ([]forum.Post, error) {
	return s.searchPostsQuery(ctx, f, excludeIDs, skip, limit)
}

// searchPostsQuery is SearchPosts as a query. The thread conditions are
// read from the threads at query time (no $lookup
// on the embedded store): with a theme or authority type filter, the posts
// must be in one of the matching published threads; without, they must not
// be in a thread that is not published (hidden, pending, rejected: few).
func (s *Store) searchPostsQuery(ctx context.Context, f forum.SearchFilter, excludeIDs []string, skip, limit int) ([]forum.Post, error) {
	filter := bson.D{{Key: "status", Value: forum.PostPublished}}
	filter = append(filter, termsFilter("terms", f.Words)...)
	if f.Theme != "" || f.AuthorityType != "" {
		tf := append(bson.D{{Key: "status", Value: forum.ThreadPublished}}, threadScope(f.Theme, f.AuthorityType, "")...)
		ids, err := s.threadIDs(ctx, tf)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return []forum.Post{}, nil
		}
		filter = append(filter, bson.E{Key: "thread_id", Value: bson.D{{Key: "$in", Value: ids}}})
	} else {
		ids, err := s.threadIDs(ctx, bson.D{{Key: "status", Value: bson.D{{Key: "$ne", Value: forum.ThreadPublished}}}})
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			filter = append(filter, bson.E{Key: "thread_id", Value: bson.D{{Key: "$nin", Value: ids}}})
		}
	}
	if f.AuthorID != "" {
		filter = append(filter, bson.E{Key: "author.id", Value: f.AuthorID})
	}
	filter = append(filter, createdFilter(f)...)
	if len(excludeIDs) > 0 {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$nin", Value: excludeIDs}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetSkip(int64(skip)).SetProjection(searchPostFields)
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return findAll[forum.Post](ctx, s, colPosts, filter, opts)
}

// searchPostFields is what a search result needs of a post (an inclusion
// projection: the embedded store supports no exclusion).
var searchPostFields = bson.D{
	{Key: "_id", Value: 1}, {Key: "thread_id", Value: 1}, {Key: "author", Value: 1}, {Key: "html", Value: 1},
	{Key: "status", Value: 1}, {Key: "created_at", Value: 1}, {Key: "edited_at", Value: 1},
}

// threadIDs returns the ids of the threads matching filter.
func (s *Store) threadIDs(ctx context.Context, filter bson.D) (bson.A, error) {
	docs, err := findAll[struct {
		ID string `bson:"_id"`
	}](ctx, s, colThreads, filter, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	ids := make(bson.A, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
}

// PostsWithoutTerms returns up to limit posts that have no search terms yet.
func (s *Store) PostsWithoutTerms(ctx context.Context, limit int) ([]forum.Post, error) {
	return findAll[forum.Post](ctx, s, colPosts, bson.D{{Key: "terms", Value: bson.D{{Key: "$exists", Value: false}}}},
		options.Find().SetLimit(int64(limit)).SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "html", Value: 1}}))
}

// ThreadsWithoutTitleTerms returns up to limit threads that have no title terms yet.
func (s *Store) ThreadsWithoutTitleTerms(ctx context.Context, limit int) ([]forum.Thread, error) {
	return findAll[forum.Thread](ctx, s, colThreads, bson.D{{Key: "title_terms", Value: bson.D{{Key: "$exists", Value: false}}}},
		options.Find().SetLimit(int64(limit)).SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "title", Value: 1}}))
}

// SetPostTerms writes the terms of posts that still have none, in one bulk write.
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
