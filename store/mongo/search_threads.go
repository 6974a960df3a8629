package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// wordHitsQueries are SearchWordHits' two queries (titles, posts): those of
// SearchTitles and SearchPosts for the one word, reading only ids; ok is
// false when the word has no variant.
func wordHitsQueries(f forum.SearchFilter, variants []string, limit int) (titles, posts findQuery, ok bool) {
	f.Words = [][]string{variants}
	if titles, ok = searchTitlesQuery(f, limit); !ok {
		return titles, posts, false
	}
	titles.projection = bson.D{{Key: "_id", Value: 1}}
	posts, _ = searchPostsQuery(f, nil, 0, limit)
	posts.projection = bson.D{{Key: "_id", Value: 1}, {Key: "thread_id", Value: 1}}
	return titles, posts, true
}

// SearchWordHits returns where one word (any of variants) is found under
// f's other conditions: the titles of published threads and the published
// posts of published threads, at most limit of each, newest first.
func (s *Store) SearchWordHits(ctx context.Context, f forum.SearchFilter, variants []string, limit int) ([]forum.SearchHit, error) {
	titles, posts, ok := wordHitsQueries(f, variants, limit)
	if !ok || limit <= 0 {
		return []forum.SearchHit{}, nil
	}
	type hit struct {
		ID       string `bson:"_id"`
		ThreadID string `bson:"thread_id"`
	}
	ths, err := find[hit](ctx, s, titles)
	if err != nil {
		return nil, err
	}
	ps, err := find[hit](ctx, s, posts)
	if err != nil {
		return nil, err
	}
	out := make([]forum.SearchHit, 0, len(ths)+len(ps))
	for _, h := range ths {
		out = append(out, forum.SearchHit{ThreadID: h.ID})
	}
	for _, h := range ps {
		out = append(out, forum.SearchHit{ThreadID: h.ThreadID, PostID: h.ID})
	}
	return out, nil
}
