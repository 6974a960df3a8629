package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

// searchParams are the search's query parameters, as typed (strings only:
// nothing from the URL reaches a database filter but through forum.Search).
type searchParams struct {
	Q, Theme, AuthorityType, Author, From, To string
}

func readSearchParams(c echo.Context) searchParams {
	return searchParams{Q: c.QueryParam("q"), Theme: c.QueryParam("theme"), AuthorityType: c.QueryParam("authority_type"),
		Author: c.QueryParam("author"), From: c.QueryParam("from"), To: c.QueryParam("to")}
}

// searchLocation is where a day of the date filters starts and ends.
var searchLocation = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
		return loc
	}
	return time.UTC
}()

// parseDay reads a YYYY-MM-DD date (as sent by <input type="date">).
func parseDay(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, searchLocation)
	if err != nil || t.Year() < 1990 || t.Year() > 9999 {
		return time.Time{}, forum.Invalid(field, "date_invalid", "Date invalide : écrivez-la sous la forme AAAA-MM-JJ.")
	}
	return t, nil
}

// request turns the parameters into a service request.
func (p searchParams) request(page int) (forum.SearchRequest, error) {
	r := forum.SearchRequest{Query: p.Q, Theme: p.Theme, AuthorityType: p.AuthorityType, AuthorID: p.Author, Page: page}
	var err error
	if r.From, err = parseDay("from", p.From); err != nil {
		return r, err
	}
	if r.To, err = parseDay("to", p.To); err != nil {
		return r, err
	}
	return r, nil
}

// url returns the search's address at page n.
func (p searchParams) url(n int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": p.Q, "theme": p.Theme, "authority_type": p.AuthorityType,
		"author": p.Author, "from": p.From, "to": p.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return "/search?" + v.Encode()
}

type searchView struct {
	Layout
	Params  searchParams
	Results *forum.SearchResults
	Errors  fieldErrors
}

// PrevURL and NextURL are the pagination links.
func (v *searchView) PrevURL() string { return v.Params.url(v.Results.Page - 1) }

// NextURL is the link to the next page of results.
func (v *searchView) NextURL() string { return v.Params.url(v.Results.Page + 1) }

// searchPage shows the search form and, when a query was typed, its
// results. A bad parameter shows the form again with its message (400).
func (s *Server) searchPage(c echo.Context) error {
	p := readSearchParams(c)
	v := &searchView{Layout: Layout{Title: "Rechercher"}, Params: p}
	if len(p.Q) > 4*forum.MaxSearchChars {
		v.Params.Q = "" // not echoed back into the page
	}
	page, err := pageParam(c)
	if err == nil {
		var r forum.SearchRequest
		if r, err = p.request(page); err == nil && (p.Q != "" || c.QueryParams().Has("q")) {
			v.Results, err = s.svc.Search(c.Request().Context(), r)
		}
	}
	if err != nil {
		errs, ok := formError(err)
		if !ok {
			return err
		}
		v.Errors, v.Results = errs, nil
		return s.render(c, http.StatusBadRequest, "search.html", v)
	}
	return s.render(c, http.StatusOK, "search.html", v)
}

type searchResultJSON struct {
	ThreadID    string     `json:"thread_id"`
	PostID      string     `json:"post_id"`
	Title       string     `json:"title"`
	TitleHTML   string     `json:"title_html"`
	Theme       string     `json:"theme"`
	Author      memberJSON `json:"author"`
	ExcerptHTML string     `json:"excerpt_html"`
	PublishedAt time.Time  `json:"published_at"`
	TitleHit    bool       `json:"title_hit"`
	URL         string     `json:"url"`
}

// apiSearch is the search as JSON. A query with no meaningful word answers
// 200 with no result and a notice.
func (s *Server) apiSearch(c echo.Context) error {
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	r, err := readSearchParams(c).request(page)
	if err != nil {
		return err
	}
	res, err := s.svc.Search(c.Request().Context(), r)
	if err != nil {
		return err
	}
	out := make([]searchResultJSON, 0, len(res.Results))
	for _, x := range res.Results {
		u := s.absURL("/threads/" + x.Thread.ID)
		if x.Post.ID != "" {
			u = s.absURL("/posts/" + x.Post.ID)
		}
		out = append(out, searchResultJSON{ThreadID: x.Thread.ID, PostID: x.Post.ID, Title: x.Thread.Title,
			TitleHTML: string(x.TitleHTML), Theme: x.Thread.Theme, Author: authorJSON(x.Post.Author),
			ExcerptHTML: string(x.ExcerptHTML), PublishedAt: x.Post.CreatedAt, TitleHit: x.TitleHit,
			URL: u})
	}
	body := map[string]any{"results": out, "page": res.Page, "has_more": res.HasMore, "truncated": res.Query.Truncated,
		"count": res.Total}
	if res.Query.Empty() {
		body["notice"] = i18n.T(language(c), "Précisez votre recherche : elle ne contient aucun mot significatif.")
	}
	return c.JSON(http.StatusOK, body)
}
