package sqlite

import (
	"context"

	"coterforum/forum"
)

// RecentThreads returns published threads of the filter's theme and
// authority type by last activity, newest first, ignoring pinning.
func (s *Store) RecentThreads(ctx context.Context, f forum.ThreadFilter, limit int) ([]forum.Thread, error) {
	q, args := threadQuery(f.Theme, f.AuthorityType, "", nil, "last_activity_at DESC, id DESC")
	l := int64(limit)
	if l <= 0 {
		l = -1
	}
	return queryAll(ctx, s, scanThread, q+` LIMIT ?`, append(args, l)...)
}

// LatestPublishedPosts returns the newest published posts of the threads,
// newest first (by creation time, then id), without their Markdown source
// and revisions.
func (s *Store) LatestPublishedPosts(ctx context.Context, threadIDs []string, limit int) ([]forum.Post, error) {
	if len(threadIDs) == 0 {
		return []forum.Post{}, nil
	}
	l := int64(limit)
	if l <= 0 {
		l = -1
	}
	args := append([]any{forum.PostPublished}, anys(threadIDs)...)
	posts, err := queryAll(ctx, s, scanPost, `SELECT `+postCols+` FROM posts INDEXED BY posts_thread_published
		WHERE status = ? AND thread_id IN (`+placeholders(len(threadIDs))+`)
		ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, l)...)
	for i := range posts {
		posts[i].Source, posts[i].Revisions = "", nil
	}
	return posts, err
}
