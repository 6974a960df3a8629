package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

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
