package forum

import (
	"context"
	"fmt"
	"strconv"
)

// A thread page is read through the cache in two parts, each under the
// stamp of the thread's key: the thread with the members who have a pending
// post in it (threadMeta), and each page of posts a class of viewers sees
// (postPageData: published posts for visitors and members, every post for
// moderators). A page costs the same store work however long its thread:
// a count and one page of posts, from the thread's index.

// threadMeta is a thread and who has pending posts in it.
type threadMeta struct {
	stamp  uint64
	thread Thread
	// pendingAuthors are the members with a pending post in the thread: only
	// they (and moderators) see more than the published posts.
	pendingAuthors map[string]bool
}

// postPageData is one page of posts of a thread for a class of viewers.
type postPageData struct {
	stamp uint64
	posts []Post
	total int
}

// postStructSize is what a Post takes beside its strings' bytes (the
// struct, its author's and decision's string headers, the strings' own
// allocation slack).
const postStructSize = 400

// postSize is what a post takes in memory, strings included.
func postSize(p *Post) int64 {
	n := int64(len(p.Source)+len(p.HTML)+len(p.Author.DisplayName)+len(p.Author.Authority)) + postStructSize
	for _, r := range p.Revisions {
		n += int64(len(r.Source)) + 64
	}
	return n
}

// threadMeta returns the cached thread and its pending authors, reading
// them once per version of the thread's key.
func (s *Service) threadMeta(ctx context.Context, id string) (*threadMeta, error) {
	stamp := s.Stamp(ThreadKey(id))
	ck := "forum:thread:" + id
	fresh := s.CacheFresh()
	if fresh {
		if v, ok := s.changes.cache.Get(ck); ok && v.(*threadMeta).stamp == stamp {
			s.ObserveCache("thread", true)
			return v.(*threadMeta), nil
		}
		s.ObserveCache("thread", false)
	}
	th, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	pending, err := s.store.ListPosts(ctx, PostFilter{ThreadID: id, Status: PostPending})
	if err != nil {
		return nil, err
	}
	d := &threadMeta{stamp: stamp, thread: *th, pendingAuthors: map[string]bool{}}
	for _, p := range pending {
		d.pendingAuthors[p.Author.ID] = true
	}
	if fresh {
		s.changes.cache.Add(ck, d, int64(1000+len(th.Title)+100*len(d.pendingAuthors)))
	}
	return d, nil
}

// postPage returns page (from 1) of the posts f selects and their total;
// class names f for the cache ("": not cached, a viewer's own view).
func (s *Service) postPage(ctx context.Context, f PostFilter, class string, page int) (*postPageData, error) {
	stamp := s.Stamp(ThreadKey(f.ThreadID))
	ck := "forum:posts:" + f.ThreadID + ":" + class + ":" + strconv.Itoa(page)
	cached := class != "" && s.CacheFresh()
	if cached {
		if v, ok := s.changes.cache.Get(ck); ok && v.(*postPageData).stamp == stamp {
			s.ObserveCache("posts", true)
			return v.(*postPageData), nil
		}
		s.ObserveCache("posts", false)
	}
	total, err := s.store.CountPosts(ctx, f, nil)
	if err != nil {
		return nil, err
	}
	d := &postPageData{stamp: stamp, total: int(total), posts: []Post{}}
	if from := (page - 1) * PostsPerPage; from < d.total {
		f.Skip, f.Limit = from, PostsPerPage
		if d.posts, err = s.store.ListPosts(ctx, f); err != nil {
			return nil, err
		}
	}
	if cached {
		size := int64(500)
		for i := range d.posts {
			size += postSize(&d.posts[i])
		}
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
	meta, err := s.threadMeta(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !canSee(viewer, meta.thread.Status, meta.thread.Author.ID) {
		return nil, nil, ErrNotFound
	}
	th := meta.thread
	th.AuthorityTypes = append([]string(nil), th.AuthorityTypes...)
	f, class := PostFilter{ThreadID: id}, "published"
	switch {
	case viewer.IsModerator():
		f.AllStatuses, class = true, "all"
	case viewer != nil && meta.pendingAuthors[viewer.ID]:
		f.ViewerID, class = viewer.ID, "" // their own view: not shared
	}
	d, err := s.postPage(ctx, f, class, page)
	if err != nil {
		return nil, nil, err
	}
	pages := max(1, (d.total+PostsPerPage-1)/PostsPerPage)
	posts := append([]Post{}, d.posts...)
	return &th, &PostPage{Posts: posts, Page: page, Pages: pages, Total: d.total}, nil
}

// ViewerHasPending reports whether the viewer has a pending post in the
// thread (from the read cache): their page differs from everyone else's.
func (s *Service) ViewerHasPending(ctx context.Context, viewer *Member, threadID string) (bool, error) {
	if viewer == nil || !ValidID(threadID) {
		return false, nil
	}
	meta, err := s.threadMeta(ctx, threadID)
	if err != nil {
		return false, err
	}
	return meta.pendingAuthors[viewer.ID], nil
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
			s.ObserveCache("listing", true)
			return append([]Thread{}, v.(*listingData).threads...), nil
		}
		s.ObserveCache("listing", false)
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
