package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

// This file holds what moderation needs beyond the forum: decisions (each
// one conditional update, so two moderators deciding at once cannot both
// win), moderators' changes to threads and members, and the queue. Reports,
// the audit log and notifications are in moderation_log.go.

// decisionWhere is the condition a post must meet for a decision: its id,
// one of cond's statuses, and the last decision when cond asks for it.
func decisionWhere(postID string, cond moderation.PostCondition) (string, []any) {
	where := `id = ? AND status IN (` + placeholders(len(cond.Statuses)) + `)`
	args := append([]any{postID}, anys(cond.Statuses)...)
	if cond.DecisionAction != "" {
		where += ` AND decision_action = ?`
		args = append(args, cond.DecisionAction)
	}
	if !cond.DecidedAfter.IsZero() {
		where += ` AND decision_at > ?`
		args = append(args, ms(cond.DecidedAfter))
	}
	return where, args
}

// decisionSet assigns a post's status and decision columns.
const decisionSet = `status = ?, decision_action = ?, decision_by_id = ?, decision_by_name = ?, decision_by_authority = ?,
	decision_by_authority_type = ?, decision_at = ?, decision_reason = ?`

// DecidePost moves the post to status with decision d if it meets cond, in
// one conditional update; false when it did not (someone decided first).
func (s *Store) DecidePost(ctx context.Context, postID string, cond moderation.PostCondition, status string, d forum.Decision) (bool, error) {
	if len(cond.Statuses) == 0 {
		return false, nil
	}
	where, whereArgs := decisionWhere(postID, cond)
	args := append(append([]any{status}, decisionArgs(&d)...), whereArgs...)
	n, err := s.exec(ctx, `UPDATE posts SET `+decisionSet+` WHERE `+where, args...)
	return n > 0, err
}

// DecidePostEdited decides and edits the post in one transaction of the
// single writer (so the check and the update are one step): only a post
// meeting cond whose source is still e.Current changes; its terms follow
// the new HTML.
func (s *Store) DecidePostEdited(ctx context.Context, postID string, cond moderation.PostCondition, status string, d forum.Decision, e forum.PostEdit) (bool, error) {
	if len(cond.Statuses) == 0 {
		return false, nil
	}
	where, whereArgs := decisionWhere(postID, cond)
	var ok bool
	err := s.write(ctx, func(q querier) error {
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM posts WHERE `+where, whereArgs...).Scan(&one)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		ok, err = editPost(ctx, q, postID, e, decisionSet, append([]any{status}, decisionArgs(&d)...)...)
		return err
	})
	return ok && err == nil, err
}

// SetThreadStatus moves a thread whose status is one of from to status;
// false when it was not in from (or does not exist).
func (s *Store) SetThreadStatus(ctx context.Context, threadID string, from []string, status string) (bool, error) {
	if len(from) == 0 {
		return false, nil
	}
	n, err := s.exec(ctx, `UPDATE threads SET status = ? WHERE id = ? AND status IN (`+placeholders(len(from))+`)`,
		append([]any{status, threadID}, anys(from)...)...)
	return n > 0, err
}

// IncThreadPostCount adds delta to a thread's published post count.
func (s *Store) IncThreadPostCount(ctx context.Context, threadID string, delta int) error {
	n, err := s.exec(ctx, `UPDATE threads SET post_count = post_count + ? WHERE id = ?`, delta, threadID)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// UpdateThread sets the changed fields of a thread; a new title rewrites
// the title's search terms in the same transaction. Nothing to change is
// not an error, even for a missing thread (as on MongoDB).
func (s *Store) UpdateThread(ctx context.Context, threadID string, c moderation.ThreadChange) error {
	var set []string
	var args []any
	if c.Title != nil {
		set, args = append(set, "title = ?"), append(args, *c.Title)
	}
	if c.Theme != nil {
		set, args = append(set, "theme = ?"), append(args, *c.Theme)
	}
	if c.AuthorityTypes != nil {
		set, args = append(set, "authority_types = ?"), append(args, jsonText(c.AuthorityTypes))
	}
	if c.Locked != nil {
		set, args = append(set, "locked = ?"), append(args, b2i(*c.Locked))
	}
	if c.Pinned != nil {
		set, args = append(set, "pinned = ?"), append(args, b2i(*c.Pinned))
	}
	if len(set) == 0 {
		return nil
	}
	return s.write(ctx, func(q querier) error {
		rid, err := ridOf(ctx, q, "threads", threadID)
		if err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `UPDATE threads SET `+strings.Join(set, ", ")+` WHERE rid = ?`, append(args, rid)...); err != nil {
			return err
		}
		if c.Title == nil {
			return nil
		}
		return setTerms(ctx, q, "threads_fts", rid, forum.SearchTerms(*c.Title), true)
	})
}

// UpdateMember sets the changed moderation fields of a member; ClearUntil
// ends the suspension's term (suspended_until NULL). Nothing to change is
// not an error.
func (s *Store) UpdateMember(ctx context.Context, memberID string, c moderation.MemberChange) error {
	var set []string
	var args []any
	if c.Status != nil {
		set, args = append(set, "status = ?"), append(args, *c.Status)
	}
	switch {
	case c.ClearUntil:
		set = append(set, "suspended_until = NULL")
	case c.SuspendedUntil != nil:
		set, args = append(set, "suspended_until = ?"), append(args, ms(*c.SuspendedUntil))
	}
	if c.SuspendReason != nil {
		set, args = append(set, "suspend_reason = ?"), append(args, *c.SuspendReason)
	}
	if c.Trusted != nil {
		set, args = append(set, "trusted = ?"), append(args, b2i(*c.Trusted))
	}
	if c.AlwaysModerate != nil {
		set, args = append(set, "always_moderate = ?"), append(args, b2i(*c.AlwaysModerate))
	}
	if len(set) == 0 {
		return nil
	}
	return s.updateMember(ctx, strings.Join(set, ", "), append(args, memberID)...)
}

// IncMemberRejectedPosts adds delta to the member's rejected post count.
func (s *Store) IncMemberRejectedPosts(ctx context.Context, memberID string, delta int) error {
	return s.updateMember(ctx, `rejected_posts = rejected_posts + ?`, delta, memberID)
}

// ListPostsByStatus returns posts of a status, oldest first (the moderation
// queue: index posts_status); limit <= 0 means no limit.
func (s *Store) ListPostsByStatus(ctx context.Context, status string, limit int) ([]forum.Post, error) {
	return queryAll(ctx, s, scanPost, `SELECT `+postCols+` FROM posts INDEXED BY posts_status
		WHERE status = ? ORDER BY id LIMIT ?`, status, sqlLimit(limit))
}

// CountPostsByStatus counts posts of a status (from the index alone).
func (s *Store) CountPostsByStatus(ctx context.Context, status string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT count(*) FROM posts INDEXED BY posts_status WHERE status = ?`, status).Scan(&n)
	return n, mapErr(err)
}

// ListModerators returns moderators and admins, by id (the order they
// joined: ids are time-ordered).
func (s *Store) ListModerators(ctx context.Context) ([]forum.Member, error) {
	return queryAll(ctx, s, scanMember, `SELECT `+memberCols+` FROM members WHERE role IN (?, ?) ORDER BY id`,
		forum.RoleModerator, forum.RoleAdmin)
}

// MarkReminded sets the reminder time of a post that has none, in one
// conditional update; false when it was already reminded (or is missing).
func (s *Store) MarkReminded(ctx context.Context, postID string, at time.Time) (bool, error) {
	n, err := s.exec(ctx, `UPDATE posts SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL`, ms(at), postID)
	return n > 0, err
}

// sqlLimit is a LIMIT value: n, or -1 (no limit) when n <= 0, as MongoDB
// reads a zero limit.
func sqlLimit(n int) int64 {
	if n <= 0 {
		return -1
	}
	return int64(n)
}
