package server

import (
	"net/http"
	"net/url"
	"strconv"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

// pageParam reads ?page=, 1 when absent; a bad value is a 400.
func pageParam(c echo.Context) (int, error) {
	v := c.QueryParam("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > forum.MaxPage {
		return 0, forum.Invalid("page", "page_invalid", "Le numéro de page doit être un entier entre 1 et 10000.")
	}
	return n, nil
}

type listView struct {
	Layout
	Heading       string
	Intro         string
	Theme         *forum.Theme
	AuthorityType *forum.AuthorityType
	FilterTheme   string
	FilterType    string
	List          *forum.ThreadList
	BaseURL       string // the listing's path, for pagination and filters
	FilterParam   string // "authority_type" on theme pages, "theme" on authority pages
	Feed          feedLink
	// Unread marks the listed threads with posts the viewer has not read
	// (per viewer; nil for anonymous readers).
	Unread map[string]bool
}

// PrevURL and NextURL are the pagination links.
func (v *listView) PrevURL() string { return v.pageURL(v.List.Page - 1) }

// NextURL is the link to the next page.
func (v *listView) NextURL() string { return v.pageURL(v.List.Page + 1) }

func (v *listView) pageURL(n int) string {
	u := v.BaseURL + "?page=" + strconv.Itoa(n)
	switch {
	case v.FilterParam == "authority_type" && v.FilterType != "":
		u += "&authority_type=" + urlQueryEscape(v.FilterType)
	case v.FilterParam == "theme" && v.FilterTheme != "":
		u += "&theme=" + urlQueryEscape(v.FilterTheme)
	}
	return u
}

// The read pages go through servePage (pagecache.go): 304 from the
// versions, anonymous pages from the render cache, the data from the
// forum's read cache.

func (s *Server) homePage(c echo.Context) error {
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	spec := cacheSpec{id: "home?" + strconv.Itoa(page), keys: []forum.Key{forum.KeyHome}, viewerKeys: s.readsKeys(c)}
	return s.servePage(c, spec, func() (string, view, error) {
		list, err := s.svc.Threads(c.Request().Context(), forum.ThreadQuery{Page: page})
		if err != nil {
			return "", nil, err
		}
		v := &listView{Layout: Layout{Title: "Derniers fils"}, Heading: "Derniers fils de discussion", List: list, BaseURL: "/",
			Feed: s.allFeedLink(c)}
		v.Unread = s.unreadMarks(c, list)
		return "home.html", v, nil
	})
}

func (s *Server) themePage(c echo.Context) error {
	slug := c.Param("slug")
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	at := c.QueryParam("authority_type")
	spec := cacheSpec{id: "theme/" + slug + "?" + strconv.Itoa(page) + "&" + at, keys: []forum.Key{forum.ThemeListingKey(slug)},
		viewerKeys: s.readsKeys(c)}
	return s.servePage(c, spec, func() (string, view, error) {
		ctx := c.Request().Context()
		th, err := s.svc.Theme(ctx, slug)
		if err != nil {
			return "", nil, err
		}
		list, err := s.svc.Threads(ctx, forum.ThreadQuery{Theme: th.Slug, AuthorityType: at, Page: page})
		if err != nil {
			return "", nil, err
		}
		lang := string(language(c))
		v := &listView{Layout: Layout{Title: th.Name(lang)}, Heading: th.Name(lang), Intro: th.Description, Theme: th,
			FilterType: at, List: list, BaseURL: "/themes/" + th.Slug, FilterParam: "authority_type"}
		v.Feed = s.themeFeedLink(c, th, at)
		v.Unread = s.unreadMarks(c, list)
		return "listing.html", v, nil
	})
}

func (s *Server) authorityPage(c echo.Context) error {
	slug := c.Param("slug")
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	theme := c.QueryParam("theme")
	spec := cacheSpec{id: "authority/" + slug + "?" + strconv.Itoa(page) + "&" + theme, keys: []forum.Key{forum.AuthorityListingKey(slug)},
		viewerKeys: s.readsKeys(c)}
	return s.servePage(c, spec, func() (string, view, error) {
		ctx := c.Request().Context()
		at, err := s.svc.AuthorityType(ctx, slug)
		if err != nil {
			return "", nil, err
		}
		list, err := s.svc.Threads(ctx, forum.ThreadQuery{Theme: theme, AuthorityType: at.Slug, Page: page})
		if err != nil {
			return "", nil, err
		}
		lang := language(c)
		plural := i18n.T(lang, at.Plural)
		v := &listView{Layout: Layout{Title: plural}, Heading: i18n.Tf(lang, "%s : tous les thèmes", plural),
			Intro: i18n.Tf(lang, "Les fils qui concernent les %s, tous thèmes confondus.", lowerFirst(plural)), AuthorityType: at,
			FilterTheme: theme, List: list, BaseURL: "/authority-types/" + at.Slug, FilterParam: "theme"}
		v.Feed = s.authorityFeedLink(c, at)
		v.Unread = s.unreadMarks(c, list)
		return "listing.html", v, nil
	})
}

func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 && r[0] >= 'A' && r[0] <= 'Z' {
		r[0] += 'a' - 'A'
	}
	if len(r) > 0 && r[0] == 'É' {
		r[0] = 'é'
	}
	return string(r)
}

type threadView struct {
	Layout
	Thread   *forum.Thread
	Posts    *forum.PostPage
	CanReply bool
	CanWrite bool
	Form     postForm
	Feed     feedLink
	// Attachments are the files of the posts shown, by post id.
	Attachments map[string][]forum.Attachment
	// Numbers are the posts' numbers in their thread, by id (forum/numbering.go).
	Numbers map[string]int
}

// PageURL returns the link to page n of the thread.
func (v *threadView) PageURL(n int) string {
	if n <= 1 {
		return "/threads/" + v.Thread.ID
	}
	return "/threads/" + v.Thread.ID + "?page=" + strconv.Itoa(n)
}

// CanEdit reports whether the viewer may edit the post.
func (v *threadView) CanEdit(p forum.Post) bool {
	m := v.Viewer
	if m == nil || !v.CanWrite || p.Status == forum.PostRejected || p.Status == forum.PostHidden {
		return false
	}
	if m.IsModerator() {
		return true
	}
	return p.Author.ID == m.ID && !v.Thread.Locked
}

func (s *Server) threadPage(c echo.Context) error {
	id := c.Param("id")
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	spec := cacheSpec{id: "thread/" + id + "?" + strconv.Itoa(page), keys: []forum.Key{forum.ThreadKey(id)}}
	return s.servePage(c, spec, func() (string, view, error) {
		m := viewer(c)
		th, posts, err := s.svc.ThreadPage(c.Request().Context(), m, id, page)
		if err != nil {
			return "", nil, err
		}
		if page > posts.Pages {
			return "", nil, forum.ErrNotFound
		}
		numbers, err := s.svc.PostNumbers(c.Request().Context(), th.ID, posts.Posts)
		if err != nil {
			return "", nil, err
		}
		canWrite := s.svc.CanWrite(m) == nil
		v := &threadView{Layout: Layout{Title: th.Title}, Thread: th, Posts: posts, CanWrite: canWrite, Numbers: numbers,
			CanReply: canWrite && th.Status == forum.ThreadPublished && (!th.Locked || m.IsModerator())}
		if th.Status == forum.ThreadPublished {
			v.Feed = s.threadFeedLink(th)
		}
		if v.Attachments, err = s.svc.PostAttachments(c.Request().Context(), postIDs(posts.Posts)); err != nil {
			return "", nil, err
		}
		s.markRead(c, th, posts.Posts, posts.Page >= posts.Pages)
		return "thread.html", v, nil
	})
}

// postPermalink sends to the page of the thread that shows the post.
func (s *Server) postPermalink(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	p, err := s.svc.Post(ctx, m, c.Param("id"))
	if err != nil {
		return err
	}
	n, err := s.svc.PostPageNumber(ctx, m, p)
	if err != nil {
		return err
	}
	q := url.Values{}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if _, ok := notices[c.QueryParam("notice")]; ok {
		q.Set("notice", c.QueryParam("notice"))
	}
	u := "/threads/" + p.ThreadID
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.Redirect(http.StatusFound, u+"#post-"+p.ID)
}

// SubmitLabel is the text of the reply form's main button.
func (v *threadView) SubmitLabel() string { return "Répondre" }
