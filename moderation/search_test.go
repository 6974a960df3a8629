package moderation_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

// found returns the ids of the posts a search finds, in order.
func (e *env) found(t *testing.T, r forum.SearchRequest) []string {
	t.Helper()
	res, err := e.forum.Search(e.ctx, r)
	if err != nil {
		t.Fatalf("Search(%+v): %v", r, err)
	}
	ids := []string{}
	for _, x := range res.Results {
		ids = append(ids, x.Post.ID)
	}
	return ids
}

func (e *env) wantFound(t *testing.T, query, postID string, want bool) {
	t.Helper()
	got := slices.Contains(e.found(t, forum.SearchRequest{Query: query}), postID)
	if got != want {
		t.Fatalf("search %q finds post %s: %v, want %v", query, postID, got, want)
	}
}

func TestSearchOnlyPublished(t *testing.T) {
	e := newEnv(t)
	writer := e.member(t, "Rédactrice Confirmée", forum.RoleMember, trusted)
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember)

	th, first := e.newThread(t, writer, "centres-appel-citoyens", "Téléphonie et accueil")
	published := e.reply(t, writer, th.ID, "Nous avons migré notre centre d'appels vers la téléphonie IP.")
	pending := e.reply(t, newcomer, th.ID, "Notre centre d'appels attend encore sa migration.")
	rejected := e.reply(t, newcomer, th.ID, "Mon centre d'appels est le meilleur, achetez chez nous !")
	if pending.Status != forum.PostPending || rejected.Status != forum.PostPending {
		t.Fatalf("newcomer posts are %s and %s, want pending", pending.Status, rejected.Status)
	}
	if err := e.mod.Reject(e.ctx, e.moderator, rejected.ID, "Publicité."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "centres d’appel", published.ID, true)
	e.wantFound(t, "centres d’appel", pending.ID, false)
	e.wantFound(t, "centres d’appel", rejected.ID, false)
	e.wantFound(t, "telephonie", first.ID, true) // title hit

	// Approval makes a post findable.
	e.approve(t, pending.ID)
	e.wantFound(t, "centres d’appel", pending.ID, true)

	// A hidden post disappears; restored, it comes back.
	if err := e.mod.Hide(e.ctx, e.moderator, published.ID, "Hors sujet."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "centres d’appel", published.ID, false)
	if err := e.mod.Restore(e.ctx, e.moderator, published.ID); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "centres d’appel", published.ID, true)

	// Hiding the first post hides the thread: its published replies are not found either.
	if err := e.mod.Hide(e.ctx, e.moderator, first.ID, "Fil à revoir."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "centres d’appel", published.ID, false)
	e.wantFound(t, "telephonie", first.ID, false)
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
	e.wantFound(t, "cartographie", first.ID, false)
	e.wantFound(t, "premier message", first.ID, false)
	e.approve(t, first.ID)
	e.wantFound(t, "cartographie", first.ID, true)
	e.wantFound(t, "premier message", first.ID, true)
}

func TestSearchApproveWithEditAndRename(t *testing.T) {
	e := newEnv(t)
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember)
	_, first := e.newThread(t, newcomer, "sig", "Brouillon de titre")
	body, title := "Notre SIG utilise QGIS depuis 2019.", "Passage à QGIS"
	if err := e.mod.Approve(e.ctx, e.moderator, first.ID, &moderation.QueueEdit{Body: &body, Title: &title}); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "premier message", first.ID, false) // the old body is gone
	e.wantFound(t, "utilise 2019", first.ID, true)
	e.wantFound(t, "brouillon", first.ID, false) // the old title is gone
	e.wantFound(t, "passage", first.ID, true)

	renamed := "Migration vers QGIS"
	if _, err := e.mod.UpdateThread(e.ctx, e.moderator, first.ThreadID, moderation.ThreadInput{Title: &renamed}); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "passage", first.ID, false)
	e.wantFound(t, "migrations", first.ID, true)

	// An author's edit re-indexes the post.
	writer := e.member(t, "Rédactrice Confirmée", forum.RoleMember, trusted)
	r := e.reply(t, writer, first.ThreadID, "Nous gardons ArcGIS.")
	e.wantFound(t, "arcgis", r.ID, true)
	if _, err := e.forum.EditPost(e.ctx, writer, r.ID, "Nous passons à MapInfo."); err != nil {
		t.Fatal(err)
	}
	e.wantFound(t, "arcgis", r.ID, false)
	e.wantFound(t, "mapinfo", r.ID, true)
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

	// The title hit comes first although it is the oldest; then by recency.
	got := e.found(t, forum.SearchRequest{Query: "fibre"})
	want := []string{titledFirst.ID, newest.ID, newer.ID}
	if !slices.Equal(got, want) {
		t.Fatalf("ranking = %v, want %v", got, want)
	}
	tests := []struct {
		name string
		r    forum.SearchRequest
		want []string
	}{
		{"theme", forum.SearchRequest{Query: "fibre", Theme: "sig"}, []string{newer.ID}},
		{"authority type", forum.SearchRequest{Query: "fibre", AuthorityType: "region"}, []string{newer.ID}},
		{"author", forum.SearchRequest{Query: "fibre", AuthorID: commune.ID}, []string{titledFirst.ID, newest.ID}},
		{"from", forum.SearchRequest{Query: "fibre", From: t0.AddDate(0, 0, 2)}, []string{newest.ID, newer.ID}},
		{"to", forum.SearchRequest{Query: "fibre", To: t0}, []string{titledFirst.ID}},
		{"from and to", forum.SearchRequest{Query: "fibre", From: t0.AddDate(0, 0, 1), To: t0.AddDate(0, 0, 2)}, []string{newer.ID}},
		{"and", forum.SearchRequest{Query: "fibre mairies"}, []string{titledFirst.ID, newest.ID}},
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
	th, first := e.newThread(t, writer, "reseaux", "Routeurs du siège")
	var replies []string
	for i := 0; i < forum.SearchPerPage+5; i++ {
		e.clock.Advance(time.Minute)
		replies = append(replies, e.reply(t, writer, th.ID, "Un routeur de plus.").ID)
	}
	p1, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "routeur"})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "routeur", Page: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Results) != forum.SearchPerPage || !p1.HasMore || len(p2.Results) != 6 || p2.HasMore {
		t.Fatalf("page 1: %d results, more %v; page 2: %d, more %v", len(p1.Results), p1.HasMore, len(p2.Results), p2.HasMore)
	}
	if p1.Results[0].Post.ID != first.ID || !p1.Results[0].TitleHit || p1.Results[1].Post.ID != replies[len(replies)-1] {
		t.Fatalf("page 1 starts with %s, %s", p1.Results[0].Post.ID, p1.Results[1].Post.ID)
	}
	seen := map[string]bool{}
	for _, r := range append(p1.Results, p2.Results...) {
		if seen[r.Post.ID] {
			t.Fatalf("post %s on both pages", r.Post.ID)
		}
		seen[r.Post.ID] = true
	}
	if string(p1.Results[0].TitleHTML) != "<mark>Routeurs</mark> du siège" {
		t.Errorf("title = %s", p1.Results[0].TitleHTML)
	}
}

func TestSearchStopWordsOnly(t *testing.T) {
	e := newEnv(t)
	res, err := e.forum.Search(e.ctx, forum.SearchRequest{Query: "le la de"})
	if err != nil || !res.Query.Empty() || len(res.Results) != 0 {
		t.Fatalf("stop words only: %+v, %v", res, err)
	}
}
