package server_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestFrenchTypographyOfUserText checks issue 12 item 5 over HTTP: a
// French thread page shows no-break spaces in the title, the body (not in
// its code), the dates and the search results; the stored source is
// unchanged, the edit form shows it as written, and the English page, served
// after the French one from the same render cache, has none.
func TestFrenchTypographyOfUserText(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member("member", "commune")
	c := e.login(m, pw)
	title := "Quel routeur choisir ? Budget : 10 000 €"
	body := "Panne à 16 h 20 ; voir https://exemple.fr/a?b=c et `a ? b : c` ! Merci :)"
	threadID, postID := c.createThread("reseaux", []string{"commune"}, title, body)

	status, page, _ := e.anon().get("/threads/" + threadID)
	if status != http.StatusOK {
		t.Fatalf("thread page: %d", status)
	}
	for _, want := range []string{
		"Quel routeur choisir\u202f? Budget\u00a0: 10\u00a0000\u00a0€", // title
		"Panne à 16\u00a0h\u00a020\u202f; voir",                        // body
		"<code>a ? b : c</code>",                                       // code untouched
		`href="https://exemple.fr/a?b=c"`,                              // link untouched
		"Merci :)",                                                     // emoticon untouched
	} {
		if !strings.Contains(page, want) {
			t.Errorf("French page lacks %q", want)
		}
	}
	// In text (attribute values, such as the feed link's title, keep the source).
	if regexp.MustCompile(`>[^<]*(choisir \?|16 h 20)`).MatchString(page) {
		t.Error("French page still has breaking spaces in user text")
	}
	if !regexp.MustCompile(`<time[^>]*>[^<]*\d\x{a0}h\x{a0}\d\d</time>`).MatchString(page) {
		t.Error("French page: no date with no-break spaces (“14 h 05”)")
	}

	// Search results and the edit form.
	_, results, _ := e.anon().get("/search?q=routeur")
	if !strings.Contains(results, "choisir\u202f?") || !strings.Contains(results, "(1\u00a0discussion)") {
		t.Errorf("French search results without typography:\n%s", results)
	}
	_, edit, _ := c.get("/posts/" + postID + "/edit")
	if !strings.Contains(edit, "Panne à 16 h 20 ; voir") {
		t.Errorf("edit form does not show the source as written:\n%s", edit)
	}

	// The stored text is unchanged.
	p, err := e.st.PostByID(context.Background(), postID)
	if err != nil {
		t.Fatal(err)
	}
	th, err := e.st.ThreadByID(context.Background(), threadID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != body || th.Title != title || strings.ContainsAny(p.HTML, "\u00a0\u202f") {
		t.Fatalf("stored text changed: %q, %q, %q", th.Title, p.Source, p.HTML)
	}
	status, api := e.anon().api("GET", "/api/v1/threads/"+threadID, nil)
	if thread, _ := api["thread"].(map[string]any); status != 200 || thread["title"] != title {
		t.Fatalf("API title: %d %v", status, api["thread"])
	}

	// The English page, after the French one was cached.
	req, _ := http.NewRequest("GET", e.ts.URL+"/threads/"+threadID, nil)
	req.Header.Set("Accept-Language", "en")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	en, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(en), "Quel routeur choisir ? Budget : 10 000 €") ||
		!strings.Contains(string(en), "Panne à 16 h 20 ; voir") || strings.Contains(string(en), "\u202f") {
		t.Fatalf("English page: %d, typography applied or title missing", resp.StatusCode)
	}
}
