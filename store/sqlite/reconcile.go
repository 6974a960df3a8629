package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"coterforum/forum"
)

// PostByIdempotencyKey returns the author's post stored with that key.
func (s *Store) PostByIdempotencyKey(ctx context.Context, authorID, key string) (*forum.Post, error) {
	p, err := queryOne(ctx, s, scanPost, `SELECT `+postCols+` FROM posts INDEXED BY posts_idempotency
		WHERE author_id = ? AND idempotency_key = ? AND idempotency_key IS NOT NULL`, authorID, key)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ThreadTally computes the thread's tally from its posts: three indexed
// reads (the count from posts_thread alone, the latest published post
// from posts_thread_activity, the first post by id).
func (s *Store) ThreadTally(ctx context.Context, th *forum.Thread) (forum.ThreadTally, error) {
	t := forum.ThreadTally{Status: th.Status, LastActivityAt: th.CreatedAt, LastPostID: th.FirstPostID, LastAuthor: th.Author.DisplayName}
	var firstStatus, firstAuthor string
	err := s.queryRow(ctx, `SELECT status, author_name FROM posts WHERE id = ?`, th.FirstPostID).Scan(&firstStatus, &firstAuthor)
	switch {
	case err == nil:
		t.Status, t.LastAuthor = firstStatus, firstAuthor
	case !errors.Is(err, sql.ErrNoRows):
		return t, mapErr(err)
	}
	if err := s.queryRow(ctx, `SELECT count(*) FROM posts INDEXED BY posts_thread WHERE thread_id = ? AND status = ?`,
		th.ID, forum.PostPublished).Scan(&t.PostCount); err != nil {
		return t, mapErr(err)
	}
	if t.PostCount == 0 {
		return t, nil
	}
	var at int64
	if err := s.queryRow(ctx, `SELECT id, author_name, published_at FROM posts INDEXED BY posts_thread_activity
		WHERE thread_id = ? AND status = ? ORDER BY published_at DESC, id DESC LIMIT 1`, th.ID, forum.PostPublished).
		Scan(&t.LastPostID, &t.LastAuthor, &at); err != nil {
		return t, mapErr(err)
	}
	t.LastActivityAt = tm(at)
	return t, nil
}

// SetThreadTally writes a thread's tally (its authority-type rows follow
// by trigger).
func (s *Store) SetThreadTally(ctx context.Context, threadID string, t forum.ThreadTally) error {
	n, err := s.exec(ctx, `UPDATE threads SET status = ?, post_count = ?, last_activity_at = ?, last_post_id = ?, last_author = ?
		WHERE id = ?`, t.Status, t.PostCount, ms(t.LastActivityAt), t.LastPostID, t.LastAuthor, threadID)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// ThreadIDsAfter returns up to limit thread ids above afterID, in order.
func (s *Store) ThreadIDsAfter(ctx context.Context, afterID string, limit int) ([]string, error) {
	return queryAll(ctx, s, scanString, `SELECT id FROM threads WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

// ThreadIDsTouchedSince returns the threads of up to limit posts created
// or decided at or after since, from posts_touched.
func (s *Store) ThreadIDsTouchedSince(ctx context.Context, since time.Time, limit int) ([]string, error) {
	return queryAll(ctx, s, scanString, `SELECT DISTINCT thread_id FROM (SELECT thread_id FROM posts INDEXED BY posts_touched
		WHERE coalesce(decision_at, created_at) >= ? LIMIT ?)`, ms(since), limit)
}

// MemberIDsAfter returns up to limit member ids above afterID, in order.
func (s *Store) MemberIDsAfter(ctx context.Context, afterID string, limit int) ([]string, error) {
	return queryAll(ctx, s, scanString, `SELECT id FROM members WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

// CountApprovedPosts counts the member's published and hidden posts.
func (s *Store) CountApprovedPosts(ctx context.Context, memberID string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM posts INDEXED BY posts_author WHERE author_id = ? AND status IN (?, ?)`,
		memberID, forum.PostPublished, forum.PostHidden).Scan(&n)
	return n, mapErr(err)
}

// SetMemberApprovedPosts sets the member's approved post count.
func (s *Store) SetMemberApprovedPosts(ctx context.Context, memberID string, n int) error {
	return s.updateMember(ctx, `approved_posts = ?`, n, memberID)
}
