package moderation_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

// found returns the ids of the threads a search finds, in order (each
// thread once, whatever the number of its posts that match).
func (e *env) found(t *testing.T, r forum.SearchRequest) []string {
	t.Helper()
	return e.results(t, r).threads
}

// searchPage is one page of results: its threads, and the post shown for
// each (its best excerpt; the first post when only the title matched).
type searchPage struct {
	threads, posts []string
}

func (e *env) results(t *testing.T, r forum.SearchRequest) searchPage {
	t.Helper()
	res, err := e.forum.Search(e.ctx, r)
	if err != nil {
		t.Fatalf("Search(%+v): %v", r, err)
	}
	p := searchPage{threads: []string{}, posts: []string{}}
	for _, x := range res.Results {
		p.threads = append(p.threads, x.Thread.ID)
		p.posts = append(p.posts, x.Post.ID)
	}
	if res.Total < len(p.threads) {
		t.Errorf("Search(%+v): Total %d below the %d results of the page", r, res.Total, len(p.threads))
	}
	return p
}

func (e *env) wantFound(t *testing.T, query, threadID string, want bool) {
	t.Helper()
	got := slices.Contains(e.found(t, forum.SearchRequest{Query: query}), threadID)
	if got != want {
		t.Fatalf("search %q finds thread %s: %v, want %v", query, threadID, got, want)
	}
}

func TestSearchOnlyPublished(t *testing.T) {
	e := newEnv(t)
	writer := e.member(t, "Rédactrice Confirmée", forum.RoleMember, trusted)
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember)

	th, first := e.newThread(t, writer, "centres-appel-citoyens", "Téléphonie et accueil")
	published := e.reply(t, writer, th.ID, "Nous avons basculé notre centre d'appels vers Asterisk.")
	pending := e.reply(t, newcomer, th.ID, "Notre centre d'appels attend encore Genesys.")
	rejected := e.reply(t, newcomer, th.ID, "Achetez Avaya chez nous !")
	if pending.Status != forum.PostPending || rejected.Status != forum.PostPending {
		t.Fatalf("newcomer posts are %s and %s, want pending", pending.Status, rejected.Status)
	}
	if err := e.mod.Reject(e.ctx, e.moderator, rejected.ID, "Publicité."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "centres d’appel asterisk", th.ID, true)
	e.wantFound(t, "genesys", th.ID, false)   // pending
	e.wantFound(t, "avaya", th.ID, false)     // rejected
	e.wantFound(t, "telephonie", th.ID, true) // title hit
	// The title and a reply together hold the words.
	e.wantFound(t, "telephonie asterisk", th.ID, true)
	if p := e.results(t, forum.SearchRequest{Query: "centres d’appel"}); len(p.threads) != 1 || p.posts[0] != published.ID {
		t.Fatalf("one thread with its matching post: %+v, want thread %s shown with post %s", p, th.ID, published.ID)
	}

	// Approval makes a post findable.
	e.approve(t, pending.ID)
	e.wantFound(t, "genesys", th.ID, true)

	// A hidden post disappears; restored, it comes back.
	if err := e.mod.Hide(e.ctx, e.moderator, published.ID, "Hors sujet."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "asterisk", th.ID, false)
	if err := e.mod.Restore(e.ctx, e.moderator, published.ID); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "asterisk", th.ID, true)

	// Hiding the first post hides the thread: its published replies are not found either.
	if err := e.mod.Hide(e.ctx, e.moderator, first.ID, "Fil à revoir."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "asterisk", th.ID, false)
	e.wantFound(t, "telephonie", th.ID, false)
	for _, r := range []forum.SearchRequest{
		{Query: "centre appel", Theme: "centres-appel-citoyens"},
		{Query: "centre appel", AuthorityType: "commune"},
		{Query: "centre appel", AuthorID: writer.ID},
	} {
		if got := e.found(t, r); len(got) != 0 {
			t.Errorf("search %+v in a hidden thread found %v", r, got)
		}
	}
}

func TestSearchPendingThread(t *testing.T) {
	e := newEnv(t)
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember)
	th, first := e.newThread(t, newcomer, "sig", "Cartographie des réseaux d'eau")
	if th.Status != forum.ThreadPending {
		t.Fatalf("thread is %s", th.Status)
	}
	e.wantFound(t, "cartographie", th.ID, false)
	e.wantFound(t, "premier message", th.ID, false)
	e.approve(t, first.ID)
	e.wantFound(t, "cartographie", th.ID, true)
	e.wantFound(t, "premier message", th.ID, true)
}

func TestSearchApproveWithEditAndRename(t *testing.T) {
	e := newEnv(t)
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember)
	_, first := e.newThread(t, newcomer, "sig", "Brouillon de titre")
	body, title := "Notre SIG utilise QGIS depuis 2019.", "Passage à QGIS"
	if err := e.mod.Approve(e.ctx, e.moderator, first.ID, &moderation.QueueEdit{Body: &body, Title: &title}); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "premier message", first.ThreadID, false) // the old body is gone
	e.wantFound(t, "utilise 2019", first.ThreadID, true)
	e.wantFound(t, "brouillon", first.ThreadID, false) // the old title is gone
	e.wantFound(t, "passage", first.ThreadID, true)

	renamed := "Migration vers QGIS"
	if _, err := e.mod.UpdateThread(e.ctx, e.moderator, first.ThreadID, moderation.ThreadInput{Title: &renamed}); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "passage", first.ThreadID, false)
	e.wantFound(t, "migrations", first.ThreadID, true)

	// An author's edit re-indexes the post.
	writer := e.member(t, "Rédactrice Confirmée", forum.RoleMember, trusted)
	r := e.reply(t, writer, first.ThreadID, "Nous gardons ArcGIS.")
	e.wantFound(t, "arcgis", r.ThreadID, true)
	if _, err := e.forum.EditPost(e.ctx, writer, r.ID, "Nous passons à MapInfo."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "arcgis", r.ThreadID, false)
	e.wantFound(t, "mapinfo", r.ThreadID, true)
}

func TestSearchFiltersAndRanking(t *testing.T) {
	e := newEnv(t)
	commune := e.member(t, "Camille Commune", forum.RoleMember, trusted)
	region := e.member(t, "Régis Région", forum.RoleMember, trusted, func(m *forum.Member) { m.AuthorityType = "region" })

	// Oldest: a thread whose title matches.
	titled, titledFirst := e.newThread(t, commune, "reseaux", "Fibre optique entre mairies")
	e.clock.Advance(24 * time.Hour)
	other, _ := e.newThread(t, region, "sig", "Cartes régionales")
	e.clock.Advance(24 * time.Hour)
	newer := e.reply(t, region, other.ID, "Nous louons de la fibre noire pour relier nos sites.")
	e.clock.Advance(24 * time.Hour)
	newest := e.reply(t, commune, titled.ID, "La fibre est arrivée dans toutes nos mairies annexes.")

	// The title hit comes first although it is the oldest; each thread once.
	got := e.results(t, forum.SearchRequest{Query: "fibre"})
	if want := []string{titled.ID, other.ID}; !slices.Equal(got.threads, want) {
		t.Fatalf("ranking = %v, want %v", got.threads, want)
	}
	// Each thread shows its post that holds the word (the oldest of equals:
	// the first post quotes the title).
	if want := []string{titledFirst.ID, newer.ID}; !slices.Equal(got.posts, want) {
		t.Errorf("posts shown = %v, want %v", got.posts, want)
	}
	if p := e.results(t, forum.SearchRequest{Query: "fibre annexes"}); len(p.posts) != 1 || p.posts[0] != newest.ID {
		t.Errorf("fibre annexes shows %v, want the reply %s", p.posts, newest.ID)
	}
	tests := []struct {
		name string
		r    forum.SearchRequest
		want []string
	}{
		{"theme", forum.SearchRequest{Query: "fibre", Theme: "sig"}, []string{other.ID}},
		{"authority type", forum.SearchRequest{Query: "fibre", AuthorityType: "region"}, []string{other.ID}},
		{"author", forum.SearchRequest{Query: "fibre", AuthorID: commune.ID}, []string{titled.ID}},
		{"to", forum.SearchRequest{Query: "fibre", To: t0}, []string{titled.ID}},
		{"from and to", forum.SearchRequest{Query: "fibre", From: t0.AddDate(0, 0, 1), To: t0.AddDate(0, 0, 2)}, []string{other.ID}},
		{"and", forum.SearchRequest{Query: "fibre mairies"}, []string{titled.ID}},
		{"no match", forum.SearchRequest{Query: "fibre satellite"}, []string{}},
	}
	for _, tt := range tests {
		if got := e.found(t, tt.r); !slices.Equal(got, tt.want) {
			t.Errorf("%s: found %v, want %v", tt.name, got, tt.want)
		}
	}

	for _, r := range []forum.SearchRequest{
		{Query: "fibre", Theme: "inconnu"},
		{Query: "fibre", AuthorityType: "village"},
		{Query: "fibre", AuthorID: `{"$ne":1}`},
		{Query: "fibre", Page: -1},
		{Query: "fibre", From: t0.AddDate(0, 0, 2), To: t0},
	} {
		if _, err := e.forum.Search(e.ctx, r); err == nil {
			t.Errorf("Search(%+v) accepted", r)
		} else {
			var ve *forum.ValidationError
			if !errors.As(err, &ve) {
				t.Errorf("Search(%+v): %v, want a validation error", r, err)
			}
		}
	}
}

func TestSearchPaging(t *testing.T) {
	e := newEnv(t)
	writer := e.member(t, "Rédactrice Confirmée", forum.RoleMember, trusted)
	var threads []string
	for i := 0; i < forum.SearchPerPage+5; i++ {
		e.clock.Advance(time.Minute)
		th, _ := e.newThread(t, writer, "reseaux", fmt.Sprintf("Routeur du site %d", i))
		e.reply(t, writer, th.ID, "Un routeur de plus.")
		threads = append(threads, th.ID)
	}
	p1, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "routeur"})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "routeur", Page: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Results) != forum.SearchPerPage || !p1.HasMore || len(p2.Results) != 5 || p2.HasMore {
		t.Fatalf("page 1: %d results, more %v; page 2: %d, more %v", len(p1.Results), p1.HasMore, len(p2.Results), p2.HasMore)
	}
	if p1.Total != forum.SearchPerPage+5 || p2.Total != p1.Total {
		t.Errorf("totals %d and %d, want %d", p1.Total, p2.Total, forum.SearchPerPage+5)
	}
	if p1.Results[0].Thread.ID != threads[len(threads)-1] || !p1.Results[0].TitleHit {
		t.Fatalf("page 1 starts with %s (title hit %v), want the newest thread %s", p1.Results[0].Thread.ID, p1.Results[0].TitleHit, threads[len(threads)-1])
	}
	seen := map[string]bool{}
	for _, r := range append(p1.Results, p2.Results...) {
		if seen[r.Thread.ID] {
			t.Fatalf("thread %s listed twice", r.Thread.ID)
		}
		seen[r.Thread.ID] = true
	}
	if want := fmt.Sprintf("<mark>Routeur</mark> du site %d", len(threads)-1); string(p1.Results[0].TitleHTML) != want {
		t.Errorf("title = %s, want %s", p1.Results[0].TitleHTML, want)
	}
}

func TestSearchStopWordsOnly(t *testing.T) {
	e := newEnv(t)
	res, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "le la de"})
	if err != nil || !res.Query.Empty() || len(res.Results) != 0 {
		t.Fatalf("stop words only: %+v, %v", res, err)
	}
}
