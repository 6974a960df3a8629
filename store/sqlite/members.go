package sqlite

import (
	"context"
	"database/sql"
	"time"

	"coterforum/forum"
)

// memberCols are the columns scanMember reads, in its order.
const memberCols = `id, email, display_name, authority, authority_type, role, status, password_hash, approved_posts,
	rejected_posts, trusted, always_moderate, lang, created_at, suspended_until, suspend_reason,
	deletion_started_at, deletion_posts, deleted_at`

// scanMember reads a row of memberCols.
func scanMember(r scanner) (forum.Member, error) {
	var m forum.Member
	var trusted, always int
	var created int64
	var until, delStarted, deleted sql.NullInt64
	err := r.Scan(&m.ID, &m.Email, &m.DisplayName, &m.Authority, &m.AuthorityType, &m.Role, &m.Status, &m.PasswordHash,
		&m.ApprovedPosts, &m.RejectedPosts, &trusted, &always, &m.Lang, &created, &until, &m.SuspendReason,
		&delStarted, &m.DeletionPosts, &deleted)
	if err != nil {
		return m, err
	}
	m.Trusted, m.AlwaysModerate = trusted != 0, always != 0
	m.CreatedAt = tm(created)
	m.SuspendedUntil, m.DeletionStartedAt, m.DeletedAt = tmPtr(until), tmPtr(delStarted), tmPtr(deleted)
	return m, nil
}

// InsertMember adds a member; forum.ErrDuplicate if the email is taken.
func (s *Store) InsertMember(ctx context.Context, m *forum.Member) error {
	_, err := s.exec(ctx, insertMemberSQL, memberArgs(m)...)
	return err
}

// insertMemberSQL inserts a member.
const insertMemberSQL = `INSERT INTO members (` + memberCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// memberArgs are the values of memberCols.
func memberArgs(m *forum.Member) []any {
	return []any{m.ID, m.Email, m.DisplayName, m.Authority, m.AuthorityType, m.Role, m.Status, m.PasswordHash, m.ApprovedPosts,
		m.RejectedPosts, b2i(m.Trusted), b2i(m.AlwaysModerate), m.Lang, ms(m.CreatedAt), msPtr(m.SuspendedUntil), m.SuspendReason,
		msPtr(m.DeletionStartedAt), m.DeletionPosts, msPtr(m.DeletedAt)}
}

// MemberByID returns the member with that id.
func (s *Store) MemberByID(ctx context.Context, id string) (*forum.Member, error) {
	m, err := queryOne(ctx, s, scanMember, `SELECT `+memberCols+` FROM members WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// MemberByEmail returns the member with that (lower-cased) email.
func (s *Store) MemberByEmail(ctx context.Context, email string) (*forum.Member, error) {
	m, err := queryOne(ctx, s, scanMember, `SELECT `+memberCols+` FROM members WHERE email = ?`, email)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// updateMember runs an UPDATE of one member; ErrNotFound when there is none.
func (s *Store) updateMember(ctx context.Context, set string, args ...any) error {
	n, err := s.exec(ctx, `UPDATE members SET `+set+` WHERE id = ?`, args...)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// UpdateMemberProfile changes the public profile of a member.
func (s *Store) UpdateMemberProfile(ctx context.Context, id, displayName, authority, authorityType, lang string) error {
	return s.updateMember(ctx, `display_name = ?, authority = ?, authority_type = ?, lang = ?`,
		displayName, authority, authorityType, lang, id)
}

// SetMemberPassword replaces a member's password hash.
func (s *Store) SetMemberPassword(ctx context.Context, id, hash string) error {
	return s.updateMember(ctx, `password_hash = ?`, hash, id)
}

// IncMemberApprovedPosts adds delta to the member's approved post count.
func (s *Store) IncMemberApprovedPosts(ctx context.Context, id string, delta int) error {
	return s.updateMember(ctx, `approved_posts = approved_posts + ?`, delta, id)
}

// CountMembers returns the number of members.
func (s *Store) CountMembers(ctx context.Context) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT count(*) FROM members`).Scan(&n)
	return n, mapErr(err)
}

// sessionCols are the columns scanSession reads, in its order.
const sessionCols = `id, member_id, csrf_token, created_at, expires_at`

// scanSession reads a row of sessionCols.
func scanSession(r scanner) (forum.Session, error) {
	var sess forum.Session
	var created, expires int64
	err := r.Scan(&sess.ID, &sess.MemberID, &sess.CSRFToken, &created, &expires)
	sess.CreatedAt, sess.ExpiresAt = tm(created), tm(expires)
	return sess, err
}

// InsertSession stores a new session.
func (s *Store) InsertSession(ctx context.Context, sess *forum.Session) error {
	_, err := s.exec(ctx, insertSessionSQL, sessionArgs(sess)...)
	return err
}

// insertSessionSQL inserts a session.
const insertSessionSQL = `INSERT INTO sessions (` + sessionCols + `) VALUES (?, ?, ?, ?, ?)`

// sessionArgs are the values of sessionCols.
func sessionArgs(sess *forum.Session) []any {
	return []any{sess.ID, sess.MemberID, sess.CSRFToken, ms(sess.CreatedAt), ms(sess.ExpiresAt)}
}

// SessionByID returns the session with that id (the hash of the cookie).
func (s *Store) SessionByID(ctx context.Context, id string) (*forum.Session, error) {
	sess, err := queryOne(ctx, s, scanSession, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// DeleteSession removes one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// DeleteMemberSessions removes every session of a member.
func (s *Store) DeleteMemberSessions(ctx context.Context, memberID string) error {
	_, err := s.exec(ctx, `DELETE FROM sessions WHERE member_id = ?`, memberID)
	return err
}

// DeleteExpiredSessions removes sessions expired at now and says how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	return s.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, ms(now))
}

// inviteCols are the columns scanInvite reads, in its order.
const inviteCols = `id, email, role, invited_by, created_at, expires_at, used_at, lang`

// scanInvite reads a row of inviteCols.
func scanInvite(r scanner) (forum.Invite, error) {
	var inv forum.Invite
	var created, expires int64
	var used sql.NullInt64
	err := r.Scan(&inv.ID, &inv.Email, &inv.Role, &inv.InvitedBy, &created, &expires, &used, &inv.Lang)
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = tm(created), tm(expires), tmPtr(used)
	return inv, err
}

// InsertInvite stores an invitation.
func (s *Store) InsertInvite(ctx context.Context, inv *forum.Invite) error {
	_, err := s.exec(ctx, insertInviteSQL, inviteArgs(inv)...)
	return err
}

// insertInviteSQL inserts an invitation.
const insertInviteSQL = `INSERT INTO invites (` + inviteCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// inviteArgs are the values of inviteCols.
func inviteArgs(inv *forum.Invite) []any {
	return []any{inv.ID, inv.Email, inv.Role, inv.InvitedBy, ms(inv.CreatedAt), ms(inv.ExpiresAt), msPtr(inv.UsedAt), inv.Lang}
}

// InviteByID returns the invitation with that id (the hash of the token).
func (s *Store) InviteByID(ctx context.Context, id string) (*forum.Invite, error) {
	inv, err := queryOne(ctx, s, scanInvite, `SELECT `+inviteCols+` FROM invites WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// UseInvite marks an unused, unexpired invitation used, in one conditional update.
func (s *Store) UseInvite(ctx context.Context, id string, now time.Time) (bool, error) {
	n, err := s.exec(ctx, `UPDATE invites SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?`, ms(now), id, ms(now))
	return n > 0, err
}

// ListInvites returns the latest invitations.
func (s *Store) ListInvites(ctx context.Context, limit int) ([]forum.Invite, error) {
	return queryAll(ctx, s, scanInvite, `SELECT `+inviteCols+` FROM invites ORDER BY created_at DESC LIMIT ?`, limit)
}
