package server

import (
	"net/http"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

const (
	langCookie = "cf_lang"
	ctxLang    = "lang"
)

// language returns the language of the response: the member's setting,
// else the language cookie, else Accept-Language; French by default.
func language(c echo.Context) i18n.Lang {
	if l, ok := c.Get(ctxLang).(i18n.Lang); ok {
		return l
	}
	l := chooseLanguage(c)
	c.Set(ctxLang, l)
	return l
}

func chooseLanguage(c echo.Context) i18n.Lang {
	if m := viewer(c); m != nil {
		if l, ok := i18n.Parse(m.Lang); ok && m.Lang != "" {
			return l
		}
	}
	if ck, err := c.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(ck.Value); ok {
			return l
		}
	}
	return i18n.Negotiate(c.Request().Header.Get("Accept-Language"))
}

// languageForm switches the interface language: a cookie for everyone, and
// the profile setting for a member. It returns to the page it came from.
func (s *Server) languageForm(c echo.Context) error {
	if err := formParams(c); err != nil {
		return err
	}
	l, ok := i18n.Parse(c.FormValue("lang"))
	if !ok || c.FormValue("lang") == "" {
		return forum.Invalid("lang", "lang_invalid", "Langue inconnue : choisissez « fr » ou « en ».")
	}
	if m := viewer(c); m != nil {
		if err := s.svc.SetLanguage(c.Request().Context(), m, string(l)); err != nil {
			return err
		}
		if err := s.digest.SetMemberLanguage(c.Request().Context(), m, string(l)); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: string(l), Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: 365 * 86400})
	return seeOther(c, safeNext(c.FormValue("next")))
}
