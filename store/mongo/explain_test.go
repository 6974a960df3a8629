package mongo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The hot queries' plans, checked with MongoDB's explain: each query the
// store sends (built by the same function as the store method) must be
// answered by an index scan that also gives its order: no blocking SORT
// stage, no COLLSCAN. This needs MongoDB's planner: FerretDB's explain
// says nothing of it, so the test runs only on COTERFORUM_TEST_MONGODB_URI
// (the public CI's replica set). The plan walker itself is tested here on
// explain outputs of MongoDB 8 (explainplan_test.go).

// planSkipKeys are the keys of an explain output that hold no plan stage.
var planSkipKeys = map[string]bool{
	"rejectedPlans": true, "filter": true, "parsedQuery": true, "indexBounds": true, "keyPattern": true,
	"sortPattern": true, "slotBasedPlan": true, "multiKeyPaths": true, "transformBy": true, "command": true,
	"serverInfo": true, "serverParameters": true, "queryShapeHash": true, "planCacheKey": true,
}

// winningPlans returns the winning plans of an explain output (decoded
// from JSON): the find's queryPlanner.winningPlan, the $cursor stage's of
// an aggregate, each shard's.
func winningPlans(node any) []any {
	var out []any
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			switch {
			case k == "winningPlan":
				out = append(out, v)
			case !planSkipKeys[k]:
				out = append(out, winningPlans(v)...)
			}
		}
	case []any:
		for _, v := range n {
			out = append(out, winningPlans(v)...)
		}
	}
	return out
}

// planStages returns the stages and index names of the winning plans of
// an explain output, in no particular order.
func planStages(explain any) (stages, indexes []string) {
	var walk func(node any)
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			for k, v := range n {
				switch {
				case k == "stage":
					if s, ok := v.(string); ok {
						stages = append(stages, s)
					}
				case k == "indexName":
					if s, ok := v.(string); ok {
						indexes = append(indexes, s)
					}
				case !planSkipKeys[k]:
					walk(v)
				}
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	for _, p := range winningPlans(explain) {
		walk(p)
	}
	return stages, indexes
}

// indexStages are the stages that read an index.
var indexStages = []string{"IXSCAN", "COUNT_SCAN", "DISTINCT_SCAN", "IDHACK", "EXPRESS_IXSCAN", "EXPRESS_CLUSTERED_IXSCAN"}

// checkPlan says what is wrong with the winning plans of an explain
// output: none, a blocking sort, a collection scan, or no index scan.
func checkPlan(explain any) error {
	stages, _ := planStages(explain)
	if len(stages) == 0 {
		return fmt.Errorf("no winning plan in the explain output")
	}
	for _, s := range stages {
		switch s {
		case "SORT":
			return fmt.Errorf("blocking SORT stage in %v", stages)
		case "COLLSCAN":
			return fmt.Errorf("COLLSCAN in %v", stages)
		}
	}
	if !slices.ContainsFunc(stages, func(s string) bool { return slices.Contains(indexStages, s) }) {
		return fmt.Errorf("no index scan in %v", stages)
	}
	return nil
}

// explain runs the explain command of a command (queryPlanner verbosity)
// and returns its output decoded from JSON.
func (s *Store) explain(ctx context.Context, cmd bson.D) (any, error) {
	raw, err := s.db.RunCommand(ctx, bson.D{{Key: "explain", Value: cmd}, {Key: "verbosity", Value: "queryPlanner"}}).Raw()
	if err != nil {
		return nil, err
	}
	js, err := bson.MarshalExtJSON(raw, false, false)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(js, &out)
}

// explainForum is the forum the plans are checked on: enough documents of
// each kind for the planner to choose as it would in production.
type explainForum struct {
	busy       string   // a thread with many posts
	busyMiddle string   // the id of a post in the middle of it
	threads    []string // published threads, newest activity first
	author     string
	startedAt  time.Time // the first publication
	middle     time.Time // a third of the way through the forum's life
}

// seedExplainForum imports n threads over three themes and four authority
// types (some pinned, some not published), 2.5 hours apart, with 1 to 15
// posts each, one with n/3 (some pending, rejected or hidden, some approved
// later): about 10 000 posts over 120 days for n = 1 200.
func seedExplainForum(t *testing.T, s *Store, n int) explainForum {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	themes := []string{"reseaux", "sig", "portails"}
	types := [][]string{{"commune"}, {"intercommunalite", "commune"}, {"departement"}, {"region", "departement"}}
	authors := make([]forum.AuthorRef, 50)
	for i := range authors {
		authors[i] = forum.AuthorRef{ID: forum.NewID(), DisplayName: fmt.Sprintf("Membre %d", i)}
	}
	f := explainForum{author: authors[7].ID, startedAt: t0, middle: t0.Add(time.Duration(n) * 50 * time.Minute)}
	// The authors as members (the admin members page): every fifth
	// suspended, a few moderators and admins, named "Dupont" now and then.
	for i, a := range authors {
		m := &forum.Member{ID: a.ID, Email: fmt.Sprintf("membre%02d@ville%d.example.org", i, i), DisplayName: a.DisplayName,
			Role:   []string{forum.RoleMember, forum.RoleMember, forum.RoleMember, forum.RoleModerator, forum.RoleAdmin}[i%5],
			Status: forum.MemberActive, CreatedAt: t0}
		if i%5 == 1 {
			m.Status = forum.MemberSuspended
		}
		if i%3 == 0 {
			m.DisplayName = fmt.Sprintf("Camille Dupont %d", i)
		}
		if err := s.InsertMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var threads []forum.Thread
	var posts []forum.Post
	for i := range n {
		created := t0.Add(time.Duration(i) * 150 * time.Minute)
		th := forum.Thread{ID: forum.NewID(), Theme: themes[i%3], AuthorityTypes: types[i%4], Title: fmt.Sprintf("Fil %d sur le réseau", i),
			Author: authors[i%len(authors)], Status: forum.ThreadPublished, Pinned: i%37 == 0, CreatedAt: created, LastActivityAt: created}
		switch i % 20 {
		case 3:
			th.Status = forum.ThreadPending
		case 11:
			th.Status = forum.ThreadHidden
		}
		count := 1 + rng.IntN(15)
		if i == n/2 {
			count, f.busy = max(n/3, 3*forum.PostsPerPage), th.ID
		}
		for j := range count {
			at := created.Add(time.Duration(j) * 17 * time.Minute)
			text := "Message sur le réseau de la collectivité."
			if rng.IntN(100) == 0 {
				text += " Cassiopée."
			}
			p := forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: authors[rng.IntN(len(authors))], Source: text,
				HTML: "<p>" + text + "</p>", Status: forum.PostPublished, CreatedAt: at}
			switch r := rng.IntN(50); {
			case r < 3:
				p.Status = forum.PostPending
			case r < 4:
				p.Status, p.Decision = forum.PostRejected, &forum.Decision{Action: forum.DecisionRejected, At: at.Add(time.Hour)}
			case r < 5:
				p.Status, p.Decision = forum.PostHidden, &forum.Decision{Action: forum.DecisionHidden, At: at.Add(time.Hour)}
			case r < 10:
				p.Decision = &forum.Decision{Action: forum.DecisionApproved, At: at.Add(time.Duration(rng.IntN(48)) * time.Hour)}
			}
			if th.ID == f.busy && j == count/2 {
				f.busyMiddle = p.ID
			}
			if p.Status == forum.PostPublished {
				th.PostCount++
				th.LastActivityAt, th.LastPostID = at, p.ID
			}
			posts = append(posts, p)
		}
		threads = append(threads, th)
	}
	if err := s.ImportThreads(ctx, threads); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportPosts(ctx, posts); err != nil {
		t.Fatal(err)
	}
	recent, err := s.RecentThreads(ctx, forum.ThreadFilter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range recent {
		f.threads = append(f.threads, th.ID)
	}
	return f
}

// storeQuery is a findQuery or a countQuery.
type storeQuery interface{ command() bson.D }

// explainCase is one query whose plan is checked.
type explainCase struct {
	name string
	q    storeQuery
}

// hotQueries are the hot queries of the store on the seeded forum.
func hotQueries(f explainForum) []explainCase {
	published := forum.PostFilter{ThreadID: f.busy, Limit: forum.PostsPerPage, Skip: forum.PostsPerPage}
	viewer := published
	viewer.ViewerID = f.author
	all := published
	all.AllStatuses = true
	before := &forum.Post{ID: f.threads[len(f.threads)/2]}
	day := f.middle
	deep := min(49, len(f.threads)/forum.ThreadsPerPage-1) * forum.ThreadsPerPage // page 50 on MongoDB's forum
	search := func(q string) [][]string { sq, _ := forum.ParseSearchQuery(q); return sq.Words }
	cases := []explainCase{
		{"listing home", listThreadsQuery(forum.ThreadFilter{Limit: forum.ThreadsPerPage})},
		{"listing theme", listThreadsQuery(forum.ThreadFilter{Theme: "sig", Limit: forum.ThreadsPerPage})},
		{"listing authority type", listThreadsQuery(forum.ThreadFilter{AuthorityType: "commune", Limit: forum.ThreadsPerPage})},
		{"listing theme and type", listThreadsQuery(forum.ThreadFilter{Theme: "sig", AuthorityType: "departement", Limit: forum.ThreadsPerPage})},
		{"listing deep page", listThreadsQuery(forum.ThreadFilter{Skip: deep, Limit: forum.ThreadsPerPage})},
		{"listing moderator statuses", listThreadsQuery(forum.ThreadFilter{Statuses: []string{forum.ThreadPublished, forum.ThreadPending, forum.ThreadHidden},
			Limit: forum.ThreadsPerPage})},
		{"listing author", listThreadsQuery(forum.ThreadFilter{AuthorID: f.author, Limit: forum.ThreadsPerPage})},
		{"thread page", listPostsQuery(published)},
		{"thread page, viewer's pending posts", listPostsQuery(viewer)},
		{"thread page, moderator", listPostsQuery(all)},
		{"thread count", countPostsQuery(published, nil)},
		{"thread count before a post", countPostsQuery(published, before)},
		{"thread count, viewer", countPostsQuery(viewer, nil)},
		{"first unread post", firstPublishedPostAfterQuery(f.busy, f.busyMiddle, f.startedAt)},
		{"feed home", recentThreadsQuery(forum.ThreadFilter{}, 60)},
		{"feed theme", recentThreadsQuery(forum.ThreadFilter{Theme: "portails"}, 60)},
		{"feed type", recentThreadsQuery(forum.ThreadFilter{AuthorityType: "region"}, 60)},
		{"feed theme and type", recentThreadsQuery(forum.ThreadFilter{Theme: "reseaux", AuthorityType: "commune"}, 60)},
		{"feed of a thread", latestPublishedPostsQuery(f.threads[:1], forum.FeedEntries)},
		{"feed of 60 threads", latestPublishedPostsQuery(f.threads[:60], forum.FeedEntries)},
		{"feed of many threads", latestPublishedPostsQuery(f.threads[:min(480, len(f.threads))], forum.FeedEntries)},
		{"moderation queue", postsByStatusQuery(forum.PostPending, 50)},
		{"moderation queue count", countPostsByStatusQuery(forum.PostPending)},
		{"search posts", mustQuery(searchPostsQuery(forum.SearchFilter{Words: search("réseau collectivité")}, nil, 0, 21))},
		{"search posts, rare word, theme", mustQuery(searchPostsQuery(forum.SearchFilter{Words: search("cassiopée"), Theme: "sig"}, nil, 20, 21))},
		{"search posts, author", mustQuery(searchPostsQuery(forum.SearchFilter{Words: search("réseau"), AuthorID: f.author}, nil, 0, 21))},
		{"search titles", mustQuery(searchTitlesQuery(forum.SearchFilter{Words: search("réseau")}, 100))},
		{"admin members", listMembersQuery(forum.MemberFilter{Limit: forum.MembersPageSize + 1})},
		{"admin members by role, searched", listMembersQuery(forum.MemberFilter{Role: forum.RoleMember, Query: "dupont", Skip: 1, Limit: forum.MembersPageSize + 1})},
		{"admin members by status", listMembersQuery(forum.MemberFilter{Status: forum.MemberFilterSuspended, Limit: forum.MembersPageSize + 1})},
		{"admin posts published this week", countPublishedSinceQuery(day.Add(-7 * 24 * time.Hour))},
		{"search word hits, titles", wordHits(forum.SearchFilter{}, search("réseau")[0], 0)},
		{"search word hits, posts", wordHits(forum.SearchFilter{}, search("réseau")[0], 1)},
		{"search word hits, posts, theme and type", wordHits(forum.SearchFilter{Theme: "sig", AuthorityType: "commune"}, search("cassiopée")[0], 1)},
	}
	for _, w := range []struct {
		name string
		span time.Duration
		at   time.Time
	}{{"day", 24 * time.Hour, day}, {"week", 7 * 24 * time.Hour, day}, {"35 days", 35 * 24 * time.Hour, day}} {
		q, _ := publishedPostsQuery(w.at, w.at.Add(w.span), "", 500)
		cases = append(cases, explainCase{"digest window, " + w.name, q})
		q, _ = publishedPostsQuery(w.at, w.at.Add(w.span), f.threads[len(f.threads)-1], 500)
		cases = append(cases, explainCase{"digest window, " + w.name + ", next page", q})
	}
	return cases
}

// wordHits is SearchWordHits' query of titles (which 0) or posts (1).
func wordHits(f forum.SearchFilter, variants []string, which int) findQuery {
	t, p, _ := wordHitsQueries(f, variants, forum.MaxSearchHitsPerWord)
	return []findQuery{t, p}[which]
}

// mustQuery drops the ok of a query builder (the cases always have words).
func mustQuery(q findQuery, _ bool) findQuery { return q }

// TestExplainHotQueries checks the plan of every hot query on MongoDB.
func TestExplainHotQueries(t *testing.T) {
	if realMongoDB() == "" {
		t.Skip("COTERFORUM_TEST_MONGODB_URI is not set: query plans come from MongoDB's planner (FerretDB's explain " +
			"says nothing of it); the public CI runs this test on its replica set")
	}
	s, _ := testStore(t)
	f := seedExplainForum(t, s, 1200)
	ctx := context.Background()
	for _, c := range hotQueries(f) {
		t.Run(c.name, func(t *testing.T) {
			out, err := s.explain(ctx, c.q.command())
			if err != nil {
				t.Fatalf("explain: %v", err)
			}
			stages, indexes := planStages(out)
			t.Logf("stages %v, indexes %v", stages, indexes)
			if err := checkPlan(out); err != nil {
				js, _ := json.MarshalIndent(winningPlans(out), "", "  ")
				t.Fatalf("%v\ncommand %v\nwinning plan %s", err, c.q.command(), js)
			}
		})
	}
}

// TestHotQueriesCommandsAreTheStoresQueries runs each hot query both as the
// store does (the driver's Find or CountDocuments with the query's options)
// and as the command TestExplainHotQueries explains: both give the same
// documents, so the plans checked are those of the store's queries. It
// runs on FerretDB too.
func TestHotQueriesCommandsAreTheStoresQueries(t *testing.T) {
	s, _ := testStore(t)
	f := seedExplainForum(t, s, 60)
	ctx := context.Background()
	for _, c := range hotQueries(f) {
		var viaStore, viaCommand []string
		switch q := c.q.(type) {
		case findQuery:
			docs, err := find[bson.M](ctx, s, q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			for _, d := range docs {
				viaStore = append(viaStore, fmt.Sprint(d["_id"]))
			}
		case countQuery:
			n, err := s.count(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			viaStore = []string{fmt.Sprint(n)}
		}
		cur, err := s.db.RunCommandCursor(ctx, c.q.command())
		if err != nil {
			t.Fatalf("%s: command: %v", c.name, err)
		}
		var docs []bson.M
		if err := cur.All(ctx, &docs); err != nil {
			t.Fatalf("%s: command: %v", c.name, err)
		}
		for _, d := range docs {
			if n, ok := d["n"]; ok {
				viaCommand = append(viaCommand, fmt.Sprint(n))
			} else {
				viaCommand = append(viaCommand, fmt.Sprint(d["_id"]))
			}
		}
		if _, count := c.q.(countQuery); count && len(viaCommand) == 0 {
			viaCommand = []string{"0"}
		}
		if !slices.Equal(viaStore, viaCommand) {
			t.Errorf("%s: the store finds %d documents %v, the command %d %v", c.name, len(viaStore), head(viaStore), len(viaCommand), head(viaCommand))
		}
		if len(viaStore) == 0 && !strings.Contains(c.name, "rare") {
			t.Errorf("%s: no document: the case checks nothing", c.name)
		}
	}
}

// head returns the first few elements of xs.
func head(xs []string) []string { return xs[:min(len(xs), 3)] }
