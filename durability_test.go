package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/store/sqlite"
)

// The durability tests run the real server in a child process (this test
// binary, re-executed with childServeEnv set) so that it can be killed with
// SIGKILL in the middle of a posting run.
const childServeEnv = "COTERFORUM_TEST_CHILD_SERVE"

// childLogEnv set to "info" makes the child log at the info level (warnings only otherwise).
const childLogEnv = "COTERFORUM_TEST_CHILD_LOG"

func TestMain(m *testing.M) {
	if os.Getenv(childServeEnv) == "1" {
		level := slog.LevelWarn
		if os.Getenv(childLogEnv) == "info" {
			level = slog.LevelInfo
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
		if err := run(context.Background(), []string{"serve"}, os.Stdin, io.Discard, log); err != nil {
			fmt.Fprintln(os.Stderr, "coterforum :", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a server running in another process.
type child struct {
	proc *os.Process
	done chan struct{}
	url  string
	// exit is how the process ended, and out what it wrote; read them
	// after done is closed.
	exit error
	out  *bytes.Buffer
}

// startChild starts the server on dir in a child process and waits until
// it answers /healthz.
func startChild(t *testing.T, dir string) *child {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childServeEnv+"=1", "FORUM_DATA_DIR="+dir, "FORUM_ADDR="+addr, "MONGODB_URI=",
		"FORUM_BASE_URL=http://"+addr)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{proc: cmd.Process, done: make(chan struct{}), url: "http://" + addr, out: &log}
	go func() { c.exit = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { _ = c.proc.Kill(); <-c.done })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(c.url + "/healthz"); err == nil {
			resp.Body.Close()
			return c
		}
		select {
		case <-c.done:
			t.Fatalf("server exited: %v\n%s", c.exit, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// apiClient is a logged-in API session.
type apiClient struct {
	http *http.Client
	url  string
	csrf string
}

func login(t *testing.T, url, email, password string) *apiClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	// A generous timeout: under -race on a loaded machine, the password
	// hash of a login alone can take seconds; a request to a killed server
	// fails at once anyway.
	c := &apiClient{http: &http.Client{Jar: jar, Timeout: 60 * time.Second}, url: url}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if status := c.call("POST", "/api/v1/session", map[string]string{"email": email, "password": password}, &out); status != http.StatusOK {
		t.Fatalf("login %s: %d", email, status)
	}
	c.csrf = out.CSRF
	return c
}

// call sends a JSON request and decodes the answer into out; it returns the
// status, or 0 when the request failed (the server is gone).
func (c *apiClient) call(method, path string, body, out any) int {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.url+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0 // an answer cut short is not an acknowledgement
	}
	if out != nil {
		_ = json.Unmarshal(data, out)
	}
	return resp.StatusCode
}

// addUser runs `coterforum user add` (beside no server).
func addUser(t *testing.T, email, role string) {
	t.Helper()
	args := []string{"user", "add", "--email", email, "--name", strings.Split(email, "@")[0], "--role", role,
		"--authority-type", "commune", "--authority", "Ville de Lyon", "--password-stdin"}
	if err := run(context.Background(), args, strings.NewReader("un-mot-de-passe-long\n"), io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
}

// TestKill9LosesNoAcknowledgedPost kills the server with SIGKILL while ten
// members post, restarts it, and checks that every post the server
// acknowledged (201) is there, that every thread's count and last post and
// every member's approved count agree with the posts stored, and that the
// database is intact.
func TestKill9LosesNoAcknowledgedPost(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	const posters = 10
	for i := range posters {
		addUser(t, fmt.Sprintf("moderateur%d@ville.fr", i), forum.RoleModerator)
	}
	srv := startChild(t, dir)
	clients := make([]*apiClient, posters)
	for i := range clients {
		clients[i] = login(t, srv.url, fmt.Sprintf("moderateur%d@ville.fr", i), "un-mot-de-passe-long")
	}
	var threads []string
	for i := range 3 {
		var out struct {
			Thread struct {
				ID string `json:"id"`
			} `json:"thread"`
		}
		body := map[string]any{"theme": "reseaux", "authority_types": []string{"commune"},
			"title": fmt.Sprintf("Fil de charge %d", i), "body": "Premier message."}
		if status := clients[0].call("POST", "/api/v1/threads", body, &out); status != http.StatusCreated {
			t.Fatalf("thread: %d", status)
		}
		threads = append(threads, out.Thread.ID)
	}

	var mu sync.Mutex
	acked := map[string]string{} // post id → thread id
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				th := threads[(i+n)%len(threads)]
				var out struct {
					Post struct {
						ID     string `json:"id"`
						Status string `json:"status"`
					} `json:"post"`
				}
				status := c.call("POST", "/api/v1/threads/"+th+"/posts", map[string]string{"body": fmt.Sprintf("Réponse %d de %d.", n, i)}, &out)
				if status == 0 {
					return // the server is gone
				}
				if status != http.StatusCreated || out.Post.Status != forum.PostPublished {
					t.Errorf("reply: %d %q", status, out.Post.Status)
					return
				}
				mu.Lock()
				acked[out.Post.ID] = th
				mu.Unlock()
			}
		})
	}
	// Kill once a good number of posts went through, mid-stream.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-srv.done
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d posts acknowledged before the kill", len(acked))
	}

	// The database as the next server finds it.
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	if res, err := st.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check after kill -9: %q %v", res, err)
	}
	for id, th := range acked {
		p, err := st.PostByID(ctx, id)
		if err != nil {
			t.Fatalf("acknowledged post %s lost: %v", id, err)
		}
		if p.ThreadID != th || p.Status != forum.PostPublished {
			t.Fatalf("post %s: thread %s status %s", id, p.ThreadID, p.Status)
		}
	}
	byAuthor := map[string]int{}
	for _, id := range threads {
		th, err := st.ThreadByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		posts, err := st.ListPosts(ctx, forum.PostFilter{ThreadID: id})
		if err != nil {
			t.Fatal(err)
		}
		if th.PostCount != len(posts) {
			t.Errorf("thread %s: post_count %d, %d published posts stored", id, th.PostCount, len(posts))
		}
		var newest time.Time
		var lastFound bool
		for _, p := range posts {
			byAuthor[p.Author.ID]++
			if p.CreatedAt.After(newest) {
				newest = p.CreatedAt
			}
			lastFound = lastFound || (p.ID == th.LastPostID && p.CreatedAt.Equal(th.LastActivityAt))
		}
		if !th.LastActivityAt.Equal(newest) || !lastFound {
			t.Errorf("thread %s: last post %s at %v; newest stored post at %v", id, th.LastPostID, th.LastActivityAt, newest)
		}
	}
	for author, n := range byAuthor {
		m, err := st.MemberByID(ctx, author)
		if err != nil {
			t.Fatal(err)
		}
		if m.ApprovedPosts != n {
			t.Errorf("member %s: approved_posts %d, %d published posts stored", m.Email, m.ApprovedPosts, n)
		}
	}
	st.Close(ctx)
	t.Logf("%d posts acknowledged before the kill, all found", len(acked))

	// And the server starts again on it.
	srv = startChild(t, dir)
	c := login(t, srv.url, "moderateur0@ville.fr", "un-mot-de-passe-long")
	if status := c.call("POST", "/api/v1/threads/"+threads[0]+"/posts", map[string]string{"body": "Après le redémarrage."}, nil); status != http.StatusCreated {
		t.Fatalf("reply after restart: %d", status)
	}
}
