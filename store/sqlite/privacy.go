package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/privacy"
)

// This file holds what the personal data features need (package privacy):
// reading everything about one member for the export, and the writes of an
// account deletion. Every write is idempotent: a deletion interrupted by a
// crash is completed by running it again. Each write that spans rows is one
// transaction.

// PostsByAuthor returns every post of a member, whatever its status, oldest first.
func (s *Store) PostsByAuthor(ctx context.Context, memberID string) ([]forum.Post, error) {
	return queryAll(ctx, s, scanPost, `SELECT `+postCols+` FROM posts INDEXED BY posts_author
		WHERE author_id = ? ORDER BY id`, memberID)
}

// ReportsBy returns the reports a member filed, oldest first (ties by id).
func (s *Store) ReportsBy(ctx context.Context, memberID string) ([]moderation.Report, error) {
	return queryAll(ctx, s, scanReport, `SELECT `+reportCols+` FROM reports INDEXED BY reports_reporter
		WHERE reporter_id = ? ORDER BY created_at, id`, memberID)
}

// SessionsOf returns a member's sessions, oldest first (ties by id).
func (s *Store) SessionsOf(ctx context.Context, memberID string) ([]forum.Session, error) {
	return queryAll(ctx, s, scanSession, `SELECT `+sessionCols+` FROM sessions INDEXED BY sessions_member
		WHERE member_id = ? ORDER BY created_at, id`, memberID)
}

// AuditForTargets returns the audit entries whose target is one of ids,
// newest first; nil when ids is empty.
func (s *Store) AuditForTargets(ctx context.Context, ids []string) ([]moderation.AuditEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(ctx, s, scanAudit, `SELECT `+auditCols+` FROM audit INDEXED BY audit_target
		WHERE target_id IN (`+placeholders(len(ids))+`) ORDER BY id DESC`, anys(ids)...)
}

// BeginMemberDeletion marks a member as being deleted, if not already: the
// password hash is emptied (no login) and the role becomes member (no
// moderation mail, not counted as an admin). An interrupted deletion keeps
// the choice made first; a missing member is not an error. An admin is
// marked only while another admin not being deleted remains, checked by
// the same update (one writer: two admins cannot both pass); else
// privacy.ErrLastAdmin.
func (s *Store) BeginMemberDeletion(ctx context.Context, id, posts string, at time.Time) error {
	return s.write(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE members SET deletion_started_at = ?, deletion_posts = ?, password_hash = '', role = ?
			WHERE id = ? AND deletion_started_at IS NULL AND (role <> ? OR EXISTS (
				SELECT 1 FROM members AS o INDEXED BY members_role WHERE o.role = ? AND o.id <> ? AND o.deletion_started_at IS NULL))`,
			ms(at), posts, forum.RoleMember, id, forum.RoleAdmin, forum.RoleAdmin, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var role string
		var started sql.NullInt64
		err = q.QueryRowContext(ctx, `SELECT role, deletion_started_at FROM members WHERE id = ?`, id).Scan(&role, &started)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		case !started.Valid && role == forum.RoleAdmin:
			return privacy.ErrLastAdmin
		}
		return nil
	})
}

// MembersBeingDeleted returns the members whose deletion started and did
// not finish, in the order the deletions started (index members_deleting).
func (s *Store) MembersBeingDeleted(ctx context.Context) ([]forum.Member, error) {
	return queryAll(ctx, s, scanMember, `SELECT `+memberCols+` FROM members INDEXED BY members_deleting
		WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL ORDER BY deletion_started_at, id`)
}

// ErasePostBodies replaces the source and HTML of every post of a member,
// drops their earlier revisions, and replaces their search terms by the
// placeholder's, in one transaction: the erased words are no longer found.
func (s *Store) ErasePostBodies(ctx context.Context, memberID, source, html string) error {
	terms := strings.Join(forum.PostSearchTerms(html), " ")
	return s.write(ctx, func(q querier) error {
		rows, err := q.QueryContext(ctx, `SELECT rid FROM posts INDEXED BY posts_author WHERE author_id = ?`, memberID)
		if err != nil {
			return err
		}
		var rids []int64
		for rows.Next() {
			var rid int64
			if err := rows.Scan(&rid); err != nil {
				rows.Close()
				return err
			}
			rids = append(rids, rid)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(rids) == 0 {
			return nil
		}
		if _, err := q.ExecContext(ctx, `UPDATE posts INDEXED BY posts_author SET source = ?, html = ?, revisions = '[]'
			WHERE author_id = ?`, source, html, memberID); err != nil {
			return err
		}
		for _, rid := range rids {
			if _, err := q.ExecContext(ctx, `DELETE FROM posts_fts WHERE rowid = ?`, rid); err != nil {
				return err
			}
			if terms == "" {
				continue
			}
			if _, err := q.ExecContext(ctx, `INSERT INTO posts_fts (rowid, terms) VALUES (?, ?)`, rid, terms); err != nil {
				return err
			}
		}
		return nil
	})
}

// AnonymiseMember writes ref instead of the member's name wherever posts,
// threads, reports, decisions and the audit log copied it, in one
// transaction. lastPostIDs are the member's posts: threads whose last post
// is one of them show ref's name as their last author.
func (s *Store) AnonymiseMember(ctx context.Context, memberID string, ref forum.AuthorRef, lastPostIDs []string) error {
	return s.write(ctx, func(q querier) error {
		for _, u := range []string{
			`UPDATE posts INDEXED BY posts_author SET author_name = ?, author_authority = ?, author_authority_type = ?
				WHERE author_id = ?`,
			`UPDATE threads INDEXED BY threads_author SET author_name = ?, author_authority = ?, author_authority_type = ?
				WHERE author_id = ?`,
			`UPDATE posts INDEXED BY posts_decided_by SET decision_by_name = ?, decision_by_authority = ?, decision_by_authority_type = ?
				WHERE decision_by_id = ? AND decision_by_id <> ''`,
			`UPDATE reports INDEXED BY reports_reporter SET reporter_name = ?, reporter_authority = ?, reporter_authority_type = ?
				WHERE reporter_id = ?`,
			`UPDATE audit INDEXED BY audit_actor SET actor_name = ?, actor_authority = ?, actor_authority_type = ?
				WHERE actor_id = ?`,
		} {
			if _, err := q.ExecContext(ctx, u, ref.DisplayName, ref.Authority, ref.AuthorityType, memberID); err != nil {
				return err
			}
		}
		if len(lastPostIDs) == 0 {
			return nil
		}
		_, err := q.ExecContext(ctx, `UPDATE threads INDEXED BY threads_last_post SET last_author = ?
			WHERE last_post_id IN (`+placeholders(len(lastPostIDs))+`)`, append([]any{ref.DisplayName}, anys(lastPostIDs)...)...)
		return err
	})
}

// MarkPostsErased sets the erasure time of every post of the member that
// has none.
func (s *Store) MarkPostsErased(ctx context.Context, memberID string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE posts INDEXED BY posts_author SET erased_at = ? WHERE author_id = ? AND erased_at IS NULL`, ms(at), memberID)
	return err
}

// ReadMarkersOf returns every read marker of the member (data export), by thread.
func (s *Store) ReadMarkersOf(ctx context.Context, memberID string) ([]forum.ReadMarker, error) {
	return queryAll(ctx, s, scanReadMarker, `SELECT `+readMarkerCols+` FROM read_markers WHERE member_id = ? ORDER BY thread_id`, memberID)
}

// DeleteInvitesFor removes the invitations sent to an address.
func (s *Store) DeleteInvitesFor(ctx context.Context, email string) error {
	_, err := s.exec(ctx, `DELETE FROM invites WHERE email = ?`, email)
	return err
}

// FinishMemberDeletion turns the member record into a tombstone: no address,
// no name, no authority, no password, no language, no suspension reason;
// deleted_at marks the deletion complete. forum.ErrNotFound when there is
// no such member.
func (s *Store) FinishMemberDeletion(ctx context.Context, id, tombstoneEmail string, at time.Time) error {
	return s.updateMember(ctx, `email = ?, display_name = ?, authority = '', authority_type = '', password_hash = '',
		role = ?, deleted_at = ?, lang = '', suspend_reason = ''`,
		tombstoneEmail, forum.DeletedMemberName, forum.RoleMember, ms(at), id)
}

var _ privacy.Store = (*Store)(nil)
