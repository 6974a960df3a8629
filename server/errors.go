package server

import (
	"encoding/json"
	"errors"
	"fmt"
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

// classify maps an error to a status, a machine code, a French message and a field.
func classify(err error) (int, string, string, string) {
	var ve *forum.ValidationError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ve):
		return http.StatusBadRequest, ve.Code, ve.Message, ve.Field
	case errors.Is(err, forum.ErrNotFound):
		return http.StatusNotFound, "not_found", "Page ou ressource introuvable.", ""
	case errors.Is(err, forum.ErrUnauthenticated):
		return http.StatusUnauthorized, "unauthenticated", "Connectez-vous pour continuer.", ""
	case errors.Is(err, forum.ErrBadCredentials):
		return http.StatusUnauthorized, "bad_credentials", "Adresse électronique ou mot de passe incorrect.", ""
	case errors.Is(err, forum.ErrSuspended):
		return http.StatusForbidden, "suspended", "Votre compte est suspendu : vous pouvez lire le forum mais pas y écrire.", ""
	case errors.Is(err, forum.ErrLocked):
		return http.StatusForbidden, "thread_locked", "Ce fil est verrouillé : on ne peut plus y répondre.", ""
	case errors.Is(err, forum.ErrInviteInvalid):
		return http.StatusGone, "invite_invalid", "Cette invitation n'est plus valable (déjà utilisée ou expirée).", ""
	case errors.Is(err, forum.ErrForbidden):
		return http.StatusForbidden, "forbidden", "Vous n'avez pas le droit de faire cela.", ""
	case moderation.IsAlreadyDecided(err):
		return http.StatusConflict, "already_decided", capitalize(err.Error()) + ".", ""
	case errors.Is(err, forum.ErrConflict):
		if msg := err.Error(); msg != forum.ErrConflict.Error() {
			return http.StatusConflict, "conflict", capitalize(strings.TrimPrefix(msg, forum.ErrConflict.Error()+" : ")) + ".", ""
		}
		return http.StatusConflict, "conflict", "Conflit avec l'état actuel : rechargez la page.", ""
	case errors.As(err, &he):
		return he.Code, httpCode(he.Code), httpMessage(he), ""
	case errors.Is(err, forum.ErrUnavailable):
		return http.StatusServiceUnavailable, "unavailable", "Le forum ne peut pas enregistrer de modification pour le moment : réessayez dans quelques minutes.", ""
	}
	return http.StatusInternalServerError, "internal", "Erreur interne : l'incident est enregistré, réessayez plus tard.", ""
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

// httpMessage gives Echo's own errors a French message.
func httpMessage(he *echo.HTTPError) string {
	if m, ok := he.Message.(string); ok && he.Internal == nil && !isEchoDefault(he) {
		return m
	}
	switch he.Code {
	case http.StatusNotFound:
		return "Page ou ressource introuvable."
	case http.StatusMethodNotAllowed:
		return "Méthode non autorisée pour cette adresse."
	case http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("La requête est trop volumineuse (%d Kio au plus).", DefaultBodyLimit>>10)
	case http.StatusUnsupportedMediaType:
		return "Type de contenu non pris en charge : envoyez du JSON (Content-Type: application/json)."
	case http.StatusBadRequest:
		return "Requête invalide."
	}
	return "La requête n'a pas pu aboutir."
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
	status, code, msg, field := classify(err)
	msg = i18n.Message(language(c), msg)
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
			return forum.Invalidf(field, "json_type", "Le champ « %s » n'a pas le bon type (attendu : %s).", field, frenchType(te.Type.String()))
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

func capitalize(s string) string {
	r := []rune(s)
	if len(r) > 0 && r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	if len(r) > 0 && r[0] == 'é' {
		r[0] = 'É'
	}
	return string(r)
}
