package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/store/portable"
	"coterforum/store/storetest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkImportPostsByEngine measures Dumper.ImportBatch of posts in
// batches of 1 000 portable documents (~1 KB of text each) on every engine
// of the conformance suite (SQLite, the MongoDB store on FerretDB, a real
// MongoDB when COTERFORUM_TEST_MONGODB_URI is set): the write side of
// `coterforum copy`.
//
//	go test -run '^$' -bench ImportPostsByEngine -benchtime 10x ./store/
func BenchmarkImportPostsByEngine(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			const batch = 1000
			ctx := context.Background()
			s := e.Open(b, b.TempDir())
			t0 := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
			th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: "Un fil",
				Status: forum.ThreadPublished, CreatedAt: t0, LastActivityAt: t0}
			if err := s.InsertThread(ctx, th); err != nil {
				b.Fatal(err)
			}
			author := forum.AuthorRef{ID: forum.NewID(), DisplayName: "Anne", Authority: "Ville de Lyon", AuthorityType: "commune"}
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
		})
	}
}
