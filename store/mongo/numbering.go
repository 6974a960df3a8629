package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ThreadPostIDsBetween returns the ids of the thread's posts, whatever
// their status, from fromID to toID included, in id order (a range of the
// index posts_thread_v2, {thread_id, _id}, that covers the query).
func (s *Store) ThreadPostIDsBetween(ctx context.Context, threadID, fromID, toID string) ([]string, error) {
	filter := bson.D{{Key: "thread_id", Value: threadID}, {Key: "_id", Value: bson.D{{Key: "$gte", Value: fromID}, {Key: "$lte", Value: toID}}}}
	docs, err := findAll[struct {
		ID string `bson:"_id"`
	}](ctx, s, colPosts, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids, nil
}
