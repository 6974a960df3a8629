package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/store/sqlite"
	"coterforum/store/storetest"
)

// TestFullDiskIs503: when the database cannot grow (a full disk; here a page
// cap), a write answers 503 with Retry-After and a message a person
// understands, nothing is half-written, and reading goes on.
func TestFullDiskIs503(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{DataDir: dir}, storetest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvAt(t, dir, st)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	id, _ := c.createThread("reseaux", []string{"commune"}, "Fil sur un disque plein", "Premier message.")
	st.Close(ctx) // checkpoints: the file holds every page

	// Reopen the same database capped a little above its size (4 KiB pages),
	// log in while there is room, then fill it.
	fi, err := os.Stat(filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	capped, err := sqlite.Open(ctx, sqlite.Config{DataDir: dir, MaxPages: int(fi.Size()/4096) + 30}, storetest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { capped.Close(ctx) })
	e = newEnvAt(t, dir, capped)
	c = e.login(m, pw)
	// Big posts first, then ever smaller ones, until not even a short
	// one fits in what the big ones left.
	for _, n := range []int{60, 6, 1} {
		filler := strings.Repeat("Le disque se remplit. ", n)
		for i := 0; ; i++ {
			err := capped.InsertPost(ctx, &forum.Post{ID: forum.NewID(), ThreadID: id, Source: filler, HTML: "<p>" + filler + "</p>",
				Status: forum.PostPublished, CreatedAt: time.Now()})
			if errors.Is(err, forum.ErrUnavailable) {
				break
			}
			if err != nil || i > 100000 {
				t.Fatalf("filling: %v after %d posts", err, i)
			}
		}
	}
	before, err := capped.ThreadByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/threads/"+id+"/posts", strings.NewReader(`{"body":"Une réponse de trop."}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Accept-Language", "en")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || out.Error.Code != "unavailable" ||
		!strings.Contains(out.Error.Message, "cannot save changes") {
		t.Fatalf("reply on a full disk: %d Retry-After=%q %+v", resp.StatusCode, resp.Header.Get("Retry-After"), out.Error)
	}
	after, err := capped.ThreadByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if after.PostCount != before.PostCount || after.LastPostID != before.LastPostID {
		t.Fatalf("the refused reply changed the thread: %+v → %+v", before, after)
	}
	if status, _, _ := e.anon().get("/threads/" + id); status != http.StatusOK {
		t.Fatalf("reading on a full disk: %d", status)
	}
}
