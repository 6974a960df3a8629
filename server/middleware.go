package server

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"coterforum/forum"

	"github.com/labstack/echo/v4"
)

const (
	sessionCookie = "cf_session"
	csrfHeader    = "X-CSRF-Token"
)

// Keys of values stored in the Echo context.
const (
	ctxViewer  = "viewer"
	ctxSession = "session"
)

// viewer returns the logged-in member, or nil.
func viewer(c echo.Context) *forum.Member {
	m, _ := c.Get(ctxViewer).(*forum.Member)
	return m
}

// session returns the current session, or nil.
func session(c echo.Context) *forum.Session {
	s, _ := c.Get(ctxSession).(*forum.Session)
	return s
}

// securityHeaders sets headers that every response carries.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// loadSession puts the logged-in member, if any, in the context. Static
// files and probes skip it: they are the same for everyone.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; strings.HasPrefix(p, "/static/") || p == "/healthz" || p == "/readyz" {
			return next(c)
		}
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			sess, m, err := s.svc.SessionMember(c.Request().Context(), ck.Value)
			switch {
			case err == nil:
				c.Set(ctxSession, sess)
				c.Set(ctxViewer, m)
			case errors.Is(err, forum.ErrUnauthenticated):
				s.clearCookie(c, sessionCookie)
			default:
				return err
			}
		}
		return next(c)
	}
}

// CSRF: browsers are checked by where a request comes from, not by a token
// in each page, so that an anonymous page is the same bytes for everyone
// (pagecache.go).
//
// Unsafe requests go through net/http's CrossOriginProtection: refused
// when Sec-Fetch-Site says cross-site or same-site (every browser since
// 2023, on HTTPS and localhost), or, without it, when Origin names another
// host than the request's or the forum's base URL (every browser sends
// Origin on a cross-origin POST). Session cookies are SameSite=Lax, so a
// cross-site POST from a browser old enough to send neither header does
// not carry the session either. That covers the login CSRF too: a
// cross-site POST /login is refused like any other form.
//
// A request with neither header is not from a browser page (or from a
// browser older than 2020 without SameSite, which we do not defend): a
// program posting forms with its own cookies forges nothing, so forms need
// no token. The JSON API keeps its token for requests made with a session
// cookie (CONTRACT.md: the X-CSRF-Token header, given at API login): it is
// per session, never in a page, and keeps API clients' contract unchanged.

// errCSRF is answered to an API call with a session but without its token.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "Jeton de sécurité (CSRF) absent ou invalide : rechargez la page et réessayez.")

// errCrossOrigin is answered to an unsafe request from another site.
var errCrossOrigin = echo.NewHTTPError(http.StatusForbidden, "Requête refusée : elle vient d'un autre site (protection contre la falsification de requêtes).")

// newCrossOriginProtection checks browsers' unsafe requests; the forum's
// own base URL is trusted as an origin, for a proxy that rewrites Host.
// A mail client's one-click unsubscribe (RFC 8058) posts to the signed
// link itself: the token in the URL is the authority.
func newCrossOriginProtection(base *url.URL) (*http.CrossOriginProtection, error) {
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(base.Scheme + "://" + base.Host); err != nil {
		return nil, err
	}
	cop.AddInsecureBypassPattern("POST /subscriptions/unsubscribe")
	return cop, nil
}

// checkCSRF refuses unsafe cross-origin browser requests, and API calls
// made with a session cookie but without the session's X-CSRF-Token.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if err := s.cop.Check(r); err != nil {
			return errCrossOrigin
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		// Logging in through the API needs no token even with a session
		// cookie: the client may be switching accounts. Nor do the public
		// password endpoints, which act on no session (the reset one holds
		// its own secret).
		sess := session(c)
		if sess == nil || !strings.HasPrefix(r.URL.Path, "/api/") || (r.Method == http.MethodPost && (r.URL.Path == "/api/v1/session" ||
			r.URL.Path == "/api/v1/password/forgot" || r.URL.Path == "/api/v1/password/reset")) {
			return next(c)
		}
		got := r.Header.Get(csrfHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

func isJSON(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json")
}

// Role guards, written on each route in routes.go.

// requireMember lets only logged-in members through.
func requireMember(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if viewer(c) == nil {
			return forum.ErrUnauthenticated
		}
		return next(c)
	}
}

// requireModerator lets only moderators and admins through.
func requireModerator(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m := viewer(c)
		if m == nil {
			return forum.ErrUnauthenticated
		}
		if !m.IsModerator() {
			return forum.ErrForbidden
		}
		return next(c)
	}
}

// requireAdmin lets only admins through.
func requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m := viewer(c)
		if m == nil {
			return forum.ErrUnauthenticated
		}
		if !m.IsAdmin() {
			return forum.ErrForbidden
		}
		return next(c)
	}
}

// public marks a route open to everyone (it does nothing; it documents).
func public(next echo.HandlerFunc) echo.HandlerFunc { return next }

// setSessionCookie gives the browser a new session cookie.
func (s *Server) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(forum.SessionLifetime / time.Second)})
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// safeNext returns a local path to go to after login, never another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\\") || strings.IndexFunc(next, isControl) >= 0 {
		return "/"
	}
	return next
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// headAsGet answers HEAD like GET without the body (Echo routes GET only).
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		r.Method = http.MethodGet
		c.Response().Writer = headWriter{c.Response().Writer}
		return next(c)
	}
}

// headWriter drops the body of a response to HEAD.
type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

// formParams parses the request's form; a malformed body is a 400 with a
// French message, never a 500.
func formParams(c echo.Context) error {
	if _, err := c.FormParams(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return forum.Invalid("", "form_invalid", "Le formulaire envoyé est illisible : rechargez la page et réessayez.")
	}
	return nil
}

// errTooLarge is answered for a body over the limit.
var errTooLarge = echo.NewHTTPError(http.StatusRequestEntityTooLarge)

// bodyLimit refuses bodies over limit bytes with a 413, for every framing,
// before anything else looks at the request (the CSRF check, the session,
// the handler): at once when Content-Length says so; a body of unknown
// length (chunked) is read here, up to the limit, so that parsing a form or
// JSON later can never stop at the limit and mistake the cut for a missing
// field. Bodies are small (DefaultBodyLimit), so holding one is cheap.
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > limit {
				return errTooLarge
			}
			if r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody {
				b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
				if int64(len(b)) > limit {
					return errTooLarge
				}
				if err != nil {
					return echo.NewHTTPError(http.StatusBadRequest).SetInternal(err)
				}
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			}
			r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, limit)
			return next(c)
		}
	}
}
