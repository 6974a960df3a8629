package forum

import "context"

// FeedEntries is the number of posts a feed carries.
const FeedEntries = 30

// FeedStore is what feeds need from the database.
type FeedStore interface {
	// RecentThreads returns published threads matching the theme and
	// authority type of f (other fields ignored), by last activity, newest
	// first, pinned or not; at most limit of them (0: all).
	RecentThreads(ctx context.Context, f ThreadFilter, limit int) ([]Thread, error)
	// LatestPublishedPosts returns the newest published posts of the given
	// threads, newest first, at most limit of them, without their source.
	LatestPublishedPosts(ctx context.Context, threadIDs []string, limit int) ([]Post, error)
}

// FeedQuery selects what a feed follows: everything (all fields empty), a
// theme (optionally crossed with an authority type), an authority type, or
// one thread.
type FeedQuery struct {
	Theme         string
	AuthorityType string
	ThreadID      string
}

// FeedItem is one published post of a feed with its thread.
type FeedItem struct {
	Post   Post
	Thread *Thread
}

// FirstPost reports whether the item's post opened its thread.
func (i FeedItem) FirstPost() bool { return i.Post.ID == i.Thread.FirstPostID }

// FeedItems returns the latest FeedEntries published posts the query
// follows, newest first (by creation time). Posts of a thread that is not
// published never appear. An unknown theme, authority type or thread, or a
// thread that is not published, is ErrNotFound: feeds are anonymous.
func (s *Service) FeedItems(ctx context.Context, q FeedQuery) ([]FeedItem, error) {
	if q.ThreadID != "" {
		if !ValidID(q.ThreadID) {
			return nil, ErrNotFound
		}
		th, err := s.store.ThreadByID(ctx, q.ThreadID)
		if err != nil {
			return nil, err
		}
		if th.Status != ThreadPublished {
			return nil, ErrNotFound
		}
		posts, err := s.store.LatestPublishedPosts(ctx, []string{th.ID}, FeedEntries)
		if err != nil {
			return nil, err
		}
		return feedItems(posts, map[string]*Thread{th.ID: th}), nil
	}
	if q.Theme != "" {
		if _, err := s.Theme(ctx, q.Theme); err != nil {
			return nil, err
		}
	}
	if q.AuthorityType != "" {
		if _, err := s.AuthorityType(ctx, q.AuthorityType); err != nil {
			return nil, err
		}
	}
	f := ThreadFilter{Theme: q.Theme, AuthorityType: q.AuthorityType}
	// A thread's last activity is the creation time of its newest published
	// post, so the newest posts lie in the most recently active threads:
	// take a few more threads than entries and widen until every thread left
	// out is older than the oldest post kept.
	for limit := 2 * FeedEntries; ; limit *= 8 {
		if limit > 2000 {
			limit = 0
		}
		threads, err := s.store.RecentThreads(ctx, f, limit)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]*Thread, len(threads))
		ids := make([]string, 0, len(threads))
		for i := range threads {
			byID[threads[i].ID] = &threads[i]
			ids = append(ids, threads[i].ID)
		}
		if len(ids) == 0 {
			return []FeedItem{}, nil
		}
		posts, err := s.store.LatestPublishedPosts(ctx, ids, FeedEntries)
		if err != nil {
			return nil, err
		}
		complete := limit == 0 || len(threads) < limit
		if !complete && len(posts) == FeedEntries {
			oldestKept := posts[len(posts)-1].CreatedAt
			complete = !oldestKept.Before(threads[len(threads)-1].LastActivityAt)
		}
		if complete {
			return feedItems(posts, byID), nil
		}
	}
}

func feedItems(posts []Post, threads map[string]*Thread) []FeedItem {
	out := make([]FeedItem, 0, len(posts))
	for _, p := range posts {
		if th, ok := threads[p.ThreadID]; ok {
			out = append(out, FeedItem{Post: p, Thread: th})
		}
	}
	return out
}
