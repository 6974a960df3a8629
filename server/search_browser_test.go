package server_test

import (
	"strings"
	"testing"

	"coterforum/forum"
	"coterforum/internal/browsertest"
)

// TestSearchPagesHaveNoAxeViolations audits the search results (with
// highlighted words and pagination), the "précisez votre recherche" page
// and the refused query, in light and dark colour schemes.
func TestSearchPagesHaveNoAxeViolations(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	member, pw := e.member(forum.RoleMember, "commune")
	api := e.login(member, pw)
	s := browserSeedThread(t, api, api)
	for range forum.SearchPerPage {
		if status, out := api.api("POST", "/api/v1/threads/"+s.threadID+"/posts", map[string]any{"body": "La fibre noire, encore."}); status != 201 {
			t.Fatalf("reply: %d %v", status, out)
		}
	}
	b := browsertest.New(t)
	ctx := b.Ctx()
	base := e.ts.URL
	for _, scheme := range []string{"light", "dark"} {
		brColorScheme(t, ctx, scheme)
		for _, p := range []struct {
			name, path string
			status     int64
		}{
			{"résultats de recherche", "/search?q=fibre+noire", 200},
			{"résultats, page 2", "/search?q=fibre+noire&page=2", 200},
			{"recherche filtrée", "/search?q=fibre&theme=reseaux&authority_type=commune&from=2020-01-01", 200},
			{"recherche sans mot significatif", "/search?q=le+la+de", 200},
			{"recherche sans résultat", "/search?q=satellite", 200},
			{"recherche trop longue", "/search?q=a" + strings.Repeat("x", 300), 400},
		} {
			brVisit(t, ctx, base+p.path, p.status)
			// The browser may ask for English: either heading is the search page's.
			if h1 := brText(t, ctx, "h1"); h1 != "Rechercher dans le forum" && h1 != "Search the forum" {
				t.Fatalf("%s: heading %q", p.name, h1)
			}
			brAudit(t, b, ctx, p.name+" ("+scheme+")", "")
		}
		if n := brEval[int](t, ctx, "document.querySelectorAll('mark').length"); n != 0 {
			t.Fatalf("the refused query page shows %d marks", n)
		}
	}
	brVisit(t, ctx, base+"/search?q=fibre+noire", 200)
	if n := brEval[int](t, ctx, "document.querySelectorAll('ol.search-results > li mark').length"); n == 0 {
		t.Fatal("no highlighted word in the results")
	}
}
