package mongo

import (
	"cmp"
	"context"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
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

// findByIDs returns the documents of col whose _id is one of ids, in no
// particular order (one query on the _id index).
func findByIDs[T any](ctx context.Context, s *Store, col string, ids []string, projection bson.D) ([]T, error) {
	if len(ids) == 0 {
		return []T{}, nil
	}
	opts := options.Find()
	if projection != nil {
		opts.SetProjection(projection)
	}
	return findAll[T](ctx, s, col, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
}
