package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// importBatchDocs is how many documents one insertMany of ImportThreads or
// ImportPosts sends (a post is ~3 KB: well under a command's 48 MB).
const importBatchDocs = 1000

// importBatchCopies is how many scope copies (one updateMany each) one
// bulkWrite of ImportThreads sends: FerretDB, the test double, does not
// answer a bulkWrite of 100 updates.
const importBatchCopies = 50

// ImportThreads inserts threads as InsertThread does (the same documents,
// title terms and scope number included), ids kept, by unordered
// insertMany in batches, then copies each thread's scope onto the posts
// already imported (threadscope.go). An id that exists fails the call with
// forum.ErrDuplicate, after the other documents of its batch were inserted.
func (s *Store) ImportThreads(ctx context.Context, threads []forum.Thread) error {
	docs := make([]any, 0, min(len(threads), importBatchDocs))
	for i := 0; i < len(threads); i += importBatchDocs {
		batch := threads[i:min(i+importBatchDocs, len(threads))]
		docs = docs[:0]
		for _, t := range batch {
			if t.TitleTerms == nil {
				t.TitleTerms = forum.SearchTerms(t.Title)
			}
			docs = append(docs, &threadDoc{Thread: t, ScopeSeq: 1})
		}
		if err := s.insertMany(ctx, colThreads, docs); err != nil {
			return err
		}
		if err := s.copyImportedScopes(ctx, batch); err != nil {
			return err
		}
	}
	return nil
}

// copyImportedScopes copies the scope of imported threads onto their posts,
// one updateMany each, sent by bulkWrites.
func (s *Store) copyImportedScopes(ctx context.Context, threads []forum.Thread) error {
	for i := 0; i < len(threads); i += importBatchCopies {
		var models []mongodrv.WriteModel
		for _, t := range threads[i:min(i+importBatchCopies, len(threads))] {
			sc := scopeOf(&t, 1)
			models = append(models, mongodrv.NewUpdateManyModel().
				SetFilter(bson.D{{Key: "thread_id", Value: t.ID}, {Key: "thread_seq", Value: bson.D{{Key: "$lt", Value: sc.Seq}}}}).
				SetUpdate(bson.D{{Key: "$set", Value: sc.postScope()}}))
		}
		err := mapErr(s.write(ctx, func(ctx context.Context) error {
			_, err := s.c(colPosts).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
			return err
		}))
		if err != nil {
			return err
		}
	}
	return nil
}

// ImportPosts inserts posts as InsertPost does (the same documents: terms
// computed from the HTML when nil, the scope of their thread if it is
// already there, their publication time), ids kept, by unordered insertMany
// in batches. An id that exists fails the call with forum.ErrDuplicate,
// after the other documents of its batch were inserted.
func (s *Store) ImportPosts(ctx context.Context, posts []forum.Post) error {
	docs := make([]any, 0, min(len(posts), importBatchDocs))
	for i := 0; i < len(posts); i += importBatchDocs {
		batch := posts[i:min(i+importBatchDocs, len(posts))]
		scopes, err := s.scopesOf(ctx, batch)
		if err != nil {
			return err
		}
		docs = docs[:0]
		for _, p := range batch {
			if p.Terms == nil {
				p.Terms = forum.PostSearchTerms(p.HTML)
			}
			docs = append(docs, &postDoc{Post: p, Scope: scopes[p.ThreadID].postScope(), Pub: publicationOf(&p)})
		}
		if err := s.insertMany(ctx, colPosts, docs); err != nil {
			return err
		}
	}
	return nil
}

// scopesOf reads the scopes of the posts' threads, in one query by _id.
func (s *Store) scopesOf(ctx context.Context, posts []forum.Post) (map[string]*scope, error) {
	seen := map[string]bool{}
	var ids []string
	for _, p := range posts {
		if !seen[p.ThreadID] {
			seen[p.ThreadID] = true
			ids = append(ids, p.ThreadID)
		}
	}
	found, err := findByIDs[scope](ctx, s, colThreads, ids, scopeFields)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*scope, len(found))
	for i := range found {
		out[found[i].ID] = &found[i]
	}
	return out, nil
}

// insertMany inserts docs in one unordered command (through the write gate
// on FerretDB).
func (s *Store) insertMany(ctx context.Context, col string, docs []any) error {
	if len(docs) == 0 {
		return nil
	}
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(col).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return err
	}))
}
