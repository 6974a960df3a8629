package sqlite

import (
	"context"
	"time"

	"coterforum/forum"
)

// identityCols are the columns scanIdentity reads, in its order.
const identityCols = `id, issuer, subject, member_id, email, siret, siren, created_at, last_login_at`

// scanIdentity reads a row of identityCols.
func scanIdentity(r scanner) (forum.Identity, error) {
	var id forum.Identity
	var created, last int64
	err := r.Scan(&id.ID, &id.Issuer, &id.Subject, &id.MemberID, &id.Email, &id.SIRET, &id.SIREN, &created, &last)
	id.CreatedAt, id.LastLoginAt = tm(created), tm(last)
	return id, err
}

// InsertIdentity adds an identity link; forum.ErrDuplicate when (issuer,
// subject) or (member, issuer) is taken.
func (s *Store) InsertIdentity(ctx context.Context, id *forum.Identity) error {
	_, err := s.exec(ctx, insertIdentitySQL, identityArgs(id)...)
	return err
}

// insertIdentitySQL inserts an identity link.
const insertIdentitySQL = `INSERT INTO identities (` + identityCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// identityArgs are the values of identityCols.
func identityArgs(id *forum.Identity) []any {
	return []any{id.ID, id.Issuer, id.Subject, id.MemberID, id.Email, id.SIRET, id.SIREN, ms(id.CreatedAt), ms(id.LastLoginAt)}
}

// IdentityBySubject returns the link of (issuer, subject).
func (s *Store) IdentityBySubject(ctx context.Context, issuer, subject string) (*forum.Identity, error) {
	id, err := queryOne(ctx, s, scanIdentity, `SELECT `+identityCols+` FROM identities WHERE issuer = ? AND subject = ?`, issuer, subject)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// IdentitiesOf returns the member's links, by issuer.
func (s *Store) IdentitiesOf(ctx context.Context, memberID string) ([]forum.Identity, error) {
	return queryAll(ctx, s, scanIdentity, `SELECT `+identityCols+` FROM identities WHERE member_id = ? ORDER BY issuer, id`, memberID)
}

// RecordIdentityLogin updates the link's email, SIRET, SIREN and last login.
func (s *Store) RecordIdentityLogin(ctx context.Context, issuer, subject, email, siret, siren string, at time.Time) error {
	n, err := s.exec(ctx, `UPDATE identities SET email = ?, siret = ?, siren = ?, last_login_at = ? WHERE issuer = ? AND subject = ?`,
		email, siret, siren, ms(at), issuer, subject)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// DeleteIdentitiesOf deletes every link of the member.
func (s *Store) DeleteIdentitiesOf(ctx context.Context, memberID string) error {
	_, err := s.exec(ctx, `DELETE FROM identities WHERE member_id = ?`, memberID)
	return err
}
