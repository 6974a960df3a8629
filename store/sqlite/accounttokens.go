package sqlite

import (
	"context"
	"database/sql"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

var _ forum.AccountTokenStore = (*Store)(nil)

// accountTokenCols are the columns scanAccountToken reads, in its order.
const accountTokenCols = `id, kind, member_id, email, created_at, expires_at, used_at`

// scanAccountToken reads a row of accountTokenCols.
func scanAccountToken(r scanner) (forum.AccountToken, error) {
	var t forum.AccountToken
	var created, expires int64
	var used sql.NullInt64
	err := r.Scan(&t.ID, &t.Kind, &t.MemberID, &t.Email, &created, &expires, &used)
	t.CreatedAt, t.ExpiresAt, t.UsedAt = tm(created), tm(expires), tmPtr(used)
	return t, err
}

// InsertAccountToken stores a password-reset or email-change token.
func (s *Store) InsertAccountToken(ctx context.Context, t *forum.AccountToken) error {
	_, err := s.exec(ctx, `INSERT INTO account_tokens (`+accountTokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Kind, t.MemberID, t.Email, ms(t.CreatedAt), ms(t.ExpiresAt), msPtr(t.UsedAt))
	return err
}

// AccountTokenByID returns the token with that id (the hash of the secret).
func (s *Store) AccountTokenByID(ctx context.Context, id string) (*forum.AccountToken, error) {
	t, err := queryOne(ctx, s, scanAccountToken, `SELECT `+accountTokenCols+` FROM account_tokens WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// UseAccountToken marks an unused, unexpired token used, in one conditional update.
func (s *Store) UseAccountToken(ctx context.Context, id string, now time.Time) (bool, error) {
	n, err := s.exec(ctx, `UPDATE account_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`, ms(now), id, ms(now))
	return n == 1, err
}

// DeleteMemberAccountTokens removes the member's tokens of a kind ("": all).
func (s *Store) DeleteMemberAccountTokens(ctx context.Context, memberID, kind string) error {
	if kind == "" {
		_, err := s.exec(ctx, `DELETE FROM account_tokens WHERE member_id = ?`, memberID)
		return err
	}
	_, err := s.exec(ctx, `DELETE FROM account_tokens WHERE member_id = ? AND kind = ?`, memberID, kind)
	return err
}

// DeleteExpiredAccountTokens removes the tokens expired at now.
func (s *Store) DeleteExpiredAccountTokens(ctx context.Context, now time.Time) (int64, error) {
	return s.exec(ctx, `DELETE FROM account_tokens WHERE expires_at <= ?`, ms(now))
}

// SetMemberEmail changes a member's address; forum.ErrDuplicate if taken.
func (s *Store) SetMemberEmail(ctx context.Context, memberID, email string) error {
	return s.updateMember(ctx, `email = ?`, email, memberID)
}

var _ digest.SubscriberEmailStore = (*Store)(nil)

// SetSubscriberEmail sets a subscriber's address (a member's that changed).
func (s *Store) SetSubscriberEmail(ctx context.Context, id, email string) error {
	_, err := s.exec(ctx, `UPDATE digest_subscribers SET email = ? WHERE id = ?`, email, id)
	return err
}
