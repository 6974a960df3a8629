package forum

import "context"

// Post numbers. A post's number (the "#12" of a thread page, a link to its
// permalink) is its rank, from 1, among all the posts of its thread whatever
// their status, in creation order (ids sort by creation time). Posts never
// change thread and are never deleted (an erased member's posts stay,
// anonymised), so a number never shifts: hiding, rejecting or approving a
// post leaves the others' numbers as they were, and a reader may see #3
// then #5 while #4 waits for moderation. The numbers are computed when a
// page is rendered (two indexed queries, cached with the page) rather than
// stored, so that no migration, backfill or counter is needed and the stores
// and their copies can never disagree about them.

// PostNumberStore reads what post numbers are computed from.
type PostNumberStore interface {
	// ThreadPostIDsBetween returns the ids of the thread's posts, whatever
	// their status, from fromID to toID included, in id order.
	ThreadPostIDsBetween(ctx context.Context, threadID, fromID, toID string) ([]string, error)
}

// PostNumbers returns the number of each of posts, a page of one thread's
// posts in id order (as ThreadPage returns them), by post id.
func (s *Service) PostNumbers(ctx context.Context, threadID string, posts []Post) (map[string]int, error) {
	out := make(map[string]int, len(posts))
	if len(posts) == 0 {
		return out, nil
	}
	first, last := &posts[0], &posts[len(posts)-1]
	before, err := s.store.CountPosts(ctx, PostFilter{ThreadID: threadID, AllStatuses: true}, first)
	if err != nil {
		return nil, err
	}
	ids, err := s.store.ThreadPostIDsBetween(ctx, threadID, first.ID, last.ID)
	if err != nil {
		return nil, err
	}
	rank := make(map[string]int, len(ids))
	for i, id := range ids {
		rank[id] = int(before) + i + 1
	}
	for _, p := range posts {
		if n, ok := rank[p.ID]; ok {
			out[p.ID] = n
		}
	}
	return out, nil
}
