package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RecentThreads returns published threads of the filter's theme and
// authority type by last activity, newest first, ignoring pinning.
func (s *Store) RecentThreads(ctx context.Context, f forum.ThreadFilter, limit int) ([]forum.Thread, error) {
	filter := bson.D{{Key: "status", Value: forum.ThreadPublished}}
	if f.Theme != "" {
		filter = append(filter, bson.E{Key: "theme", Value: f.Theme})
	}
	if f.AuthorityType != "" {
		filter = append(filter, bson.E{Key: "authority_types", Value: f.AuthorityType})
	}
	opts := options.Find().SetSort(bson.D{{Key: "last_activity_at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return findAll[forum.Thread](ctx, s, colThreads, filter, opts)
}

// LatestPublishedPosts returns the newest published posts of the threads,
// newest first, without their Markdown source and revisions.
func (s *Store) LatestPublishedPosts(ctx context.Context, threadIDs []string, limit int) ([]forum.Post, error) {
	if len(threadIDs) == 0 {
		return []forum.Post{}, nil
	}
	filter := bson.D{{Key: "status", Value: forum.PostPublished}}
	if len(threadIDs) == 1 {
		filter = append(filter, bson.E{Key: "thread_id", Value: threadIDs[0]})
	} else {
		filter = append(filter, bson.E{Key: "thread_id", Value: bson.D{{Key: "$in", Value: threadIDs}}})
	}
	proj := bson.D{}
	for _, f := range []string{"_id", "thread_id", "author", "html", "status", "decision", "created_at", "edited_at"} {
		proj = append(proj, bson.E{Key: f, Value: 1})
	}
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetProjection(proj)
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	return findAll[forum.Post](ctx, s, colPosts, filter, opts)
}
