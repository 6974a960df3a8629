package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// TestHotQueriesUseIndexes runs the store's hot reads (listings, feeds,
// thread pages, the moderation queue, digest windows, search, sessions),
// records every query they send, and checks SQLite's plan of each: no table
// of the forum is scanned, and listings, thread pages and the queue come in
// index order, without a sort. It is the SQLite twin of the MongoDB explain
// test: a query that loses its index fails here, not at a million posts.
func TestHotQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	// A little data, and statistics as a real forum would have them
	// (ANALYZE makes SQLite choose as it would on a big database).
	now := time.Now().UTC().Truncate(time.Millisecond)
	var threadIDs []string
	for i := range 40 {
		th := &forum.Thread{ID: forum.NewID(), Theme: []string{"reseaux", "sig"}[i%2], AuthorityTypes: []string{"commune", "region"},
			Title: fmt.Sprintf("Fil %d sur la fibre", i), Status: forum.ThreadPublished, Pinned: i == 3,
			CreatedAt: now, LastActivityAt: now.Add(time.Duration(i) * time.Minute)}
		if err := s.InsertThread(ctx, th); err != nil {
			t.Fatal(err)
		}
		threadIDs = append(threadIDs, th.ID)
		for j := range 5 {
			p := &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: forum.AuthorRef{ID: "a"}, Source: "x",
				HTML: "<p>la fibre optique</p>", Status: []string{forum.PostPublished, forum.PostPending}[j%2], CreatedAt: now}
			if err := s.InsertPost(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.w.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}

	type query struct {
		sql  string
		args []any
	}
	var mu sync.Mutex
	var seen []query
	s.rstmts.trace = func(q string, args []any) {
		mu.Lock()
		seen = append(seen, query{q, args})
		mu.Unlock()
	}
	// Each hot read, with the name the failures give.
	reads := []struct {
		name string
		// sorted: the rows must come in index order (no temporary sort).
		sorted bool
		run    func() error
	}{
		{"home listing", true, func() error { _, err := s.ListThreads(ctx, forum.ThreadFilter{Limit: 21}); return err }},
		{"theme listing page 50", true, func() error {
			_, err := s.ListThreads(ctx, forum.ThreadFilter{Theme: "reseaux", Skip: 980, Limit: 21})
			return err
		}},
		{"authority type listing", true, func() error {
			_, err := s.ListThreads(ctx, forum.ThreadFilter{AuthorityType: "commune", Limit: 21})
			return err
		}},
		{"theme × type listing", true, func() error {
			_, err := s.ListThreads(ctx, forum.ThreadFilter{Theme: "sig", AuthorityType: "region", Limit: 21})
			return err
		}},
		{"feed threads", true, func() error { _, err := s.RecentThreads(ctx, forum.ThreadFilter{Theme: "sig"}, 60); return err }},
		{"feed threads by type", true, func() error {
			_, err := s.RecentThreads(ctx, forum.ThreadFilter{AuthorityType: "commune"}, 60)
			return err
		}},
		{"feed posts", false, func() error { _, err := s.LatestPublishedPosts(ctx, threadIDs[:10], 30); return err }},
		{"thread page", true, func() error {
			_, err := s.ListPosts(ctx, forum.PostFilter{ThreadID: threadIDs[0], Skip: 20, Limit: 20})
			return err
		}},
		{"thread page, moderator", true, func() error {
			_, err := s.ListPosts(ctx, forum.PostFilter{ThreadID: threadIDs[0], AllStatuses: true, Limit: 20})
			return err
		}},
		{"thread count", true, func() error { _, err := s.CountPosts(ctx, forum.PostFilter{ThreadID: threadIDs[0]}, nil); return err }},
		{"thread pending authors", true, func() error {
			_, err := s.ListPosts(ctx, forum.PostFilter{ThreadID: threadIDs[0], Status: forum.PostPending})
			return err
		}},
		{"thread", true, func() error { _, err := s.ThreadByID(ctx, threadIDs[0]); return err }},
		{"moderation queue", true, func() error { _, err := s.ListPostsByStatus(ctx, forum.PostPending, 50); return err }},
		{"queue count", true, func() error { _, err := s.CountPostsByStatus(ctx, forum.PostPending); return err }},
		{"digest window", false, func() error {
			_, err := s.PublishedPosts(ctx, now.Add(-time.Hour), now.Add(time.Hour), "", 500)
			return err
		}},
		{"search", true, func() error {
			_, err := s.SearchPosts(ctx, forum.SearchFilter{Words: [][]string{{"fibr"}}}, nil, 0, 21)
			return err
		}},
		// The theme's threads are read from its listing index and kept when
		// their title matches, then sorted: bounded by the theme's threads,
		// and faster than following every match of a common word.
		{"search titles in a theme", false, func() error {
			_, err := s.SearchTitles(ctx, forum.SearchFilter{Words: [][]string{{"fibr"}}, Theme: "reseaux"}, 500)
			return err
		}},
		{"search word hits", true, func() error {
			_, err := s.SearchWordHits(ctx, forum.SearchFilter{}, []string{"fibr"}, forum.MaxSearchHitsPerWord)
			return err
		}},
		{"search word hits in a theme and type", false, func() error {
			_, err := s.SearchWordHits(ctx, forum.SearchFilter{Theme: "reseaux", AuthorityType: "commune"}, []string{"fibr", "fibre"}, forum.MaxSearchHitsPerWord)
			return err
		}},
		{"session", true, func() error { _, err := s.SessionByID(ctx, "x"); _ = err; return nil }},
		{"member by email", true, func() error { _, err := s.MemberByEmail(ctx, "a@b.fr"); _ = err; return nil }},
		{"unread first post", true, func() error {
			_, err := s.FirstPublishedPostAfter(ctx, threadIDs[0], "", time.Time{})
			return err
		}},
	}
	for _, r := range reads {
		mu.Lock()
		seen = nil
		mu.Unlock()
		if err := r.run(); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		mu.Lock()
		qs := seen
		mu.Unlock()
		if len(qs) == 0 {
			t.Fatalf("%s: no query seen", r.name)
		}
		for _, q := range qs {
			plan, err := explain(ctx, s, q.sql, q.args)
			if err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			for _, step := range plan {
				if scansTable(step) {
					t.Errorf("%s scans a table: %q\n%s", r.name, step, q.sql)
				}
				if r.sorted && strings.Contains(step, "USE TEMP B-TREE FOR ORDER BY") {
					t.Errorf("%s sorts its rows instead of reading them in index order: %q\n%s", r.name, step, q.sql)
				}
			}
		}
	}
}

// explain returns the steps of SQLite's plan of a query.
func explain(ctx context.Context, s *Store, query string, args []any) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return nil, err
		}
		out = append(out, detail)
	}
	return out, rows.Err()
}

// scansTable reports whether a plan step reads a whole table of the forum
// (an FTS5 table's own plan, "VIRTUAL TABLE INDEX", is an index lookup).
func scansTable(step string) bool {
	if !strings.HasPrefix(step, "SCAN ") || strings.Contains(step, "VIRTUAL TABLE") {
		return false
	}
	// "SCAN t USING INDEX i" reads an index in order (a listing's first
	// rows); a bare "SCAN t" or "SCAN t USING COVERING INDEX" of a whole
	// table without a limit is what must not happen on a big table.
	return !strings.Contains(step, "USING INDEX") && !strings.Contains(step, "USING COVERING INDEX")
}
