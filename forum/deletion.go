package forum

import (
	"context"

	"github.com/alexedwards/argon2id"
)

// What a deleted member becomes. The record stays, as a tombstone, so that
// the audit log and the posts kept still point at something.
const (
	// DeletedMemberName is shown instead of a deleted member's name.
	DeletedMemberName = "membre supprimé"
	// DeletePostsAnonymise keeps a deleted member's posts, author anonymised.
	DeletePostsAnonymise = "anonymise"
	// DeletePostsRemove replaces a deleted member's posts by RemovedPostSource.
	DeletePostsRemove = "remove"
	// RemovedPostSource replaces the body of a post removed with its author's account.
	RemovedPostSource = "*Message supprimé à la demande de son auteur.*"
)

// TombstoneEmail is the address a deleted member's record keeps: not an
// address (the .invalid domain never resolves), unique for the unique index.
func TombstoneEmail(memberID string) string { return "deleted-" + memberID + "@invalid" }

// DeletedRef is what posts, threads, reports and the audit log show of a
// deleted member: the id (a random identifier) and nothing else.
func DeletedRef(memberID string) AuthorRef {
	return AuthorRef{ID: memberID, DisplayName: DeletedMemberName}
}

// CheckPassword checks the member's current password, re-typed to confirm
// a sensitive action; a validation error on the field "password" when wrong.
func (s *Service) CheckPassword(ctx context.Context, m *Member, password string) error {
	if m == nil || m.Deleting() {
		return ErrUnauthenticated
	}
	var ok bool
	var err error
	if len(password) <= 4*MaxPasswordChars {
		if herr := s.withHashing(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(password, m.PasswordHash) }); herr != nil {
			return herr
		}
	}
	if err != nil || !ok {
		return Invalid("password", "password_wrong", "Le mot de passe est incorrect.")
	}
	return nil
}
