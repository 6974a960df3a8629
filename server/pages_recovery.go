package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail"

	"github.com/labstack/echo/v4"
)

// Account recovery and email change (issue 12):
//   - /password/forgot mails a single-use link valid forum.PasswordResetLifetime
//     to the address of an active account; the answer is the same, in
//     status, body and timing, whether or not the address has one: the
//     token is written and the mail sent after answering, in both cases
//     by one goroutine that does nothing for an unknown address. The
//     requests count against the login limits of the address.
//   - /password/reset?token=T sets a new password once; every session of
//     the member ends and the member's other reset links stop working.
//   - /account/email mails a link valid forum.EmailChangeLifetime to a new
//     address (the current password is required); the address changes when
//     the link is followed, and the old address is told.

// backgroundTimeout bounds a piece of work started after answering.
const backgroundTimeout = time.Minute

// backgroundSlots bounds the pieces of work running at once (SMTP
// connections): the others wait in their goroutine, never the request.
const backgroundSlots = 4

// background runs work after a request is answered; Server.WaitBackground
// waits for it at shutdown.
type background struct {
	wg    sync.WaitGroup
	once  sync.Once
	slots chan struct{}
}

// goBackground runs fn in its own goroutine, with a context that outlives
// the request (bounded by backgroundTimeout, waiting for a slot included).
func (s *Server) goBackground(ctx context.Context, what string, fn func(ctx context.Context) error) {
	s.bg.once.Do(func() { s.bg.slots = make(chan struct{}, backgroundSlots) })
	ctx = context.WithoutCancel(ctx)
	s.bg.wg.Go(func() {
		ctx, cancel := context.WithTimeout(ctx, backgroundTimeout)
		defer cancel()
		select {
		case s.bg.slots <- struct{}{}:
		case <-ctx.Done():
			s.cfg.Log.Error("background work dropped: too much waiting", "what", what)
			return
		}
		defer func() { <-s.bg.slots }()
		if err := fn(ctx); err != nil {
			s.cfg.Log.Error("background work failed", "what", what, "err", err)
		}
	})
}

// WaitBackground waits for the work started after answering requests (the
// mails of password resets and email changes), until ctx ends. Call it once
// the HTTP server stopped, before closing the store.
func (s *Server) WaitBackground(ctx context.Context) {
	done := make(chan struct{})
	go func() { s.bg.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// memberLanguage is the language of a member's mail (French by default).
func memberLanguage(m *forum.Member) i18n.Lang {
	if l, ok := i18n.Parse(m.Lang); ok && m.Lang != "" {
		return l
	}
	return i18n.FR
}

// sendAccountMail sends a mail of the account pages to an address, in lang.
func (s *Server) sendAccountMail(ctx context.Context, l i18n.Lang, to, subject, body string) error {
	text := i18n.T(l, "Bonjour,") + "\n\n" + body + "\n\n-- \ncoterforum\n"
	return s.cfg.Mail.Send(ctx, mail.Message{To: to, Subject: i18n.T(l, subject), Text: text,
		Headers: map[string]string{"Content-Language": string(l), "Auto-Submitted": "auto-generated"}})
}

// requestPasswordReset answers a "forgotten password" request: under the
// login limits of the address, it looks the account up and, after the
// answer, writes the token and mails the link (nothing for an address of no
// active account). Only a malformed address or the limits refuse.
func (s *Server) requestPasswordReset(c echo.Context, email string) error {
	if _, err := s.beginLogin(c, email); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := s.svc.PasswordResetFor(ctx, email)
	if err != nil {
		return err
	}
	s.goBackground(ctx, "password reset mail", func(ctx context.Context) error {
		if m == nil {
			return nil
		}
		token, err := s.svc.IssuePasswordReset(ctx, m)
		if err != nil {
			return err
		}
		l := memberLanguage(m)
		link := s.absURL("/password/reset?token=" + token)
		body := i18n.T(l, "Quelqu'un, sans doute vous, a demandé à changer le mot de passe de votre compte coterforum.") + "\n\n" +
			i18n.T(l, "Pour choisir un nouveau mot de passe, ouvrez ce lien (valable 1 heure, utilisable une seule fois) :") + "\n" + link + "\n\n" +
			i18n.T(l, "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe ne change pas.")
		return s.sendAccountMail(ctx, l, m.Email, "coterforum — nouveau mot de passe", body)
	})
	return nil
}

type forgotView struct {
	Layout
	Email  string
	Sent   bool
	Errors fieldErrors
}

func (s *Server) forgotPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "password_forgot.html", &forgotView{Layout: Layout{Title: "Mot de passe oublié"},
		Sent: c.QueryParam("sent") == "1"})
}

// forgotForm answers every well-formed address with the same redirect.
func (s *Server) forgotForm(c echo.Context) error {
	email := c.FormValue("email")
	if err := s.requestPasswordReset(c, email); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "password_forgot.html", &forgotView{Layout: Layout{Title: "Mot de passe oublié"},
			Email: email, Errors: fe})
	}
	return seeOther(c, "/password/forgot?sent=1")
}

type resetView struct {
	Layout
	Token   string
	Errors  fieldErrors
	Problem i18n.Msg
}

// tokenProblem is the message of an unusable link.
var tokenProblem = i18n.M("Ce lien n'est plus valable : il a déjà servi, il a expiré ou il est incomplet.")

func (s *Server) resetInvalid(c echo.Context) error {
	return s.render(c, http.StatusBadRequest, "password_reset.html", &resetView{Layout: Layout{Title: "Nouveau mot de passe"}, Problem: tokenProblem})
}

func (s *Server) resetPage(c echo.Context) error {
	token := c.QueryParam("token")
	if _, err := s.svc.PasswordReset(c.Request().Context(), token); err != nil {
		if errors.Is(err, forum.ErrTokenInvalid) {
			return s.resetInvalid(c)
		}
		return err
	}
	return s.render(c, http.StatusOK, "password_reset.html", &resetView{Layout: Layout{Title: "Nouveau mot de passe"}, Token: token})
}

func (s *Server) resetForm(c echo.Context) error {
	token := c.FormValue("token")
	_, err := s.svc.ResetPassword(c.Request().Context(), token, c.FormValue("password"))
	if errors.Is(err, forum.ErrTokenInvalid) {
		return s.resetInvalid(c)
	}
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "password_reset.html", &resetView{Layout: Layout{Title: "Nouveau mot de passe"},
			Token: token, Errors: fe})
	}
	// Every session of the member ended, this browser's included.
	s.clearCookie(c, sessionCookie)
	return seeOther(c, "/login?notice=password-reset")
}

type forgotIn struct {
	Email string `json:"email"`
}

// apiForgot: 202 for every well-formed address (CONTRACT.md).
func (s *Server) apiForgot(c echo.Context) error {
	var in forgotIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.requestPasswordReset(c, in.Email); err != nil {
		return err
	}
	noStore(c)
	return c.NoContent(http.StatusAccepted)
}

type resetIn struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// apiReset: 204 and every session of the member ends; 400 for an unusable token.
func (s *Server) apiReset(c echo.Context) error {
	var in resetIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := s.svc.ResetPassword(c.Request().Context(), in.Token, in.Password); err != nil {
		return err
	}
	s.clearCookie(c, sessionCookie)
	return c.NoContent(http.StatusNoContent)
}

// emailForm asks for an email change: the current password is checked
// under the login limits, and the confirmation link is mailed to the new
// address.
func (s *Server) emailForm(c echo.Context) error {
	m := viewer(c)
	ctx := c.Request().Context()
	at, err := s.beginLogin(c, m.Email)
	if err != nil {
		return err
	}
	newEmail := c.FormValue("email")
	token, email, err := s.svc.RequestEmailChange(ctx, m, newEmail, c.FormValue("current_password"))
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		v := s.accountView(m)
		v.NewEmail, v.EmailErrors = newEmail, fe
		return s.render(c, http.StatusUnprocessableEntity, "account.html", v)
	}
	s.loginSucceeded(c, at)
	l := memberLanguage(m)
	link := s.absURL("/account/email/confirm?token=" + token)
	body := i18n.Tf(l, "Vous avez demandé que votre compte coterforum utilise désormais l'adresse %s.", email) + "\n\n" +
		i18n.Tf(l, "Pour confirmer, ouvrez ce lien (valable %d heures, utilisable une seule fois) :", int(forum.EmailChangeLifetime.Hours())) + "\n" + link + "\n\n" +
		i18n.T(l, "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne change.")
	if err := s.sendAccountMail(ctx, l, email, "coterforum — confirmez votre nouvelle adresse", body); err != nil {
		return fmt.Errorf("envoi de la confirmation d'adresse : %w", err)
	}
	return seeOther(c, "/account?notice=email-sent")
}

type emailConfirmView struct {
	Layout
	Token    string
	NewEmail string
	Problem  i18n.Msg
}

func (s *Server) emailConfirmInvalid(c echo.Context, m i18n.Msg) error {
	return s.render(c, http.StatusBadRequest, "email_confirm.html", &emailConfirmView{Layout: Layout{Title: "Nouvelle adresse"}, Problem: m})
}

// emailConfirmPage shows the change a link confirms; following the link
// changes nothing (mail scanners open links): the button does.
func (s *Server) emailConfirmPage(c echo.Context) error {
	token := c.QueryParam("token")
	t, _, err := s.svc.EmailChange(c.Request().Context(), token)
	if errors.Is(err, forum.ErrTokenInvalid) {
		return s.emailConfirmInvalid(c, tokenProblem)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "email_confirm.html", &emailConfirmView{Layout: Layout{Title: "Nouvelle adresse"}, Token: token, NewEmail: t.Email})
}

func (s *Server) emailConfirmForm(c echo.Context) error {
	ctx := c.Request().Context()
	old, email, err := s.svc.ConfirmEmailChange(ctx, c.FormValue("token"))
	if errors.Is(err, forum.ErrTokenInvalid) {
		return s.emailConfirmInvalid(c, tokenProblem)
	}
	if err != nil {
		var ve *forum.ValidationError
		if errors.As(err, &ve) {
			return s.emailConfirmInvalid(c, ve.Msg)
		}
		return err
	}
	// Digests and notifications follow the member to the new address.
	if err := s.digest.MoveMemberEmail(ctx, old.Email, email); err != nil {
		s.cfg.Log.Error("abonnements : adresse non mise à jour après un changement d'adresse", "member", old.ID, "err", err)
	}
	l := memberLanguage(old)
	body := i18n.Tf(l, "L'adresse de votre compte coterforum a été remplacée par %s. Les courriels du forum y seront désormais envoyés.", email) + "\n\n" +
		i18n.T(l, "Si vous n'êtes pas à l'origine de ce changement, contactez sans attendre un administrateur du club.")
	oldEmail := old.Email
	s.goBackground(ctx, "email change notice", func(ctx context.Context) error {
		return s.sendAccountMail(ctx, l, oldEmail, "coterforum — votre adresse a été changée", body)
	})
	if viewer(c) != nil {
		return seeOther(c, "/account?notice=email-changed")
	}
	return seeOther(c, "/login?notice=email-changed")
}
