package server_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
)

// atomDoc is what the tests read of an Atom 1.0 feed.
type atomDoc struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLinkT `xml:"link"`
	Authors []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID        string      `xml:"id"`
		Title     string      `xml:"title"`
		Updated   string      `xml:"updated"`
		Published string      `xml:"published"`
		Links     []atomLinkT `xml:"link"`
		Author    struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

type atomLinkT struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

func linkRel(links []atomLinkT, rel string) string {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// feed fetches and parses a feed, checking the Atom 1.0 required elements.
func (c *client) feed(path string, header ...string) *atomDoc {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.e.ts.URL+path, nil)
	if len(header) == 2 {
		req.Header.Set(header[0], header[1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		c.t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	var doc atomDoc
	dec := xml.NewDecoder(resp.Body)
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		c.t.Fatalf("GET %s: not well-formed Atom: %v", path, err)
	}
	base := c.e.ts.URL
	abs := func(what, u string) {
		c.t.Helper()
		if !strings.HasPrefix(u, base+"/") {
			c.t.Errorf("%s: %s is not an absolute forum URL: %q", path, what, u)
		}
	}
	date := func(what, v string) {
		c.t.Helper()
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			c.t.Errorf("%s: %s is not an RFC 3339 date: %q", path, what, v)
		}
	}
	if doc.ID == "" || doc.Title == "" {
		c.t.Errorf("%s: feed id %q, title %q", path, doc.ID, doc.Title)
	}
	date("feed updated", doc.Updated)
	abs("rel=self", linkRel(doc.Links, "self"))
	abs("rel=alternate", linkRel(doc.Links, "alternate"))
	if !strings.HasSuffix(linkRel(doc.Links, "self"), path) {
		c.t.Errorf("%s: rel=self %q", path, linkRel(doc.Links, "self"))
	}
	if len(doc.Authors) != 1 || doc.Authors[0].Name == "" {
		c.t.Errorf("%s: feed author %+v", path, doc.Authors)
	}
	for i, en := range doc.Entries {
		if en.ID == "" || en.Title == "" || en.Author.Name == "" || en.Content.Type != "html" {
			c.t.Errorf("%s: entry %d lacks a required element: %+v", path, i, en)
		}
		date("entry updated", en.Updated)
		date("entry published", en.Published)
		abs("entry link", linkRel(en.Links, "alternate"))
		if !strings.Contains(linkRel(en.Links, "alternate"), "/posts/") {
			c.t.Errorf("%s: entry link is not a post permalink: %q", path, linkRel(en.Links, "alternate"))
		}
		if i > 0 && en.Published > doc.Entries[i-1].Published {
			c.t.Errorf("%s: entries not newest first", path)
		}
	}
	return &doc
}

func (d *atomDoc) text() string {
	var b strings.Builder
	for _, en := range d.Entries {
		b.WriteString(en.Title + "\n" + en.Content.Body + "\n")
	}
	return b.String()
}

func TestFeedsShowOnlyPublishedPosts(t *testing.T) {
	e := newEnv(t)
	author, pw := e.member(forum.RoleMember, "commune")
	a := e.login(author, pw)
	newbie, npw := e.newcomer("region")
	n := e.login(newbie, npw)
	modm, mpw := e.member(forum.RoleModerator, "commune")
	mod := e.login(modm, mpw)

	tid, _ := a.createThread("reseaux", []string{"commune"}, "Fibre noire entre deux sites", "Premier message publiemotunique.")
	if st, out := a.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Réponse visible repliquevisible."}); st != 201 {
		t.Fatalf("reply: %d %v", st, out)
	}
	_, out := n.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Réponse en attente attentemotunique."})
	if out["post"].(map[string]any)["status"] != "pending" {
		t.Fatalf("newcomer reply should be pending: %v", out)
	}
	_, out = a.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Réponse bientôt masquée masquemotunique."})
	hidden := out["post"].(map[string]any)["id"].(string)
	if st, out := mod.api("POST", "/api/v1/moderation/posts/"+hidden+"/hide", map[string]any{"reason": "Hors sujet"}); st != 200 {
		t.Fatalf("hide: %d %v", st, out)
	}
	// A pending thread: its first post must not appear anywhere.
	pendingThread, _ := n.createThread("reseaux", []string{"region"}, "Fil en attente de relecture", "Contenu filattentemotunique.")
	// Another theme and authority type.
	a.createThread("sig", []string{"departement"}, "Cadastre et SIG départemental", "Message sigmotunique.")

	anon := e.anon()
	for _, path := range []string{"/feed.atom", "/themes/reseaux/feed.atom", "/themes/reseaux/feed.atom?authority_type=commune",
		"/authority-types/commune/feed.atom", "/threads/" + tid + "/feed.atom"} {
		doc := anon.feed(path)
		txt := doc.text()
		for _, word := range []string{"publiemotunique", "repliquevisible"} {
			if !strings.Contains(txt, word) {
				t.Errorf("%s: published post %q missing", path, word)
			}
		}
		for _, word := range []string{"attentemotunique", "masquemotunique", "filattentemotunique"} {
			if strings.Contains(txt, word) {
				t.Errorf("%s: shows %q, which is not published", path, word)
			}
		}
		if (path == "/feed.atom") != strings.Contains(txt, "sigmotunique") {
			t.Errorf("%s: the SIG thread should be in the global feed only", path)
		}
		if len(doc.Entries) != 2 && path != "/feed.atom" {
			t.Errorf("%s: want 2 entries, got %d", path, len(doc.Entries))
		}
		var titles []string
		for _, en := range doc.Entries {
			titles = append(titles, en.Title)
		}
		if !strings.Contains(strings.Join(titles, "|"), "Re\u00a0: Fibre noire entre deux sites|Fibre noire entre deux sites") {
			t.Errorf("%s: titles %q", path, titles)
		}
	}
	// The thread feed's title and links.
	doc := anon.feed("/threads/" + tid + "/feed.atom")
	if doc.Title != "coterforum — Fibre noire entre deux sites" || linkRel(doc.Links, "alternate") != e.ts.URL+"/threads/"+tid {
		t.Fatalf("thread feed: title %q, alternate %q", doc.Title, linkRel(doc.Links, "alternate"))
	}
	if doc.Lang != "fr" || !strings.HasPrefix(doc.Entries[0].ID, e.ts.URL+"/posts/") {
		t.Fatalf("thread feed: lang %q, entry id %q", doc.Lang, doc.Entries[0].ID)
	}
	// English when asked in English.
	doc = anon.feed("/threads/"+tid+"/feed.atom", "Accept-Language", "en")
	if doc.Lang != "en" || doc.Entries[0].Title != "Re: Fibre noire entre deux sites" {
		t.Fatalf("English feed: lang %q, first title %q", doc.Lang, doc.Entries[0].Title)
	}
	doc = anon.feed("/themes/reseaux/feed.atom?authority_type=commune", "Accept-Language", "en")
	if doc.Title != "coterforum — Networks · Municipalities" {
		t.Fatalf("English theme × type feed title %q", doc.Title)
	}

	// Unknown targets and a pending thread: 404, even for its author.
	for _, path := range []string{"/themes/inconnu/feed.atom", "/authority-types/inconnu/feed.atom",
		"/themes/reseaux/feed.atom?authority_type=inconnu", "/threads/" + forum.NewID() + "/feed.atom",
		"/threads/pas-un-id/feed.atom", "/threads/" + pendingThread + "/feed.atom"} {
		if st, _, _ := anon.get(path); st != http.StatusNotFound {
			t.Errorf("anonymous %s: want 404, got %d", path, st)
		}
	}
	if st, _, _ := n.get("/threads/" + pendingThread + "/feed.atom"); st != http.StatusNotFound {
		t.Errorf("author of the pending thread: want 404 for its feed, got %d", st)
	}
}

func TestFeedIsWellFormedWithMarkupInTitles(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	title := `Migration <IPv6> & "double pile" ]]> d'abord : oui`
	tid, _ := c.createThread("reseaux", []string{"commune"}, title, "Corps avec <b>balise</b> & \"guillemets\" ]]>.")
	if st, out := c.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Une *réponse* & <i>suite</i>."}); st != 201 {
		t.Fatalf("reply: %d %v", st, out)
	}
	anon := e.anon()
	doc := anon.feed("/threads/" + tid + "/feed.atom")
	if doc.Title != "coterforum — "+title || doc.Entries[1].Title != title || doc.Entries[0].Title != "Re\u00a0: "+title {
		t.Fatalf("titles not kept as text: feed %q, entries %q, %q", doc.Title, doc.Entries[0].Title, doc.Entries[1].Title)
	}
	if !strings.Contains(doc.Entries[0].Content.Body, "<em>réponse</em> &amp;") {
		t.Fatalf("content is not the post's HTML: %q", doc.Entries[0].Content.Body)
	}
	// The pages link their feeds in <head> and visibly.
	for path, feed := range map[string]string{
		"/":                                      "/feed.atom",
		"/themes/reseaux":                        "/themes/reseaux/feed.atom",
		"/themes/reseaux?authority_type=commune": "/themes/reseaux/feed.atom?authority_type=commune",
		"/authority-types/commune":               "/authority-types/commune/feed.atom",
		"/threads/" + tid:                        "/threads/" + tid + "/feed.atom",
	} {
		_, body, _ := anon.get(path)
		head := body[:strings.Index(body, "</head>")]
		esc := strings.ReplaceAll(feed, "&", "&amp;")
		if !strings.Contains(head, `<link rel="alternate" type="application/atom+xml"`) || !strings.Contains(head, `href="`+esc+`"`) {
			t.Errorf("%s: no <link rel=alternate> to %s in <head>", path, feed)
		}
		if !strings.Contains(body, `<a href="`+esc+`" type="application/atom+xml">Flux Atom`) {
			t.Errorf("%s: no visible feed link", path)
		}
	}
}

func TestEmptyFeedIsValid(t *testing.T) {
	e := newEnv(t)
	doc := e.anon().feed("/authority-types/region/feed.atom")
	if len(doc.Entries) != 0 || doc.Updated == "" {
		t.Fatalf("empty feed: %d entries, updated %q", len(doc.Entries), doc.Updated)
	}
}

// TestFeedWidensPastBusyThreads builds the case where the most recently
// active threads do not hold the newest posts: 2×30+1 threads whose last
// activity is a reply hidden since, and one newer thread without replies
// that ranks below them all. Its post is the newest published one and must
// head the feed.
func TestFeedWidensPastBusyThreads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author, _ := e.member(forum.RoleMember, "commune")
	mod, _ := e.member(forum.RoleModerator, "commune")
	busy := make([]string, 2*forum.FeedEntries+1)
	for i := range busy {
		th, _, err := e.svc.CreateThread(ctx, author, forum.NewThreadInput{Theme: "reseaux", Title: fmt.Sprintf("Fil animé %d", i), Body: "Ouverture."})
		if err != nil {
			t.Fatal(err)
		}
		busy[i] = th.ID
	}
	quiet, _, err := e.svc.CreateThread(ctx, author, forum.NewThreadInput{Theme: "reseaux", Title: "Fil calme mais récent", Body: "calmemotunique"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range busy {
		p, err := e.svc.Reply(ctx, author, id, "Réponse masquée ensuite.")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.mod.Hide(ctx, mod, p.ID, "Hors sujet"); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/feed.atom", "/themes/reseaux/feed.atom"} {
		doc := e.anon().feed(path)
		if len(doc.Entries) != forum.FeedEntries {
			t.Fatalf("%s: want %d entries, got %d", path, forum.FeedEntries, len(doc.Entries))
		}
		if !strings.Contains(doc.Entries[0].Content.Body, "calmemotunique") || doc.Entries[0].ID != e.ts.URL+"/posts/"+quiet.FirstPostID {
			t.Fatalf("%s: the newest post (thread %s) is not first: %q", path, quiet.ID, doc.Entries[0].Title)
		}
		if strings.Contains(doc.text(), "Réponse masquée") {
			t.Fatalf("%s: shows a hidden reply", path)
		}
	}
}

// TestFeedEntriesChangeOnErasure checks that the entries of an erased
// member's posts get a new <updated>, so that feed readers fetch them again
// without the name (or the removed body).
func TestFeedEntriesChangeOnErasure(t *testing.T) {
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "region")
	m, pw := e.newcomer("commune")
	rename(t, e, m, "Dominique Effacée")
	mc, modc := e.login(m, pw), e.login(mod, mpw)
	threadID, firstID := mc.createThread("reseaux", nil, "Supervision des liens WAN", "Nous utilisons **Zabbix**.")
	if status, out := modc.api("POST", "/api/v1/moderation/posts/"+firstID+"/approve", nil); status != 200 {
		t.Fatalf("approve: %d %v", status, out)
	}
	anon := e.anon()
	before := anon.feed("/threads/" + threadID + "/feed.atom")
	if len(before.Entries) != 1 || before.Entries[0].Author.Name != "Dominique Effacée" {
		t.Fatalf("feed before erasure: %+v", before.Entries)
	}
	time.Sleep(1100 * time.Millisecond) // <updated> counts seconds
	if status, out := mc.api("DELETE", "/api/v1/account", map[string]any{"password": pw, "posts": "remove"}); status != 200 {
		t.Fatalf("delete: %d %v", status, out)
	}
	after := anon.feed("/threads/" + threadID + "/feed.atom")
	if len(after.Entries) != 1 || after.Entries[0].Author.Name == "Dominique Effacée" || strings.Contains(after.text(), "Zabbix") {
		t.Fatalf("feed after erasure: %+v", after.Entries)
	}
	if after.Entries[0].Updated <= before.Entries[0].Updated || after.Updated <= before.Updated {
		t.Fatalf("entry updated %s then %s, feed %s then %s: readers keep the old entry",
			before.Entries[0].Updated, after.Entries[0].Updated, before.Updated, after.Updated)
	}
}
