package mongo

import (
	"context"
	"crypto/rand"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// threadDoc is a thread as stored: the forum's thread and the number of
// changes of what its posts copy (threadscope.go).
type threadDoc struct {
	forum.Thread `bson:",inline"`
	ScopeSeq     int64 `bson:"scope_seq"`
}

// InsertThread stores a new thread, with its title's search terms, then
// copies its status, theme and authority types onto the posts already
// written (the first post is written before its thread).
func (s *Store) InsertThread(ctx context.Context, t *forum.Thread) error {
	if t.TitleTerms == nil {
		t.TitleTerms = forum.SearchTerms(t.Title)
	}
	if err := s.insert(ctx, colThreads, threadDoc{Thread: *t, ScopeSeq: 1}); err != nil {
		return err
	}
	return s.copyScopeToPosts(ctx, scopeOf(t, 1))
}

// ThreadByID returns the thread with that id, whatever its status.
func (s *Store) ThreadByID(ctx context.Context, id string) (*forum.Thread, error) {
	var t forum.Thread
	if err := s.findOne(ctx, colThreads, bson.D{{Key: "_id", Value: id}}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// threadScope filters threads by theme, authority type and author (empty:
// no filter).
func threadScope(theme, authorityType, authorID string) bson.D {
	var d bson.D
	if theme != "" {
		d = append(d, bson.E{Key: "theme", Value: theme})
	}
	if authorityType != "" {
		d = append(d, bson.E{Key: "authority_types", Value: authorityType})
	}
	if authorID != "" {
		d = append(d, bson.E{Key: "author.id", Value: authorID})
	}
	return d
}

// listingSort is the order of thread listings: pinned first, then by last
// activity, the id breaking ties (the tail of the listing indexes).
var listingSort = bson.D{{Key: "pinned", Value: -1}, {Key: "last_activity_at", Value: -1}, {Key: "_id", Value: -1}}

// listThreadsQuery is ListThreads' query: the equality fields of one of the
// listing indexes, then exactly its order.
func listThreadsQuery(f forum.ThreadFilter) findQuery {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []string{forum.ThreadPublished}
	}
	filter := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}}}
	filter = append(filter, threadScope(f.Theme, f.AuthorityType, f.AuthorID)...)
	return findQuery{col: colThreads, filter: filter, sort: listingSort, skip: int64(max(f.Skip, 0)), limit: int64(max(f.Limit, 0))}
}

// ListThreads returns threads matching f, pinned first, then by last activity.
func (s *Store) ListThreads(ctx context.Context, f forum.ThreadFilter) ([]forum.Thread, error) {
	return find[forum.Thread](ctx, s, listThreadsQuery(f))
}

// RecordThreadPost adds delta to the thread's published post count and
// moves its last activity to the post, only if the post is at least as new
// as the thread's last activity (as SQLite's CASE WHEN). Two single-document
// updates, each atomic: the first, conditional on the last activity being
// no newer than the post, counts the post and moves the last activity; if it
// matched nothing, the thread's last activity is newer (it only ever moves
// forward) and the second only counts. The count is added exactly once.
func (s *Store) RecordThreadPost(ctx context.Context, threadID string, delta int, p *forum.Post) error {
	inc := bson.E{Key: "$inc", Value: bson.D{{Key: "post_count", Value: delta}}}
	err := s.updateOne(ctx, colThreads, bson.D{
		{Key: "_id", Value: threadID},
		{Key: "last_activity_at", Value: bson.D{{Key: "$lte", Value: p.CreatedAt}}},
	}, bson.D{inc, {Key: "$set", Value: bson.D{
		{Key: "last_activity_at", Value: p.CreatedAt},
		{Key: "last_post_id", Value: p.ID},
		{Key: "last_author", Value: p.Author.DisplayName},
	}}})
	if err != forum.ErrNotFound {
		return err
	}
	return s.updateOne(ctx, colThreads, bson.D{{Key: "_id", Value: threadID}}, bson.D{inc})
}

// ThreadsByIDs returns the threads with these ids.
func (s *Store) ThreadsByIDs(ctx context.Context, ids []string) ([]forum.Thread, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return findByIDs[forum.Thread](ctx, s, colThreads, ids, nil)
}

// Secret returns the named 32-byte secret, creating it on first use. Two
// processes racing get the same value: the first insert wins by _id.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var doc struct {
		Value []byte `bson:"value"`
	}
	err := s.findOne(ctx, colSecrets, bson.D{{Key: "_id", Value: name}}, &doc)
	if err == nil {
		return doc.Value, nil
	}
	if err != forum.ErrNotFound {
		return nil, err
	}
	v := make([]byte, 32)
	_, _ = rand.Read(v)
	if err := s.insert(ctx, colSecrets, bson.D{{Key: "_id", Value: name}, {Key: "value", Value: v}}); err != nil && err != forum.ErrDuplicate {
		return nil, err
	}
	if err := s.findOne(ctx, colSecrets, bson.D{{Key: "_id", Value: name}}, &doc); err != nil {
		return nil, err
	}
	return doc.Value, nil
}

var _ forum.Store = (*Store)(nil)
