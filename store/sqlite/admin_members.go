package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"coterforum/forum"
)

// ListMembers returns the members f selects, by email: within a role on
// members_role_email, within a status on members_status_email, else on the
// email index. A search reads that index in order and keeps the rows that
// match (a club's few thousand members at most).
func (s *Store) ListMembers(ctx context.Context, f forum.MemberFilter) ([]forum.Member, error) {
	index := "sqlite_autoindex_members_2" // email UNIQUE
	var where []string
	var args []any
	if f.Role != "" {
		index = "members_role_email"
		where, args = append(where, "role = ?"), append(args, f.Role)
	}
	switch f.Status {
	case forum.MemberFilterActive, forum.MemberFilterSuspended:
		if f.Role == "" {
			index = "members_status_email"
		}
		where, args = append(where, "status = ?", "deletion_started_at IS NULL"), append(args, f.Status)
	case forum.MemberFilterDeleted:
		where = append(where, "deletion_started_at IS NOT NULL")
	default:
		where = append(where, "deletion_started_at IS NULL")
	}
	if f.Query != "" {
		like := "%" + likeEscaper.Replace(f.Query) + "%"
		where, args = append(where, `(email LIKE ? ESCAPE '\' OR display_name LIKE ? ESCAPE '\')`), append(args, like, like)
	}
	q := `SELECT ` + memberCols + ` FROM members INDEXED BY ` + index + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY email LIMIT ? OFFSET ?`
	return queryAll(ctx, s, scanMember, q, append(args, f.Limit, f.Skip)...)
}

// likeEscaper escapes LIKE's wildcards in a search.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// CountMembersByRoleStatus counts members by role and status on the
// covering index members_counts.
func (s *Store) CountMembersByRoleStatus(ctx context.Context) (forum.MemberCounts, error) {
	var c forum.MemberCounts
	rows, err := s.read(ctx).QueryContext(ctx, `SELECT role, status, deletion_started_at IS NOT NULL, count(*)
		FROM members INDEXED BY members_counts GROUP BY role, status, deletion_started_at IS NOT NULL`)
	if err != nil {
		return c, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var role, status string
		var deleted bool
		var n int64
		if err := rows.Scan(&role, &status, &deleted, &n); err != nil {
			return c, mapErr(err)
		}
		if deleted {
			c.Deleted += n
			continue
		}
		c.Add(role, status, n)
	}
	return c, mapErr(rows.Err())
}

// CountPublishedSince counts the posts published at or after since (posts_published).
func (s *Store) CountPublishedSince(ctx context.Context, since time.Time) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT count(*) FROM posts INDEXED BY posts_published WHERE status = ? AND published_at >= ?`,
		forum.PostPublished, ms(since)).Scan(&n)
	return n, mapErr(err)
}

// SetMemberRole changes a member's role. An admin loses the role only
// while another admin not being deleted remains, checked by the same
// update (one writer: two admins demoting each other cannot both pass).
func (s *Store) SetMemberRole(ctx context.Context, id, role string) error {
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE members SET role = ?
			WHERE id = ? AND deletion_started_at IS NULL AND (role <> ? OR ? = ? OR EXISTS (
				SELECT 1 FROM members AS o INDEXED BY members_role WHERE o.role = ? AND o.id <> ? AND o.deletion_started_at IS NULL))`,
			role, id, forum.RoleAdmin, role, forum.RoleAdmin, forum.RoleAdmin, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var cur string
		var started sql.NullInt64
		err = q.QueryRowContext(ctx, `SELECT role, deletion_started_at FROM members WHERE id = ?`, id).Scan(&cur, &started)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && started.Valid):
			return forum.ErrNotFound
		case err != nil:
			return err
		}
		return forum.ErrLastAdmin
	})
}

// ReplaceInvite swaps an unused invitation for next in one transaction.
func (s *Store) ReplaceInvite(ctx context.Context, oldID string, next *forum.Invite) (bool, error) {
	var ok bool
	err := s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `DELETE FROM invites WHERE id = ? AND used_at IS NULL`, oldID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if _, err := q.ExecContext(ctx, insertInviteSQL, inviteArgs(next)...); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return ok, mapErr(err)
}

// DeleteUnusedInvite deletes an unused invitation.
func (s *Store) DeleteUnusedInvite(ctx context.Context, id string) (bool, error) {
	n, err := s.exec(ctx, `DELETE FROM invites WHERE id = ? AND used_at IS NULL`, id)
	return n > 0, err
}
