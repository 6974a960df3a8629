package store

import (
	"context"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colVersions holds one small document per cache key that processes sharing
// the database invalidate: {_id: key, v: n, updated_at: t}.
const colVersions = "versions"

// BumpVersions adds one to each key's version and sets its updated_at, in one
// bulk write of upserting $inc updates (exact under concurrency: single-document
// updates, through the write gate on the embedded store).
func (s *Store) BumpVersions(ctx context.Context, keys []string, at time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	seen := map[string]bool{}
	models := make([]mongo.WriteModel, 0, len(keys))
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		models = append(models, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: k}}).SetUpdate(bson.D{
			{Key: "$inc", Value: bson.D{{Key: "v", Value: int64(1)}}},
			{Key: "$set", Value: bson.D{{Key: "updated_at", Value: at}}},
		}).SetUpsert(true))
	}
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colVersions).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		return err
	}))
}

// VersionsSince returns the versions updated after since (every one when
// since is zero).
func (s *Store) VersionsSince(ctx context.Context, since time.Time) ([]forum.VersionRecord, error) {
	filter := bson.D{}
	if !since.IsZero() {
		filter = bson.D{{Key: "updated_at", Value: bson.D{{Key: "$gt", Value: since}}}}
	}
	return findAll[forum.VersionRecord](ctx, s, colVersions, filter, options.Find())
}

var _ forum.VersionStore = (*Store)(nil)
