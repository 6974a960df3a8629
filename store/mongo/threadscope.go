package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A post carries a copy of its thread's scope: whether the thread is
// published, its theme and its authority types. Search filters on the copy,
// in one index scan, instead of sending the ids of every unpublished thread
// ($nin) or of every thread of a theme ($in), lists without bound.
//
// Every write that changes a thread's scope (SetThreadStatus, UpdateThread
// with a theme or authority types, InsertThread) counts the change in the
// thread's scope_seq, in the same single-document update, then copies the
// scope onto the thread's posts whose copy is older (thread_seq < seq): an
// updateMany on posts_thread_v2, bounded by the thread's size. Of two
// concurrent changes, the copy of the later one wins whatever the order in
// which the copies land. InsertPost reads the scope before and after its
// insert (posts.go), so a post written during a change gets the new scope.
// A process dying between a change and its copy leaves the posts with the
// older scope until the thread's next change; forum search also checks each
// result's thread, so such a post is never shown.

// postScope is the copy of its thread's scope a post carries.
type postScope struct {
	ThreadPublished bool     `bson:"thread_published"`
	ThreadTheme     string   `bson:"thread_theme"`
	ThreadTypes     []string `bson:"thread_types"`
	ThreadSeq       int64    `bson:"thread_seq"`
}

// scope is what the posts of a thread copy of it, and its number.
type scope struct {
	ID             string   `bson:"_id"`
	Status         string   `bson:"status"`
	Theme          string   `bson:"theme"`
	AuthorityTypes []string `bson:"authority_types"`
	Seq            int64    `bson:"scope_seq"`
}

// scopeFields is the projection of a thread's scope.
var scopeFields = bson.D{{Key: "status", Value: 1}, {Key: "theme", Value: 1}, {Key: "authority_types", Value: 1}, {Key: "scope_seq", Value: 1}}

// scopeOf returns the scope of a thread numbered seq.
func scopeOf(t *forum.Thread, seq int64) *scope {
	return &scope{ID: t.ID, Status: t.Status, Theme: t.Theme, AuthorityTypes: t.AuthorityTypes, Seq: seq}
}

// postScope returns the copy a post of the thread carries: for a thread
// that does not exist (yet), an unpublished scope numbered 0.
func (sc *scope) postScope() postScope {
	if sc == nil {
		return postScope{ThreadTypes: []string{}}
	}
	types := sc.AuthorityTypes
	if types == nil {
		types = []string{}
	}
	return postScope{ThreadPublished: sc.Status == forum.ThreadPublished, ThreadTheme: sc.Theme, ThreadTypes: types, ThreadSeq: sc.Seq}
}

// scopeByID reads a thread's scope; nil when there is no such thread.
func (s *Store) scopeByID(ctx context.Context, id string) (*scope, error) {
	var sc scope
	err := mapErr(s.c(colThreads).FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(scopeFields)).Decode(&sc))
	if err == forum.ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &sc, nil
}

// changeScope applies set to the thread matching filter, counting the
// change in scope_seq in the same update, then copies the new scope onto
// the thread's posts. It returns false when no thread matched. (No
// projection: FerretDB does not implement findAndModify's fields.)
func (s *Store) changeScope(ctx context.Context, filter, set bson.D) (bool, error) {
	update := bson.D{{Key: "$inc", Value: bson.D{{Key: "scope_seq", Value: 1}}}}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	var sc scope
	err := mapErr(s.write(ctx, func(ctx context.Context) error {
		return s.c(colThreads).FindOneAndUpdate(ctx, filter, update,
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&sc)
	}))
	if err == forum.ErrNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.copyScopeToPosts(ctx, &sc)
}

// copyScopeToPosts copies the scope onto the thread's posts whose copy is older.
func (s *Store) copyScopeToPosts(ctx context.Context, sc *scope) error {
	return s.copyScope(ctx, bson.D{{Key: "thread_id", Value: sc.ID}}, sc)
}

// copyScope copies the scope onto the posts matching filter whose copy is older.
func (s *Store) copyScope(ctx context.Context, filter bson.D, sc *scope) error {
	f := append(append(bson.D{}, filter...), bson.E{Key: "thread_seq", Value: bson.D{{Key: "$lt", Value: sc.Seq}}})
	return s.updateMany(ctx, colPosts, f, bson.D{{Key: "$set", Value: sc.postScope()}})
}
