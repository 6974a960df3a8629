package sqlite

import (
	"context"
	"time"

	"coterforum/forum"
)

const readMarkerCols = `member_id, thread_id, post_id, post_at`

func scanReadMarker(r scanner) (forum.ReadMarker, error) {
	var m forum.ReadMarker
	var at int64
	err := r.Scan(&m.MemberID, &m.ThreadID, &m.PostID, &at)
	m.ID, m.PostAt = forum.ReadMarkerID(m.MemberID, m.ThreadID), tm(at)
	return m, err
}

// ReadMarker returns the member's marker on the thread.
func (s *Store) ReadMarker(ctx context.Context, memberID, threadID string) (*forum.ReadMarker, error) {
	m, err := queryOne(ctx, s, scanReadMarker, `SELECT `+readMarkerCols+` FROM read_markers WHERE member_id = ? AND thread_id = ?`,
		memberID, threadID)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ReadMarkers returns the member's markers on any of the threads, in one query.
func (s *Store) ReadMarkers(ctx context.Context, memberID string, threadIDs []string) ([]forum.ReadMarker, error) {
	if len(threadIDs) == 0 {
		return []forum.ReadMarker{}, nil
	}
	return queryAll(ctx, s, scanReadMarker, `SELECT `+readMarkerCols+` FROM read_markers
		WHERE member_id = ? AND thread_id IN (`+placeholders(len(threadIDs))+`)`, append([]any{memberID}, anys(threadIDs)...)...)
}

// AdvanceReadMarker creates the marker or moves it forward, never backwards
// (each of post_id and post_at only grows, as MongoDB's $max does).
func (s *Store) AdvanceReadMarker(ctx context.Context, m *forum.ReadMarker) error {
	_, err := s.exec(ctx, `INSERT INTO read_markers (`+readMarkerCols+`) VALUES (?, ?, ?, ?)
		ON CONFLICT (member_id, thread_id) DO UPDATE SET post_id = max(post_id, excluded.post_id), post_at = max(post_at, excluded.post_at)`,
		m.MemberID, m.ThreadID, m.PostID, ms(m.PostAt))
	return err
}

// DeleteReadMarkers removes every marker of the member.
func (s *Store) DeleteReadMarkers(ctx context.Context, memberID string) (int64, error) {
	return s.exec(ctx, `DELETE FROM read_markers WHERE member_id = ?`, memberID)
}

// FirstPublishedPostAfter returns the oldest published post of the thread
// with an id above afterID (if set) and created after since (if not zero).
func (s *Store) FirstPublishedPostAfter(ctx context.Context, threadID, afterID string, since time.Time) (*forum.Post, error) {
	q := `SELECT ` + postCols + ` FROM posts INDEXED BY posts_thread WHERE thread_id = ? AND status = ? AND id > ?`
	args := []any{threadID, forum.PostPublished, afterID}
	if !since.IsZero() {
		q += ` AND created_at > ?`
		args = append(args, ms(since))
	}
	p, err := queryOne(ctx, s, scanPost, q+` ORDER BY id LIMIT 1`, args...)
	if err != nil {
		return nil, err
	}
	return &p, nil
}
