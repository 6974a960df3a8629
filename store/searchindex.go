package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
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

// afterWrite keeps the index exact after a write command: it applies the
// write's effect when the command succeeded and changed something (changed
// false: its filter matched nothing), and marks the index stale when the
// command failed in a way that may have written. It runs inside the write
// gate, so the index sees the writes in the database's order.
func (s *Store) afterWrite(err error, changed bool, apply func(ix *searchIndex)) {
	ix := s.search
	if ix == nil {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if !ix.ready {
		return // the next search builds it from the database
	}
	if err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			ix.ready = false
		}
		return
	}
	if changed {
		apply(ix)
	}
}

// insertIndexed inserts one document and applies its effect on the index.
func (s *Store) insertIndexed(ctx context.Context, col string, doc any, apply func(ix *searchIndex)) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(col).InsertOne(ctx, doc)
		s.afterWrite(err, true, apply)
		return err
	}))
}

// updateOneIndexed is updateOne applying its effect on the index.
func (s *Store) updateOneIndexed(ctx context.Context, col string, filter, update bson.D, apply func(ix *searchIndex)) error {
	var res *mongo.UpdateResult
	err := s.write(ctx, func(ctx context.Context) error {
		var err error
		res, err = s.c(col).UpdateOne(ctx, filter, update)
		s.afterWrite(err, err == nil && res.MatchedCount > 0, apply)
		return err
	})
	if err != nil {
		return mapErr(err)
	}
	if res.MatchedCount == 0 {
		return forum.ErrNotFound
	}
	return nil
}

// updateManyIndexed is updateMany applying its effect on the index.
func (s *Store) updateManyIndexed(ctx context.Context, col string, filter, update bson.D, apply func(ix *searchIndex)) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		res, err := s.c(col).UpdateMany(ctx, filter, update)
		s.afterWrite(err, err == nil && res.MatchedCount > 0, apply)
		return err
	}))
}

// The index updates of the store's writes.

func ixInsertThread(t *forum.Thread) func(*searchIndex) {
	d := ixThreadDoc{ID: t.ID, Status: t.Status, Theme: t.Theme, AuthorityTypes: t.AuthorityTypes,
		TitleTerms: t.TitleTerms, FirstPostID: t.FirstPostID, CreatedAt: t.CreatedAt}
	d.Author.ID = t.Author.ID
	return func(ix *searchIndex) { ix.setThread(&d) }
}

func ixInsertPost(p *forum.Post) func(*searchIndex) {
	d := ixPostDoc{ID: p.ID, ThreadID: p.ThreadID, Status: p.Status, Terms: p.Terms, CreatedAt: p.CreatedAt}
	d.Author.ID = p.Author.ID
	return func(ix *searchIndex) { ix.setPost(&d) }
}

// ixPostChange sets the status (if not empty) and the terms (if not nil) of a post.
func ixPostChange(id, status string, terms []string) func(*searchIndex) {
	return func(ix *searchIndex) {
		n, ok := ix.postNum[id]
		if !ok {
			ix.ready = false // written in the database, unknown here: rebuild
			return
		}
		if status != "" {
			ix.posts[n].status = ix.intern(status)
		}
		if terms != nil {
			ix.setTerms(n, terms)
		}
	}
}

// ixThreadChange applies fn to a stored thread.
func ixThreadChange(id string, fn func(ix *searchIndex, t *ixThread)) func(*searchIndex) {
	return func(ix *searchIndex) {
		n, ok := ix.threadNum[id]
		if !ok || !ix.threads[n].exists {
			ix.ready = false
			return
		}
		fn(ix, &ix.threads[n])
	}
}

// ixAuthorTerms sets the terms of every post of an author.
func ixAuthorTerms(authorID string, terms []string) func(*searchIndex) {
	return func(ix *searchIndex) {
		var nums []int32
		for n, p := range ix.posts {
			if p.author == authorID {
				nums = append(nums, int32(n))
			}
		}
		ix.setTermsOfPosts(nums, terms)
	}
}

// The queries.

// wordsMatch reports whether terms have every word, in any of its variants.
func wordsMatch(terms []string, words [][]string) bool {
	for _, w := range words {
		if !slices.ContainsFunc(w, func(v string) bool { return slices.Contains(terms, v) }) {
			return false
		}
	}
	return true
}

// inRange reports whether a creation time is within the filter's dates.
func inRange(created int64, f forum.SearchFilter) bool {
	if !f.From.IsZero() && created < millis(f.From) {
		return false
	}
	return f.To.IsZero() || created < millis(f.To)
}

// newestFirst orders by creation time then id, both descending.
func newestFirst(aCreated, bCreated int64, aID, bID string) int {
	if c := cmp.Compare(bCreated, aCreated); c != 0 {
		return c
	}
	return cmp.Compare(bID, aID)
}

// titleHits returns the ids of the published threads whose title terms
// have every word, newest first, at most limit (0: all).
func (ix *searchIndex) titleHits(f forum.SearchFilter, limit int) []string {
	var hits []*ixThread
	for i := range ix.threads {
		t := &ix.threads[i]
		if !t.exists || t.status != forum.ThreadPublished || !wordsMatch(t.titleTerms, f.Words) ||
			(f.Theme != "" && t.theme != f.Theme) ||
			(f.AuthorityType != "" && !slices.Contains(t.types, f.AuthorityType)) ||
			(f.AuthorID != "" && t.author != f.AuthorID) || !inRange(t.created, f) {
			continue
		}
		hits = append(hits, t)
	}
	slices.SortFunc(hits, func(a, b *ixThread) int { return newestFirst(a.created, b.created, a.id, b.id) })
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	ids := make([]string, len(hits))
	for i, t := range hits {
		ids[i] = t.id
	}
	return ids
}

// candidates returns the ascending numbers of the posts having every word.
func (ix *searchIndex) candidates(words [][]string) []int32 {
	if len(words) == 0 {
		all := make([]int32, len(ix.posts))
		for i := range all {
			all[i] = int32(i)
		}
		return all
	}
	lists := make([][]int32, len(words))
	for i, w := range words {
		for _, v := range w {
			if id, ok := ix.termIDs[v]; ok {
				lists[i] = union(lists[i], ix.postings[id])
			}
		}
		if len(lists[i]) == 0 {
			return nil
		}
	}
	slices.SortFunc(lists, func(a, b []int32) int { return cmp.Compare(len(a), len(b)) })
	out := lists[0]
	for _, l := range lists[1:] {
		out = intersect(out, l)
	}
	return out
}

// union merges two ascending lists; it returns b itself when a is empty.
func union(a, b []int32) []int32 {
	if len(a) == 0 {
		return b
	}
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// intersect returns the numbers in both ascending lists, in a new list.
func intersect(a, b []int32) []int32 {
	out := []int32{}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// postHits returns the ids of the published posts of published threads
// having every word, with the same filters and order as SearchPosts' query.
func (ix *searchIndex) postHits(f forum.SearchFilter, excludeIDs []string, skip, limit int) []string {
	exclude := make(map[string]bool, len(excludeIDs))
	for _, id := range excludeIDs {
		exclude[id] = true
	}
	byThread := f.Theme != "" || f.AuthorityType != ""
	var hits []*ixPost
	for _, n := range ix.candidates(f.Words) {
		p := &ix.posts[n]
		if p.status != forum.PostPublished || (f.AuthorID != "" && p.author != f.AuthorID) ||
			!inRange(p.created, f) || exclude[p.id] {
			continue
		}
		t := &ix.threads[p.thread]
		if byThread {
			// The query keeps the posts of the matching published threads.
			if !t.exists || t.status != forum.ThreadPublished || (f.Theme != "" && t.theme != f.Theme) ||
				(f.AuthorityType != "" && !slices.Contains(t.types, f.AuthorityType)) {
				continue
			}
		} else if t.exists && t.status != forum.ThreadPublished {
			// The query drops the posts of the threads not published.
			continue
		}
		hits = append(hits, p)
	}
	slices.SortFunc(hits, func(a, b *ixPost) int { return newestFirst(a.created, b.created, a.id, b.id) })
	if skip >= len(hits) {
		return nil
	}
	hits = hits[skip:]
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	ids := make([]string, len(hits))
	for i, p := range hits {
		ids[i] = p.id
	}
	return ids
}

// searchTitlesIndexed is SearchTitles answered by the index.
func (s *Store) searchTitlesIndexed(ctx context.Context, f forum.SearchFilter, limit int) ([]forum.Thread, error) {
	var ids []string
	if err := s.search.read(ctx, s, func() { ids = s.search.titleHits(f, limit) }); err != nil {
		return nil, err
	}
	return fetchInOrder(ctx, s, colThreads, ids, nil, func(t *forum.Thread) string { return t.ID })
}

// searchPostsIndexed is SearchPosts answered by the index.
func (s *Store) searchPostsIndexed(ctx context.Context, f forum.SearchFilter, excludeIDs []string, skip, limit int) ([]forum.Post, error) {
	var ids []string
	if err := s.search.read(ctx, s, func() { ids = s.search.postHits(f, excludeIDs, skip, limit) }); err != nil {
		return nil, err
	}
	return fetchInOrder(ctx, s, colPosts, ids, searchPostFields, func(p *forum.Post) string { return p.ID })
}

// fetchInOrder reads the documents ids and returns them in the order of ids.
func fetchInOrder[T any](ctx context.Context, s *Store, col string, ids []string, projection bson.D, id func(*T) string) ([]T, error) {
	docs, err := findByIDs[T](ctx, s, col, ids, projection)
	if err != nil {
		return nil, err
	}
	pos := make(map[string]int, len(ids))
	for i, v := range ids {
		pos[v] = i
	}
	slices.SortFunc(docs, func(a, b T) int { return cmp.Compare(pos[id(&a)], pos[id(&b)]) })
	return docs, nil
}

// maxLookups bounds the ids findByIDs reads one by one on the embedded store
// (at most 500 title hits of a search: ~0.6 ms each, against a scan of the
// collection for $in, 1.1 s for the threads of 100 000 posts).
const maxLookups = 500

// findByIDs returns the documents of col whose _id is one of ids, in no
// particular order. The embedded store reads a filter {_id: {$in: ids}}
// by decoding the whole collection in Go (seconds for 20 posts among
// 10 000), but hands an exact {_id: id} to SQLite (~20 ms at 10 000
// posts): there, up to maxLookups documents are read one by one, a few
// at a time.
func findByIDs[T any](ctx context.Context, s *Store, col string, ids []string, projection bson.D) ([]T, error) {
	if len(ids) == 0 {
		return []T{}, nil
	}
	if !s.embedded || len(ids) > maxLookups {
		opts := options.Find()
		if projection != nil {
			opts.SetProjection(projection)
		}
		return findAll[T](ctx, s, col, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, opts)
	}
	opts := options.FindOne()
	if projection != nil {
		opts.SetProjection(projection)
	}
	distinct := slices.Compact(slices.Sorted(slices.Values(ids)))
	docs := make([]T, len(distinct))
	found := make([]bool, len(distinct))
	errs := make([]error, len(distinct))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(4, len(distinct)) {
		wg.Go(func() {
			for i := range next {
				err := s.c(col).FindOne(ctx, bson.D{{Key: "_id", Value: distinct[i]}}, opts).Decode(&docs[i])
				switch {
				case err == nil:
					found[i] = true
				case !errors.Is(err, mongo.ErrNoDocuments):
					errs[i] = err
				}
			}
		})
	}
	for i := range distinct {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make([]T, 0, len(distinct))
	for i, d := range docs {
		if found[i] {
			out = append(out, d)
		}
	}
	return out, nil
}
