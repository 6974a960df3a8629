package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkImportPosts measures ImportBatch of posts in batches of 1 000
// portable documents (their search terms computed, then written with the
// FTS5 rows, one transaction a batch, synchronous=FULL), on the disk of the
// machine that runs it:
//
//	go test -run '^$' -bench ImportPosts -benchtime 20x ./store/sqlite/
func BenchmarkImportPosts(b *testing.B) {
	const batch = 1000
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: b.TempDir()}, quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	t0 := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
	th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: "Un fil",
		Status: forum.ThreadPublished, CreatedAt: t0, LastActivityAt: t0}
	if err := s.InsertThread(ctx, th); err != nil {
		b.Fatal(err)
	}
	author := forum.AuthorRef{ID: forum.NewID(), DisplayName: "Anne", Authority: "Ville de Lyon", AuthorityType: "commune"}
	// Posts of ~1 KB of varied French text, as the forum renders them.
	words := []string{"messagerie", "prestataire", "migration", "calendrier", "téléphonie", "cadastre", "élections",
		"réseau", "fibre", "portail", "citoyens", "marché", "sauvegarde", "serveur", "annuaire", "sécurité"}
	batches := make([][]bson.Raw, b.N)
	n := 0
	for i := range batches {
		for range batch {
			text := ""
			for j := range 120 {
				text += words[(n*7+j*3)%len(words)] + " "
			}
			p := portable.Post{Post: forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: author, Source: text,
				HTML: fmt.Sprintf("<p>%s n°%d</p>", text, n), Status: forum.PostPublished, CreatedAt: t0.Add(time.Duration(n) * time.Second)}}
			doc, err := portable.Encode("posts", &p)
			if err != nil {
				b.Fatal(err)
			}
			batches[i] = append(batches[i], doc)
			n++
		}
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := s.ImportBatch(ctx, "posts", batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "posts/s")
}
