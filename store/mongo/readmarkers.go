package mongo

import (
	"context"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colReadMarkers holds one document per (member, thread) the member has
// opened, with _id "memberID:threadID".
const colReadMarkers = "read_markers"

// readMarkerIndexes serve ReadMarkersOf and DeleteReadMarkers (the others
// read by _id).
var readMarkerIndexes = map[string][]index{
	colReadMarkers: {{name: "read_markers_member_v1", keys: keys("member_id", 1)}},
}

// ReadMarker returns the member's marker on the thread.
func (s *Store) ReadMarker(ctx context.Context, memberID, threadID string) (*forum.ReadMarker, error) {
	var m forum.ReadMarker
	if err := s.findOne(ctx, colReadMarkers, bson.D{{Key: "_id", Value: forum.ReadMarkerID(memberID, threadID)}}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// ReadMarkers returns the member's markers on any of the threads, in one
// query by _id.
func (s *Store) ReadMarkers(ctx context.Context, memberID string, threadIDs []string) ([]forum.ReadMarker, error) {
	if len(threadIDs) == 0 {
		return []forum.ReadMarker{}, nil
	}
	ids := make([]string, len(threadIDs))
	for i, t := range threadIDs {
		ids[i] = forum.ReadMarkerID(memberID, t)
	}
	return findAll[forum.ReadMarker](ctx, s, colReadMarkers, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, nil)
}

// AdvanceReadMarker creates the marker or moves it forward, in one upsert
// with $max, so concurrent page views never move it backwards. On MongoDB two
// first upserts of one _id may race to a duplicate key: the loser retries
// once, as an update.
func (s *Store) AdvanceReadMarker(ctx context.Context, m *forum.ReadMarker) error {
	update := bson.D{
		{Key: "$max", Value: bson.D{{Key: "post_id", Value: m.PostID}, {Key: "post_at", Value: m.PostAt}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "member_id", Value: m.MemberID}, {Key: "thread_id", Value: m.ThreadID}}},
	}
	var err error
	for range 2 {
		err = s.write(ctx, func(ctx context.Context) error {
			_, err := s.c(colReadMarkers).UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}}, update, options.UpdateOne().SetUpsert(true))
			return err
		})
		if !mongodrv.IsDuplicateKeyError(err) {
			break
		}
	}
	return mapErr(err)
}

// ReadMarkersOf returns every marker of the member (data export).
func (s *Store) ReadMarkersOf(ctx context.Context, memberID string) ([]forum.ReadMarker, error) {
	return findAll[forum.ReadMarker](ctx, s, colReadMarkers, bson.D{{Key: "member_id", Value: memberID}}, nil)
}

// DeleteReadMarkers removes every marker of the member.
func (s *Store) DeleteReadMarkers(ctx context.Context, memberID string) (int64, error) {
	return s.dgDelete(ctx, colReadMarkers, bson.D{{Key: "member_id", Value: memberID}})
}

// firstPublishedPostAfterQuery is FirstPublishedPostAfter's query, on
// posts_thread_status_v2.
func firstPublishedPostAfterQuery(threadID, afterID string, since time.Time) findQuery {
	filter := bson.D{{Key: "thread_id", Value: threadID}, {Key: "status", Value: forum.PostPublished}}
	if afterID != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: afterID}}})
	}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "created_at", Value: bson.D{{Key: "$gt", Value: since}}})
	}
	return findQuery{col: colPosts, filter: filter, sort: bson.D{{Key: "_id", Value: 1}}, limit: 1, hint: "posts_thread_status_v2",
		projection: bson.D{{Key: "_id", Value: 1}, {Key: "thread_id", Value: 1}, {Key: "created_at", Value: 1}}}
}

// FirstPublishedPostAfter returns the oldest published post of the thread
// with an id above afterID (if set) and created after since (if not zero).
func (s *Store) FirstPublishedPostAfter(ctx context.Context, threadID, afterID string, since time.Time) (*forum.Post, error) {
	posts, err := find[forum.Post](ctx, s, firstPublishedPostAfterQuery(threadID, afterID, since))
	if err != nil {
		return nil, err
	}
	if len(posts) == 0 {
		return nil, forum.ErrNotFound
	}
	return &posts[0], nil
}
