package forum

import (
	"context"
	"fmt"
	"strconv"
)

// threadData is a thread and all its posts, whatever their status, as read
// under one stamp of the thread's key: every viewer's page is cut from it.
type threadData struct {
	stamp     uint64
	thread    Thread
	all       []Post // every status, oldest first
	published []Post
	// pendingAuthors are the members with a pending post in the thread: only
	// they (and moderators) see more than the published posts.
	pendingAuthors map[string]bool
}

func postSize(p *Post) int64 {
	n := int64(len(p.Source)+len(p.HTML)) + 400
	for _, r := range p.Revisions {
		n += int64(len(r.Source)) + 64
	}
	return n
}

// threadData returns the cached thread and posts, reading them once per
// version of the thread's key.
func (s *Service) threadData(ctx context.Context, id string) (*threadData, error) {
	stamp := s.Stamp(ThreadKey(id))
	ck := "forum:thread:" + id
	fresh := s.CacheFresh()
	if fresh {
		if v, ok := s.changes.cache.Get(ck); ok && v.(*threadData).stamp == stamp {
			return v.(*threadData), nil
		}
	}
	th, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListPosts(ctx, PostFilter{ThreadID: id, AllStatuses: true})
	if err != nil {
		return nil, err
	}
	d := &threadData{stamp: stamp, thread: *th, all: all, pendingAuthors: map[string]bool{}}
	size := int64(1000)
	for i := range all {
		p := &all[i]
		size += 2 * postSize(p) // all and published share the strings, not the structs
		switch p.Status {
		case PostPublished:
			d.published = append(d.published, *p)
		case PostPending:
			d.pendingAuthors[p.Author.ID] = true
		}
	}
	if fresh {
		s.changes.cache.Add(ck, d, size)
	}
	return d, nil
}

// ThreadPage returns a thread the viewer may see and page (from 1) of the
// posts the viewer may see in it, like Thread and Posts, from the read cache:
// the store is read once per change of the thread. The results are copies
// the caller may change (the posts' nested slices and pointers are shared).
func (s *Service) ThreadPage(ctx context.Context, viewer *Member, id string, page int) (*Thread, *PostPage, error) {
	if !ValidID(id) {
		return nil, nil, ErrNotFound
	}
	if page < 1 || page > MaxPage {
		return nil, nil, Invalid("page", "page_invalid", fmt.Sprintf("La page doit être comprise entre 1 et %d.", MaxPage))
	}
	d, err := s.threadData(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !canSee(viewer, d.thread.Status, d.thread.Author.ID) {
		return nil, nil, ErrNotFound
	}
	th := d.thread
	th.AuthorityTypes = append([]string(nil), th.AuthorityTypes...)
	var visible []Post
	switch {
	case viewer.IsModerator():
		visible = d.all
	case viewer != nil && d.pendingAuthors[viewer.ID]:
		for _, p := range d.all {
			if p.Status == PostPublished || (p.Status == PostPending && p.Author.ID == viewer.ID) {
				visible = append(visible, p)
			}
		}
	default:
		visible = d.published
	}
	total := len(visible)
	pages := max(1, (total+PostsPerPage-1)/PostsPerPage)
	from := min((page-1)*PostsPerPage, total)
	to := min(from+PostsPerPage, total)
	posts := append([]Post{}, visible[from:to]...)
	return &th, &PostPage{Posts: posts, Page: page, Pages: pages, Total: total}, nil
}

// ViewerHasPending reports whether the viewer has a pending post in the
// thread (from the read cache): their page differs from everyone else's.
func (s *Service) ViewerHasPending(ctx context.Context, viewer *Member, threadID string) (bool, error) {
	if viewer == nil || !ValidID(threadID) {
		return false, nil
	}
	d, err := s.threadData(ctx, threadID)
	if err != nil {
		return false, err
	}
	return d.pendingAuthors[viewer.ID], nil
}

// listingData is one page of a listing as read under one stamp.
type listingData struct {
	stamp   uint64
	threads []Thread
}

// listThreads reads a page of a listing through the read cache.
func (s *Service) listThreads(ctx context.Context, f ThreadFilter) ([]Thread, error) {
	stamp := s.Stamp(ListingKey(f.Theme, f.AuthorityType))
	ck := "forum:listing:" + f.Theme + "|" + f.AuthorityType + "|" + strconv.Itoa(f.Skip) + "|" + strconv.Itoa(f.Limit)
	fresh := s.CacheFresh() && f.AuthorID == "" && len(f.Statuses) == 0
	if fresh {
		if v, ok := s.changes.cache.Get(ck); ok && v.(*listingData).stamp == stamp {
			return append([]Thread{}, v.(*listingData).threads...), nil
		}
	}
	ts, err := s.store.ListThreads(ctx, f)
	if err != nil {
		return nil, err
	}
	if fresh {
		size := int64(500)
		for i := range ts {
			size += int64(len(ts[i].Title)+len(ts[i].LastAuthor)+len(ts[i].Author.DisplayName)+len(ts[i].Author.Authority)) + 400
		}
		s.changes.cache.Add(ck, &listingData{stamp: stamp, threads: ts}, size)
	}
	return append([]Thread{}, ts...), nil
}
