package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/store/sqlite"
)

// TestShutdownOnSIGTERM sends SIGTERM to the server while five members
// post and one request is still being uploaded: the process exits 0 well
// within the grace period, after logging each step; the request in flight
// is answered 201; every acknowledged post is in the store; the server
// starts again on it.
func TestShutdownOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	t.Setenv(childLogEnv, "info")
	const posters = 5
	for i := range posters + 1 {
		addUser(t, fmt.Sprintf("moderateur%d@ville.fr", i), forum.RoleModerator)
	}
	srv := startChild(t, dir)
	clients := make([]*apiClient, posters)
	for i := range clients {
		clients[i] = login(t, srv.url, fmt.Sprintf("moderateur%d@ville.fr", i), "un-mot-de-passe-long")
	}
	slow := login(t, srv.url, fmt.Sprintf("moderateur%d@ville.fr", posters), "un-mot-de-passe-long")
	var thread struct {
		Thread struct {
			ID string `json:"id"`
		} `json:"thread"`
	}
	if status := clients[0].call("POST", "/api/v1/threads", map[string]any{"theme": "reseaux", "authority_types": []string{"commune"},
		"title": "Fil de l'arrêt propre", "body": "Premier message."}, &thread); status != http.StatusCreated {
		t.Fatalf("thread: %d", status)
	}
	th := thread.Thread.ID

	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			for n := 0; ; n++ {
				var out struct {
					Post struct {
						ID string `json:"id"`
					} `json:"post"`
				}
				status := c.call("POST", "/api/v1/threads/"+th+"/posts", map[string]string{"body": fmt.Sprintf("Réponse %d de %d.", n, i)}, &out)
				if status == 0 {
					return // the server stopped accepting
				}
				if status != http.StatusCreated {
					t.Errorf("reply: %d", status)
					return
				}
				mu.Lock()
				acked[out.Post.ID] = true
				mu.Unlock()
			}
		})
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 100 || time.Now().After(deadline) {
			break
		}
	}

	// A reply whose body is still on its way when SIGTERM comes.
	body, w := io.Pipe()
	req, _ := http.NewRequest("POST", srv.url+"/api/v1/threads/"+th+"/posts", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", slow.csrf)
	type answer struct {
		status int
		id     string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := slow.http.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		var out struct {
			Post struct {
				ID string `json:"id"`
			} `json:"post"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		answered <- answer{status: resp.StatusCode, id: out.Post.ID, err: err}
	}()
	if _, err := io.WriteString(w, `{"body": "Une réponse lente, `); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the server has the headers and is reading the body

	sigterm := time.Now()
	if err := srv.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if _, err := io.WriteString(w, `arrivée pendant l'arrêt."}`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var a answer
	select {
	case a = <-answered:
	case <-time.After(15 * time.Second):
		t.Fatal("the request in flight at SIGTERM got no answer")
	}
	if a.err != nil || a.status != http.StatusCreated || a.id == "" {
		t.Fatalf("request in flight at SIGTERM: %d %q %v", a.status, a.id, a.err)
	}
	select {
	case <-srv.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("still running 15 s after SIGTERM\n%s", srv.out.String())
	}
	took := time.Since(sigterm)
	if srv.exit != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", srv.exit, srv.out.String())
	}
	if took > shutdownGrace+2*time.Second {
		t.Errorf("stopped %v after SIGTERM, past the grace period", took)
	}
	wg.Wait()
	logs := srv.out.String()
	for _, step := range []string{"arrêt : HTTP fermé", "arrêt : tâches de fond arrêtées", "arrêt : messages réservés rendus", "arrêt : base fermée", "msg=arrêté"} {
		if !strings.Contains(logs, step) {
			t.Errorf("log has no %q step:\n%s", step, logs)
		}
	}
	t.Logf("%d replies acknowledged; stopped %v after SIGTERM", len(acked), took.Round(time.Millisecond))

	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("reopen after SIGTERM: %v", err)
	}
	acked[a.id] = true
	for id := range acked {
		p, err := st.PostByID(ctx, id)
		if err != nil || p.ThreadID != th || p.Status != forum.PostPublished {
			t.Fatalf("acknowledged post %s: %+v %v", id, p, err)
		}
	}
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	out, err := st.OutboxMessages(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range out {
		if m.ClaimID != "" {
			t.Errorf("message %s still claimed after shutdown", m.ID)
		}
	}
	st.Close(ctx)

	srv = startChild(t, dir)
	c := login(t, srv.url, "moderateur0@ville.fr", "un-mot-de-passe-long")
	var got struct {
		Thread struct {
			PostCount int `json:"post_count"`
		} `json:"thread"`
	}
	if status := c.call("GET", "/api/v1/threads/"+th, nil, &got); status != http.StatusOK || got.Thread.PostCount < len(acked)+1 {
		t.Fatalf("thread after restart: %d, %d posts, want %d", status, got.Thread.PostCount, len(acked)+1)
	}
}
