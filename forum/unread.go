package forum

import (
	"context"
	"errors"
	"time"
)

// ReadMarker records how far a member has read a thread: the newest
// published post they were shown. It only moves forward.
type ReadMarker struct {
	// ID is "memberID:threadID".
	ID       string `bson:"_id"`
	MemberID string `bson:"member_id"`
	ThreadID string `bson:"thread_id"`
	// PostID and PostAt are the id and creation time of the newest post read.
	PostID string    `bson:"post_id"`
	PostAt time.Time `bson:"post_at"`
}

// ReadMarkerID is the identifier of a member's marker on a thread.
func ReadMarkerID(memberID, threadID string) string { return memberID + ":" + threadID }

// ReadMarkerStore is what unread tracking needs from the database.
type ReadMarkerStore interface {
	// ReadMarker returns the member's marker on the thread, ErrNotFound if none.
	ReadMarker(ctx context.Context, memberID, threadID string) (*ReadMarker, error)
	// ReadMarkers returns the member's markers on any of the threads, in one query.
	ReadMarkers(ctx context.Context, memberID string, threadIDs []string) ([]ReadMarker, error)
	// AdvanceReadMarker creates the marker or moves it forward to m's post;
	// it never moves a marker backwards.
	AdvanceReadMarker(ctx context.Context, m *ReadMarker) error
	// DeleteReadMarkers removes every marker of a member (account deletion).
	DeleteReadMarkers(ctx context.Context, memberID string) (int64, error)
	// FirstPublishedPostAfter returns the oldest published post of the thread
	// whose id is greater than afterID (when set) and whose creation time is
	// after since (when not zero); ErrNotFound if none.
	FirstPublishedPostAfter(ctx context.Context, threadID, afterID string, since time.Time) (*Post, error)
}

// MarkRead records that the member was shown the posts of the thread: the
// marker moves to the newest published one, and nothing is written when it
// is already there or beyond. When lastPage is true the member has seen the
// end of the thread, so the marker moves to the thread's last activity even
// if the post behind it was hidden since (else the thread would stay "new"
// for good). Anonymous readers (nil) record nothing.
func (s *Service) MarkRead(ctx context.Context, m *Member, th *Thread, shown []Post, lastPage bool) error {
	if m == nil || th.Status != ThreadPublished {
		return nil
	}
	// The marker stands on the newest post shown (by id: the thread's
	// order) and at the latest publication time shown: a post approved
	// late is older in the thread but newer in time.
	var upTo string
	var at time.Time
	for i := range shown {
		p := &shown[i]
		if p.Status != PostPublished {
			continue
		}
		if p.ID > upTo {
			upTo = p.ID
		}
		if pub := PublishedAt(p); pub.After(at) {
			at = pub
		}
	}
	if upTo == "" {
		return nil
	}
	if lastPage && !th.LastActivityAt.Before(at) {
		at = th.LastActivityAt
		if th.LastPostID > upTo {
			upTo = th.LastPostID
		}
	}
	cur, err := s.store.ReadMarker(ctx, m.ID, th.ID)
	switch {
	case err == nil && cur.PostID >= upTo && !cur.PostAt.Before(at):
		return nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return err
	}
	// The member's unread marks on listings change.
	return s.change(ctx, func(ctx context.Context) error {
		return s.store.AdvanceReadMarker(ctx, &ReadMarker{ID: ReadMarkerID(m.ID, th.ID), MemberID: m.ID, ThreadID: th.ID,
			PostID: upTo, PostAt: at})
	}, ReadsKey(m.ID))
}

// UnreadThreads tells which of the listed threads have published posts the
// member has not read, with one store query for all of them. The rule:
//   - a thread the member has opened is unread when its last activity (the
//     publication of its most recently published post: its approval for a
//     post approved late) is newer than the time their marker stands on;
//   - a thread never opened is unread when it had activity after the
//     member's account was created (a new member is not shown the whole
//     history as new), unless it is their own thread without replies.
//
// It returns nil for anonymous readers.
func (s *Service) UnreadThreads(ctx context.Context, m *Member, threads []Thread) (map[string]bool, error) {
	if m == nil || len(threads) == 0 {
		return nil, nil
	}
	ids := make([]string, len(threads))
	for i, th := range threads {
		ids[i] = th.ID
	}
	markers, err := s.store.ReadMarkers(ctx, m.ID, ids)
	if err != nil {
		return nil, err
	}
	byThread := make(map[string]*ReadMarker, len(markers))
	for i := range markers {
		byThread[markers[i].ThreadID] = &markers[i]
	}
	out := map[string]bool{}
	for _, th := range threads {
		if unread(m, &th, byThread[th.ID]) {
			out[th.ID] = true
		}
	}
	return out, nil
}

func unread(m *Member, th *Thread, mk *ReadMarker) bool {
	if th.PostCount == 0 {
		return false
	}
	if mk == nil {
		if th.Author.ID == m.ID && th.PostCount <= 1 {
			return false
		}
		return th.LastActivityAt.After(m.CreatedAt)
	}
	return th.LastActivityAt.After(mk.PostAt) || (th.LastActivityAt.Equal(mk.PostAt) && th.LastPostID > mk.PostID)
}

// FirstUnreadPost returns the id of the first published post of the thread
// the member has not read (by the rule of UnreadThreads), or of its last
// published post when everything is read; "" when the thread has no
// published post the member may see.
func (s *Service) FirstUnreadPost(ctx context.Context, m *Member, threadID string) (string, error) {
	if m == nil {
		return "", ErrUnauthenticated
	}
	th, err := s.Thread(ctx, m, threadID)
	if err != nil {
		return "", err
	}
	var afterID string
	since := m.CreatedAt
	mk, err := s.store.ReadMarker(ctx, m.ID, th.ID)
	switch {
	case err == nil:
		afterID, since = mk.PostID, time.Time{}
	case !errors.Is(err, ErrNotFound):
		return "", err
	}
	p, err := s.store.FirstPublishedPostAfter(ctx, th.ID, afterID, since)
	if err == nil {
		return p.ID, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	if mk != nil && th.LastActivityAt.After(mk.PostAt) && th.LastPostID != "" {
		// Nothing after the marker in the thread's order, yet activity
		// since: a post approved late, older than the marker's.
		return th.LastPostID, nil
	}
	last, err := s.store.LatestPublishedPosts(ctx, []string{th.ID}, 1)
	if err != nil || len(last) == 0 {
		return "", err
	}
	return last[0].ID, nil
}
