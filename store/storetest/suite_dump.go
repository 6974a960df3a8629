package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/store"
	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The dump suite: a forum with every kind of entity streams out of a store
// and into a fresh one of the same engine, in small batches, and comes back
// out identical, byte for byte; what the engine derives (search, listings
// by authority type) works in the copy; a second import adds nothing
// (resume); Wipe leaves nothing; a snapshot reads one state.

// dumpBatch is small, so that every collection is read in several pages.
const dumpBatch = 3

// ForumReads returns what the forum reads of f in s, to compare a copy
// with its source: the listings (all, by theme, by authority type), every
// thread's posts, and the threads and posts search finds for f.Word.
func ForumReads(t testing.TB, s store.Store, f *DumpForum) map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	all := []string{forum.ThreadPublished, forum.ThreadPending, forum.ThreadRejected, forum.ThreadHidden}
	for name, tf := range map[string]forum.ThreadFilter{
		"home": {}, "all": {Statuses: all}, "theme": {Theme: f.Theme}, "type": {AuthorityType: f.AuthorityType},
		"theme×type": {Theme: f.Theme, AuthorityType: f.AuthorityType, Statuses: all},
	} {
		ths, err := s.ListThreads(ctx, tf)
		if err != nil {
			t.Fatalf("list %s: %v", name, err)
		}
		for i := range ths {
			// A thread without authority types (the forum writes none)
			// has an empty list in the portable form: MongoDB kept null.
			ths[i] = normThread(ths[i])
			if ths[i].AuthorityTypes == nil {
				ths[i].AuthorityTypes = []string{}
			}
		}
		out["threads "+name] = ths
	}
	for _, id := range f.Threads {
		ps, err := s.ListPosts(ctx, forum.PostFilter{ThreadID: id, AllStatuses: true})
		if err != nil {
			t.Fatalf("posts of %s: %v", id, err)
		}
		for i := range ps {
			ps[i] = normPost(ps[i])
		}
		out["posts "+id] = ps
	}
	words := [][]string{{f.Word}}
	if q, err := forum.ParseSearchQuery(f.Word); err == nil {
		words = q.Words
	}
	titles, err := s.SearchTitles(ctx, forum.SearchFilter{Words: words}, 50)
	if err != nil {
		t.Fatal(err)
	}
	out["search titles"] = ids(titles, threadID)
	posts, err := s.SearchPosts(ctx, forum.SearchFilter{Words: words}, nil, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	out["search posts"] = ids(posts, postID)
	byType, err := s.SearchPosts(ctx, forum.SearchFilter{Words: words, AuthorityType: f.AuthorityType}, nil, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	out["search posts by type"] = ids(byType, postID)
	return out
}

// SameReads fails the test unless two stores read the same.
func SameReads(t testing.TB, what string, want, got map[string]any) {
	t.Helper()
	for k, w := range want {
		if !reflect.DeepEqual(w, got[k]) {
			t.Errorf("%s: %s reads\n %+v\nwant\n %+v", what, k, got[k], w)
		}
	}
}

func testDumpRoundTrip(t *testing.T, e Engine) {
	ctx := context.Background()
	src := e.Open(t, t.TempDir())
	d := store.Dumper(src)
	f := BuildForum(t, src)
	dump := ExportAll(t, d, dumpBatch)
	CheckPortable(t, dump)
	reads := ForumReads(t, src, f)
	if len(reads["search titles"].([]string)) == 0 || len(reads["search posts"].([]string)) == 0 {
		t.Fatalf("search finds nothing in the source: %v", reads)
	}

	dst := e.Open(t, t.TempDir())
	dd := store.Dumper(dst)
	ImportAll(t, dd, dump, dumpBatch)
	SameDump(t, "after import", dump, ExportAll(t, dd, dumpBatch))
	SameReads(t, "after import", reads, ForumReads(t, dst, f))
	// One batch of a whole collection exports the same as small batches.
	for _, c := range store.Collections {
		docs, err := dd.ExportBatch(ctx, c, "", 1000)
		if err != nil || len(docs) != len(dump[c]) {
			t.Fatalf("export %s in one batch: %d, %v", c, len(docs), err)
		}
	}

	// Resume: importing again, in other batches, adds nothing.
	counts := Counts(t, dd)
	ImportAll(t, dd, dump, 7)
	if got := Counts(t, dd); !reflect.DeepEqual(got, counts) {
		t.Fatalf("a second import changed the counts: %v, want %v", got, counts)
	}
	SameDump(t, "after a second import", dump, ExportAll(t, dd, dumpBatch))
	// A half-imported collection resumes after its last key.
	for _, c := range []string{"posts", "read_markers", "digest_outbox"} {
		docs := dump[c]
		last, err := dd.LastKey(ctx, c)
		if err != nil || len(docs) == 0 {
			t.Fatalf("last key of %s: %q, %v", c, last, err)
		}
		if want := keys(docs)[len(docs)-1]; last != want {
			t.Fatalf("last key of %s = %q, want %q", c, last, want)
		}
		rest, err := d.ExportBatch(ctx, c, last, dumpBatch)
		if err != nil || len(rest) != 0 {
			t.Fatalf("export of %s after its last key: %d, %v", c, len(rest), err)
		}
	}

	if err := dd.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	for c, n := range Counts(t, dd) {
		if n != 0 {
			t.Errorf("after Wipe, %s holds %d documents", c, n)
		}
		if k, err := dd.LastKey(ctx, c); k != "" || err != nil {
			t.Errorf("after Wipe, last key of %s = %q, %v", c, k, err)
		}
	}
	wiped := ForumReads(t, dst, f)
	for k, v := range wiped {
		if reflect.ValueOf(v).Len() != 0 {
			t.Errorf("after Wipe, %s reads %v", k, v)
		}
	}
	// A wiped store takes the forum again.
	ImportAll(t, dd, dump, 50)
	SameDump(t, "after Wipe and import", dump, ExportAll(t, dd, dumpBatch))
	SameReads(t, "after Wipe and import", reads, ForumReads(t, dst, f))
}

func testDumpSnapshot(t *testing.T, e Engine) {
	ctx := context.Background()
	s := e.Open(t, t.TempDir())
	d := store.Dumper(s)
	BuildForum(t, s)
	before := ExportAll(t, d, dumpBatch)
	snap, release, err := d.Snapshot(ctx)
	if errors.Is(err, store.ErrNoSnapshot) && e.Name != SQLite {
		t.Skipf("%s has no snapshot reads: %v", e.Name, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	th := &forum.Theme{Slug: "zz-apres", NameFR: "Après", Moderation: forum.ModerationAll, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := s.InsertTheme(ctx, th); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IncCounter(ctx, "visites", 1); err != nil {
		t.Fatal(err)
	}
	SameDump(t, "snapshot after a write", before, ExportAll(t, snap, dumpBatch))
	if n, err := d.CountCollection(ctx, "themes"); err != nil || n != int64(len(before["themes"])+1) {
		t.Fatalf("the store counts %d themes, %v; want %d", n, err, len(before["themes"])+1)
	}
	if k, _ := d.LastKey(ctx, "themes"); k != th.Slug {
		t.Fatalf("last theme = %q, want %q", k, th.Slug)
	}
	if k, _ := snap.LastKey(ctx, "themes"); k == th.Slug || !slices.Contains(keys(before["themes"]), k) {
		t.Fatalf("the snapshot's last theme = %q", k)
	}
}

func testDumpImportErrors(t *testing.T, e Engine) {
	ctx := context.Background()
	s := e.Open(t, t.TempDir())
	if _, err := s.ExportBatch(ctx, "changes", "", 10); !errors.Is(err, store.ErrUnknownCollection) {
		t.Fatalf("export of changes: %v", err)
	}
	if _, err := s.CountCollection(ctx, "schema_migrations"); !errors.Is(err, store.ErrUnknownCollection) {
		t.Fatalf("count of schema_migrations: %v", err)
	}
	// A member whose key is new but whose email another member has is a
	// conflict, not a document to skip.
	m := &forum.Member{ID: forum.NewID(), Email: "a@ville.fr", DisplayName: "A", Role: forum.RoleMember, Status: forum.MemberActive,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if err := s.InsertMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	docs, err := s.ExportBatch(ctx, "members", "", 10)
	if err != nil || len(docs) != 1 {
		t.Fatalf("export: %d, %v", len(docs), err)
	}
	other := *m
	other.ID = forum.NewID()
	doc, err := portable.Encode("members", &other)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ImportBatch(ctx, "members", []bson.Raw{docs[0], doc}); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("import of a member whose email is taken: %v", err)
	}
	if err := s.ImportBatch(ctx, "members", docs); err != nil {
		t.Fatalf("import of a member that exists: %v", err)
	}
}

func init() {
	register("DumpRoundTrip", testDumpRoundTrip)
	register("DumpSnapshot", testDumpSnapshot)
	register("DumpImportErrors", testDumpImportErrors)
}
