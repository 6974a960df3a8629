package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
	"coterforum/moderation"
	"coterforum/server"
	"coterforum/store"
	"coterforum/store/storetest"
)

// unreadLink is the listing link of a thread with unread posts.
func unreadLink(threadID string) string { return `href="/threads/` + threadID + `/unread"` }

// location follows one redirect and returns where it points.
func (c *client) location(path string) (int, string) {
	c.t.Helper()
	st, _, resp := c.get(path)
	return st, resp.Header.Get("Location")
}

// landsOn follows /threads/ID/unread and the permalink to the post anchor.
func (c *client) landsOn(threadID string) string {
	c.t.Helper()
	st, loc := c.location("/threads/" + threadID + "/unread")
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/posts/") {
		c.t.Fatalf("unread redirect: %d %q", st, loc)
	}
	st, loc2 := c.location(loc)
	if st != http.StatusFound {
		c.t.Fatalf("permalink %s: %d", loc, st)
	}
	return loc2
}

func TestUnreadMarksFollowPublishedPosts(t *testing.T) {
	e := newEnv(t)
	author, apw := e.member(forum.RoleMember, "commune")
	a := e.login(author, apw)
	// A thread older than the reader's account is not "new" for them.
	old, _ := a.createThread("reseaux", []string{"commune"}, "Fil d'avant l'inscription", "Ancien message.")
	reader, rpw := e.member(forum.RoleMember, "commune")
	r := e.login(reader, rpw)
	tid, p1 := a.createThread("reseaux", []string{"commune"}, "Supervision du réseau", "Premier message.")
	// The reader's own thread, without replies, is not new for them.
	own, _ := r.createThread("reseaux", []string{"commune"}, "Mon propre fil", "Ma question.")

	for _, path := range []string{"/", "/themes/reseaux", "/authority-types/commune", "/themes/reseaux?authority_type=commune"} {
		_, body, _ := r.get(path)
		if !strings.Contains(body, unreadLink(tid)) || !strings.Contains(body, `class="badge badge-unread">nouveau<span class="visually-hidden"> (messages non lus)</span>`) {
			t.Errorf("%s: the new thread is not marked unread", path)
		}
		if strings.Contains(body, unreadLink(old)) || strings.Contains(body, unreadLink(own)) {
			t.Errorf("%s: a thread older than the account, or the reader's own, is marked unread", path)
		}
	}
	if got := r.landsOn(tid); got != "/threads/"+tid+"#post-"+p1 {
		t.Fatalf("never opened: want the first post, got %q", got)
	}
	// Opening the thread reads it.
	r.get("/threads/" + tid)
	_, body, _ := r.get("/")
	if strings.Contains(body, unreadLink(tid)) || strings.Contains(body, "badge-unread") {
		t.Fatal("thread still unread after opening it")
	}
	if got := r.landsOn(tid); got != "/threads/"+tid+"#post-"+p1 {
		t.Fatalf("all read: want the last post, got %q", got)
	}

	// A pending reply changes nothing for others.
	newbie, npw := e.newcomer("commune")
	n := e.login(newbie, npw)
	_, out := n.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Réponse à relire."})
	if out["post"].(map[string]any)["status"] != "pending" {
		t.Fatalf("newcomer reply: %v", out)
	}
	if _, body, _ := r.get("/"); strings.Contains(body, unreadLink(tid)) {
		t.Fatal("a pending post made the thread unread")
	}

	// Two published replies: unread again, and the link lands on the first.
	_, out = a.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Deuxième message."})
	p2 := out["post"].(map[string]any)["id"].(string)
	a.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Troisième message."})
	if _, body, _ := r.get("/themes/reseaux"); !strings.Contains(body, unreadLink(tid)) {
		t.Fatal("new published replies did not make the thread unread")
	}
	if got := r.landsOn(tid); got != "/threads/"+tid+"#post-"+p2 {
		t.Fatalf("want the first unread post %s, got %q", p2, got)
	}
	r.get("/threads/" + tid)
	if _, body, _ := r.get("/"); strings.Contains(body, unreadLink(tid)) {
		t.Fatal("still unread after reading the replies")
	}

	// The newest reply is hidden after it made the thread unread: opening
	// the thread (its last page) reads it for good.
	mod, mpw := e.member(forum.RoleModerator, "region")
	mc := e.login(mod, mpw)
	_, out = a.api("POST", "/api/v1/threads/"+tid+"/posts", map[string]any{"body": "Message bientôt masqué."})
	hidden := out["post"].(map[string]any)["id"].(string)
	if _, body, _ := r.get("/"); !strings.Contains(body, unreadLink(tid)) {
		t.Fatal("a new reply did not make the thread unread")
	}
	if st, out := mc.api("POST", "/api/v1/moderation/posts/"+hidden+"/hide", map[string]any{"reason": "Hors charte."}); st != 200 {
		t.Fatalf("hide: %d %v", st, out)
	}
	r.get("/threads/" + tid)
	if _, body, _ := r.get("/"); strings.Contains(body, unreadLink(tid)) {
		t.Fatal("the thread stays unread after its newest reply was hidden and the thread was read")
	}

	// Anonymous readers get no marks and no unread link.
	anon := e.anon()
	if _, body, _ := anon.get("/"); strings.Contains(body, "/unread") || strings.Contains(body, "badge-unread") {
		t.Fatal("anonymous listing shows unread marks")
	}
	if st, loc := anon.location("/threads/" + tid + "/unread"); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("anonymous /unread: %d %q", st, loc)
	}
	// A thread the member may not see is a 404.
	if st, _ := r.location("/threads/" + forum.NewID() + "/unread"); st != http.StatusNotFound {
		t.Fatalf("unknown thread /unread: %d", st)
	}
}

func TestReadMarkerNeverMovesBackwards(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author, _ := e.member(forum.RoleMember, "commune")
	reader, rpw := e.member(forum.RoleMember, "commune")
	r := e.login(reader, rpw)
	th, _, err := e.svc.CreateThread(ctx, author, forum.NewThreadInput{Theme: "reseaux", Title: "Un long fil de discussion", Body: "Message 1"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 2; i <= forum.PostsPerPage+3; i++ {
		p, err := e.svc.Reply(ctx, author, th.ID, fmt.Sprintf("Message %d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	// Page 1 only: the first unread post is the first of page 2.
	r.get("/threads/" + th.ID)
	first2 := ids[forum.PostsPerPage-1]
	if got := r.landsOn(th.ID); got != "/threads/"+th.ID+"?page=2#post-"+first2 {
		t.Fatalf("after page 1: want the first post of page 2, got %q", got)
	}
	// Page 2, then page 1 again: the marker stays at the end.
	r.get("/threads/" + th.ID + "?page=2")
	r.get("/threads/" + th.ID)
	mk, err := e.st.ReadMarker(ctx, reader.ID, th.ID)
	if err != nil || mk.PostID != ids[len(ids)-1] {
		t.Fatalf("marker moved backwards: %+v, %v", mk, err)
	}
	if _, body, _ := r.get("/"); strings.Contains(body, unreadLink(th.ID)) {
		t.Fatal("thread unread after reading its last page")
	}
}

// countingStore counts the read-marker queries the forum service makes.
type countingStore struct {
	store.Store
	mu      sync.Mutex
	lists   int
	listIDs []int
	singles int
	writes  int
}

func (s *countingStore) ReadMarkers(ctx context.Context, memberID string, threadIDs []string) ([]forum.ReadMarker, error) {
	s.mu.Lock()
	s.lists++
	s.listIDs = append(s.listIDs, len(threadIDs))
	s.mu.Unlock()
	return s.Store.ReadMarkers(ctx, memberID, threadIDs)
}

func (s *countingStore) ReadMarker(ctx context.Context, memberID, threadID string) (*forum.ReadMarker, error) {
	s.mu.Lock()
	s.singles++
	s.mu.Unlock()
	return s.Store.ReadMarker(ctx, memberID, threadID)
}

func (s *countingStore) AdvanceReadMarker(ctx context.Context, m *forum.ReadMarker) error {
	s.mu.Lock()
	s.writes++
	s.mu.Unlock()
	return s.Store.AdvanceReadMarker(ctx, m)
}

func (s *countingStore) reset() {
	s.mu.Lock()
	s.lists, s.listIDs, s.singles, s.writes = 0, nil, 0, 0
	s.mu.Unlock()
}

// newCountingEnv is newEnv with the forum service on a countingStore.
func newCountingEnv(t *testing.T) (*env, *countingStore) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st := storetest.NewAt(t, dir)
	cs := &countingStore{Store: st}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := forum.New(cs, log, nil)
	if err := svc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, st: st, svc: svc, mail: mail.NewFileSender(t.TempDir(), "forum@example.org")}
	e.ts = httptest.NewServer(nil)
	t.Cleanup(e.ts.Close)
	e.mod = moderation.New(svc, st, e.mail, moderation.Config{BaseURL: e.ts.URL}, log)
	key, err := st.Secret(ctx, "digest")
	if err != nil {
		t.Fatal(err)
	}
	e.digest = digest.New(svc, st, e.mail, digest.Config{BaseURL: e.ts.URL, SecretKey: key}, log)
	srv, err := server.New(ctx, svc, server.Config{BaseURL: e.ts.URL, Mail: e.mail, Log: log, Ready: st.Ping,
		Moderation: e.mod, Digest: e.digest})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts.Config.Handler = srv
	return e, cs
}

// TestListingReadsMarkersInOneQuery proves by counting store calls that a
// listing of 20 threads asks for the member's markers once, for all 20.
func TestListingReadsMarkersInOneQuery(t *testing.T) {
	e, cs := newCountingEnv(t)
	ctx := context.Background()
	author, _ := e.member(forum.RoleMember, "commune")
	reader, rpw := e.member(forum.RoleMember, "commune")
	var threads []string
	for i := range forum.ThreadsPerPage + 2 {
		th, _, err := e.svc.CreateThread(ctx, author, forum.NewThreadInput{Theme: "reseaux", Title: fmt.Sprintf("Fil numéro %d", i), Body: "Texte."})
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, th.ID)
	}
	r := e.login(reader, rpw)
	r.get("/threads/" + threads[len(threads)-1]) // one read, one not
	for _, path := range []string{"/", "/themes/reseaux", "/authority-types/commune"} {
		cs.reset()
		_, body, _ := r.get(path)
		if cs.lists != 1 || len(cs.listIDs) != 1 || cs.listIDs[0] != forum.ThreadsPerPage || cs.singles != 0 {
			t.Errorf("%s: want one marker query for %d threads, got %d queries %v and %d single reads", path, forum.ThreadsPerPage, cs.lists, cs.listIDs, cs.singles)
		}
		if n := strings.Count(body, `/unread"`); n != forum.ThreadsPerPage-1 {
			t.Errorf("%s: want %d unread threads, got %d", path, forum.ThreadsPerPage-1, n)
		}
	}
	cs.reset()
	e.anon().get("/")
	if cs.lists != 0 {
		t.Errorf("anonymous listing queried markers %d times", cs.lists)
	}
}

// TestOpeningAThreadWritesOnlyWhenTheMarkerMoves: the embedded store's
// writes are slow, so a page view that reads nothing new writes nothing.
func TestOpeningAThreadWritesOnlyWhenTheMarkerMoves(t *testing.T) {
	e, cs := newCountingEnv(t)
	ctx := context.Background()
	author, _ := e.member(forum.RoleMember, "commune")
	reader, rpw := e.member(forum.RoleMember, "commune")
	th, _, err := e.svc.CreateThread(ctx, author, forum.NewThreadInput{Theme: "reseaux", Title: "Fil relu plusieurs fois", Body: "Texte."})
	if err != nil {
		t.Fatal(err)
	}
	r := e.login(reader, rpw)
	cs.reset()
	for range 3 {
		r.get("/threads/" + th.ID)
	}
	if cs.writes != 1 {
		t.Fatalf("three views of an unchanged thread: want 1 marker write, got %d", cs.writes)
	}
	if _, err := e.svc.Reply(ctx, author, th.ID, "Une réponse."); err != nil {
		t.Fatal(err)
	}
	r.get("/threads/" + th.ID)
	r.get("/threads/" + th.ID)
	if cs.writes != 2 {
		t.Fatalf("after a new reply: want 2 marker writes in all, got %d", cs.writes)
	}
	cs.reset()
	e.anon().get("/threads/" + th.ID)
	if cs.writes != 0 || cs.singles != 0 {
		t.Fatalf("anonymous view touched markers: %d writes, %d reads", cs.writes, cs.singles)
	}
}
