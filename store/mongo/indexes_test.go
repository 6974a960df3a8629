package mongo

import (
	"context"
	"slices"
	"testing"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestIndexNamesAreUniqueAndVersioned checks the index list itself: names
// unique per collection, each ending in a version, no two indexes of a
// collection with the same keys.
func TestIndexNamesAreUniqueAndVersioned(t *testing.T) {
	for col, ixs := range allIndexes() {
		names, keySets := map[string]bool{}, map[string]bool{}
		for _, ix := range ixs {
			if names[ix.name] {
				t.Errorf("%s: two indexes named %s", col, ix.name)
			}
			names[ix.name] = true
			if i := len(ix.name) - 3; i < 0 || ix.name[i:i+2] != "_v" || ix.name[i+2] < '0' || ix.name[i+2] > '9' {
				t.Errorf("%s: index name %s has no version (_vN)", col, ix.name)
			}
			k, err := bson.MarshalExtJSON(ix.keys, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if keySets[string(k)] {
				t.Errorf("%s: two indexes on %s", col, k)
			}
			keySets[string(k)] = true
		}
	}
}

// TestEnsureIndexesReplacesStale leaves indexes of an earlier version (one
// with the keys of a current index under an old name, one gone from the
// list) and removes a current one: the next start drops the stale ones and
// creates the missing one, and a start after that changes nothing.
func TestEnsureIndexesReplacesStale(t *testing.T) {
	s, reopen := testStore(t)
	ctx := context.Background()
	members, threads := s.c(colMembers).Indexes(), s.c(colThreads).Indexes()
	if err := members.DropOne(ctx, "members_email_v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := members.CreateOne(ctx, mongodrv.IndexModel{Keys: keys("email", 1), Options: options.Index().SetName("email_unique").SetUnique(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := threads.CreateOne(ctx, mongodrv.IndexModel{Keys: keys("status", 1, "last_activity_at", -1), Options: options.Index().SetName("status_activity")}); err != nil {
		t.Fatal(err)
	}
	if err := threads.DropOne(ctx, "threads_theme_v2"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s2 := reopen()
		for col, want := range allIndexes() {
			got, err := s2.indexNames(ctx, col)
			if err != nil {
				t.Fatal(err)
			}
			got = slices.DeleteFunc(got, func(n string) bool { return n == "_id_" })
			var names []string
			for _, ix := range want {
				names = append(names, ix.name)
			}
			slices.Sort(got)
			slices.Sort(names)
			if len(names) > 0 && !slices.Equal(got, names) {
				t.Errorf("%s: indexes %v, want %v", col, got, names)
			}
		}
	}
	if err := s.InsertMember(ctx, &forum.Member{ID: forum.NewID(), Email: "a@example.org"}); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertMember(ctx, &forum.Member{ID: forum.NewID(), Email: "a@example.org"}); err != forum.ErrDuplicate {
		t.Fatalf("second member with the same email: %v, want ErrDuplicate", err)
	}
}

// TestMigrationsCatchUpEarlierDocuments writes threads and posts as the
// earlier version did (no scope copy, no publication time, no scope
// number) and restarts: search and digest windows then see them as if
// written now, and a change of the thread reaches its posts.
func TestMigrationsCatchUpEarlierDocuments(t *testing.T) {
	s, reopen := testStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	var threads []*forum.Thread
	for i, status := range []string{forum.ThreadPublished, forum.ThreadHidden} {
		th := &forum.Thread{ID: forum.NewID(), Theme: "sig", AuthorityTypes: []string{"region"}, Title: "Un fil", Status: status,
			CreatedAt: t0, LastActivityAt: t0.Add(time.Duration(i) * time.Hour)}
		if err := s.insert(ctx, colThreads, th); err != nil {
			t.Fatal(err)
		}
		threads = append(threads, th)
	}
	var posts []*forum.Post
	for i := range 3 * migrationPage / 2 {
		p := &forum.Post{ID: forum.NewID(), ThreadID: threads[i%2].ID, Status: forum.PostPublished, Source: "boussole",
			HTML: "<p>boussole</p>", CreatedAt: t0.Add(time.Duration(i) * time.Minute), Terms: forum.PostSearchTerms("<p>boussole</p>")}
		if i == 0 {
			p.CreatedAt = t0.Add(-10 * 24 * time.Hour)
			p.Decision = &forum.Decision{Action: forum.DecisionApproved, At: t0.Add(time.Hour)}
		}
		if err := s.insert(ctx, colPosts, p); err != nil {
			t.Fatal(err)
		}
		posts = append(posts, p)
	}
	if _, err := s.c(colMigrations).DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	s2 := reopen()
	q, err := forum.ParseSearchQuery("boussole")
	if err != nil || q.Empty() {
		t.Fatalf("query: %v", err)
	}
	words := q.Words
	found, err := s2.SearchPosts(ctx, forum.SearchFilter{Words: words, Theme: "sig", AuthorityType: "region"}, nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := len(posts) - 1; i >= 0; i-- {
		if posts[i].ThreadID == threads[0].ID {
			want = append(want, posts[i].ID)
		}
	}
	if got := postIDs(found); !slices.Equal(got, want) {
		t.Fatalf("search after the migration: %d posts, want the %d of the published thread", len(got), len(want))
	}
	window, err := s2.PublishedPosts(ctx, t0, t0.Add(24*time.Hour), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(window) != len(posts) || window[0].ID != posts[0].ID {
		t.Fatalf("digest window after the migration: %d posts, want %d with the approved one first", len(window), len(posts))
	}
	if ok, err := s2.SetThreadStatus(ctx, threads[0].ID, []string{forum.ThreadPublished}, forum.ThreadHidden); !ok || err != nil {
		t.Fatalf("hide: %v, %v", ok, err)
	}
	if found, err := s2.SearchPosts(ctx, forum.SearchFilter{Words: words}, nil, 0, 0); err != nil || len(found) != 0 {
		t.Fatalf("search after hiding the thread: %d posts, %v", len(found), err)
	}
}

// TestSearchBackfillStopsLooking checks that once a backfill pass finds
// nothing to index, later passes do not query the posts again.
func TestSearchBackfillStopsLooking(t *testing.T) {
	s, _ := testStore(t)
	ctx := context.Background()
	legacy := func() string {
		t.Helper()
		id := forum.NewID()
		if err := s.insert(ctx, colPosts, bson.D{{Key: "_id", Value: id}, {Key: "html", Value: "<p>compas</p>"}}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	id := legacy()
	got, err := s.PostsWithoutTerms(ctx, 10)
	if err != nil || len(got) != 1 || got[0].ID != id {
		t.Fatalf("first pass: %v, %v", postIDs(got), err)
	}
	if err := s.SetPostTerms(ctx, map[string][]string{id: {"compa"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PostsWithoutTerms(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("pass after indexing: %v, %v", postIDs(got), err)
	}
	legacy() // cannot happen (every write path writes terms): shows the query is skipped
	if got, err := s.PostsWithoutTerms(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("pass after the mark: %v, %v", postIDs(got), err)
	}
}

// postIDs returns the ids of posts, in order.
func postIDs(ps []forum.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// TestPlanIndexesKeepsAnIndexUntilItsReplacementExists checks the order of
// ensureIndexes: a stale index whose keys differ from every missing one is
// dropped after the new ones are built (queries keep an index meanwhile);
// one with the keys of a missing index must go first (two indexes may not
// share keys), whatever number type the server hands back.
func TestPlanIndexesKeepsAnIndexUntilItsReplacementExists(t *testing.T) {
	want := []index{
		{name: "posts_thread_v2", keys: keys("thread_id", 1, "created_at", 1, "_id", 1)},
		{name: "posts_status_v2", keys: keys("status", 1, "_id", 1)},
		{name: "posts_author_v1", keys: keys("author.id", 1)},
	}
	existing := []indexSpec{
		{Name: "_id_", Key: keys("_id", int32(1))},
		{Name: "posts_thread_v1", Key: keys("thread_id", int32(1), "created_at", int32(1))}, // other keys
		{Name: "status_old", Key: keys("status", float64(1), "_id", int64(1))},              // same keys
		{Name: "posts_author_v1", Key: keys("author.id", int32(1))},                         // current
		{Name: "hand_made", Key: keys("author.id", int32(-1))},                              // other direction
	}
	p := planIndexes(existing, want)
	var created []string
	for _, ix := range p.create {
		created = append(created, ix.name)
	}
	if !slices.Equal(created, []string{"posts_thread_v2", "posts_status_v2"}) {
		t.Errorf("create %v, want posts_thread_v2 and posts_status_v2", created)
	}
	if !slices.Equal(p.dropFirst, []string{"status_old"}) {
		t.Errorf("dropped before creating: %v, want [status_old]", p.dropFirst)
	}
	if !slices.Equal(p.dropAfter, []string{"posts_thread_v1", "hand_made"}) {
		t.Errorf("dropped after creating: %v, want [posts_thread_v1 hand_made]", p.dropAfter)
	}
	if again := planIndexes([]indexSpec{{Name: "posts_thread_v2"}, {Name: "posts_status_v2"}, {Name: "posts_author_v1"}}, want); len(again.create)+len(again.dropFirst)+len(again.dropAfter) != 0 {
		t.Errorf("a collection already up to date gets %+v", again)
	}
}
