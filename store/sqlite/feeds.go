package sqlite

import (
	"context"
	"slices"
	"strings"

	"coterforum/forum"
)

// RecentThreads returns published threads of the filter's theme and
// authority type by last activity, newest first, ignoring pinning: the
// pinned and the other threads are each read in that order from the
// listing index, and merged.
func (s *Store) RecentThreads(ctx context.Context, f forum.ThreadFilter, limit int) ([]forum.Thread, error) {
	l := int64(limit)
	if l <= 0 {
		l = -1
	}
	var parts [2][]forum.Thread
	for pinned := range 2 {
		q, args := threadQuery(f.Theme, f.AuthorityType, "", nil, pinned, "last_activity_at DESC, id DESC")
		var err error
		if parts[pinned], err = queryAll(ctx, s, scanThread, q+` LIMIT ?`, append(args, l)...); err != nil {
			return nil, err
		}
	}
	out := append(parts[0], parts[1]...)
	slices.SortFunc(out, func(a, b forum.Thread) int {
		if c := b.LastActivityAt.Compare(a.LastActivityAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
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
