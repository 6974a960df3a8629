// Package forum holds the domain of coterforum: themes, authority types,
// members, threads and posts, and the services that change them. It knows
// nothing of HTTP or of the database driver.
package forum

import (
	"errors"

	"coterforum/i18n"
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

// ValidationError tells which field of the input is wrong, with a
// message translated where it is shown.
type ValidationError struct {
	Field string   // the input field (JSON name), e.g. "title"
	Code  string   // machine-readable, e.g. "title_too_short"
	Msg   i18n.Msg // for a person: a French key and its arguments
}

// Error is the message in French.
func (e *ValidationError) Error() string { return e.Msg.String() }

// Invalid builds a ValidationError; message is French source text, a key
// of the i18n catalog.
func Invalid(field, code, message string) *ValidationError {
	return &ValidationError{Field: field, Code: code, Msg: i18n.M(message)}
}

// Invalidf builds a ValidationError whose message is a French format (a
// key of the i18n catalog) and its arguments, filled in the reader's
// language when shown.
func Invalidf(field, code, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Code: code, Msg: i18n.M(format, args...)}
}

// ConflictError is ErrConflict with a message saying what collided.
type ConflictError struct{ Msg i18n.Msg }

// Error is the message in French, after ErrConflict's.
func (e *ConflictError) Error() string { return ErrConflict.Error() + " : " + e.Msg.String() }

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Conflict builds a ConflictError from a French format (a key of the i18n
// catalog) and its arguments.
func Conflict(format string, args ...any) error {
	return &ConflictError{Msg: i18n.M(format, args...)}
}
