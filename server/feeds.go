package server

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"time"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

// Atom 1.0 (RFC 4287) documents, written with encoding/xml: gorilla/feeds
// (named in DESIGN.md) gives a feed a single link, so it cannot carry both
// rel="self" and rel="alternate", and writes an empty <updated> for a feed
// without entries.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Gen     string      `xml:"generator,omitempty"`
	Entries []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel   string `xml:"rel,attr"`
	Type  string `xml:"type,attr,omitempty"`
	Href  string `xml:"href,attr"`
	Title string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     atomText   `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Author    atomPerson `xml:"author"`
	Content   atomText   `xml:"content"`
}

// feedEpoch is the updated time of a feed without entries.
var feedEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// feedMeta says what a feed is: its path, its page, its title.
type feedMeta struct {
	Path  string // the feed's path and query, e.g. /themes/reseaux/feed.atom?authority_type=commune
	Page  string // the HTML page it mirrors
	Title string
}

// feedLink is what a page needs to link its feed: <link rel="alternate"> in
// <head> and a visible link.
type feedLink struct {
	URL   string
	Title string
}

func (m feedMeta) link() feedLink { return feedLink{URL: m.Path, Title: m.Title} }

func allFeedMeta(lang i18n.Lang) feedMeta {
	return feedMeta{Path: "/feed.atom", Page: "/", Title: feedTitle(i18n.T(lang, "Tous les messages"))}
}

// themeFeedMeta describes the feed of a theme, crossed with an authority
// type when at is not nil.
func themeFeedMeta(lang i18n.Lang, th *forum.Theme, at *forum.AuthorityType) feedMeta {
	m := feedMeta{Path: "/themes/" + th.Slug + "/feed.atom", Page: "/themes/" + th.Slug, Title: th.Name(string(lang))}
	if at != nil {
		suffix := "?authority_type=" + url.QueryEscape(at.Slug)
		m.Path += suffix
		m.Page += suffix
		m.Title += " · " + i18n.T(lang, at.Plural)
	}
	m.Title = feedTitle(m.Title)
	return m
}

func authorityFeedMeta(lang i18n.Lang, at *forum.AuthorityType) feedMeta {
	return feedMeta{Path: "/authority-types/" + at.Slug + "/feed.atom", Page: "/authority-types/" + at.Slug,
		Title: feedTitle(i18n.T(lang, at.Plural))}
}

func threadFeedMeta(th *forum.Thread) feedMeta {
	return feedMeta{Path: "/threads/" + th.ID + "/feed.atom", Page: "/threads/" + th.ID, Title: feedTitle(th.Title)}
}

func (s *Server) allFeedLink(c echo.Context) feedLink { return allFeedMeta(language(c)).link() }

// themeFeedLink links the feed of a theme page, with its authority-type
// filter (an empty or unknown slug: the whole theme).
func (s *Server) themeFeedLink(c echo.Context, th *forum.Theme, authorityType string) feedLink {
	var at *forum.AuthorityType
	if authorityType != "" {
		at, _ = s.svc.AuthorityType(c.Request().Context(), authorityType)
	}
	return themeFeedMeta(language(c), th, at).link()
}

func (s *Server) authorityFeedLink(c echo.Context, at *forum.AuthorityType) feedLink {
	return authorityFeedMeta(language(c), at).link()
}

func (s *Server) threadFeedLink(th *forum.Thread) feedLink { return threadFeedMeta(th).link() }

func (s *Server) allFeed(c echo.Context) error {
	return s.writeFeed(c, forum.FeedQuery{}, allFeedMeta(language(c)))
}

func (s *Server) themeFeed(c echo.Context) error {
	ctx := c.Request().Context()
	th, err := s.svc.Theme(ctx, c.Param("slug"))
	if err != nil {
		return err
	}
	var at *forum.AuthorityType
	q := forum.FeedQuery{Theme: th.Slug}
	if slug := c.QueryParam("authority_type"); slug != "" {
		if at, err = s.svc.AuthorityType(ctx, slug); err != nil {
			return err
		}
		q.AuthorityType = at.Slug
	}
	return s.writeFeed(c, q, themeFeedMeta(language(c), th, at))
}

func (s *Server) authorityFeed(c echo.Context) error {
	at, err := s.svc.AuthorityType(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return s.writeFeed(c, forum.FeedQuery{AuthorityType: at.Slug}, authorityFeedMeta(language(c), at))
}

func (s *Server) threadFeed(c echo.Context) error {
	// Feeds are anonymous: a thread that is not published has no feed,
	// whoever asks.
	th, err := s.svc.Thread(c.Request().Context(), nil, c.Param("id"))
	if err != nil {
		return err
	}
	return s.writeFeed(c, forum.FeedQuery{ThreadID: th.ID}, threadFeedMeta(th))
}

// feedTitle is the title of a feed about name.
func feedTitle(name string) string { return "coterforum — " + name }

// entryTitle is "Titre du fil" for the post that opened the thread and
// "Re : Titre du fil" for a reply.
func entryTitle(lang i18n.Lang, it forum.FeedItem) string {
	if it.FirstPost() {
		return it.Thread.Title
	}
	// The format alone is translated: French typography must not touch the
	// member's title.
	return fmt.Sprintf(i18n.T(lang, "Re : %s"), it.Thread.Title)
}

// entryUpdated is the last significant change of a post: its creation,
// approval, last edit, or its author's erasure.
func entryUpdated(p forum.Post) time.Time {
	t := p.CreatedAt
	if p.Decision != nil && p.Decision.At.After(t) {
		t = p.Decision.At
	}
	if p.EditedAt != nil && p.EditedAt.After(t) {
		t = *p.EditedAt
	}
	if p.ErasedAt != nil && p.ErasedAt.After(t) {
		t = *p.ErasedAt
	}
	return t
}

// writeFeed answers the Atom feed of the query's latest published posts,
// through the render cache (pagecache.go): 304 from the versions of what it
// shows, the body rendered and compressed once per change and language.
func (s *Server) writeFeed(c echo.Context, q forum.FeedQuery, m feedMeta) error {
	lang := language(c)
	key := forum.ListingKey(q.Theme, q.AuthorityType)
	if q.ThreadID != "" {
		key = forum.ThreadKey(q.ThreadID)
	}
	spec := cacheSpec{id: "feed:" + string(lang) + ":" + q.ThreadID + "|" + q.Theme + "|" + q.AuthorityType,
		keys: []forum.Key{key, forum.KeyTaxonomy}}
	h := c.Response().Header()
	h.Set("Content-Language", string(lang))
	h.Add("Vary", "Accept-Language")
	return s.serveBytes(c, spec, "application/atom+xml; charset=utf-8", func() ([]byte, error) {
		return s.renderFeed(c, q, m)
	})
}

// renderFeed writes the Atom feed of the query's latest published posts.
func (s *Server) renderFeed(c echo.Context, q forum.FeedQuery, m feedMeta) ([]byte, error) {
	items, err := s.svc.FeedItems(c.Request().Context(), q)
	if err != nil {
		return nil, err
	}
	lang := language(c)
	f := atomFeed{Lang: string(lang), ID: s.absURL(m.Path), Title: atomText{Body: m.Title}, Gen: "coterforum",
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: s.absURL(m.Path)},
			{Rel: "alternate", Type: "text/html", Href: s.absURL(m.Page)},
		},
		Author:  atomPerson{Name: "coterforum", URI: s.absURL("/")},
		Entries: make([]atomEntry, 0, len(items)),
	}
	updated := feedEpoch
	for _, it := range items {
		p := it.Post
		permalink := s.absURL("/posts/" + p.ID)
		up := entryUpdated(p)
		if up.After(updated) {
			updated = up
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:        permalink,
			Title:     atomText{Type: "text", Body: entryTitle(lang, it)},
			Updated:   atomTime(up),
			Published: atomTime(p.CreatedAt),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: permalink}},
			Author:    atomPerson{Name: p.Author.NameIn(lang), URI: s.absURL("/members/" + p.Author.ID)},
			Content:   atomText{Type: "html", Body: postHTML(lang, &p)},
		})
	}
	f.Updated = atomTime(updated)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
