package mongo

import (
	"context"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colPostKeys holds the idempotency keys of posts: one document per
// (author, key), its _id "authorID:key", so that the _id's unique index
// makes a key claimable once (FerretDB has no partial unique index). The
// claim is inserted before the post; the post carries its key too.
const colPostKeys = "post_keys"

// postKey is a claimed idempotency key.
type postKey struct {
	ID        string    `bson:"_id"`
	PostID    string    `bson:"post_id"`
	ThreadID  string    `bson:"thread_id"`
	AuthorID  string    `bson:"author_id"`
	CreatedAt time.Time `bson:"created_at"`
}

func postKeyID(authorID, key string) string { return authorID + ":" + key }

// reconcileIndexes serve reconciliation: a thread's most recently
// published post (ThreadTally), the posts decided since a time
// (ThreadIDsTouchedSince, with posts_latest_v1 for the created ones), and a
// member's keys (erasure).
var reconcileIndexes = map[string][]index{
	colPosts: {
		{name: "posts_thread_activity_v1", keys: keys("thread_id", 1, "status", 1, "published_at", -1, "_id", -1)},
		{name: "posts_decided_at_v1", keys: keys("decision.at", 1)},
	},
	colPostKeys: {{name: "post_keys_author_v1", keys: keys("author_id", 1)}},
}

// claimKey claims the post's idempotency key; forum.ErrDuplicate when the
// author already used it.
func (s *Store) claimKey(ctx context.Context, p *forum.Post) error {
	return s.insert(ctx, colPostKeys, postKey{ID: postKeyID(p.Author.ID, p.IdempotencyKey), PostID: p.ID,
		ThreadID: p.ThreadID, AuthorID: p.Author.ID, CreatedAt: p.CreatedAt})
}

// releaseKey drops a claim whose post could not be written.
func (s *Store) releaseKey(ctx context.Context, p *forum.Post) {
	_ = mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colPostKeys).DeleteOne(ctx, bson.D{{Key: "_id", Value: postKeyID(p.Author.ID, p.IdempotencyKey)},
			{Key: "post_id", Value: p.ID}})
		return err
	}))
}

// PostByIdempotencyKey returns the author's post stored with that key
// (forum.ErrNotFound while the claim's post is not written yet).
func (s *Store) PostByIdempotencyKey(ctx context.Context, authorID, key string) (*forum.Post, error) {
	var k postKey
	if err := s.findOne(ctx, colPostKeys, bson.D{{Key: "_id", Value: postKeyID(authorID, key)}}, &k); err != nil {
		return nil, err
	}
	return s.PostByID(ctx, k.PostID)
}

// ThreadTally computes the thread's tally from its posts: the first post
// by _id, a count on posts_thread_status_v2, the latest published post on
// posts_thread_activity_v1.
func (s *Store) ThreadTally(ctx context.Context, th *forum.Thread) (forum.ThreadTally, error) {
	t := forum.ThreadTally{Status: th.Status, LastActivityAt: th.CreatedAt, LastPostID: th.FirstPostID, LastAuthor: th.Author.DisplayName}
	var first forum.Post
	err := mapErr(s.c(colPosts).FindOne(ctx, bson.D{{Key: "_id", Value: th.FirstPostID}},
		options.FindOne().SetProjection(bson.D{{Key: "status", Value: 1}, {Key: "author", Value: 1}})).Decode(&first))
	switch {
	case err == nil:
		t.Status, t.LastAuthor = first.Status, first.Author.DisplayName
	case err != forum.ErrNotFound:
		return t, err
	}
	published := bson.D{{Key: "thread_id", Value: th.ID}, {Key: "status", Value: forum.PostPublished}}
	n, err := s.count(ctx, countQuery{col: colPosts, filter: published, hint: "posts_thread_status_v2"})
	if err != nil {
		return t, mapErr(err)
	}
	t.PostCount = int(n)
	if n == 0 {
		return t, nil
	}
	var latest struct {
		ID     string          `bson:"_id"`
		Author forum.AuthorRef `bson:"author"`
		At     time.Time       `bson:"published_at"`
	}
	err = mapErr(s.c(colPosts).FindOne(ctx, published, options.FindOne().
		SetSort(bson.D{{Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetProjection(bson.D{{Key: "author", Value: 1}, {Key: "published_at", Value: 1}})).Decode(&latest))
	if err != nil {
		return t, err
	}
	t.LastPostID, t.LastAuthor, t.LastActivityAt = latest.ID, latest.Author.DisplayName, latest.At
	return t, nil
}

// SetThreadTally writes a thread's tally: a new status goes through
// changeScope (the posts copy it), the rest is one update.
func (s *Store) SetThreadTally(ctx context.Context, threadID string, t forum.ThreadTally) error {
	if _, err := s.changeScope(ctx, bson.D{{Key: "_id", Value: threadID}, {Key: "status", Value: bson.D{{Key: "$ne", Value: t.Status}}}},
		bson.D{{Key: "status", Value: t.Status}}); err != nil {
		return err
	}
	return s.updateOne(ctx, colThreads, bson.D{{Key: "_id", Value: threadID}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "post_count", Value: t.PostCount},
		{Key: "last_activity_at", Value: t.LastActivityAt},
		{Key: "last_post_id", Value: t.LastPostID},
		{Key: "last_author", Value: t.LastAuthor},
	}}})
}

// idsAfter returns up to limit _ids of col above afterID, in order.
func (s *Store) idsAfter(ctx context.Context, col, afterID string, limit int) ([]string, error) {
	docs, err := findAll[struct {
		ID string `bson:"_id"`
	}](ctx, s, col, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: afterID}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out, nil
}

// ThreadIDsAfter returns up to limit thread ids above afterID, in order.
func (s *Store) ThreadIDsAfter(ctx context.Context, afterID string, limit int) ([]string, error) {
	return s.idsAfter(ctx, colThreads, afterID, limit)
}

// MemberIDsAfter returns up to limit member ids above afterID, in order.
func (s *Store) MemberIDsAfter(ctx context.Context, afterID string, limit int) ([]string, error) {
	return s.idsAfter(ctx, colMembers, afterID, limit)
}

// ThreadIDsTouchedSince returns the threads of up to limit posts created
// (posts_latest_v1, every status) and up to limit posts decided
// (posts_decided_at_v1) at or after since.
func (s *Store) ThreadIDsTouchedSince(ctx context.Context, since time.Time, limit int) ([]string, error) {
	type threadOf struct {
		ThreadID string `bson:"thread_id"`
	}
	statuses := bson.A{forum.PostPending, forum.PostPublished, forum.PostRejected, forum.PostHidden}
	opts := options.Find().SetLimit(int64(limit)).SetProjection(bson.D{{Key: "thread_id", Value: 1}})
	created, err := findAll[threadOf](ctx, s, colPosts, bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}},
		{Key: "created_at", Value: bson.D{{Key: "$gte", Value: since}}}}, opts)
	if err != nil {
		return nil, mapErr(err)
	}
	decided, err := findAll[threadOf](ctx, s, colPosts, bson.D{{Key: "decision.at", Value: bson.D{{Key: "$gte", Value: since}}}}, opts)
	if err != nil {
		return nil, mapErr(err)
	}
	seen := map[string]bool{}
	out := []string{}
	for _, d := range append(created, decided...) {
		if !seen[d.ThreadID] {
			seen[d.ThreadID] = true
			out = append(out, d.ThreadID)
		}
	}
	return out, nil
}

// CountApprovedPosts counts the member's published and hidden posts.
func (s *Store) CountApprovedPosts(ctx context.Context, memberID string) (int, error) {
	n, err := s.count(ctx, countQuery{col: colPosts, filter: bson.D{{Key: "author.id", Value: memberID},
		{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{forum.PostPublished, forum.PostHidden}}}}}, hint: "posts_author_v2"})
	return int(n), mapErr(err)
}

// SetMemberApprovedPosts sets the member's approved post count.
func (s *Store) SetMemberApprovedPosts(ctx context.Context, memberID string, n int) error {
	return s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: memberID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "approved_posts", Value: n}}}})
}
