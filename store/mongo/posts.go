package mongo

import (
	"context"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// postDoc is a post as stored: the forum's post, what it copies of its
// thread (threadscope.go: search needs no list of threads) and its
// publication time (published.go: digest windows are index ranges).
type postDoc struct {
	forum.Post `bson:",inline"`
	Scope      postScope   `bson:",inline"`
	Pub        publication `bson:",inline"`
	// RemindedAt is set by MarkReminded only; a copy writes it with the post.
	RemindedAt *time.Time `bson:"reminded_at,omitempty"`
}

// InsertPost stores a new post, with its search terms, its thread's scope
// and its publication time. The thread is read before the insert and again
// after: if its scope changed meanwhile (or it was written meanwhile), the
// post gets the newer one, so that a post never keeps a stale copy that the
// thread's change missed.
func (s *Store) InsertPost(ctx context.Context, p *forum.Post) error {
	if p.Terms == nil {
		p.Terms = forum.PostSearchTerms(p.HTML)
	}
	seen, err := s.scopeByID(ctx, p.ThreadID)
	if err != nil {
		return err
	}
	if p.IdempotencyKey != "" {
		if err := s.claimKey(ctx, p); err != nil {
			return err
		}
	}
	doc := postDoc{Post: *p, Scope: seen.postScope(), Pub: publicationOf(p)}
	if err := s.insert(ctx, colPosts, doc); err != nil {
		if p.IdempotencyKey != "" {
			s.releaseKey(ctx, p)
		}
		return err
	}
	now, err := s.scopeByID(ctx, p.ThreadID)
	if err != nil || now == nil || (seen != nil && now.Seq == seen.Seq) {
		return err
	}
	return s.copyScope(ctx, bson.D{{Key: "_id", Value: p.ID}}, now)
}

// PostByID returns the post with that id, whatever its status.
func (s *Store) PostByID(ctx context.Context, id string) (*forum.Post, error) {
	var p forum.Post
	if err := s.findOne(ctx, colPosts, bson.D{{Key: "_id", Value: id}}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// postFilter selects the posts of a thread a viewer may see. The viewer's
// variant keeps status as an $in so that posts_thread_status_v2 serves it
// (one scan per status, merged by _id), the $or only filtering.
func postFilter(f forum.PostFilter) bson.D {
	filter := bson.D{{Key: "thread_id", Value: f.ThreadID}}
	switch {
	case f.Status != "":
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	case f.AllStatuses:
	case f.ViewerID != "":
		filter = append(filter,
			bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: bson.A{forum.PostPublished, forum.PostPending}}}},
			bson.E{Key: "$or", Value: bson.A{
				bson.D{{Key: "status", Value: forum.PostPublished}},
				bson.D{{Key: "author.id", Value: f.ViewerID}},
			}})
	default:
		filter = append(filter, bson.E{Key: "status", Value: forum.PostPublished})
	}
	return filter
}

// threadPostsIndex names the index that gives a thread's posts under the
// filter in _id order, the one the query hints: posts_status_v2 also gives
// the _id order, but over every thread's posts.
func threadPostsIndex(f forum.PostFilter) string {
	if f.AllStatuses {
		return "posts_thread_v2"
	}
	return "posts_thread_status_v2"
}

// listPostsQuery is ListPosts' query: a thread's posts by _id.
func listPostsQuery(f forum.PostFilter) findQuery {
	return findQuery{col: colPosts, filter: postFilter(f), sort: bson.D{{Key: "_id", Value: 1}},
		skip: int64(max(f.Skip, 0)), limit: int64(max(f.Limit, 0)), hint: threadPostsIndex(f)}
}

// ListPosts returns the posts of a thread the filter allows, oldest first.
func (s *Store) ListPosts(ctx context.Context, f forum.PostFilter) ([]forum.Post, error) {
	return find[forum.Post](ctx, s, listPostsQuery(f))
}

// countPostsQuery is CountPosts' query.
func countPostsQuery(f forum.PostFilter, before *forum.Post) countQuery {
	filter := postFilter(f)
	if before != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: before.ID}}})
	}
	return countQuery{col: colPosts, filter: filter, hint: threadPostsIndex(f)}
}

// CountPosts counts the posts the filter allows, only those before the given
// post when it is not nil.
func (s *Store) CountPosts(ctx context.Context, f forum.PostFilter, before *forum.Post) (int64, error) {
	return s.count(ctx, countPostsQuery(f, before))
}

// EditPost replaces a post's source and HTML and keeps the previous source
// as a revision, in one update conditional on the source being unchanged
// since it was read, and the status being one of e.Statuses when set
// (forum.ErrConflict otherwise).
func (s *Store) EditPost(ctx context.Context, id string, e forum.PostEdit) error {
	terms := forum.PostSearchTerms(e.HTML)
	filter := bson.D{{Key: "_id", Value: id}, {Key: "source", Value: e.Current}}
	if len(e.Statuses) > 0 {
		filter = append(filter, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: e.Statuses}}})
	}
	err := s.updateOne(ctx, colPosts, filter, bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "source", Value: e.Source},
			{Key: "html", Value: e.HTML},
			{Key: "terms", Value: terms},
			{Key: "edited_at", Value: e.EditedAt},
		}},
		{Key: "$push", Value: bson.D{{Key: "revisions", Value: e.Previous}}},
	})
	if err == forum.ErrNotFound {
		return forum.ErrConflict
	}
	return err
}

// PostsByIDs returns the posts with these ids.
func (s *Store) PostsByIDs(ctx context.Context, ids []string) ([]forum.Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return findByIDs[forum.Post](ctx, s, colPosts, ids, nil)
}
