package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSearchAPI(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member("member", "commune")
	c := e.login(m, pw)
	threadID, firstID := c.createThread("centres-appel-citoyens", []string{"commune"}, "Migration du centre d'appels",
		"Nous avons migré notre **centre d'appels** vers une solution <script>alert(1)</script> hébergée.")
	newcomer, npw := e.newcomer("region")
	nc := e.login(newcomer, npw)
	if status, out := nc.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": "Notre centre d'appels attend."}); status != 201 {
		t.Fatalf("pending reply: %d %v", status, out)
	}

	a := e.anon()
	status, out := a.api("GET", "/api/v1/search?q="+url.QueryEscape("centres d’appel"), nil)
	if status != http.StatusOK {
		t.Fatalf("search: %d %v", status, out)
	}
	results, _ := out["results"].([]any)
	if len(results) != 1 || out["page"] != float64(1) || out["has_more"] != false {
		t.Fatalf("search: %v", out)
	}
	r := results[0].(map[string]any)
	if r["post_id"] != firstID || r["thread_id"] != threadID || r["title"] != "Migration du centre d'appels" || r["theme"] != "centres-appel-citoyens" {
		t.Fatalf("result: %v", r)
	}
	if author, _ := r["author"].(map[string]any); author["id"] != m.ID {
		t.Fatalf("author: %v", r["author"])
	}
	ex, _ := r["excerpt_html"].(string)
	if !strings.Contains(ex, "<mark>centre</mark> d&#39;<mark>appels</mark>") || strings.Contains(ex, "<script>") {
		t.Fatalf("excerpt_html: %s", ex)
	}
	if _, err := time.Parse(time.RFC3339, r["published_at"].(string)); err != nil {
		t.Fatalf("published_at: %v", r["published_at"])
	}

	// Filters.
	for q, want := range map[string]int{
		"q=appels&theme=centres-appel-citoyens":  1,
		"q=appels&theme=sig":                     0,
		"q=appels&authority_type=commune":        1,
		"q=appels&authority_type=region":         0,
		"q=appels&author=" + m.ID:                1,
		"q=appels&author=" + newcomer.ID:         0,
		"q=appels&from=2000-01-01&to=2999-12-31": 1,
		"q=appels&to=2000-01-01":                 0,
	} {
		status, out := a.api("GET", "/api/v1/search?"+q, nil)
		if results, _ := out["results"].([]any); status != 200 || len(results) != want {
			t.Errorf("%s: %d, %d results, want %d (%v)", q, status, len(results), want, out)
		}
	}
}

func TestSearchAPIBadInput(t *testing.T) {
	e := newEnv(t)
	a := e.anon()
	long := strings.Repeat("réseau ", 1500) // over 10 000 characters
	start := time.Now()
	status, out := a.api("GET", "/api/v1/search?q="+url.QueryEscape(long), nil)
	if status != http.StatusBadRequest || errCode(out) != "query_too_long" || !strings.Contains(errMessage(out), "200") {
		t.Fatalf("long query: %d %v", status, out)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("long query answered in %v", d)
	}
	for _, q := range []string{".*(a+)+$", `{"$ne":1}`, `{"$where":"sleep(1000)"}`, "[a-z", `\`, "le la de"} {
		status, out := a.api("GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
		if status != http.StatusOK {
			t.Errorf("q=%s: %d %v", q, status, out)
		}
	}
	if _, out := a.api("GET", "/api/v1/search?q=le+la", nil); out["notice"] == nil {
		t.Errorf("stop words only: no notice: %v", out)
	}
	for q, code := range map[string]string{
		"q=x&theme=nope":                             "theme_unknown",
		"q=x&authority_type=nope":                    "authority_type_unknown",
		"q=x&author[$ne]=1":                          "",
		"q=x&author=" + url.QueryEscape(`{"$ne":1}`): "author_invalid",
		"q=x&from=hier":                              "date_invalid",
		"q=x&from=2026-02-01&to=2026-01-01":          "dates_reversed",
		"q=x&page=0":                                 "page_invalid",
	} {
		status, out := a.api("GET", "/api/v1/search?"+q, nil)
		if code == "" {
			if status != http.StatusOK {
				t.Errorf("%s: %d %v", q, status, out)
			}
			continue
		}
		if status != http.StatusBadRequest || errCode(out) != code {
			t.Errorf("%s: %d %v, want 400 %s", q, status, out, code)
		}
	}
}

func TestSearchPage(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member("member", "commune")
	c := e.login(m, pw)
	threadID, firstID := c.createThread("reseaux", []string{"commune"}, "Nos réseaux <b>fibre</b>", "La fibre relie toutes les écoles.")
	status, out := c.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": "Le réseau fibre des collèges suit."})
	if status != 201 {
		t.Fatalf("reply: %d %v", status, out)
	}
	replyID, _ := out["post"].(map[string]any)["id"].(string)
	c.createThread("reseaux", []string{"commune"}, "Câblage des collèges", "Le réseau d'abord, la fibre ensuite.")
	a := e.anon()

	// Each thread once, with the count (issue 12).
	status, body, _ := a.get("/search?q=" + url.QueryEscape("réseau fibre"))
	// The excerpt is the post that holds the most words: the reply.
	if !strings.Contains(body, `href="/posts/`+replyID+`"`) {
		t.Fatalf("best excerpt: not the reply %s\n%s", replyID, body)
	}
	if status != http.StatusOK || strings.Count(body, `<li class="search-result">`) != 2 || !strings.Contains(body, "(2\u00a0discussions)") {
		t.Fatalf("grouped results: %d\n%s", status, body)
	}
	status, body, _ = a.get("/search?q=" + url.QueryEscape("écoles collèges"))
	if status != http.StatusOK || strings.Count(body, `<li class="search-result">`) != 1 || !strings.Contains(body, "(1\u00a0discussion)") {
		t.Fatalf("words across the thread's posts: %d\n%s", status, body)
	}
	status, out = a.api("GET", "/api/v1/search?q="+url.QueryEscape("reseau fibre"), nil)
	if results, _ := out["results"].([]any); status != 200 || len(results) != 2 || out["count"] != float64(2) {
		t.Fatalf("API count: %d %v", status, out)
	}

	// The header of every page has the search form.
	_, body, _ = a.get("/")
	if !strings.Contains(body, `<form role="search" action="/search"`) || !strings.Contains(body, `for="site-search-q"`) {
		t.Fatal("no search form in the header")
	}

	status, body, _ = a.get("/search?q=" + url.QueryEscape("RESEAUX écoles"))
	if status != http.StatusOK || !strings.Contains(body, `href="/posts/`+firstID+`"`) ||
		!strings.Contains(body, "Nos <mark>réseaux</mark> &lt;b&gt;fibre&lt;/b&gt;") || !strings.Contains(body, `<ol class="search-results">`) {
		t.Fatalf("results page: %d\n%s", status, body)
	}
	status, body, _ = a.get("/search?q=" + url.QueryEscape(".*(a+)+$"))
	if status != http.StatusOK || strings.Contains(body, "search-results") {
		t.Fatalf("metacharacters: %d", status)
	}
	status, body, _ = a.get("/search?q=le+la+de")
	if status != http.StatusOK || !strings.Contains(body, "Précisez votre recherche") {
		t.Fatalf("stop words: %d\n%s", status, body)
	}
	status, body, _ = a.get("/search?q=satellite")
	if status != http.StatusOK || !strings.Contains(body, "Aucun fil publié ne contient tous ces mots dans son titre et ses messages.") {
		t.Fatalf("no result: %d", status)
	}
	status, body, _ = a.get("/search?q=" + url.QueryEscape(strings.Repeat("x", 10000)))
	if status != http.StatusBadRequest || !strings.Contains(body, "La recherche est trop longue") || strings.Contains(body, strings.Repeat("x", 300)) {
		t.Fatalf("long query page: %d", status)
	}
	status, _, _ = a.get("/search")
	if status != http.StatusOK {
		t.Fatalf("empty search page: %d", status)
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/search?q=reseau", nil)
	req.Header.Set("Accept-Language", "en")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	en, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(en), "(2 discussions)") {
		t.Fatalf("English page: %d\n%s", resp.StatusCode, en)
	}
}
