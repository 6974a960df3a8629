package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
)

// benchWords is the vocabulary of the seeded posts.
var benchWords = strings.Fields(`réseau fibre routeur commutateur pare-feu messagerie téléphonie centre d'appels
	accueil citoyen portail démarches usagers carte SIG cadastre état civil élections urne liste électorale marché
	public appel d'offres prestataire contrat maintenance serveur sauvegarde sécurité données hébergement nuage
	migration logiciel licence budget équipe agents formation mairie commune intercommunalité département région
	école collège lycée wifi caméra vidéoprotection annuaire identité authentification messagerie agenda`)

// BenchmarkSearch measures a search on the embedded store (or the MongoDB of
// COTERFORUM_TEST_MONGODB_URI) seeded with BENCH_SEARCH_POSTS published
// posts (default 10 000) in threads of 20 posts:
//
//	BENCH_SEARCH_POSTS=10000 go test -run '^$' -bench BenchmarkSearch -benchtime 5x ./store/
func BenchmarkSearch(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("BENCH_SEARCH_POSTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := Config{DataDir: b.TempDir()}
	if uri := os.Getenv("COTERFORUM_TEST_MONGODB_URI"); uri != "" {
		cfg.URI, cfg.Database = uri, fmt.Sprintf("bench_%d", time.Now().UnixNano())
	}
	s, err := Open(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	if cfg.URI != "" {
		defer s.DropDatabase(ctx)
	}
	svc := forum.New(s, log, nil)
	if err := svc.SeedTaxonomy(ctx); err != nil {
		b.Fatal(err)
	}
	seedStart := time.Now()
	seedSearch(b, s, n)
	b.Logf("seeded %d posts in %v", n, time.Since(seedStart))
	if s.search != nil {
		// The index's build time and memory (live heap after a GC, before and after).
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		if err := s.search.read(ctx, s, func() {}); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.Logf("search index of %d posts, %d threads, %d terms: built in %v, %.1f MiB", len(s.search.posts),
			len(s.search.threads), len(s.search.postings), took, float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20))
	}

	for _, q := range []forum.SearchRequest{
		{Query: "fibre"},                     // frequent word: ~1 post in 4
		{Query: "centre d'appels migration"}, // three words
		{Query: "vidéoprotection", Theme: "sig"},
		{Query: "introuvable"},
	} {
		b.Run(fmt.Sprintf("N=%d/%s/theme=%s", n, strings.ReplaceAll(q.Query, " ", "+"), q.Theme), func(b *testing.B) {
			var found int
			for b.Loop() {
				res, err := svc.Search(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				found = len(res.Results)
			}
			b.ReportMetric(float64(found), "results")
		})
	}
}

// seedSearch inserts n published posts with their terms, 20 to a thread.
func seedSearch(b testing.TB, s *Store, n int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	themes := []string{"reseaux", "portails", "centres-appel-citoyens", "sig", "etat-civil-elections", "achats-marches"}
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	author := forum.AuthorRef{ID: "bench", DisplayName: "Banc d'essai", Authority: "Ville de Test", AuthorityType: "commune"}
	text := func(words int) string {
		w := make([]string, words)
		for i := range w {
			w[i] = benchWords[rng.IntN(len(benchWords))]
		}
		return strings.Join(w, " ")
	}
	var threads, posts []any
	flush := func() {
		if len(threads) > 0 {
			if _, err := s.c(colThreads).InsertMany(ctx, threads); err != nil {
				b.Fatal(err)
			}
		}
		if len(posts) > 0 {
			if _, err := s.c(colPosts).InsertMany(ctx, posts); err != nil {
				b.Fatal(err)
			}
		}
		threads, posts = threads[:0], posts[:0]
	}
	var th *forum.Thread
	for i := range n {
		created := at.Add(time.Duration(i) * time.Minute)
		if i%20 == 0 {
			title := "Fil " + text(5)
			th = &forum.Thread{ID: forum.NewID(), Theme: themes[rng.IntN(len(themes))], AuthorityTypes: []string{"commune"},
				Title: title, Author: author, Status: forum.ThreadPublished, CreatedAt: created, LastActivityAt: created,
				TitleTerms: forum.SearchTerms(title), PostCount: 20}
			threads = append(threads, th)
		}
		html := "<p>" + text(60) + "</p>"
		p := &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: author, Source: "x", HTML: html,
			Status: forum.PostPublished, CreatedAt: created, Terms: forum.PostSearchTerms(html)}
		if i%20 == 0 {
			th.FirstPostID, th.LastPostID = p.ID, p.ID
		}
		posts = append(posts, p)
		if len(posts) == 1000 {
			flush()
		}
	}
	flush()
}
