package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"coterforum/forum"
)

// getLang fetches a page in the given language (the footer switcher's cookie).
func getLang(t *testing.T, c *client, lang, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.ts.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "cf_lang", Value: lang})
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s (%s): %d", path, lang, resp.StatusCode)
	}
	return b.String()
}

// listingItem returns the HTML of the listing entry of the thread.
func listingItem(t *testing.T, page, threadID string) string {
	t.Helper()
	for _, item := range strings.Split(page, `<li class="thread-item">`)[1:] {
		if strings.Contains(item, `href="/threads/`+threadID+`"`) {
			return item[:strings.Index(item, "</li>")]
		}
	}
	t.Fatalf("thread %s is not listed", threadID)
	return ""
}

var spaces = regexp.MustCompile(`\s+`)

// flat is HTML with its runs of white space made one space (the
// typography of another branch may turn some into no-break spaces).
func flat(s string) string { return spaces.ReplaceAllString(strings.ReplaceAll(s, "\u00a0", " "), " ") }

// TestListingShowsRepliesAndLastPoster checks that listings show, in French
// and English, a thread's reply count (published posts but the first) and
// its last poster, linking to the last published post, and that both follow
// moderation (a hidden reply no longer counts).
func TestListingShowsRepliesAndLastPoster(t *testing.T) {
	e := newEnv(t)
	author, apw := e.member(forum.RoleMember, "commune")
	mod, mpw := e.member(forum.RoleModerator, "region")
	ac, mc, anon := e.login(author, apw), e.login(mod, mpw), e.anon()
	tid, first := ac.createThread("reseaux", []string{"commune"}, "Fibre des écoles", "Qui a raccordé ses écoles ?")

	item := flat(listingItem(t, getLang(t, anon, "fr", "/"), tid))
	if !strings.Contains(item, "0 réponse") || !strings.Contains(item, "publié par Camille member") ||
		!strings.Contains(item, `<a href="/posts/`+first+`"><time`) {
		t.Fatalf("a thread without replies is listed as %s", item)
	}
	reply := apiOK(t, mc, "POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Nous, en 2024."})
	modReply := obj(reply, "post")["id"].(string)
	for _, path := range []string{"/", "/themes/reseaux", "/authority-types/commune"} {
		item = flat(listingItem(t, getLang(t, anon, "fr", path), tid))
		if !strings.Contains(item, "1 réponse") || !strings.Contains(item, "dernier message de Camille moderator") ||
			!strings.Contains(item, `<a href="/posts/`+modReply+`"><time`) {
			t.Fatalf("%s: after a reply the thread is listed as %s", path, item)
		}
	}
	reply = apiOK(t, ac, "POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Merci, et le coût ?"})
	last := obj(reply, "post")["id"].(string)
	item = flat(listingItem(t, getLang(t, anon, "en", "/"), tid))
	if !strings.Contains(item, "2 replies") || !strings.Contains(item, "last post by Camille member") ||
		!strings.Contains(item, `<a href="/posts/`+last+`"><time`) {
		t.Fatalf("English listing after two replies: %s", item)
	}
	apiOK(t, mc, "POST", "/api/v1/moderation/posts/"+last+"/hide", map[string]any{"reason": "Hors sujet."})
	item = flat(listingItem(t, getLang(t, anon, "fr", "/"), tid))
	if !strings.Contains(item, "1 réponse") || !strings.Contains(item, "dernier message de Camille moderator") ||
		!strings.Contains(item, `<a href="/posts/`+modReply+`"><time`) {
		t.Fatalf("after hiding the last reply the thread is listed as %s", item)
	}
}

// TestPostsAreNumbered checks the "#n" of each post, a link to its
// permalink: numbers follow creation order over all the thread's posts, so
// hiding a post shifts none of the others, readers and moderators see the
// same number on a post, and they run on across pages.
func TestPostsAreNumbered(t *testing.T) {
	e := newEnv(t)
	author, apw := e.member(forum.RoleMember, "commune")
	mod, mpw := e.member(forum.RoleModerator, "region")
	ac, mc, anon := e.login(author, apw), e.login(mod, mpw), e.anon()
	tid, first := ac.createThread("sig", []string{"commune"}, "Cadastre et PLU", "Quel outil pour le PLU ?")
	ids := []string{first}
	for i := 2; i <= forum.PostsPerPage+3; i++ {
		out := apiOK(t, mc, "POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": fmt.Sprintf("Réponse numéro %d.", i)})
		ids = append(ids, obj(out, "post")["id"].(string))
	}
	apiOK(t, mc, "POST", "/api/v1/moderation/posts/"+ids[1]+"/hide", map[string]any{"reason": "Doublon."})
	number := func(id string, n int) string {
		return `<a class="post-number" href="/posts/` + id + `">#` + fmt.Sprint(n) + `<`
	}
	// Anonymous readers: page 1 holds #1, #3…#21 (#2 is hidden), page 2 #22 and #23.
	page1 := getLang(t, anon, "fr", "/threads/"+tid)
	for i, id := range ids[:21] {
		if has := strings.Contains(page1, number(id, i+1)); has != (i != 1) {
			t.Fatalf("reader, page 1: post %d numbered %v\n%s", i+1, has, page1)
		}
	}
	if !strings.Contains(page1, `#1<span class="visually-hidden"> (lien permanent)</span>`) {
		t.Fatal("the number's link does not say it is a permanent link")
	}
	page2 := getLang(t, anon, "en", "/threads/"+tid+"?page=2")
	for i, id := range ids[21:] {
		if !strings.Contains(page2, number(id, 22+i)) {
			t.Fatalf("reader, page 2: no #%d\n%s", 22+i, page2)
		}
	}
	if !strings.Contains(page2, `#22<span class="visually-hidden"> (permanent link)</span>`) {
		t.Fatal("English page 2: the number's link is not translated")
	}
	// A moderator sees every post: the hidden one keeps its #2, page 2
	// starts at #21.
	modPage := getLang(t, mc, "fr", "/threads/"+tid)
	if !strings.Contains(modPage, number(ids[1], 2)) || !strings.Contains(modPage, number(ids[2], 3)) {
		t.Fatal("moderator: the hidden post is not #2 or the next not #3")
	}
	modPage2 := getLang(t, mc, "fr", "/threads/"+tid+"?page=2")
	if !strings.Contains(modPage2, number(ids[20], 21)) || !strings.Contains(modPage2, number(ids[22], 23)) {
		t.Fatal("moderator page 2: not #21…#23")
	}
	// The permalink leads to the post's page and anchor.
	st, _, resp := anon.get("/posts/" + ids[22])
	if st != http.StatusFound || resp.Header.Get("Location") != "/threads/"+tid+"?page=2#post-"+ids[22] {
		t.Fatalf("permalink of #23: %d %s", st, resp.Header.Get("Location"))
	}
}
