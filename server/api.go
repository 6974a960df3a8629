package server

import (
	"net/http"
	"strconv"
	"time"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

// JSON shapes of the API (CONTRACT.md). They are built from domain types
// explicitly, so that nothing private (email, hashes) leaks by accident.

type memberJSON struct {
	ID            string `json:"id"`
	DisplayName   string `json:"display_name"`
	Authority     string `json:"authority"`
	AuthorityType string `json:"authority_type"`
	Role          string `json:"role,omitempty"`
	Email         string `json:"email,omitempty"`
	// Deleted marks a deleted member: display_name is then the label
	// « membre supprimé ».
	Deleted bool `json:"deleted,omitempty"`
}

type themeJSON struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	NameFR      string `json:"name_fr"`
	NameEN      string `json:"name_en"`
	Description string `json:"description"`
	Position    int    `json:"position"`
	Moderation  string `json:"moderation"`
	Archived    bool   `json:"archived"`
	URL         string `json:"url"`
}

type authorityTypeJSON struct {
	Slug   string `json:"slug"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Plural string `json:"plural"`
}

type threadJSON struct {
	ID             string     `json:"id"`
	Title          string     `json:"title"`
	Theme          string     `json:"theme"`
	AuthorityTypes []string   `json:"authority_types"`
	Author         memberJSON `json:"author"`
	Status         string     `json:"status"`
	Locked         bool       `json:"locked"`
	Pinned         bool       `json:"pinned"`
	PostCount      int        `json:"post_count"`
	CreatedAt      time.Time  `json:"created_at"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	URL            string     `json:"url"`
}

type postJSON struct {
	ID        string     `json:"id"`
	ThreadID  string     `json:"thread_id"`
	Author    memberJSON `json:"author"`
	Body      string     `json:"body,omitempty"`
	BodyHTML  string     `json:"body_html"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	Revisions int        `json:"revisions"`
	URL       string     `json:"url"`
	// Removed marks a post removed with its author's account: body_html is
	// then the placeholder.
	Removed bool `json:"removed,omitempty"`
	// Attachments are the post's files (GET /api/v1/threads/{id}).
	Attachments []attachmentJSON `json:"attachments,omitempty"`
}

// authorJSON is a member as the API shows them. API reads are cached
// without a language: a deleted member's label is in French, the API's
// default, and flagged "deleted".
func authorJSON(a forum.AuthorRef) memberJSON {
	return memberJSON{ID: a.ID, DisplayName: a.NameIn(i18n.FR), Authority: a.Authority, AuthorityType: a.AuthorityType,
		Deleted: a.Erased()}
}

func (s *Server) threadJSON(t *forum.Thread) threadJSON {
	return threadJSON{ID: t.ID, Title: t.Title, Theme: t.Theme, AuthorityTypes: t.AuthorityTypes, Author: authorJSON(t.Author),
		Status: t.Status, Locked: t.Locked, Pinned: t.Pinned, PostCount: t.PostCount, CreatedAt: t.CreatedAt,
		LastActivityAt: t.LastActivityAt, URL: s.absURL("/threads/" + t.ID)}
}

// postJSON includes the Markdown source only for the viewer's own posts
// and for moderators (they may edit it).
func (s *Server) postJSON(viewer *forum.Member, p *forum.Post) postJSON {
	// Cached without a language: the HTML's labels are in French, the
	// API's default.
	out := postJSON{ID: p.ID, ThreadID: p.ThreadID, Author: authorJSON(p.Author), BodyHTML: postHTML(i18n.FR, p), Status: p.Status,
		CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Revisions: len(p.Revisions), URL: s.absURL("/posts/" + p.ID),
		Removed: p.Removed()}
	if viewer != nil && (viewer.ID == p.Author.ID || viewer.IsModerator()) {
		out.Body = p.Source
	}
	return out
}

func selfJSON(m *forum.Member) memberJSON {
	return memberJSON{ID: m.ID, DisplayName: m.DisplayName, Authority: m.Authority, AuthorityType: m.AuthorityType,
		Role: m.Role, Email: m.Email}
}

func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "private, no-store")
}

type loginIn struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (s *Server) apiLogin(c echo.Context) error {
	var in loginIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, sess, err := s.login(c, in.Email, in.Password)
	if err != nil {
		return err
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"user": selfJSON(m), "csrf_token": sess.CSRFToken})
}

func (s *Server) apiSession(c echo.Context) error {
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"user": selfJSON(viewer(c)), "csrf_token": session(c).CSRFToken})
}

func (s *Server) apiLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.svc.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiThemes(c echo.Context) error {
	all := c.QueryParam("all") == "true" && viewer(c).IsAdmin()
	themes, err := s.svc.Themes(c.Request().Context(), all)
	if err != nil {
		return err
	}
	out := make([]themeJSON, 0, len(themes))
	for _, t := range themes {
		out = append(out, themeJSON{Slug: t.Slug, Name: t.NameFR, NameFR: t.NameFR, NameEN: t.NameEN, Description: t.Description,
			Position: t.Position, Moderation: t.Moderation, Archived: t.Archived, URL: s.absURL("/themes/" + t.Slug)})
	}
	return c.JSON(http.StatusOK, map[string]any{"themes": out})
}

func (s *Server) apiAddTheme(c echo.Context) error {
	var in forum.ThemeInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	t, err := s.svc.AddTheme(c.Request().Context(), viewer(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"theme": themeJSON{Slug: t.Slug, Name: t.NameFR, NameFR: t.NameFR,
		NameEN: t.NameEN, Description: t.Description, Position: t.Position, Moderation: t.Moderation, URL: s.absURL("/themes/" + t.Slug)}})
}

type themePatchIn struct {
	NameFR      *string `json:"name_fr"`
	NameEN      *string `json:"name_en"`
	Description *string `json:"description"`
	Moderation  *string `json:"moderation"`
	Archived    *bool   `json:"archived"`
	Move        string  `json:"move"` // "up" or "down"
}

func (s *Server) apiUpdateTheme(c echo.Context) error {
	ctx := c.Request().Context()
	var in themePatchIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	slug := c.Param("slug")
	t, err := s.svc.Theme(ctx, slug)
	if err != nil {
		return err
	}
	if in.NameFR != nil || in.NameEN != nil || in.Description != nil || in.Moderation != nil {
		u := forum.ThemeInput{NameFR: t.NameFR, NameEN: t.NameEN, Description: t.Description, Moderation: t.Moderation}
		if in.NameFR != nil {
			u.NameFR = *in.NameFR
		}
		if in.NameEN != nil {
			u.NameEN = *in.NameEN
		}
		if in.Description != nil {
			u.Description = *in.Description
		}
		if in.Moderation != nil {
			u.Moderation = *in.Moderation
		}
		if err := s.svc.UpdateTheme(ctx, viewer(c), slug, u); err != nil {
			return err
		}
	}
	if in.Archived != nil {
		if err := s.svc.ArchiveTheme(ctx, viewer(c), slug, *in.Archived); err != nil {
			return err
		}
	}
	switch in.Move {
	case "":
	case "up", "down":
		d := 1
		if in.Move == "up" {
			d = -1
		}
		if err := s.svc.MoveTheme(ctx, viewer(c), slug, d); err != nil {
			return err
		}
	default:
		return forum.Invalid("move", "move_invalid", "Le déplacement est « up » ou « down ».")
	}
	return s.apiThemes(c)
}

func (s *Server) apiAuthorityTypes(c echo.Context) error {
	types, err := s.svc.AuthorityTypes(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]authorityTypeJSON, 0, len(types))
	for _, a := range types {
		out = append(out, authorityTypeJSON{Slug: a.Slug, Name: a.NameFR, NameEN: a.NameEN, Plural: a.Plural})
	}
	return c.JSON(http.StatusOK, map[string]any{"authority_types": out})
}

func (s *Server) apiThreads(c echo.Context) error {
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	theme, at := c.QueryParam("theme"), c.QueryParam("authority_type")
	spec := cacheSpec{id: "threads?" + strconv.Itoa(page) + "&" + theme + "&" + at,
		keys: []forum.Key{forum.ListingKey(theme, at), forum.KeyTaxonomy}}
	return s.serveJSON(c, spec, func() (any, error) {
		list, err := s.svc.Threads(c.Request().Context(), forum.ThreadQuery{Theme: theme, AuthorityType: at, Page: page})
		if err != nil {
			return nil, err
		}
		out := make([]threadJSON, 0, len(list.Threads))
		for i := range list.Threads {
			out = append(out, s.threadJSON(&list.Threads[i]))
		}
		return map[string]any{"threads": out, "page": list.Page, "has_more": list.HasMore}, nil
	})
}

func (s *Server) apiCreateThread(c echo.Context) error {
	var in forum.NewThreadInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m := viewer(c)
	// A repeated request with the same key gets the first one's answer.
	in.IdempotencyKey = c.Request().Header.Get("Idempotency-Key")
	th, p, err := s.svc.CreateThread(c.Request().Context(), m, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/threads/"+th.ID)
	return c.JSON(http.StatusCreated, map[string]any{"thread": s.threadJSON(th), "post": s.postJSON(m, p)})
}

func (s *Server) apiThread(c echo.Context) error {
	id := c.Param("id")
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	spec := cacheSpec{id: "thread/" + id + "?" + strconv.Itoa(page), keys: []forum.Key{forum.ThreadKey(id)}}
	return s.serveJSON(c, spec, func() (any, error) {
		m := viewer(c)
		th, pp, err := s.svc.ThreadPage(c.Request().Context(), m, id, page)
		if err != nil {
			return nil, err
		}
		files, err := s.svc.PostAttachments(c.Request().Context(), postIDs(pp.Posts))
		if err != nil {
			return nil, err
		}
		posts := make([]postJSON, 0, len(pp.Posts))
		for i := range pp.Posts {
			pj := s.postJSON(m, &pp.Posts[i])
			for k := range files[pj.ID] {
				pj.Attachments = append(pj.Attachments, s.attachmentJSON(&files[pj.ID][k]))
			}
			posts = append(posts, pj)
		}
		return map[string]any{"thread": s.threadJSON(th), "posts": posts, "page": pp.Page,
			"pages": pp.Pages, "has_more": pp.Page < pp.Pages}, nil
	})
}

type bodyIn struct {
	Body        string   `json:"body"`
	Attachments []string `json:"attachments"`
}

func (s *Server) apiReply(c echo.Context) error {
	var in bodyIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m := viewer(c)
	p, err := s.svc.ReplyAttached(c.Request().Context(), m, c.Param("id"), in.Body, c.Request().Header.Get("Idempotency-Key"), in.Attachments)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/v1/posts/"+p.ID)
	return c.JSON(http.StatusCreated, map[string]any{"post": s.postJSON(m, p)})
}

func (s *Server) apiPost(c echo.Context) error {
	m := viewer(c)
	p, err := s.svc.Post(c.Request().Context(), m, c.Param("id"))
	if err != nil {
		return err
	}
	if m != nil {
		noStore(c)
	}
	return c.JSON(http.StatusOK, map[string]any{"post": s.postJSON(m, p)})
}

func (s *Server) apiEditPost(c echo.Context) error {
	var in bodyIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m := viewer(c)
	p, err := s.svc.EditPost(c.Request().Context(), m, c.Param("id"), in.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"post": s.postJSON(m, p)})
}

func (s *Server) apiPreview(c echo.Context) error {
	var in bodyIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	html, err := s.svc.Preview(in.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"body_html": html, "length": len([]rune(in.Body)),
		"max_length": forum.MaxPostSourceChars})
}

type inviteIn struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// Lang is the language of the invitation mail, "fr" or "en"; the
	// request's language when omitted.
	Lang string `json:"lang"`
}

func (s *Server) apiInvite(c echo.Context) error {
	var in inviteIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	inv, err := s.sendInvite(c, in.Email, in.Role, in.Lang)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"invite": map[string]any{"email": inv.Email, "role": inv.Role,
		"expires_at": inv.ExpiresAt}})
}
