package server

import (
	"net/http"

	"coterforum/forum"

	"github.com/labstack/echo/v4"
)

type adminThemesView struct {
	Layout
	All    []forum.Theme
	New    forum.ThemeInput
	Errors fieldErrors
	// ErrorSlug is the theme whose edit form failed, if any.
	ErrorSlug string
}

func (s *Server) adminThemesView(c echo.Context) (*adminThemesView, error) {
	all, err := s.svc.Themes(c.Request().Context(), true)
	if err != nil {
		return nil, err
	}
	return &adminThemesView{Layout: Layout{Title: "Thèmes"}, All: all}, nil
}

func (s *Server) adminThemesPage(c echo.Context) error {
	v, err := s.adminThemesView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_themes.html", v)
}

func themeInput(c echo.Context) forum.ThemeInput {
	return forum.ThemeInput{Slug: c.FormValue("slug"), NameFR: c.FormValue("name_fr"), NameEN: c.FormValue("name_en"),
		Description: c.FormValue("description"), Moderation: c.FormValue("moderation")}
}

func (s *Server) adminThemeFailure(c echo.Context, err error, in forum.ThemeInput, slug string) error {
	fe, ok := formError(err)
	if !ok {
		return err
	}
	v, verr := s.adminThemesView(c)
	if verr != nil {
		return verr
	}
	v.Errors, v.ErrorSlug = fe, slug
	if slug == "" {
		v.New = in
	}
	return s.render(c, http.StatusUnprocessableEntity, "admin_themes.html", v)
}

func (s *Server) adminAddThemeForm(c echo.Context) error {
	in := themeInput(c)
	if _, err := s.svc.AddTheme(c.Request().Context(), viewer(c), in); err != nil {
		return s.adminThemeFailure(c, err, in, "")
	}
	return seeOther(c, "/admin/themes?notice=theme-saved")
}

func (s *Server) adminUpdateThemeForm(c echo.Context) error {
	in := themeInput(c)
	slug := c.Param("slug")
	if err := s.svc.UpdateTheme(c.Request().Context(), viewer(c), slug, in); err != nil {
		return s.adminThemeFailure(c, err, in, slug)
	}
	return seeOther(c, "/admin/themes?notice=theme-saved#theme-"+slug)
}

func (s *Server) adminMoveThemeForm(c echo.Context) error {
	delta := 1
	if c.FormValue("direction") == "up" {
		delta = -1
	}
	slug := c.Param("slug")
	if err := s.svc.MoveTheme(c.Request().Context(), viewer(c), slug, delta); err != nil {
		return err
	}
	return seeOther(c, "/admin/themes?notice=theme-moved#theme-"+slug)
}

func (s *Server) adminArchiveThemeForm(c echo.Context) error {
	slug := c.Param("slug")
	archived := c.FormValue("archived") == "true"
	if err := s.svc.ArchiveTheme(c.Request().Context(), viewer(c), slug, archived); err != nil {
		return err
	}
	return seeOther(c, "/admin/themes?notice=theme-status#theme-"+slug)
}

type adminInvitesView struct {
	Layout
	Invites []forum.Invite
	Email   string
	Role    string
	// MailLang is the language chosen for the invitation mail ("" until
	// chosen: the page's language).
	MailLang string
	Errors   fieldErrors
}

func (s *Server) adminInvitesPage(c echo.Context) error {
	invs, err := s.svc.Invitations(c.Request().Context(), viewer(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_invites.html", &adminInvitesView{Layout: Layout{Title: "Invitations"}, Invites: invs, Role: forum.RoleMember})
}

func (s *Server) adminInviteForm(c echo.Context) error {
	ctx := c.Request().Context()
	email, role, lang := c.FormValue("email"), c.FormValue("role"), c.FormValue("lang")
	if _, err := s.sendInvite(c, email, role, lang); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		invs, ierr := s.svc.Invitations(ctx, viewer(c))
		if ierr != nil {
			return ierr
		}
		return s.render(c, http.StatusUnprocessableEntity, "admin_invites.html", &adminInvitesView{Layout: Layout{Title: "Invitations"},
			Invites: invs, Email: email, Role: role, MailLang: lang, Errors: fe})
	}
	return seeOther(c, "/admin/invites?notice=invited")
}
