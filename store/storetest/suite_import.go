package storetest

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
)

// importedForum is a small forum written by ImportPosts and ImportThreads:
// threads over three themes and several authority types, one pinned, one
// awaiting review, posts of every kind of row (pending, approved by a
// moderator, edited with a revision), a rare word in a few posts and a
// title word in a few threads.
type importedForum struct {
	threads []forum.Thread
	posts   []forum.Post // in time order
}

// importID is an id of forum.NewID's form made at t, unique by n.
func importID(t time.Time, n int) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixNano()))
	binary.BigEndian.PutUint32(b[8:], uint32(n))
	return hex.EncodeToString(b[:])
}

func newImportedForum() importedForum {
	t0 := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	themes := []string{"reseaux", "sig", "portails"}
	types := [][]string{{"commune"}, {"intercommunalite", "commune"}, {"departement"}, {"region", "departement"}}
	mod := forum.AuthorRef{ID: importID(t0, 9000), DisplayName: "Modératrice", Authority: "Région Bretagne", AuthorityType: "region"}
	var f importedForum
	n := 0
	for i := range 12 {
		created := t0.Add(time.Duration(i) * 7 * time.Hour)
		author := forum.AuthorRef{ID: importID(t0, 8000+i%3), DisplayName: fmt.Sprintf("Membre %d", i%3),
			Authority: "Ville de Lyon", AuthorityType: "commune"}
		title := fmt.Sprintf("Fil numéro %d sur la messagerie", i)
		if i%5 == 1 {
			title = fmt.Sprintf("Téléphonie du centre d'appels, épisode %d", i)
		}
		th := forum.Thread{ID: importID(created, n), Theme: themes[i%3], AuthorityTypes: types[i%4], Title: title,
			Author: author, Status: forum.ThreadPublished, Pinned: i == 4, Locked: i == 7, CreatedAt: created}
		if i == 10 {
			th.Status = forum.ThreadPending
		}
		n++
		published := 0
		for j := range 1 + i%4 {
			at := created.Add(time.Duration(j)*time.Hour + time.Duration(i)*time.Minute + 123*time.Millisecond)
			text := fmt.Sprintf("Message %d du fil %d : la migration de la messagerie avance.", j, i)
			if (i+j)%5 == 2 {
				text += " Nous passons à Cassiopée."
			}
			p := forum.Post{ID: importID(at, n), ThreadID: th.ID, Author: author, Source: text,
				HTML: "<p>" + text + "</p>", Status: forum.PostPublished, CreatedAt: at}
			n++
			switch {
			case i == 3 && j == 1:
				p.Status = forum.PostPending
			case i == 5 && j == 2:
				p.Decision = &forum.Decision{Action: forum.DecisionApproved, By: mod, At: at.Add(time.Hour), Reason: "ok"}
			case i == 6 && j == 1:
				edited := at.Add(2 * time.Hour)
				p.EditedAt = &edited
				p.Revisions = []forum.Revision{{Source: "Première version", EditedAt: edited, EditorID: author.ID}}
			}
			if p.Status == forum.PostPublished {
				published++
				th.LastPostID, th.LastAuthor, th.LastActivityAt = p.ID, author.DisplayName, at
			}
			if j == 0 {
				th.FirstPostID = p.ID
			}
			f.posts = append(f.posts, p)
		}
		th.PostCount = published
		f.threads = append(f.threads, th)
	}
	slices.SortFunc(f.posts, func(a, b forum.Post) int { return strings.Compare(a.ID, b.ID) })
	return f
}

// normThread and normPost leave what a store reads back to compare: times
// in UTC, no search terms.
func normThread(t forum.Thread) forum.Thread {
	t.CreatedAt, t.LastActivityAt, t.TitleTerms = t.CreatedAt.UTC(), t.LastActivityAt.UTC(), nil
	return t
}

func normPost(p forum.Post) forum.Post {
	p.CreatedAt, p.Terms, p.Seq = p.CreatedAt.UTC(), nil, 0
	if p.EditedAt != nil {
		e := p.EditedAt.UTC()
		p.EditedAt = &e
	}
	if p.Decision != nil {
		d := *p.Decision
		d.At = d.At.UTC()
		p.Decision = &d
	}
	if len(p.Revisions) > 0 {
		rs := slices.Clone(p.Revisions)
		for i := range rs {
			rs[i].EditedAt = rs[i].EditedAt.UTC()
		}
		p.Revisions = rs
	} else {
		p.Revisions = nil
	}
	return p
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func threadID(t forum.Thread) string { return t.ID }
func postID(p forum.Post) string     { return p.ID }

// testImportReadsBack imports a forum in batches (posts in two calls, as a
// copy streams them, then the threads) and reads every row back as it was.
func testImportReadsBack(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	f := newImportedForum()
	half := len(f.posts) / 2
	if err := s.ImportPosts(ctx, f.posts[:half]); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportPosts(ctx, f.posts[half:]); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportThreads(ctx, f.threads); err != nil {
		t.Fatal(err)
	}
	for _, want := range f.threads {
		got, err := s.ThreadByID(ctx, want.ID)
		if err != nil {
			t.Fatalf("thread %s: %v", want.ID, err)
		}
		if g, w := normThread(*got), normThread(want); !reflect.DeepEqual(g, w) {
			t.Errorf("thread read back differs:\n got %+v\nwant %+v", g, w)
		}
	}
	for _, want := range f.posts {
		got, err := s.PostByID(ctx, want.ID)
		if err != nil {
			t.Fatalf("post %s: %v", want.ID, err)
		}
		if g, w := normPost(*got), normPost(want); !reflect.DeepEqual(g, w) {
			t.Errorf("post read back differs:\n got %+v\nwant %+v", g, w)
		}
	}
	// The caller's rows are left as they were (no terms added).
	if f.posts[0].Terms != nil || f.threads[0].TitleTerms != nil {
		t.Error("import changed the caller's rows")
	}
	// An id imported twice is refused.
	if err := s.ImportPosts(ctx, f.posts[:1]); !errors.Is(err, forum.ErrDuplicate) {
		t.Errorf("post imported twice: err = %v, want ErrDuplicate", err)
	}
	if err := s.ImportThreads(ctx, f.threads[:1]); !errors.Is(err, forum.ErrDuplicate) {
		t.Errorf("thread imported twice: err = %v, want ErrDuplicate", err)
	}
}

// testImportListsInOrder checks that imported threads and posts appear in
// the listings (by theme, by authority type, all) and in their threads in
// the forum's order.
func testImportListsInOrder(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	f := newImportedForum()
	if err := s.ImportPosts(ctx, f.posts); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportThreads(ctx, f.threads); err != nil {
		t.Fatal(err)
	}
	want := func(keep func(forum.Thread) bool) []string {
		var ts []forum.Thread
		for _, th := range f.threads {
			if th.Status == forum.ThreadPublished && keep(th) {
				ts = append(ts, th)
			}
		}
		slices.SortFunc(ts, func(a, b forum.Thread) int {
			switch {
			case a.Pinned != b.Pinned:
				if a.Pinned {
					return -1
				}
				return 1
			case !a.LastActivityAt.Equal(b.LastActivityAt):
				return b.LastActivityAt.Compare(a.LastActivityAt)
			}
			return strings.Compare(b.ID, a.ID)
		})
		return ids(ts, threadID)
	}
	for _, tc := range []struct {
		name   string
		filter forum.ThreadFilter
		keep   func(forum.Thread) bool
	}{
		{"all", forum.ThreadFilter{}, func(forum.Thread) bool { return true }},
		{"theme", forum.ThreadFilter{Theme: "reseaux"}, func(th forum.Thread) bool { return th.Theme == "reseaux" }},
		{"authority type", forum.ThreadFilter{AuthorityType: "commune"},
			func(th forum.Thread) bool { return slices.Contains(th.AuthorityTypes, "commune") }},
		{"theme and type", forum.ThreadFilter{Theme: "sig", AuthorityType: "departement"},
			func(th forum.Thread) bool {
				return th.Theme == "sig" && slices.Contains(th.AuthorityTypes, "departement")
			}},
	} {
		got, err := s.ListThreads(ctx, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if w := want(tc.keep); !slices.Equal(ids(got, threadID), w) {
			t.Errorf("listing %s = %v, want %v", tc.name, ids(got, threadID), w)
		}
	}
	// A page further down: the same order with skip and limit.
	all := want(func(forum.Thread) bool { return true })
	page, err := s.ListThreads(ctx, forum.ThreadFilter{Skip: 3, Limit: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(page, threadID), all[3:7]) {
		t.Errorf("listing page = %v, want %v", ids(page, threadID), all[3:7])
	}
	for _, th := range f.threads {
		var published []string
		for _, p := range f.posts {
			if p.ThreadID == th.ID && p.Status == forum.PostPublished {
				published = append(published, p.ID)
			}
		}
		got, err := s.ListPosts(ctx, forum.PostFilter{ThreadID: th.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got, postID), published) {
			t.Errorf("posts of thread %s = %v, want %v", th.ID, ids(got, postID), published)
		}
		n, err := s.CountPosts(ctx, forum.PostFilter{ThreadID: th.ID}, nil)
		if err != nil || n != int64(len(published)) {
			t.Errorf("count of thread %s = %d, %v; want %d", th.ID, n, err, len(published))
		}
	}
}

// testImportSearch checks that imported posts and titles are found by
// search, newest first, with the theme and authority-type filters.
func testImportSearch(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	f := newImportedForum()
	if err := s.ImportPosts(ctx, f.posts); err != nil {
		t.Fatal(err)
	}
	if err := s.ImportThreads(ctx, f.threads); err != nil {
		t.Fatal(err)
	}
	threads := map[string]forum.Thread{}
	for _, th := range f.threads {
		threads[th.ID] = th
	}
	words := func(q string) [][]string {
		sq, err := forum.ParseSearchQuery(q)
		if err != nil || sq.Empty() {
			t.Fatalf("query %q: %v", q, err)
		}
		return sq.Words
	}
	// Rare word in the posts: every published post of a published thread
	// that has it, newest first.
	for _, tc := range []struct {
		name   string
		filter forum.SearchFilter
		keep   func(forum.Thread) bool
	}{
		{"no filter", forum.SearchFilter{Words: words("cassiopee")}, func(forum.Thread) bool { return true }},
		{"theme", forum.SearchFilter{Words: words("Cassiopée"), Theme: "sig"}, func(th forum.Thread) bool { return th.Theme == "sig" }},
		{"authority type", forum.SearchFilter{Words: words("cassiopée"), AuthorityType: "departement"},
			func(th forum.Thread) bool { return slices.Contains(th.AuthorityTypes, "departement") }},
		{"two words", forum.SearchFilter{Words: words("migration Cassiopée")}, func(forum.Thread) bool { return true }},
	} {
		var want []string
		for i := len(f.posts) - 1; i >= 0; i-- {
			p := f.posts[i]
			th := threads[p.ThreadID]
			if strings.Contains(p.Source, "Cassiopée") && p.Status == forum.PostPublished &&
				th.Status == forum.ThreadPublished && tc.keep(th) {
				want = append(want, p.ID)
			}
		}
		got, err := s.SearchPosts(ctx, tc.filter, nil, 0, 100)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(want) == 0 || !slices.Equal(ids(got, postID), want) {
			t.Errorf("search %s = %v, want %v", tc.name, ids(got, postID), want)
		}
	}
	// Title word: the published threads whose title has it, newest first.
	var want []string
	for i := len(f.threads) - 1; i >= 0; i-- {
		if th := f.threads[i]; strings.Contains(th.Title, "Téléphonie") && th.Status == forum.ThreadPublished {
			want = append(want, th.ID)
		}
	}
	got, err := s.SearchTitles(ctx, forum.SearchFilter{Words: words("telephonie")}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 2 || !slices.Equal(ids(got, threadID), want) {
		t.Errorf("title search = %v, want %v", ids(got, threadID), want)
	}
	// Title word with the filters (the SQLite store reads a theme's threads
	// from their listing index): the same threads, newest first.
	for _, tc := range []struct{ theme, authorityType string }{
		{"reseaux", ""}, {"sig", "commune"}, {"", "departement"}, {"portails", "region"}, {"portails", "commune"},
	} {
		var want []string
		for i := len(f.threads) - 1; i >= 0; i-- {
			th := f.threads[i]
			if strings.Contains(th.Title, "messagerie") && th.Status == forum.ThreadPublished &&
				(tc.theme == "" || th.Theme == tc.theme) &&
				(tc.authorityType == "" || slices.Contains(th.AuthorityTypes, tc.authorityType)) {
				want = append(want, th.ID)
			}
		}
		f := forum.SearchFilter{Words: words("messagerie"), Theme: tc.theme, AuthorityType: tc.authorityType}
		got, err := s.SearchTitles(ctx, f, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got, threadID), want) {
			t.Errorf("title search %+v = %v, want %v", tc, ids(got, threadID), want)
		}
		// The limit keeps the newest.
		if len(want) > 1 {
			got, err := s.SearchTitles(ctx, f, 1)
			if err != nil || len(got) != 1 || got[0].ID != want[0] {
				t.Errorf("title search %+v limit 1 = %v, %v; want %v", tc, ids(got, threadID), err, want[:1])
			}
		}
	}
}

func init() {
	register("ImportReadsBack", testImportReadsBack)
	register("ImportListsInOrder", testImportListsInOrder)
	register("ImportSearch", testImportSearch)
}
