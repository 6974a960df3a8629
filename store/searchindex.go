package store

import (
	"context"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The embedded store answers any filter by loading the whole collection
// (DESIGN.md, "The store"), so in embedded mode search runs on an
// in-memory index of what the search filters read: the terms, status,
// thread, author and creation time of every post, and the title terms,
// status, theme, authority types, author, creation time and first post of
// every thread. One process owns the embedded data (data dir lock), so the
// index is exact: it is built by one scan on first search, and every store
// method that writes one of these fields updates it from the values it
// wrote, inside the write gate (in the database's order), after the write
// succeeded. A write whose effect is unknown (an error after the command
// was sent) marks the index stale: the next search rebuilds it. Only the
// documents of a page of results are read from the database.

// searchIndex is the in-memory search index of the embedded store.
type searchIndex struct {
	mu sync.RWMutex
	// ready says the index was built and is exact; false before the first
	// search and after a write whose effect is unknown.
	ready bool
	// builds counts the builds (tests check that writes do not rebuild).
	builds int

	// termIDs interns the post terms; postings[id] is the ascending list of
	// the post numbers having term id.
	termIDs  map[string]int32
	postings [][]int32
	posts    []ixPost
	postNum  map[string]int32
	threads  []ixThread
	// threadNum maps a thread id to its number; a post may name a thread
	// not stored (yet): it gets a thread entry with exists false.
	threadNum map[string]int32
	// strs interns the repeated strings (author ids, statuses, themes, types).
	strs map[string]string
}

// ixPost is what the search filters read of a post.
type ixPost struct {
	id      string
	status  string
	author  string
	created int64 // Unix milliseconds, as the database stores it
	thread  int32
}

// ixThread is what the search filters read of a thread.
type ixThread struct {
	id         string
	exists     bool
	status     string
	theme      string
	types      []string
	titleTerms []string
	author     string
	firstPost  string
	created    int64
}

// newSearchIndex returns an empty index, built on first search.
func newSearchIndex() *searchIndex { return &searchIndex{} }

// millis is t as the database stores it: whole milliseconds since the epoch.
func millis(t time.Time) int64 { return t.UnixMilli() }

func (ix *searchIndex) reset() {
	ix.termIDs = map[string]int32{}
	ix.postings = nil
	ix.posts = nil
	ix.postNum = map[string]int32{}
	ix.threads = nil
	ix.threadNum = map[string]int32{}
	ix.strs = map[string]string{}
}

func (ix *searchIndex) intern(s string) string {
	if v, ok := ix.strs[s]; ok {
		return v
	}
	ix.strs[s] = s
	return s
}

func (ix *searchIndex) internAll(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = ix.intern(s)
	}
	return out
}

// thread returns the number of the thread id, adding an entry for a thread
// not seen yet.
func (ix *searchIndex) thread(id string) int32 {
	if n, ok := ix.threadNum[id]; ok {
		return n
	}
	n := int32(len(ix.threads))
	ix.threads = append(ix.threads, ixThread{id: id})
	ix.threadNum[id] = n
	return n
}

// ixThreadDoc is the projection of a thread the index is built from.
type ixThreadDoc struct {
	ID             string    `bson:"_id"`
	Status         string    `bson:"status"`
	Theme          string    `bson:"theme"`
	AuthorityTypes []string  `bson:"authority_types"`
	TitleTerms     []string  `bson:"title_terms"`
	FirstPostID    string    `bson:"first_post_id"`
	CreatedAt      time.Time `bson:"created_at"`
	Author         struct {
		ID string `bson:"id"`
	} `bson:"author"`
}

// ixPostDoc is the projection of a post the index is built from.
type ixPostDoc struct {
	ID        string    `bson:"_id"`
	ThreadID  string    `bson:"thread_id"`
	Status    string    `bson:"status"`
	Terms     []string  `bson:"terms"`
	CreatedAt time.Time `bson:"created_at"`
	Author    struct {
		ID string `bson:"id"`
	} `bson:"author"`
}

// setThread writes the indexed fields of a whole thread.
func (ix *searchIndex) setThread(d *ixThreadDoc) {
	t := &ix.threads[ix.thread(d.ID)]
	t.exists = true
	t.status = ix.intern(d.Status)
	t.theme = ix.intern(d.Theme)
	t.types = ix.internAll(d.AuthorityTypes)
	t.titleTerms = slices.Clone(d.TitleTerms)
	t.firstPost = d.FirstPostID
	t.created = millis(d.CreatedAt)
	t.author = ix.intern(d.Author.ID)
}

// setPost writes the indexed fields of a whole post (a new one, or one
// stored again: its terms are replaced).
func (ix *searchIndex) setPost(d *ixPostDoc) {
	p := ixPost{id: d.ID, status: ix.intern(d.Status), author: ix.intern(d.Author.ID),
		created: millis(d.CreatedAt), thread: ix.thread(d.ThreadID)}
	if n, ok := ix.postNum[d.ID]; ok {
		ix.posts[n] = p
		ix.setTerms(n, d.Terms)
		return
	}
	n := int32(len(ix.posts))
	ix.posts = append(ix.posts, p)
	ix.postNum[d.ID] = n
	ix.addTerms(n, d.Terms)
}

// addTerms adds post n to the postings of terms.
func (ix *searchIndex) addTerms(n int32, terms []string) {
	for _, t := range terms {
		id, ok := ix.termIDs[t]
		if !ok {
			id = int32(len(ix.postings))
			ix.termIDs[t] = id
			ix.postings = append(ix.postings, nil)
		}
		l := ix.postings[id]
		switch i, found := slices.BinarySearch(l, n); {
		case found:
		case i == len(l):
			ix.postings[id] = append(l, n)
		default:
			ix.postings[id] = slices.Insert(l, i, n)
		}
	}
}

// setTerms replaces the terms of post n.
func (ix *searchIndex) setTerms(n int32, terms []string) {
	for id, l := range ix.postings {
		if i, found := slices.BinarySearch(l, n); found {
			ix.postings[id] = slices.Delete(l, i, i+1)
		}
	}
	ix.addTerms(n, terms)
}

// setTermsOfPosts gives the same terms to many posts.
func (ix *searchIndex) setTermsOfPosts(nums []int32, terms []string) {
	if len(nums) == 0 {
		return
	}
	drop := make(map[int32]bool, len(nums))
	for _, n := range nums {
		drop[n] = true
	}
	for id, l := range ix.postings {
		ix.postings[id] = slices.DeleteFunc(l, func(n int32) bool { return drop[n] })
	}
	for _, n := range nums {
		ix.addTerms(n, terms)
	}
}

// build reads the indexed fields of every thread and post, one scan each.
func (ix *searchIndex) build(ctx context.Context, s *Store) error {
	ix.reset()
	ix.ready = false
	cur, err := s.c(colThreads).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "_id", Value: 1}, {Key: "status", Value: 1}, {Key: "theme", Value: 1}, {Key: "authority_types", Value: 1},
		{Key: "title_terms", Value: 1}, {Key: "first_post_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "author", Value: 1},
	}))
	if err != nil {
		return err
	}
	for cur.Next(ctx) {
		var d ixThreadDoc
		if err := cur.Decode(&d); err != nil {
			cur.Close(ctx)
			return err
		}
		ix.setThread(&d)
	}
	if err := cur.Err(); err != nil {
		cur.Close(ctx)
		return err
	}
	cur.Close(ctx)
	cur, err = s.c(colPosts).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "_id", Value: 1}, {Key: "thread_id", Value: 1}, {Key: "status", Value: 1}, {Key: "terms", Value: 1},
		{Key: "created_at", Value: 1}, {Key: "author", Value: 1},
	}))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d ixPostDoc
		if err := cur.Decode(&d); err != nil {
			return err
		}
		ix.setPost(&d)
	}
	if err := cur.Err(); err != nil {
		return err
	}
	for id, l := range ix.postings {
		ix.postings[id] = slices.Clip(l)
	}
	ix.ready = true
	ix.builds++
	return nil
}

// read runs fn under the read lock, building the index first if needed.
func (ix *searchIndex) read(ctx context.Context, s *Store, fn func()) error {
	ix.mu.RLock()
	if ix.ready {
		defer ix.mu.RUnlock()
		fn()
		return nil
	}
	ix.mu.RUnlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !ix.ready {
		if err := ix.build(ctx, s); err != nil {
			ix.reset()
			return err
		}
	}
	fn()
	return nil
}
