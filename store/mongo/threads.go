package mongo

import (
	"context"
	"crypto/rand"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InsertThread stores a new thread, with its title's search terms.
func (s *Store) InsertThread(ctx context.Context, t *forum.Thread) error {
	if t.TitleTerms == nil {
		t.TitleTerms = forum.SearchTerms(t.Title)
	}
	return s.insert(ctx, colThreads, t)
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

// ListThreads returns threads matching f, pinned first, then by last activity.
func (s *Store) ListThreads(ctx context.Context, f forum.ThreadFilter) ([]forum.Thread, error) {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []string{forum.ThreadPublished}
	}
	filter := bson.D{{Key: "status", Value: bson.D{{Key: "$in", Value: statuses}}}}
	filter = append(filter, threadScope(f.Theme, f.AuthorityType, f.AuthorID)...)
	opts := options.Find().SetSort(bson.D{
		{Key: "pinned", Value: -1}, {Key: "last_activity_at", Value: -1}, {Key: "_id", Value: -1},
	}).SetSkip(int64(f.Skip))
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	return findAll[forum.Thread](ctx, s, colThreads, filter, opts)
}

// RecordThreadPost counts a newly published post in its thread and moves the
// thread's last activity to it, in one update.
func (s *Store) RecordThreadPost(ctx context.Context, threadID string, delta int, p *forum.Post) error {
	return s.updateOne(ctx, colThreads, bson.D{{Key: "_id", Value: threadID}}, bson.D{
		{Key: "$inc", Value: bson.D{{Key: "post_count", Value: delta}}},
		{Key: "$max", Value: bson.D{{Key: "last_activity_at", Value: p.CreatedAt}}},
		{Key: "$set", Value: bson.D{
			{Key: "last_post_id", Value: p.ID},
			{Key: "last_author", Value: p.Author.DisplayName},
		}},
	})
}

// InsertPost stores a new post, with its search terms.
func (s *Store) InsertPost(ctx context.Context, p *forum.Post) error {
	if p.Terms == nil {
		p.Terms = forum.PostSearchTerms(p.HTML)
	}
	return s.insert(ctx, colPosts, p)
}

// PostByID returns the post with that id, whatever its status.
func (s *Store) PostByID(ctx context.Context, id string) (*forum.Post, error) {
	var p forum.Post
	if err := s.findOne(ctx, colPosts, bson.D{{Key: "_id", Value: id}}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func postFilter(f forum.PostFilter) bson.D {
	filter := bson.D{{Key: "thread_id", Value: f.ThreadID}}
	switch {
	case f.AllStatuses:
	case f.ViewerID != "":
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "status", Value: forum.PostPublished}},
			bson.D{{Key: "status", Value: forum.PostPending}, {Key: "author.id", Value: f.ViewerID}},
		}})
	default:
		filter = append(filter, bson.E{Key: "status", Value: forum.PostPublished})
	}
	return filter
}

// ListPosts returns the posts of a thread the filter allows, oldest first.
func (s *Store) ListPosts(ctx context.Context, f forum.PostFilter) ([]forum.Post, error) {
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetSkip(int64(f.Skip))
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	return findAll[forum.Post](ctx, s, colPosts, postFilter(f), opts)
}

// CountPosts counts the posts the filter allows, only those before the given
// post when it is not nil.
func (s *Store) CountPosts(ctx context.Context, f forum.PostFilter, before *forum.Post) (int64, error) {
	filter := postFilter(f)
	if before != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: before.ID}}})
	}
	return s.c(colPosts).CountDocuments(ctx, filter)
}

// EditPost replaces a post's source and HTML and keeps the previous source
// as a revision, in one update conditional on the source being unchanged
// since it was read (forum.ErrConflict otherwise).
func (s *Store) EditPost(ctx context.Context, id string, e forum.PostEdit) error {
	terms := forum.PostSearchTerms(e.HTML)
	err := s.updateOne(ctx, colPosts, bson.D{{Key: "_id", Value: id}, {Key: "source", Value: e.Current}}, bson.D{
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
