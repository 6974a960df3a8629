package forum

import (
	"context"

	"coterforum/i18n"

	"github.com/alexedwards/argon2id"
)

// What a deleted member becomes. The record stays, as a tombstone, so that
// the audit log and the posts kept still point at something. Nothing
// stored is in a language: the labels are rendered where they are shown.
const (
	// DeletedMemberName is the name a deleted member's record and every
	// copy of it keep: none. AuthorRef.Erased recognises it.
	DeletedMemberName = ""
	// DeletedMemberLabel is shown, translated, instead of a deleted
	// member's name (a key of the i18n catalog).
	DeletedMemberLabel = "membre supprimé"
	// DeletePostsAnonymise keeps a deleted member's posts, author anonymised.
	DeletePostsAnonymise = "anonymise"
	// DeletePostsRemove empties a deleted member's posts (RemovedPostSource).
	DeletePostsRemove = "remove"
	// RemovedPostSource is the body, source and HTML, of a post removed with
	// its author's account: empty, which no post written can be
	// (Post.Removed recognises it).
	RemovedPostSource = ""
	// RemovedPostText is shown, translated, in place of a removed post (a
	// key of the i18n catalog).
	RemovedPostText = "Message supprimé à la demande de son auteur."
)

// Erased reports whether the ref is a deleted member's: an id and no name.
func (a AuthorRef) Erased() bool { return a.ID != "" && a.DisplayName == DeletedMemberName }

// NameIn is the name to show in lang: the display name, or the deleted
// member label translated.
func (a AuthorRef) NameIn(lang i18n.Lang) string {
	if a.Erased() {
		return i18n.T(lang, DeletedMemberLabel)
	}
	return a.DisplayName
}

// NameArg is the name as an argument of an i18n.Msg: the display name, or
// the deleted member label, translated when the message is.
func (a AuthorRef) NameArg() any {
	if a.Erased() {
		return i18n.Word(DeletedMemberLabel)
	}
	return a.DisplayName
}

// Removed reports whether the post was removed with its author's account:
// it has no body left.
func (p *Post) Removed() bool { return p.Source == RemovedPostSource && p.HTML == "" }

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
