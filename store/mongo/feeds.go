package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// activityOrder is the order of feeds: by last activity, the id breaking ties.
var activityOrder = bson.D{{Key: "last_activity_at", Value: -1}, {Key: "_id", Value: -1}}

// recentThreadsQuery is RecentThreads' query. It reads the listing indexes
// (indexes.go) with pinned as an $in of both values: one scan per value,
// each in activity order, merged by MongoDB (SORT_MERGE) without a blocking
// sort, and no second set of indexes without pinned to keep up to date.
func recentThreadsQuery(f forum.ThreadFilter, limit int) findQuery {
	filter := bson.D{
		{Key: "status", Value: forum.ThreadPublished},
		{Key: "pinned", Value: bson.D{{Key: "$in", Value: bson.A{true, false}}}},
	}
	filter = append(filter, threadScope(f.Theme, f.AuthorityType, "")...)
	return findQuery{col: colThreads, filter: filter, sort: activityOrder, limit: int64(max(limit, 0))}
}

// RecentThreads returns published threads of the filter's theme and
// authority type by last activity, newest first, ignoring pinning.
func (s *Store) RecentThreads(ctx context.Context, f forum.ThreadFilter, limit int) ([]forum.Thread, error) {
	return find[forum.Thread](ctx, s, recentThreadsQuery(f, limit))
}

// feedPostFields is what a feed entry needs of a post (no Markdown source,
// no revisions).
var feedPostFields = bson.D{
	{Key: "_id", Value: 1}, {Key: "thread_id", Value: 1}, {Key: "author", Value: 1}, {Key: "html", Value: 1},
	{Key: "status", Value: 1}, {Key: "decision", Value: 1}, {Key: "created_at", Value: 1}, {Key: "edited_at", Value: 1}, {Key: "erased_at", Value: 1},
}

// maxThreadScans is how many threads LatestPublishedPosts reads as one
// index scan each (posts_thread_latest_v1, merged by MongoDB, which merges
// at most 200 scans); with more, it reads the newest published posts of
// the whole forum (posts_latest_v1) and keeps those of the threads.
const maxThreadScans = 100

// latestPublishedPostsQuery is LatestPublishedPosts' query (threadIDs not empty).
func latestPublishedPostsQuery(threadIDs []string, limit int) findQuery {
	filter := bson.D{{Key: "status", Value: forum.PostPublished}}
	hint := "posts_thread_latest_v1"
	switch {
	case len(threadIDs) == 1:
		filter = append(filter, bson.E{Key: "thread_id", Value: threadIDs[0]})
	case len(threadIDs) > maxThreadScans:
		hint = "posts_latest_v1"
		fallthrough
	default:
		filter = append(filter, bson.E{Key: "thread_id", Value: bson.D{{Key: "$in", Value: threadIDs}}})
	}
	return findQuery{col: colPosts, filter: filter, projection: feedPostFields, limit: int64(max(limit, 0)), hint: hint,
		sort: bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}}
}

// LatestPublishedPosts returns the newest published posts of the threads,
// newest first, without their Markdown source and revisions.
func (s *Store) LatestPublishedPosts(ctx context.Context, threadIDs []string, limit int) ([]forum.Post, error) {
	if len(threadIDs) == 0 {
		return []forum.Post{}, nil
	}
	return find[forum.Post](ctx, s, latestPublishedPostsQuery(threadIDs, limit))
}
