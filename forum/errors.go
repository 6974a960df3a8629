// Package forum holds the domain of coterforum: themes, authority types,
// members, threads and posts, and the services that change them. It knows
// nothing of HTTP or of the database driver.
package forum

import (
	"errors"
	"fmt"
)

// Domain errors returned by the services; server/errors.go maps them to
// HTTP statuses.
var (
	// ErrNotFound means the thing does not exist or the viewer may not see it.
	ErrNotFound = errors.New("introuvable")
	// ErrForbidden means the viewer is known but may not do this.
	ErrForbidden = errors.New("action non autorisée")
	// ErrUnauthenticated means the action needs a logged-in member.
	ErrUnauthenticated = errors.New("connexion requise")
	// ErrConflict means the change collides with the current state.
	ErrConflict = errors.New("conflit avec l'état actuel")
	// ErrDuplicate is returned by stores when a unique index refuses an insert.
	ErrDuplicate = errors.New("existe déjà")
	// ErrUnavailable is wrapped by stores when the database cannot take a
	// write now (disk full, read-only files, database locked for too long):
	// nothing was written, and the request may be tried again later.
	ErrUnavailable = errors.New("base de données indisponible")
)

// ValidationError tells which field of the input is wrong, in French.
type ValidationError struct {
	Field   string // the input field (JSON name), e.g. "title"
	Code    string // machine-readable, e.g. "title_too_short"
	Message string // for a person, in French
}

func (e *ValidationError) Error() string { return e.Message }

// Invalid builds a ValidationError.
func Invalid(field, code, message string) *ValidationError {
	return &ValidationError{Field: field, Code: code, Message: message}
}

// Invalidf builds a ValidationError whose French message is a format
// filled with args; the format itself is in the English catalog, which
// translates the filled message (i18n.Message).
func Invalidf(field, code, format string, args ...any) *ValidationError {
	return Invalid(field, code, fmt.Sprintf(format, args...))
}
