package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/store"
)

// Search grouped by thread (issue 12): a thread matches when its title and
// its published posts together hold every word; each thread is listed
// once, with the post that holds the most words; the count covers every
// page; pending and hidden posts never make a thread match.

// searchForum writes threads and their posts straight into a store.
type searchForum struct {
	t      *testing.T
	s      store.Store
	author forum.AuthorRef
	at     time.Time
}

// thread writes a published thread in theme whose first post has body, and
// returns the ids of the thread and of its first post.
func (f *searchForum) thread(theme, title, body string) (threadID, postID string) {
	f.t.Helper()
	threadID = forum.NewID()
	postID = f.post(threadID, forum.PostPublished, body)
	f.at = f.at.Add(time.Minute)
	th := &forum.Thread{ID: threadID, Theme: theme, AuthorityTypes: []string{"commune"}, Title: title, Author: f.author,
		Status: forum.ThreadPublished, FirstPostID: postID, PostCount: 1, CreatedAt: f.at, LastActivityAt: f.at}
	if err := f.s.InsertThread(context.Background(), th); err != nil {
		f.t.Fatal(err)
	}
	return threadID, postID
}

// post writes a post of the thread with that status and returns its id.
func (f *searchForum) post(threadID, status, body string) string {
	f.t.Helper()
	f.at = f.at.Add(time.Minute)
	p := &forum.Post{ID: forum.NewID(), ThreadID: threadID, Author: f.author, Status: status, Source: body,
		HTML: "<p>" + body + "</p>", CreatedAt: f.at}
	if err := f.s.InsertPost(context.Background(), p); err != nil {
		f.t.Fatal(err)
	}
	return p.ID
}

// searchThreadsOf runs the service's search and returns the result page.
func searchThreadsOf(t *testing.T, svc *forum.Service, r forum.SearchRequest) *forum.SearchResults {
	t.Helper()
	res, err := svc.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("search %+v: %v", r, err)
	}
	return res
}

// resultThreads returns the thread ids of results, failing on a duplicate.
func resultThreads(t *testing.T, res *forum.SearchResults) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, r := range res.Results {
		if seen[r.Thread.ID] {
			t.Fatalf("thread %s listed twice in %v", r.Thread.ID, res.Results)
		}
		seen[r.Thread.ID] = true
		out = append(out, r.Thread.ID)
	}
	return out
}

func testSearchGroupedByThread(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	svc := forum.New(s, Quiet(), nil)
	if err := svc.SeedTaxonomy(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := &searchForum{t: t, s: s, author: forum.AuthorRef{ID: forum.NewID(), DisplayName: "Ada"}, at: st0}

	// The words are split between the title and a reply.
	calls, _ := f.thread("centres-appel-citoyens", "Centres d'appel citoyens : quel outil ?", "Nous cherchons une solution pour la mairie.")
	callsReply := f.post(calls, forum.PostPublished, "La téléphonie IP nous a déçus.")
	// The missing word is only in a pending post and a hidden post.
	hiddenOnly, _ := f.thread("centres-appel-citoyens", "Centres d'appel de la région", "Qui les a mutualisés ?")
	f.post(hiddenOnly, forum.PostPending, "La téléphonie est en attente.")
	f.post(hiddenOnly, forum.PostHidden, "La téléphonie est masquée.")
	// Found by its title and by two posts: listed once, with the post that
	// holds both words.
	fibre, fibreFirst := f.thread("reseaux", "Réseau fibre des écoles", "Le réseau des écoles a dix ans.")
	fibreBest := f.post(fibre, forum.PostPublished, "La fibre du réseau arrive enfin.")
	f.post(fibre, forum.PostPublished, "Quelle fibre avez-vous choisie ?")
	// Words in two posts, none in the title.
	other, _ := f.thread("reseaux", "Raccordement des gymnases", "Nos réseaux sont vieux.")
	f.post(other, forum.PostPublished, "Passez à la fibre.")
	// One word only.
	f.thread("reseaux", "Le réseau cuivre", "Rien à signaler.")

	res := searchThreadsOf(t, svc, forum.SearchRequest{Query: "centres d'appel téléphonie"})
	if got := resultThreads(t, res); len(got) != 1 || got[0] != calls || res.Total != 1 || res.HasMore {
		t.Fatalf("centres d'appel téléphonie: threads %v, total %d, more %v; want only %s", got, res.Total, res.HasMore, calls)
	}
	if r := res.Results[0]; r.Post.ID != callsReply || r.TitleHit {
		t.Fatalf("centres d'appel téléphonie: excerpt of %s (title hit %v), want the reply %s", r.Post.ID, r.TitleHit, callsReply)
	}

	res = searchThreadsOf(t, svc, forum.SearchRequest{Query: "reseau fibre"})
	got := resultThreads(t, res)
	if len(got) != 2 || got[0] != fibre || got[1] != other || res.Total != 2 {
		t.Fatalf("reseau fibre: threads %v (total %d), want [%s %s]: the title match first", got, res.Total, fibre, other)
	}
	if r := res.Results[0]; r.Post.ID != fibreBest || !r.TitleHit {
		t.Fatalf("reseau fibre: excerpt of %s (title hit %v), want %s (not the first post %s)", r.Post.ID, r.TitleHit, fibreBest, fibreFirst)
	}

	// A title alone: the excerpt is the first post.
	res = searchThreadsOf(t, svc, forum.SearchRequest{Query: "écoles fibre"})
	if got := resultThreads(t, res); len(got) != 1 || got[0] != fibre {
		t.Fatalf("écoles fibre: %v", got)
	}
	res = searchThreadsOf(t, svc, forum.SearchRequest{Query: "cuivre"})
	if len(res.Results) != 1 || res.Results[0].Post.ID == "" || res.Total != 1 {
		t.Fatalf("cuivre: %+v", res)
	}

	// The filters still apply.
	res = searchThreadsOf(t, svc, forum.SearchRequest{Query: "reseau fibre", Theme: "sig"})
	if len(res.Results) != 0 || res.Total != 0 {
		t.Fatalf("reseau fibre in sig: %v", resultThreads(t, res))
	}
	res = searchThreadsOf(t, svc, forum.SearchRequest{Query: "reseau fibre", Theme: "reseaux", AuthorityType: "commune"})
	if res.Total != 2 {
		t.Fatalf("reseau fibre in reseaux × commune: total %d", res.Total)
	}
	res = searchThreadsOf(t, svc, forum.SearchRequest{Query: "reseau fibre", AuthorityType: "region"})
	if res.Total != 0 {
		t.Fatalf("reseau fibre for regions: total %d", res.Total)
	}

	// Pending and hidden posts never make a thread match.
	res = searchThreadsOf(t, svc, forum.SearchRequest{Query: "région téléphonie"})
	if res.Total != 0 || len(res.Results) != 0 {
		t.Fatalf("région téléphonie found %v through a pending or hidden post", resultThreads(t, res))
	}
}

// testSearchThreadPages checks the count and the pages: every thread once
// across pages, newest first.
func testSearchThreadPages(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	svc := forum.New(s, Quiet(), nil)
	f := &searchForum{t: t, s: s, author: forum.AuthorRef{ID: forum.NewID(), DisplayName: "Ada"}, at: st0}
	n := forum.SearchPerPage + 5
	var want []string
	for i := range n {
		id, _ := f.thread("sig", fmt.Sprintf("Cadastre numéro %d", i), "Une question.")
		f.post(id, forum.PostPublished, "Le géoportail répond.")
		f.post(id, forum.PostPublished, "Le géoportail encore.")
		want = append([]string{id}, want...)
	}
	var got []string
	for page := 1; ; page++ {
		res := searchThreadsOf(t, svc, forum.SearchRequest{Query: "cadastre géoportail", Page: page})
		if res.Total != n {
			t.Fatalf("page %d: total %d, want %d", page, res.Total, n)
		}
		got = append(got, resultThreads(t, res)...)
		if !res.HasMore {
			break
		}
		if page > 2 {
			t.Fatal("more than two pages")
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pages: %v, want %v", got, want)
	}
	res := searchThreadsOf(t, svc, forum.SearchRequest{Query: "cadastre géoportail", Page: 3})
	if len(res.Results) != 0 || res.HasMore || res.Total != n {
		t.Fatalf("page 3: %d results, more %v, total %d", len(res.Results), res.HasMore, res.Total)
	}
}

// testSearchHitCap checks the cap on the places read for a word: past it,
// only the newest are read, and the results say so.
func testSearchHitCap(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	svc := forum.New(s, Quiet(), nil)
	svc.SetSearchHitCap(2)
	f := &searchForum{t: t, s: s, author: forum.AuthorRef{ID: forum.NewID(), DisplayName: "Ada"}, at: st0}
	var threads []string
	for i := range 3 {
		id, _ := f.thread("sig", fmt.Sprintf("Fil %d", i), "Le sextant est prêt.")
		threads = append(threads, id)
	}
	res := searchThreadsOf(t, svc, forum.SearchRequest{Query: "sextant"})
	if got := resultThreads(t, res); !res.Capped || res.Total != 2 || fmt.Sprint(got) != fmt.Sprint([]string{threads[2], threads[1]}) {
		t.Fatalf("capped at 2: %v, total %d, capped %v", got, res.Total, res.Capped)
	}
	svc.SetSearchHitCap(3)
	if res := searchThreadsOf(t, svc, forum.SearchRequest{Query: "sextant"}); res.Capped || res.Total != 3 {
		t.Fatalf("cap 3: total %d, capped %v", res.Total, res.Capped)
	}
}

func init() {
	register("SearchHitCap", testSearchHitCap)
	register("SearchGroupedByThread", testSearchGroupedByThread)
	register("SearchThreadPages", testSearchThreadPages)
}
