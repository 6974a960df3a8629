package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"coterforum/moderation"
)

// Reports of posts, the audit log of moderators' actions, and in-app
// notifications to members.

// reportCols are the columns scanReport reads, in its order.
const reportCols = `id, post_id, thread_id, reporter_id, reporter_name, reporter_authority, reporter_authority_type,
	reason, created_at, open, resolved_by, resolved_at`

// scanReport reads a row of reportCols.
func scanReport(r scanner) (moderation.Report, error) {
	var rep moderation.Report
	var created int64
	var open int
	var resolved sql.NullInt64
	err := r.Scan(&rep.ID, &rep.PostID, &rep.ThreadID, &rep.Reporter.ID, &rep.Reporter.DisplayName, &rep.Reporter.Authority,
		&rep.Reporter.AuthorityType, &rep.Reason, &created, &open, &rep.ResolvedBy, &resolved)
	rep.CreatedAt, rep.Open, rep.ResolvedAt = tm(created), open != 0, tmPtr(resolved)
	return rep, err
}

// InsertReport stores a report; forum.ErrDuplicate when that member already
// reported that post (the id is post:reporter).
func (s *Store) InsertReport(ctx context.Context, r *moderation.Report) error {
	_, err := s.exec(ctx, insertReportSQL, reportArgs(r)...)
	return err
}

// insertReportSQL inserts a report.
const insertReportSQL = `INSERT INTO reports (` + reportCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// reportArgs are the values of reportCols.
func reportArgs(r *moderation.Report) []any {
	return []any{r.ID, r.PostID, r.ThreadID, r.Reporter.ID, r.Reporter.DisplayName, r.Reporter.Authority, r.Reporter.AuthorityType,
		r.Reason, ms(r.CreatedAt), b2i(r.Open), r.ResolvedBy, msPtr(r.ResolvedAt)}
}

// CountOpenReports counts a post's open reports (one per reporter by construction).
func (s *Store) CountOpenReports(ctx context.Context, postID string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT count(*) FROM reports WHERE post_id = ? AND open = 1`, postID).Scan(&n)
	return n, mapErr(err)
}

// ListOpenReports returns open reports, oldest first (ties by id);
// limit <= 0 means no limit.
func (s *Store) ListOpenReports(ctx context.Context, limit int) ([]moderation.Report, error) {
	return queryAll(ctx, s, scanReport, `SELECT `+reportCols+` FROM reports INDEXED BY reports_open_created
		WHERE open = 1 ORDER BY created_at, id LIMIT ?`, sqlLimit(limit))
}

// ResolveReports closes every open report of a post.
func (s *Store) ResolveReports(ctx context.Context, postID, by string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE reports SET open = 0, resolved_by = ?, resolved_at = ? WHERE post_id = ? AND open = 1`,
		by, ms(at), postID)
	return err
}

// auditCols are the columns scanAudit reads, in its order.
const auditCols = `id, at, actor_id, actor_name, actor_authority, actor_authority_type, action, target_type, target_id,
	thread_id, before, after, reason`

// scanAudit reads a row of auditCols.
func scanAudit(r scanner) (moderation.AuditEntry, error) {
	var e moderation.AuditEntry
	var at int64
	err := r.Scan(&e.ID, &at, &e.Actor.ID, &e.Actor.DisplayName, &e.Actor.Authority, &e.Actor.AuthorityType, &e.Action,
		&e.TargetType, &e.TargetID, &e.ThreadID, &e.Before, &e.After, &e.Reason)
	e.At = tm(at)
	return e, err
}

// InsertAudit appends an audit entry; forum.ErrDuplicate when its id exists.
func (s *Store) InsertAudit(ctx context.Context, e *moderation.AuditEntry) error {
	_, err := s.exec(ctx, insertAuditSQL, auditArgs(e)...)
	return err
}

// insertAuditSQL inserts an audit entry.
const insertAuditSQL = `INSERT INTO audit (` + auditCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// auditArgs are the values of auditCols.
func auditArgs(e *moderation.AuditEntry) []any {
	return []any{e.ID, ms(e.At), e.Actor.ID, e.Actor.DisplayName, e.Actor.Authority, e.Actor.AuthorityType, e.Action,
		e.TargetType, e.TargetID, e.ThreadID, e.Before, e.After, e.Reason}
}

// ListAudit returns the audit entries matching f, newest first (by id,
// time-ordered); a target matches the entry's target or its thread.
func (s *Store) ListAudit(ctx context.Context, f moderation.AuditFilter) ([]moderation.AuditEntry, error) {
	var where []string
	var args []any
	if f.ActorID != "" {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.TargetID != "" {
		where, args = append(where, "(target_id = ? OR thread_id = ?)"), append(args, f.TargetID, f.TargetID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, ms(f.Until))
	}
	q := `SELECT ` + auditCols + ` FROM audit`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return queryAll(ctx, s, scanAudit, q+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, sqlLimit(f.Limit), max(f.Skip, 0))...)
}

// notificationCols are the columns scanNotification reads, in its order.
const notificationCols = `id, member_id, kind, post_id, thread_id, title, reason, created_at, read`

// scanNotification reads a row of notificationCols.
func scanNotification(r scanner) (moderation.Notification, error) {
	var n moderation.Notification
	var created int64
	var read int
	err := r.Scan(&n.ID, &n.MemberID, &n.Kind, &n.PostID, &n.ThreadID, &n.Title, &n.Reason, &created, &read)
	n.CreatedAt, n.Read = tm(created), read != 0
	return n, err
}

// InsertNotification stores an in-app notification.
func (s *Store) InsertNotification(ctx context.Context, n *moderation.Notification) error {
	_, err := s.exec(ctx, insertNotificationSQL, notificationArgs(n)...)
	return err
}

// insertNotificationSQL inserts a notification.
const insertNotificationSQL = `INSERT INTO notifications (` + notificationCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// notificationArgs are the values of notificationCols.
func notificationArgs(n *moderation.Notification) []any {
	return []any{n.ID, n.MemberID, n.Kind, n.PostID, n.ThreadID, n.Title, n.Reason, ms(n.CreatedAt), b2i(n.Read)}
}

// ListNotifications returns a member's latest notifications, newest first;
// limit <= 0 means no limit.
func (s *Store) ListNotifications(ctx context.Context, memberID string, limit int) ([]moderation.Notification, error) {
	return queryAll(ctx, s, scanNotification, `SELECT `+notificationCols+` FROM notifications INDEXED BY notifications_member
		WHERE member_id = ? ORDER BY id DESC LIMIT ?`, memberID, sqlLimit(limit))
}

// CountUnreadNotifications counts a member's unread notifications.
func (s *Store) CountUnreadNotifications(ctx context.Context, memberID string) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT count(*) FROM notifications WHERE member_id = ? AND read = 0`, memberID).Scan(&n)
	return n, mapErr(err)
}

// MarkNotificationsRead marks a member's notifications read.
func (s *Store) MarkNotificationsRead(ctx context.Context, memberID string) error {
	_, err := s.exec(ctx, `UPDATE notifications SET read = 1 WHERE member_id = ? AND read = 0`, memberID)
	return err
}

// DeleteNotifications removes a member's notifications.
func (s *Store) DeleteNotifications(ctx context.Context, memberID string) error {
	_, err := s.exec(ctx, `DELETE FROM notifications WHERE member_id = ?`, memberID)
	return err
}

var _ moderation.Store = (*Store)(nil)
