package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// fetchInOrder reads the documents ids and returns them in the order of ids.
func fetchInOrder[T any](ctx context.Context, s *Store, col string, ids []string, projection bson.D, id func(*T) string) ([]T, error) {
	docs, err := findByIDs[T](ctx, s, col, ids, projection)
	if err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(ids))
	for i, v := range ids {
		pos[v] = i
	}
	slices.SortFunc(docs, func(a, b T) int { return cmp.Compare(pos[id(&a)], pos[id(&b)]) })
	return docs, nil
}

// maxLookups bounds the ids findByIDs reads one by one on the embedded store
// (at most 500 title hits of a search: ~0.6 ms each, against a scan of the
// collection for $in, 1.1 s for the threads of 100 000 posts).
const maxLookups = 500

// findByIDs returns the documents of col whose _id is one of ids, in no
// particular order. The embedded store reads a filter {_id: {$in: ids}}
// by decoding the whole collection in Go (seconds for 20 posts among
// 10 000), but hands an exact {_id: id} to SQLite, where the posts and
// threads have an index for it (sqliteid.go: ~1.5 ms a post at 10 000):
// there, up to maxLookups documents are read one by one, a few at a time.
func findByIDs[T any](ctx context.Context, s *Store, col string, ids []string, projection bson.D) ([]T, error) {
	if len(ids) == 0 {
		return []T{}, nil
	}
	if !s.embedded || len(ids) > maxLookups {
		opts := options.Find()
		if projection != nil {
			opts.SetProjection(projection)
		}
		return findAll[T](ctx, s, col, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
	}
	opts := options.FindOne()
	if projection != nil {
		opts.SetProjection(projection)
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(ids)))
	docs := make([]T, len(distinct))
	found := make([]bool, len(distinct))
	errs := make([]error, len(distinct))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(4, len(distinct)) {
		wg.Go(func() {
			for i := range next {
				err := s.c(col).FindOne(ctx, bson.D{{Key: "_id", Value: distinct[i]}}, opts).Decode(&docs[i])
				switch {
				case err == nil:
					found[i] = true
				case !errors.Is(err, mongo.ErrNoDocuments):
					errs[i] = err
				}
			}
		})
	}
	for i := range distinct {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(distinct))
	for i, d := range docs {
		if found[i] {
			out = append(out, d)
		}
	}
	return out, nil
}
