package server_test

import (
	"context"
	"testing"

	"coterforum/forum"
	"coterforum/store/storetest"
)

// TestRestartKeepsEverything stops the store and starts a new server on the
// same data dir: threads, posts, members and sessions are all still there.
func TestRestartKeepsEverything(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	id, _ := c.createThread("sig", nil, "Fil avant redémarrage", "Contenu **persistant**.")
	c.api("POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Une réponse"})
	e.ts.Close()
	e.st.Close(context.Background())

	st2 := storetest.NewAt(t, e.dir)
	e2 := newEnvAt(t, e.dir, st2)
	c.e = e2 // same cookies, new server
	status, out := c.api("GET", "/api/v1/session", nil)
	if status != 200 || out["user"].(map[string]any)["id"] != m.ID {
		t.Fatalf("session lost across restart: %d %v", status, out)
	}
	status, out = c.api("GET", "/api/v1/threads/"+id, nil)
	if status != 200 || len(out["posts"].([]any)) != 2 || out["thread"].(map[string]any)["post_count"] != float64(2) {
		t.Fatalf("thread lost across restart: %d %v", status, out)
	}
	// The CSRF token of the session still works for writes.
	if status, _ := c.api("POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": "Après redémarrage"}); status != 201 {
		t.Fatalf("write after restart: %d", status)
	}
}
