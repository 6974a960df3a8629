package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coterforum/forum"
)

// BenchmarkSearchGroupedByThread measures a search grouped by thread on
// 2 000 threads of 5 posts (10 000 posts): "fibre" is in every post,
// "réseau" in 3 posts of 5, "téléphonie" in one thread in 50. "fibre" is
// past forum.MaxSearchHitsPerWord: its newest 5 000 posts are read. On a
// shared 2-core machine: about 26 ms of CPU for "réseau fibre".
//
//	go test -run '^$' -bench SearchGroupedByThread ./store/sqlite/
func BenchmarkSearchGroupedByThread(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: b.TempDir()}, quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	now := time.Now().UTC().Truncate(time.Millisecond)
	bodies := []string{"<p>La fibre du réseau des écoles.</p>", "<p>Encore la fibre.</p>", "<p>La téléphonie sur fibre.</p>"}
	terms := make([][]string, len(bodies))
	for i, h := range bodies {
		terms[i] = forum.PostSearchTerms(h)
	}
	for i := range 2000 {
		err := s.Atomically(ctx, func(ctx context.Context) error {
			th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: fmt.Sprintf("Fil %d", i),
				Status: forum.ThreadPublished, CreatedAt: now, LastActivityAt: now}
			for j := range 5 {
				k := j % 2
				if j == 4 && i%50 == 0 {
					k = 2
				}
				p := &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: forum.AuthorRef{ID: "a"}, Source: "x", HTML: bodies[k],
					Status: forum.PostPublished, CreatedAt: now, Terms: terms[k]}
				if err := s.InsertPost(ctx, p); err != nil {
					return err
				}
				if j == 0 {
					th.FirstPostID = p.ID
				}
			}
			return s.InsertThread(ctx, th)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	svc := forum.New(s, quiet(), nil)
	for _, q := range []string{"réseau fibre", "téléphonie fibre"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				res, err := svc.Search(ctx, forum.SearchRequest{Query: q})
				if err != nil || res.Total == 0 {
					b.Fatal(err, res.Total)
				}
			}
		})
	}
}
