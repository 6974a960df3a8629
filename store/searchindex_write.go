package store

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// afterWrite keeps the index exact after a write command: it applies the
// write's effect when the command succeeded and changed something (changed
// false: its filter matched nothing), and marks the index stale when the
// command failed in a way that may have written. It runs inside the write
// gate, so the index sees the writes in the database's order. A write the
// index does not follow (apply nil) leaves it alone.
func (s *Store) afterWrite(err error, changed bool, apply func(ix *searchIndex)) {
	ix := s.search
	if ix == nil || apply == nil {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !ix.ready {
		return // the next search builds it from the database
	}
	if err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			ix.ready = false
		}
		return
	}
	if changed {
		apply(ix)
	}
}

// insertIndexed inserts one document and applies its effect on the index.
func (s *Store) insertIndexed(ctx context.Context, col string, doc any, apply func(ix *searchIndex)) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(col).InsertOne(ctx, doc)
		s.afterWrite(err, true, apply)
		return err
	}))
}

// updateOneIndexed applies update to the document matching filter, and its
// effect on the index (apply, nil for a write the index does not follow);
// ErrNotFound when none matched.
func (s *Store) updateOneIndexed(ctx context.Context, col string, filter, update bson.D, apply func(ix *searchIndex)) error {
	var res *mongo.UpdateResult
	err := s.write(ctx, func(ctx context.Context) error {
		var err error
		res, err = s.c(col).UpdateOne(ctx, filter, update)
		s.afterWrite(err, err == nil && res.MatchedCount > 0, apply)
		return err
	})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return forum.ErrNotFound
	}
	return nil
}

// updateManyIndexed is updateMany applying its effect on the index.
func (s *Store) updateManyIndexed(ctx context.Context, col string, filter, update bson.D, apply func(ix *searchIndex)) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		res, err := s.c(col).UpdateMany(ctx, filter, update)
		s.afterWrite(err, err == nil && res.MatchedCount > 0, apply)
		return err
	}))
}

// The index updates of the store's writes.

func ixInsertThread(t *forum.Thread) func(*searchIndex) {
	d := ixThreadDoc{ID: t.ID, Status: t.Status, Theme: t.Theme, AuthorityTypes: t.AuthorityTypes,
		TitleTerms: t.TitleTerms, FirstPostID: t.FirstPostID, CreatedAt: t.CreatedAt}
	d.Author.ID = t.Author.ID
	return func(ix *searchIndex) { ix.setThread(&d) }
}

func ixInsertPost(p *forum.Post) func(*searchIndex) {
	d := ixPostDoc{ID: p.ID, ThreadID: p.ThreadID, Status: p.Status, Terms: p.Terms, CreatedAt: p.CreatedAt}
	d.Author.ID = p.Author.ID
	return func(ix *searchIndex) { ix.setPost(&d) }
}

// ixPostChange sets the status (if not empty) and the terms (if not nil) of a post.
func ixPostChange(id, status string, terms []string) func(*searchIndex) {
	return func(ix *searchIndex) {
		n, ok := ix.postNum[id]
		if !ok {
			ix.ready = false // written in the database, unknown here: rebuild
			return
		}
		if status != "" {
			ix.posts[n].status = ix.intern(status)
		}
		if terms != nil {
			ix.setTerms(n, terms)
		}
	}
}

// ixThreadChange applies fn to a stored thread.
func ixThreadChange(id string, fn func(ix *searchIndex, t *ixThread)) func(*searchIndex) {
	return func(ix *searchIndex) {
		n, ok := ix.threadNum[id]
		if !ok || !ix.threads[n].exists {
			ix.ready = false
			return
		}
		fn(ix, &ix.threads[n])
	}
}

// ixAuthorTerms sets the terms of every post of an author.
func ixAuthorTerms(authorID string, terms []string) func(*searchIndex) {
	return func(ix *searchIndex) {
		var nums []int32
		for n, p := range ix.posts {
			if p.author == authorID {
				nums = append(nums, int32(n))
			}
		}
		ix.setTermsOfPosts(nums, terms)
	}
}
