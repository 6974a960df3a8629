package moderation

import (
	"context"
	"sort"
	"time"

	"coterforum/forum"
)

// Queue item kinds.
const (
	ItemPending  = "pending"
	ItemReported = "reported"
)

// QueueItem is one thing waiting for a moderator, with its context.
type QueueItem struct {
	Kind    string
	Post    forum.Post
	Thread  forum.Thread
	IsFirst bool
	// Context is up to three published posts before this one in its thread.
	Context []forum.Post
	// Author's history: approved and rejected posts so far.
	AuthorApproved int
	AuthorRejected int
	AuthorStatus   string
	Reports        []Report
	// Since is when the item entered the queue.
	Since time.Time
}

// QueueFilter narrows the queue; empty fields do not filter.
type QueueFilter struct {
	Theme         string
	AuthorityType string
}

// Queue returns pending posts and reported posts, oldest first.
func (s *Service) Queue(ctx context.Context, actor *forum.Member, f QueueFilter) ([]QueueItem, error) {
	if err := s.requireModerator(actor); err != nil {
		return nil, err
	}
	pending, err := s.store.ListPostsByStatus(ctx, forum.PostPending, MaxQueueItems)
	if err != nil {
		return nil, err
	}
	reports, err := s.store.ListOpenReports(ctx, MaxQueueItems*5)
	if err != nil {
		return nil, err
	}
	byPost := map[string][]Report{}
	var reportedIDs []string
	for _, r := range reports {
		if _, seen := byPost[r.PostID]; !seen {
			reportedIDs = append(reportedIDs, r.PostID)
		}
		byPost[r.PostID] = append(byPost[r.PostID], r)
	}
	reported, err := s.store.PostsByIDs(ctx, reportedIDs)
	if err != nil {
		return nil, err
	}
	threadIDs := map[string]bool{}
	for _, p := range append(append([]forum.Post{}, pending...), reported...) {
		threadIDs[p.ThreadID] = true
	}
	ids := make([]string, 0, len(threadIDs))
	for id := range threadIDs {
		ids = append(ids, id)
	}
	threads, err := s.store.ThreadsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byThread := map[string]forum.Thread{}
	for _, t := range threads {
		byThread[t.ID] = t
	}
	var items []QueueItem
	add := func(kind string, p forum.Post, since time.Time) {
		th, ok := byThread[p.ThreadID]
		if !ok || (f.Theme != "" && th.Theme != f.Theme) || (f.AuthorityType != "" && !contains(th.AuthorityTypes, f.AuthorityType)) {
			return
		}
		items = append(items, QueueItem{Kind: kind, Post: p, Thread: th, IsFirst: th.FirstPostID == p.ID,
			Reports: byPost[p.ID], Since: since})
	}
	for _, p := range pending {
		add(ItemPending, p, p.CreatedAt)
	}
	for _, p := range reported {
		if p.Status == forum.PostPending {
			continue // already listed as pending
		}
		add(ItemReported, p, byPost[p.ID][0].CreatedAt)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Since.Before(items[j].Since) })
	for i := range items {
		if err := s.fillContext(ctx, actor, &items[i]); err != nil {
			return nil, err
		}
	}
	return items, nil
}

func (s *Service) fillContext(ctx context.Context, actor *forum.Member, it *QueueItem) error {
	if m, err := s.store.MemberByID(ctx, it.Post.Author.ID); err == nil {
		it.AuthorApproved, it.AuthorRejected = m.ApprovedPosts, m.RejectedPosts
		it.AuthorStatus = describeMember(m, s.forum.Now())
	}
	if it.IsFirst {
		return nil
	}
	f := forum.PostFilter{ThreadID: it.Thread.ID}
	n, err := s.store.CountPosts(ctx, f, &it.Post)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil // a limit of 0 would list the whole thread
	}
	// Only the posts before this one: fewer than three when the thread is short.
	f.Skip = max(0, int(n)-3)
	f.Limit = min(3, int(n))
	posts, err := s.store.ListPosts(ctx, f)
	if err != nil {
		return err
	}
	it.Context = posts
	return nil
}

// PendingCount is the number of items waiting (pending posts and reported posts).
func (s *Service) PendingCount(ctx context.Context, actor *forum.Member) (int, error) {
	if !actor.IsModerator() {
		return 0, nil
	}
	n, err := s.cachedCount(ctx, "moderation:queue", forum.KeyQueue, func() (int64, error) {
		n, err := s.store.CountPostsByStatus(ctx, forum.PostPending)
		if err != nil {
			return 0, err
		}
		reports, err := s.store.ListOpenReports(ctx, MaxQueueItems*5)
		if err != nil {
			return 0, err
		}
		posts := map[string]bool{}
		for _, r := range reports {
			posts[r.PostID] = true
		}
		return n + int64(len(posts)), nil
	})
	return int(n), err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
