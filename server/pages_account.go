package server

import (
	"errors"
	"net/http"
	"strings"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

type loginView struct {
	Layout
	Email  string
	Next   string
	Errors fieldErrors
	// ProConnect shows the "Se connecter avec ProConnect" button (oidc.go).
	ProConnect bool
}

func (s *Server) loginPage(c echo.Context) error {
	if viewer(c) != nil {
		return seeOther(c, safeNext(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, "login.html", &loginView{Layout: Layout{Title: "Connexion"}, Next: safeNext(c.QueryParam("next")), ProConnect: s.oidc != nil})
}

// login checks credentials under the rate limits and starts a new session,
// replacing any session the browser had (the id is renewed at login).
func (s *Server) login(c echo.Context, email, password string) (*forum.Member, *forum.Session, error) {
	ctx := c.Request().Context()
	at, err := s.beginLogin(c, email)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.svc.Authenticate(ctx, email, password)
	if err != nil {
		if errors.Is(err, forum.ErrBadCredentials) {
			s.cfg.Metrics.LoginFailed()
		}
		return nil, nil, err
	}
	s.loginSucceeded(c, at)
	if ck, err := c.Cookie(sessionCookie); err == nil {
		_ = s.svc.EndSession(ctx, ck.Value)
	}
	token, sess, err := s.svc.StartSession(ctx, m)
	if err != nil {
		return nil, nil, err
	}
	s.setSessionCookie(c, token)
	c.Set(ctxSession, sess)
	c.Set(ctxViewer, m)
	return m, sess, nil
}

func (s *Server) loginForm(c echo.Context) error {
	email, next := c.FormValue("email"), safeNext(c.FormValue("next"))
	_, _, err := s.login(c, email, c.FormValue("password"))
	if err != nil {
		status, _, msg, _ := classify(err)
		if status >= 500 {
			return err
		}
		return s.render(c, status, "login.html", &loginView{Layout: Layout{Title: "Connexion"}, Email: email, Next: next,
			Errors: fieldErrors{"form": msg}, ProConnect: s.oidc != nil})
	}
	sep := "?"
	if strings.Contains(next, "?") {
		sep = "&"
	}
	if strings.Contains(next, "#") {
		return seeOther(c, next)
	}
	return seeOther(c, next+sep+"notice=logged-in")
}

func (s *Server) logoutForm(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.svc.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return seeOther(c, "/?notice=logged-out")
}

type accountView struct {
	Layout
	Profile        forum.ProfileInput
	Email          string
	ProfileErrors  fieldErrors
	PasswordErrors fieldErrors
	// NewEmail and EmailErrors are the email change form's (pages_recovery.go).
	NewEmail    string
	EmailErrors fieldErrors
}

func (s *Server) accountView(m *forum.Member) *accountView {
	return &accountView{Layout: Layout{Title: "Mon compte"}, Email: m.Email, Profile: forum.ProfileInput{
		DisplayName: m.DisplayName, Authority: m.Authority, AuthorityType: m.AuthorityType, Lang: m.Lang}}
}

func (s *Server) accountPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "account.html", s.accountView(viewer(c)))
}

func (s *Server) profileForm(c echo.Context) error {
	m := viewer(c)
	p := forum.ProfileInput{DisplayName: c.FormValue("display_name"), Authority: c.FormValue("authority"),
		AuthorityType: c.FormValue("authority_type"), Lang: c.FormValue("lang")}
	if err := s.svc.UpdateProfile(c.Request().Context(), m, p); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		v := s.accountView(m)
		v.Profile, v.ProfileErrors = p, fe
		return s.render(c, http.StatusUnprocessableEntity, "account.html", v)
	}
	if err := s.digest.SetMemberLanguage(c.Request().Context(), m, p.Lang); err != nil {
		return err
	}
	return seeOther(c, "/account?notice=profile")
}

func (s *Server) passwordForm(c echo.Context) error {
	m := viewer(c)
	ctx := c.Request().Context()
	at, err := s.beginLogin(c, m.Email)
	if err != nil {
		return err
	}
	if err := s.svc.ChangePassword(ctx, m, c.FormValue("current_password"), c.FormValue("new_password")); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		v := s.accountView(m)
		v.PasswordErrors = fe
		return s.render(c, http.StatusUnprocessableEntity, "account.html", v)
	}
	s.loginSucceeded(c, at)
	// Every session was closed: open a fresh one for this browser.
	token, _, err := s.svc.StartSession(ctx, m)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	return seeOther(c, "/account?notice=password")
}

type inviteView struct {
	Layout
	Invite   *forum.Invite
	Token    string
	Profile  forum.ProfileInput
	Errors   fieldErrors
	Problem  i18n.Msg
	RoleName string
}

func (s *Server) invitePage(c echo.Context) error {
	token := c.Param("token")
	inv, err := s.svc.Invitation(c.Request().Context(), token)
	if errors.Is(err, forum.ErrInviteInvalid) {
		return s.render(c, http.StatusGone, "invite.html", &inviteView{Layout: Layout{Title: "Invitation"}, Problem: i18n.M("Cette invitation n'est plus valable (déjà utilisée ou expirée).")})
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "invite.html", &inviteView{Layout: Layout{Title: "Invitation"}, Invite: inv, Token: token})
}

func (s *Server) inviteForm(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	p := forum.ProfileInput{DisplayName: c.FormValue("display_name"), Authority: c.FormValue("authority"),
		AuthorityType: c.FormValue("authority_type"), Lang: chosenLanguage(c)}
	m, err := s.svc.AcceptInvite(ctx, token, p, c.FormValue("password"))
	if errors.Is(err, forum.ErrInviteInvalid) {
		return s.render(c, http.StatusGone, "invite.html", &inviteView{Layout: Layout{Title: "Invitation"}, Problem: i18n.M("Cette invitation n'est plus valable (déjà utilisée ou expirée).")})
	}
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		inv, ierr := s.svc.Invitation(ctx, token)
		if ierr != nil {
			return ierr
		}
		return s.render(c, http.StatusUnprocessableEntity, "invite.html", &inviteView{Layout: Layout{Title: "Invitation"},
			Invite: inv, Token: token, Profile: p, Errors: fe})
	}
	sessToken, _, err := s.svc.StartSession(ctx, m)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, sessToken)
	return seeOther(c, "/?notice=welcome")
}

// chosenLanguage is the language a visitor chose themselves: the form's
// "lang" field, else the language switcher's cookie; "" when they chose
// none (the browser's Accept-Language is no choice).
func chosenLanguage(c echo.Context) string {
	if l, ok := i18n.Parse(c.FormValue("lang")); ok && c.FormValue("lang") != "" {
		return string(l)
	}
	if ck, err := c.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(ck.Value); ok && ck.Value != "" {
			return string(l)
		}
	}
	return ""
}

// sendInvite creates an invitation and mails its link, in lang ("fr" or
// "en"; empty means the inviting admin's page language).
func (s *Server) sendInvite(c echo.Context, email, role, lang string) (*forum.Invite, error) {
	l, ok := i18n.Parse(lang)
	switch {
	case lang == "":
		l = language(c)
	case !ok:
		return nil, forum.Invalid("lang", "lang_invalid", "Langue inconnue : choisissez « fr » ou « en ».")
	}
	ctx := c.Request().Context()
	actor := viewer(c)
	token, inv, err := s.svc.CreateInvite(ctx, actor, email, role, string(l))
	if err != nil {
		return nil, err
	}
	if err := s.mailInvite(ctx, actor, token, inv, l); err != nil {
		return nil, err
	}
	return inv, nil
}
