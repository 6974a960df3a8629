package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/internal/testclock"
	"coterforum/mail"
	"coterforum/moderation"
)

// noMail drops the moderation mails.
type noMail struct{}

func (noMail) Send(context.Context, mail.Message) error { return nil }

// indexEnv is a forum on a fresh embedded store with its services.
type indexEnv struct {
	ctx context.Context
	st  *Store
	// seen counts what the compared searches found, to check they tested something.
	seen      struct{ results, titleHits, more, paged int }
	forum     *forum.Service
	mod       *moderation.Service
	clock     *testclock.Clock
	moderator *forum.Member
}

func newIndexEnv(t *testing.T) *indexEnv {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := Open(ctx, Config{DataDir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	if st.search == nil {
		t.Fatal("the embedded store has no search index")
	}
	clock := testclock.New(time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC))
	fsvc := forum.New(st, log, clock.Now)
	if err := fsvc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	e := &indexEnv{ctx: ctx, st: st, forum: fsvc, clock: clock,
		mod: moderation.New(fsvc, st, noMail{}, moderation.Config{BaseURL: "https://forum.example.org"}, log)}
	e.moderator = e.member(t, "Modeste Modérateur", forum.RoleModerator, true, "commune")
	return e
}

func (e *indexEnv) member(t *testing.T, name, role string, trusted bool, authorityType string) *forum.Member {
	t.Helper()
	id := forum.NewID()
	m := &forum.Member{ID: id, Email: "m" + id + "@example.org", DisplayName: name, Authority: "Ville de Rennes",
		AuthorityType: authorityType, Role: role, Status: forum.MemberActive, CreatedAt: e.clock.Now(), Trusted: trusted}
	if err := e.st.InsertMember(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

// indexVocabulary is small, so that words are shared by many posts and titles.
var indexVocabulary = strings.Fields(`réseau fibre routeur téléphonie centre d'appels portail cadastre
	élections marché sauvegarde sécurité données migration logiciel mairie école wifi`)

func words(rng *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = indexVocabulary[rng.IntN(len(indexVocabulary))]
	}
	return strings.Join(w, " ")
}

// compareSearches runs searches through the index and through the queries
// and fails on any difference, in the results of the service and of the
// store's methods.
func (e *indexEnv) compareSearches(t *testing.T, stage string, authors []*forum.Member) {
	t.Helper()
	start := time.Now()
	defer func() { t.Logf("%s: compared in %v", stage, time.Since(start)) }()
	day := time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC)
	queries := []string{"réseau", "fibre routeur", "centres d'appel", "securite donnees", "mairie", "ecole wifi",
		"migration", "portail cadastre elections", "introuvable"}
	var reqs []forum.SearchRequest
	for i, q := range queries {
		reqs = append(reqs, forum.SearchRequest{Query: q}, forum.SearchRequest{Query: q, Page: 2})
		switch i % 4 {
		case 0:
			reqs = append(reqs, forum.SearchRequest{Query: q, Theme: "reseaux"}, forum.SearchRequest{Query: q, AuthorityType: "region"})
		case 1:
			reqs = append(reqs, forum.SearchRequest{Query: q, AuthorID: authors[i%len(authors)].ID},
				forum.SearchRequest{Query: q, Theme: "sig", AuthorityType: "commune"})
		case 2:
			reqs = append(reqs, forum.SearchRequest{Query: q, From: day}, forum.SearchRequest{Query: q, To: day, Page: 1})
		case 3:
			reqs = append(reqs, forum.SearchRequest{Query: q, From: day, To: day.AddDate(0, 0, 1)}, forum.SearchRequest{Query: q, Page: 3})
		}
	}
	for _, r := range reqs {
		e.st.searchByQuery.Store(true)
		want, err := e.forum.Search(e.ctx, r)
		if err != nil {
			t.Fatalf("%s: query path %+v: %v", stage, r, err)
		}
		e.st.searchByQuery.Store(false)
		got, err := e.forum.Search(e.ctx, r)
		if err != nil {
			t.Fatalf("%s: index path %+v: %v", stage, r, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: search %+v differs:\nindex %s\nquery %s", stage, r, resultIDs(got), resultIDs(want))
		}
		e.seen.results += len(got.Results)
		if got.HasMore {
			e.seen.more++
		}
		if r.Page > 1 && len(got.Results) > 0 {
			e.seen.paged++
		}
		for _, x := range got.Results {
			if x.TitleHit {
				e.seen.titleHits++
			}
		}
	}
	// The store's methods, with limits, skips and exclusions the service
	// does not use on this small forum.
	for _, q := range queries[:5] {
		pq, err := forum.ParseSearchQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		f := forum.SearchFilter{Words: pq.Words}
		for _, limit := range []int{0, 3} {
			want, err := e.st.searchTitlesQuery(e.ctx, f, limit)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.st.searchTitlesIndexed(e.ctx, f, limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: SearchTitles(%q, %d) differs: %d and %d threads", stage, q, limit, len(got), len(want))
			}
		}
		all, err := e.st.searchPostsQuery(e.ctx, f, nil, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var exclude []string
		for i, p := range all {
			if i%3 == 0 {
				exclude = append(exclude, p.ID)
			}
		}
		for _, c := range []struct {
			exclude     []string
			skip, limit int
		}{{nil, 0, 0}, {exclude, 2, 5}, {nil, 1000, 10}} {
			want, err := e.st.searchPostsQuery(e.ctx, f, c.exclude, c.skip, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.st.searchPostsIndexed(e.ctx, f, c.exclude, c.skip, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: SearchPosts(%q, skip %d, limit %d, %d excluded) differs: %d and %d posts",
					stage, q, c.skip, c.limit, len(c.exclude), len(got), len(want))
			}
		}
	}
}

func resultIDs(r *forum.SearchResults) string {
	var b strings.Builder
	fmt.Fprintf(&b, "more=%v", r.HasMore)
	for _, x := range r.Results {
		fmt.Fprintf(&b, " %s/%s/%v", x.Thread.ID, x.Post.ID, x.TitleHit)
	}
	return b.String()
}

// builds returns how many times the index was built.
func (e *indexEnv) builds() int {
	e.st.search.mu.RLock()
	defer e.st.search.mu.RUnlock()
	return e.st.search.builds
}

// TestSearchIndexEquivalence writes a forum through the real services and
// checks, after each kind of write, that the index answers every search
// exactly as the MongoDB queries do, without being rebuilt; at the end, the
// index kept up to date equals one built from scratch.
func TestSearchIndexEquivalence(t *testing.T) {
	e := newIndexEnv(t)
	rng := rand.New(rand.NewPCG(3, 4))
	writers := []*forum.Member{
		e.member(t, "Camille Commune", forum.RoleMember, true, "commune"),
		e.member(t, "Régis Région", forum.RoleMember, true, "region"),
		e.member(t, "Denise Département", forum.RoleMember, true, "departement"),
	}
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember, false, "commune")
	authors := append(slices.Clone(writers), newcomer)
	themes := []string{"reseaux", "portails", "centres-appel-citoyens", "sig"}

	// The index is built now, on an almost empty forum; every write below
	// must keep it exact.
	e.compareSearches(t, "empty", authors)

	var threads []*forum.Thread
	var published []*forum.Post
	for i := range 8 {
		th, p, err := e.forum.CreateThread(e.ctx, writers[i%len(writers)], forum.NewThreadInput{
			Theme: themes[i%len(themes)], Title: "Fil " + words(rng, 3), Body: words(rng, 6)})
		if err != nil {
			t.Fatal(err)
		}
		threads, published = append(threads, th), append(published, p)
		for j := range 9 {
			if j%3 != 0 {
				e.clock.Advance(37 * time.Minute) // some posts share their creation time
			}
			r, err := e.forum.Reply(e.ctx, writers[(i+j)%len(writers)], th.ID, words(rng, 8))
			if err != nil {
				t.Fatal(err)
			}
			published = append(published, r)
		}
	}
	e.compareSearches(t, "created", authors)

	// A newcomer's thread and replies wait for moderation.
	pendingTh, pendingFirst, err := e.forum.CreateThread(e.ctx, newcomer, forum.NewThreadInput{
		Theme: "sig", Title: "Fil " + words(rng, 3), Body: words(rng, 6)})
	if err != nil {
		t.Fatal(err)
	}
	var pending []*forum.Post
	for i := range 6 {
		e.clock.Advance(11 * time.Minute)
		p, err := e.forum.Reply(e.ctx, newcomer, threads[i].ID, words(rng, 8))
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, p)
	}
	e.compareSearches(t, "pending", authors)

	if err := e.mod.Approve(e.ctx, e.moderator, pending[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.mod.Reject(e.ctx, e.moderator, pending[1].ID, "Hors sujet."); err != nil {
		t.Fatal(err)
	}
	body := "Nouvelle version : " + words(rng, 5)
	if err := e.mod.Approve(e.ctx, e.moderator, pending[2].ID, &moderation.QueueEdit{Body: &body}); err != nil {
		t.Fatal(err)
	}
	title, theme := "Fil renommé "+words(rng, 2), "portails"
	if err := e.mod.Approve(e.ctx, e.moderator, pendingFirst.ID, &moderation.QueueEdit{Title: &title, Theme: &theme,
		AuthorityTypes: []string{"region", "commune"}, Body: &body}); err != nil {
		t.Fatal(err)
	}
	e.compareSearches(t, "decided", authors)

	for _, p := range []*forum.Post{published[3], published[0], published[20]} {
		if err := e.mod.Hide(e.ctx, e.moderator, p.ID, "À revoir."); err != nil {
			t.Fatal(err)
		}
	}
	e.compareSearches(t, "hidden", authors)
	if err := e.mod.Restore(e.ctx, e.moderator, published[3].ID); err != nil {
		t.Fatal(err)
	}
	e.compareSearches(t, "restored", authors)

	if _, err := e.forum.EditPost(e.ctx, writers[1], published[5].Author.ID+"-missing", "x"); err == nil {
		t.Fatal("editing a missing post succeeded")
	}
	for _, p := range published[30:36] {
		w := authors[slices.IndexFunc(authors, func(m *forum.Member) bool { return m.ID == p.Author.ID })]
		if _, err := e.forum.EditPost(e.ctx, w, p.ID, "Corrigé : "+words(rng, 7)); err != nil {
			t.Fatal(err)
		}
	}
	renamed, moved := "Fil "+words(rng, 4), "sig"
	if _, err := e.mod.UpdateThread(e.ctx, e.moderator, threads[2].ID, moderation.ThreadInput{Title: &renamed}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.mod.UpdateThread(e.ctx, e.moderator, threads[4].ID, moderation.ThreadInput{Theme: &moved,
		AuthorityTypes: []string{"departement"}}); err != nil {
		t.Fatal(err)
	}
	e.compareSearches(t, "edited", authors)

	removed, err := forum.RenderMarkdown(forum.RemovedPostSource)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.ErasePostBodies(e.ctx, writers[2].ID, forum.RemovedPostSource, removed); err != nil {
		t.Fatal(err)
	}
	e.compareSearches(t, "erased", authors)
	_ = pendingTh
	t.Logf("compared searches found %+v", e.seen)
	if e.seen.titleHits == 0 || e.seen.more == 0 || e.seen.paged == 0 {
		t.Fatalf("the compared searches found too little: %+v", e.seen)
	}

	if n := e.builds(); n != 1 {
		t.Fatalf("the index was built %d times, want once: a write rebuilt it", n)
	}
	kept := e.st.search.snapshot()
	e.st.search.mu.Lock()
	e.st.search.ready = false
	e.st.search.mu.Unlock()
	e.compareSearches(t, "rebuilt", authors)
	if n := e.builds(); n != 2 {
		t.Fatalf("builds = %d, want 2", n)
	}
	if fresh := e.st.search.snapshot(); !reflect.DeepEqual(kept, fresh) {
		t.Fatalf("the index kept up to date differs from a fresh one")
	}
}

// ixSnapshot is an index's content, independent of its numbering.
type ixSnapshot struct {
	Posts   map[string]string
	Threads map[string]string
}

// snapshot describes the index's content.
func (ix *searchIndex) snapshot() ixSnapshot {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	terms := make([][]string, len(ix.posts))
	for t, id := range ix.termIDs {
		for _, n := range ix.postings[id] {
			terms[n] = append(terms[n], t)
		}
	}
	s := ixSnapshot{Posts: map[string]string{}, Threads: map[string]string{}}
	for n, p := range ix.posts {
		slices.Sort(terms[n])
		s.Posts[p.id] = fmt.Sprintf("%s %s %d %s %q", p.status, p.author, p.created, ix.threads[p.thread].id, terms[n])
	}
	for _, t := range ix.threads {
		s.Threads[t.id] = fmt.Sprintf("%v %s %s %q %q %s %s %d", t.exists, t.status, t.theme, t.types, t.titleTerms,
			t.author, t.firstPost, t.created)
	}
	return s
}

// TestSearchIndexPendingNeverFound checks that a pending post's words are
// not found through the index, then are once it is approved, without a rebuild.
func TestSearchIndexPendingNeverFound(t *testing.T) {
	e := newIndexEnv(t)
	writer := e.member(t, "Camille Commune", forum.RoleMember, true, "commune")
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember, false, "commune")
	th, _, err := e.forum.CreateThread(e.ctx, writer, forum.NewThreadInput{Theme: "reseaux", Title: "Nos routeurs", Body: "Des routeurs."})
	if err != nil {
		t.Fatal(err)
	}
	found := func(q string) []forum.Post {
		t.Helper()
		pq, _ := forum.ParseSearchQuery(q)
		posts, err := e.st.SearchPosts(e.ctx, forum.SearchFilter{Words: pq.Words}, nil, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return posts
	}
	if len(found("routeurs")) != 1 { // builds the index
		t.Fatal("published post not found")
	}
	p, err := e.forum.Reply(e.ctx, newcomer, th.ID, "La zythologie des routeurs.")
	if err != nil || p.Status != forum.PostPending {
		t.Fatalf("reply: %v, %v", p, err)
	}
	if got := found("zythologie"); len(got) != 0 {
		t.Fatalf("pending post found: %v", got)
	}
	res, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "zythologie"})
	if err != nil || len(res.Results) != 0 {
		t.Fatalf("service found the pending post: %v, %v", res, err)
	}
	// Its thread hidden, then the post approved: still not found.
	th2, p2, err := e.forum.CreateThread(e.ctx, newcomer, forum.NewThreadInput{Theme: "reseaux", Title: "Zythologie", Body: "Zythologie encore."})
	if err != nil || th2.Status != forum.ThreadPending {
		t.Fatal(th2, err)
	}
	if got := found("zythologie"); len(got) != 0 {
		t.Fatalf("pending thread's post found: %v", got)
	}
	if titles, _ := e.st.SearchTitles(e.ctx, forum.SearchFilter{Words: [][]string{{"zytholog"}}}, 0); len(titles) != 0 {
		t.Fatalf("pending thread's title found: %v", titles)
	}
	if err := e.mod.Approve(e.ctx, e.moderator, p.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := found("zythologie"); len(got) != 1 || got[0].ID != p.ID {
		t.Fatalf("approved post: found %v", got)
	}
	if err := e.mod.Approve(e.ctx, e.moderator, p2.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := found("zythologie"); len(got) != 2 {
		t.Fatalf("approved thread: found %d posts", len(got))
	}
	if n := e.builds(); n != 1 {
		t.Fatalf("index built %d times, want 1", n)
	}
}

// TestSearchIndexStaleOnUnknownWrite checks that a write the index cannot
// mirror exactly makes the next search rebuild it.
func TestSearchIndexStaleOnUnknownWrite(t *testing.T) {
	e := newIndexEnv(t)
	writer := e.member(t, "Camille Commune", forum.RoleMember, true, "commune")
	if _, _, err := e.forum.CreateThread(e.ctx, writer, forum.NewThreadInput{Theme: "reseaux", Title: "Nos routeurs", Body: "Des routeurs."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "routeur"}); err != nil {
		t.Fatal(err)
	}
	// A post changed in the database but unknown to the index (written
	// behind the store's back, then decided through it).
	if _, err := e.st.c(colPosts).InsertOne(e.ctx, &forum.Post{ID: "ghost", ThreadID: "nowhere", Status: forum.PostPending,
		Terms: forum.SearchTerms("fantôme"), CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.st.DecidePost(e.ctx, "ghost", moderation.PostCondition{Statuses: []string{forum.PostPending}},
		forum.PostPublished, forum.Decision{Action: forum.DecisionApproved}); !ok || err != nil {
		t.Fatal(ok, err)
	}
	pq, _ := forum.ParseSearchQuery("fantôme")
	posts, err := e.st.SearchPosts(e.ctx, forum.SearchFilter{Words: pq.Words}, nil, 0, 0)
	if err != nil || len(posts) != 1 {
		t.Fatalf("found %d posts, %v", len(posts), err)
	}
	if n := e.builds(); n != 2 {
		t.Fatalf("builds = %d, want 2", n)
	}
}
