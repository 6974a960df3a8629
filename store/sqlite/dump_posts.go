package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"coterforum/forum"
	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// importPosts imports a batch of posts: their search terms are computed
// first, on every CPU and outside the writer's transaction (the French
// normaliser is most of an import's time), then the batch is written in
// one transaction by importDecodedPost, as InsertPost writes a post.
func (s *Store) importPosts(ctx context.Context, docs []bson.Raw) error {
	posts := make([]portable.Post, len(docs))
	for i, doc := range docs {
		p, err := portable.Decode[portable.Post]("posts", doc)
		if err != nil {
			return err
		}
		posts[i] = p
	}
	computeTerms(posts)
	err := s.importTx(ctx, func(q querier) error {
		for i := range posts {
			if err := importDecodedPost(ctx, q, &posts[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import de posts : %w", mapErr(err))
	}
	return nil
}

// computeTerms sets the search terms of every post, on as many goroutines
// as there are CPUs.
func computeTerms(posts []portable.Post) {
	workers := min(runtime.GOMAXPROCS(0), len(posts))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(posts); i += workers {
				posts[i].Terms = forum.PostSearchTerms(posts[i].HTML)
			}
		}()
	}
	wg.Wait()
}
