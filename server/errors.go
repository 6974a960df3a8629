package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/moderation"

	"github.com/labstack/echo/v4"
)

// apiError is the body of every JSON error (CONTRACT.md).
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// errTooManyLogins is answered when the login rate limit is reached.
var errTooManyLogins = echo.NewHTTPError(http.StatusTooManyRequests, "Trop de tentatives de connexion : réessayez dans quelques minutes.")

// classify maps an error to a status, a machine code, a message (a key of
// the i18n catalog and its arguments, translated by handleError) and a field.
func classify(err error) (int, string, i18n.Msg, string) {
	var ve *forum.ValidationError
	var he *echo.HTTPError
	var ce *forum.ConflictError
	var de *moderation.AlreadyDecidedError
	switch {
	case errors.As(err, &ve):
		return http.StatusBadRequest, ve.Code, ve.Msg, ve.Field
	case errors.Is(err, forum.ErrNotFound):
		return http.StatusNotFound, "not_found", i18n.M("Page ou ressource introuvable."), ""
	case errors.Is(err, forum.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated", i18n.M("Connectez-vous pour continuer."), ""
	case errors.Is(err, forum.ErrBadCredentials):
		return http.StatusUnauthorized, "bad_credentials", i18n.M("Adresse électronique ou mot de passe incorrect."), ""
	case errors.Is(err, forum.ErrSuspended):
		return http.StatusForbidden, "suspended", i18n.M("Votre compte est suspendu : vous pouvez lire le forum mais pas y écrire."), ""
	case errors.Is(err, forum.ErrLocked):
		return http.StatusForbidden, "thread_locked", i18n.M("Ce fil est verrouillé : on ne peut plus y répondre."), ""
	case errors.Is(err, forum.ErrInviteInvalid):
		return http.StatusGone, "invite_invalid", i18n.M("Cette invitation n'est plus valable (déjà utilisée ou expirée)."), ""
	case errors.Is(err, forum.ErrTokenInvalid):
		return http.StatusBadRequest, "token_invalid", i18n.M("Ce lien n'est plus valable : il a déjà servi, il a expiré ou il est incomplet."), "token"
	case errors.Is(err, forum.ErrForbidden):
		return http.StatusForbidden, "forbidden", i18n.M("Vous n'avez pas le droit de faire cela."), ""
	case errors.As(err, &de):
		return http.StatusConflict, "already_decided", de.Msg, ""
	case moderation.IsAlreadyDecided(err):
		return http.StatusConflict, "already_decided", i18n.M("Déjà traité."), ""
	case errors.As(err, &ce):
		return http.StatusConflict, "conflict", ce.Msg, ""
	case errors.Is(err, forum.ErrConflict):
		return http.StatusConflict, "conflict", i18n.M("Conflit avec l'état actuel : rechargez la page."), ""
	case errors.As(err, &he):
		return he.Code, httpCode(he.Code), httpMessage(he), ""
	case errors.Is(err, forum.ErrUnavailable):
		return http.StatusServiceUnavailable, "unavailable", i18n.M("Le forum ne peut pas enregistrer de modification pour le moment : réessayez dans quelques minutes."), ""
	}
	return http.StatusInternalServerError, "internal", i18n.M("Erreur interne : l'incident est enregistré, réessayez plus tard."), ""
}

func httpCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusTooManyRequests:
		return "too_many_requests"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusUnauthorized:
		return "unauthenticated"
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

// httpMessage gives Echo's own errors a message; an error built with a
// French text (a key of the catalog) or an i18n.Msg keeps it.
func httpMessage(he *echo.HTTPError) i18n.Msg {
	if m, ok := he.Message.(i18n.Msg); ok && he.Internal == nil {
		return m
	}
	if m, ok := he.Message.(string); ok && he.Internal == nil && !isEchoDefault(he) {
		return i18n.M(m)
	}
	switch he.Code {
	case http.StatusNotFound:
		return i18n.M("Page ou ressource introuvable.")
	case http.StatusMethodNotAllowed:
		return i18n.M("Méthode non autorisée pour cette adresse.")
	case http.StatusRequestEntityTooLarge:
		return i18n.M("La requête est trop volumineuse (%d Kio au plus).", DefaultBodyLimit>>10)
	case http.StatusUnsupportedMediaType:
		return i18n.M("Type de contenu non pris en charge : envoyez du JSON (Content-Type: application/json).")
	case http.StatusBadRequest:
		return i18n.M("Requête invalide.")
	}
	return i18n.M("La requête n'a pas pu aboutir.")
}

func isEchoDefault(he *echo.HTTPError) bool {
	m, _ := he.Message.(string)
	return m == http.StatusText(he.Code)
}

// handleError is Echo's single error handler: JSON for the API, a page otherwise.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, code, m, field := classify(err)
	msg := i18n.Message(language(c), m)
	if status >= 500 {
		// The route pattern, not the path: paths may carry tokens (invitations).
		s.cfg.Log.Error("request failed", "method", c.Request().Method, "route", c.Path(), "request_id", requestID(c), "err", err)
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "60")
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		_ = c.JSON(status, apiError{Error: apiErrorBody{Code: code, Message: msg, Field: field}})
		return
	}
	if status == http.StatusUnauthorized && c.Request().Method == http.MethodGet {
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request().URL.RequestURI()))
		return
	}
	if rerr := s.render(c, status, "error.html", &errorView{Status: status, Message: msg}); rerr != nil {
		_ = c.String(status, msg)
	}
}

// decodeJSON reads a JSON body into a typed struct, with French messages for
// malformed JSON and wrong types. User maps never reach a database filter.
func decodeJSON(c echo.Context, v any) error {
	r := c.Request()
	if !isJSON(r) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType)
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				return forum.Invalid("", "json_type", "Le corps de la requête doit être un objet JSON.")
			}
			return forum.Invalidf(field, "json_type", "Le champ « %s » n'a pas le bon type (attendu : %s).", field, i18n.Word(frenchType(te.Type.String())))
		case errors.As(err, &se):
			return forum.Invalidf("", "json_invalid", "Le corps de la requête n'est pas du JSON valide (position %d).", se.Offset)
		}
		return forum.Invalid("", "json_invalid", "Le corps de la requête n'est pas du JSON valide.")
	}
	return nil
}

func frenchType(t string) string {
	switch {
	case t == "string":
		return "une chaîne de caractères"
	case strings.HasPrefix(t, "[]"):
		return "une liste"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "un nombre"
	case t == "bool":
		return "un booléen"
	}
	return "un objet"
}
