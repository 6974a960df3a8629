package mongo

import (
	"context"
	"errors"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// mapErr turns driver errors into domain errors.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongodrv.ErrNoDocuments):
		return forum.ErrNotFound
	case mongodrv.IsDuplicateKeyError(err):
		return forum.ErrDuplicate
	}
	return err
}

// insert inserts one document.
func (s *Store) insert(ctx context.Context, col string, doc any) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(col).InsertOne(ctx, doc)
		return err
	}))
}

// updateOne applies update to the document matching filter; ErrNotFound
// when none matched.
func (s *Store) updateOne(ctx context.Context, col string, filter, update bson.D) error {
	var res *mongodrv.UpdateResult
	err := s.write(ctx, func(ctx context.Context) error {
		var err error
		res, err = s.c(col).UpdateOne(ctx, filter, update)
		return err
	})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return forum.ErrNotFound
	}
	return nil
}

// updateMany applies update to every document matching filter.
func (s *Store) updateMany(ctx context.Context, col string, filter, update bson.D) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(col).UpdateMany(ctx, filter, update)
		return err
	}))
}

// findOne decodes the document matching filter into out.
func (s *Store) findOne(ctx context.Context, col string, filter bson.D, out any) error {
	return mapErr(s.c(col).FindOne(ctx, filter).Decode(out))
}

// findAll decodes every document matching filter into out (a slice pointer).
func findAll[T any](ctx context.Context, s *Store, col string, filter bson.D, opts *options.FindOptionsBuilder) ([]T, error) {
	cur, err := s.c(col).Find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	out := []T{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// IncCounter adds delta to the named counter and returns its new value. It is
// a single upserting findAndModify, so it is exact under concurrency (on
// FerretDB, the test double, through the write gate).
func (s *Store) IncCounter(ctx context.Context, name string, delta int64) (int64, error) {
	var doc struct {
		Value int64 `bson:"value"`
	}
	err := s.write(ctx, func(ctx context.Context) error {
		return s.c(colCounters).FindOneAndUpdate(ctx,
			bson.D{{Key: "_id", Value: name}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "value", Value: delta}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
		).Decode(&doc)
	})
	return doc.Value, mapErr(err)
}
