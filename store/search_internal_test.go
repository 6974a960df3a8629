package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestIndexSearchTermsMigration writes posts and threads as they were
// before search existed (no terms fields) and checks that the start-up
// indexing gives them terms, in batches, once.
func TestIndexSearchTermsMigration(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	svc := forum.New(s, log, nil)
	if err := svc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	const nThreads, perThread = 5, 90 // 450 posts: three batches
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var threads, posts []any
	author := bson.D{{Key: "id", Value: "a1"}, {Key: "display_name", Value: "Ancien Membre"}}
	for i := range nThreads {
		tid := fmt.Sprintf("t%02d", i)
		threads = append(threads, bson.D{{Key: "_id", Value: tid}, {Key: "theme", Value: "reseaux"},
			{Key: "authority_types", Value: bson.A{"commune"}}, {Key: "title", Value: fmt.Sprintf("Ancien fil sur les réseaux n°%d", i)},
			{Key: "author", Value: author}, {Key: "status", Value: forum.ThreadPublished}, {Key: "first_post_id", Value: tid + "p000"},
			{Key: "created_at", Value: at}, {Key: "last_activity_at", Value: at}})
		for j := range perThread {
			posts = append(posts, bson.D{{Key: "_id", Value: fmt.Sprintf("%sp%03d", tid, j)}, {Key: "thread_id", Value: tid},
				{Key: "author", Value: author}, {Key: "source", Value: "x"},
				{Key: "html", Value: fmt.Sprintf("<p>Le standard téléphonique n°%d de l&#39;hôtel de ville</p>", j)},
				{Key: "status", Value: forum.PostPublished}, {Key: "created_at", Value: at.Add(time.Duration(j) * time.Minute)}})
		}
	}
	if _, err := s.c(colThreads).InsertMany(ctx, threads); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c(colPosts).InsertMany(ctx, posts); err != nil {
		t.Fatal(err)
	}
	// One post edited after the upgrade but before the indexing keeps its terms.
	if err := s.EditPost(ctx, "t00p001", forum.PostEdit{Current: "x", Source: "y", HTML: "<p>Autocommutateur</p>", EditedAt: at}); err != nil {
		t.Fatal(err)
	}

	nPosts, nTh, err := svc.IndexSearchTerms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if nPosts != nThreads*perThread-1 || nTh != nThreads {
		t.Fatalf("indexed %d posts and %d threads, want %d and %d", nPosts, nTh, nThreads*perThread-1, nThreads)
	}
	p, err := s.PostByID(ctx, "t03p042")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.Terms, "standard") || !slices.Contains(p.Terms, "hotel") || slices.Contains(p.Terms, "l") {
		t.Fatalf("terms = %q", p.Terms)
	}
	if p, _ := s.PostByID(ctx, "t00p001"); !slices.Equal(p.Terms, []string{"autocommut"}) {
		t.Fatalf("edited post's terms = %q", p.Terms)
	}
	res, err := svc.Search(ctx, forum.SearchRequest{Query: "hotel"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != forum.SearchPerPage || !res.HasMore {
		t.Fatalf("search after migration: %d results, more %v", len(res.Results), res.HasMore)
	}
	res, err = svc.Search(ctx, forum.SearchRequest{Query: "ancien reseau"})
	if err != nil || len(res.Results) != nThreads || !res.Results[0].TitleHit {
		t.Fatalf("title search after migration: %+v, %v", res, err)
	}

	// Idempotent: a second run finds nothing to do.
	if nPosts, nTh, err := svc.IndexSearchTerms(ctx); err != nil || nPosts != 0 || nTh != 0 {
		t.Fatalf("second run: %d posts, %d threads, %v", nPosts, nTh, err)
	}
}
