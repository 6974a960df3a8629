package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"coterforum/forum"
)

// sendConcurrently runs send n times at once and returns each outcome.
func sendConcurrently(n int, send func() (int, string, error)) (statuses []int, answers []string, errs []error) {
	statuses, answers, errs = make([]int, n), make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			statuses[i], answers[i], errs[i] = send()
		})
	}
	close(start)
	wg.Wait()
	return
}

// apiSend posts JSON with the session, the CSRF token and an Idempotency-Key.
func (c *client) apiSend(path, key string, body any) (int, map[string]any, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out := map[string]any{}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("bad JSON %q", raw)
	}
	return resp.StatusCode, out, nil
}

func (e *env) threadPosts(t *testing.T, threadID string) int64 {
	t.Helper()
	n, err := e.st.CountPosts(context.Background(), forum.PostFilter{ThreadID: threadID, AllStatuses: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIdempotentRepliesAPI sends ten identical replies at once with one
// Idempotency-Key: one post is stored, and all ten get 201 with its id. The
// same for a new thread. A key reused for another text, or malformed, is 400.
func TestIdempotentRepliesAPI(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	threadID, _ := c.createThread("reseaux", []string{"commune"}, "Un fil pour les envois répétés", "Premier message.")

	statuses, ids, errs := sendConcurrently(10, func() (int, string, error) {
		status, out, err := c.apiSend("/api/v1/threads/"+threadID+"/posts", "reponse-1", map[string]any{"body": "Une seule réponse."})
		if err != nil {
			return 0, "", err
		}
		p, _ := out["post"].(map[string]any)
		id, _ := p["id"].(string)
		return status, id, nil
	})
	for i := range statuses {
		if errs[i] != nil || statuses[i] != http.StatusCreated || ids[i] == "" || ids[i] != ids[0] {
			t.Fatalf("submission %d: %d %q (%v); first got %q", i, statuses[i], ids[i], errs[i], ids[0])
		}
	}
	if n := e.threadPosts(t, threadID); n != 2 {
		t.Fatalf("%d posts in the thread after ten identical replies, want 2", n)
	}
	if th, err := e.st.ThreadByID(context.Background(), threadID); err != nil || th.PostCount != 2 || th.LastPostID != ids[0] {
		t.Fatalf("thread after the replies: %+v (%v)", th, err)
	}

	// A new thread, ten times at once.
	statuses, ids, errs = sendConcurrently(10, func() (int, string, error) {
		status, out, err := c.apiSend("/api/v1/threads", "fil-1", map[string]any{"theme": "reseaux", "authority_types": []string{"commune"},
			"title": "Un fil envoyé dix fois", "body": "Le corps du fil."})
		if err != nil {
			return 0, "", err
		}
		th, _ := out["thread"].(map[string]any)
		p, _ := out["post"].(map[string]any)
		tid, _ := th["id"].(string)
		pid, _ := p["id"].(string)
		return status, tid + "/" + pid, nil
	})
	for i := range statuses {
		if errs[i] != nil || statuses[i] != http.StatusCreated || ids[i] != ids[0] || len(ids[i]) < 3 {
			t.Fatalf("thread submission %d: %d %q (%v); first got %q", i, statuses[i], ids[i], errs[i], ids[0])
		}
	}
	threads, err := e.st.ListThreads(context.Background(), forum.ThreadFilter{AuthorID: m.ID})
	if err != nil || len(threads) != 2 {
		t.Fatalf("%d threads by the member (%v), want 2", len(threads), err)
	}

	// The key with another text, and malformed keys.
	status, out, err := c.apiSend("/api/v1/threads/"+threadID+"/posts", "reponse-1", map[string]any{"body": "Un autre texte."})
	if err != nil || status != http.StatusBadRequest || errCode(out) != "idempotency_key_reused" {
		t.Fatalf("key reused for another text: %d %v (%v)", status, out, err)
	}
	for _, key := range []string{strings.Repeat("k", forum.MaxIdempotencyKeyChars+1), "clé avec espaces"} {
		status, out, err := c.apiSend("/api/v1/threads/"+threadID+"/posts", key, map[string]any{"body": "Texte."})
		if err != nil || status != http.StatusBadRequest || errCode(out) != "idempotency_key_invalid" {
			t.Fatalf("key %q: %d %v (%v)", key, status, out, err)
		}
	}
	// Without a key, two identical replies are two posts.
	for range 2 {
		if status, out, err := c.apiSend("/api/v1/threads/"+threadID+"/posts", "", map[string]any{"body": "Sans clé."}); err != nil || status != 201 {
			t.Fatalf("reply without a key: %d %v (%v)", status, out, err)
		}
	}
	if n := e.threadPosts(t, threadID); n != 4 {
		t.Fatalf("%d posts, want 4", n)
	}
}

// hiddenField reads a hidden field's value from a page.
func hiddenField(t *testing.T, page, name string) string {
	t.Helper()
	marker := `name="` + name + `" value="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no %s field on the page", name)
	}
	rest := page[i+len(marker):]
	return rest[:strings.Index(rest, `"`)]
}

// TestIdempotentRepliesForm submits one rendered reply form ten times at
// once: one post is stored and all ten are sent to it.
func TestIdempotentRepliesForm(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	threadID, _ := c.createThread("reseaux", []string{"commune"}, "Un fil pour le double clic", "Premier message.")
	_, page, _ := c.get("/threads/" + threadID)
	key := hiddenField(t, page, "idempotency_key")
	if len(key) < 16 {
		t.Fatalf("idempotency key %q too short", key)
	}
	if _, again, _ := c.get("/threads/" + threadID + "/reply"); hiddenField(t, again, "idempotency_key") == key {
		t.Fatal("two rendered forms carry the same key")
	}
	form := url.Values{"idempotency_key": {key},
		"body": {"Réponse envoyée par un double clic."}, "action": {"publish"}}
	statuses, locations, errs := sendConcurrently(10, func() (int, string, error) {
		resp, err := c.http.PostForm(c.e.ts.URL+"/threads/"+threadID+"/posts", form)
		if err != nil {
			return 0, "", err
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location"), nil
	})
	for i := range statuses {
		if errs[i] != nil || statuses[i] != http.StatusSeeOther || locations[i] != locations[0] || !strings.HasPrefix(locations[i], "/posts/") {
			t.Fatalf("submission %d: %d %q (%v); first went to %q", i, statuses[i], locations[i], errs[i], locations[0])
		}
	}
	if n := e.threadPosts(t, threadID); n != 2 {
		t.Fatalf("%d posts in the thread after ten submissions of one form, want 2", n)
	}
}
