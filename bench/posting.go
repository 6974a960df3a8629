package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// apiSession is a logged-in API client: its session cookie and CSRF token.
type apiSession struct {
	cookie *http.Cookie
	csrf   string
}

// login opens an API session (POST /api/v1/session, CONTRACT.md).
func login(ctx context.Context, client *http.Client, base, email, password string) (*apiSession, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/session", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("connexion de %s : HTTP %d %s", email, resp.StatusCode, raw)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	for _, c := range resp.Cookies() {
		if c.Name == "cf_session" {
			return &apiSession{cookie: &http.Cookie{Name: c.Name, Value: c.Value}, csrf: out.CSRF}, nil
		}
	}
	return nil, fmt.Errorf("connexion de %s : pas de cookie de session", email)
}

// poster returns a doFunc where connection i replies, as sessions[i], in
// turn to the threads i, i + len(sessions), i + 2 × len(sessions)… (modulo
// len(threads)) with bodies from its own generator, through
// POST /api/v1/threads/{id}/posts. A reply that is not published at once
// counts as an error.
func poster(client *http.Client, base string, sessions []*apiSession, threads []string, seed uint64) doFunc {
	bodies := make([][][]byte, len(sessions))
	for i := range sessions {
		g := newTextGen(seed + uint64(i) + 1)
		for range 64 {
			b, _ := json.Marshal(map[string]string{"body": g.Post()})
			bodies[i] = append(bodies[i], b)
		}
	}
	next := make([]int, len(sessions))
	return func(ctx context.Context, conn int) (int, int64, string, error) {
		s := sessions[conn]
		k := next[conn]
		next[conn]++
		body := bodies[conn][k%len(bodies[conn])]
		url := base + "/api/v1/threads/" + threads[(conn+k*len(sessions))%len(threads)] + "/posts"
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, 0, "", err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", s.csrf)
		req.AddCookie(s.cookie)
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, "", err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return resp.StatusCode, 0, "", err
		}
		if resp.StatusCode != http.StatusCreated {
			return resp.StatusCode, int64(len(raw)), "", nil
		}
		var out struct {
			Post struct {
				Status string `json:"status"`
			} `json:"post"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return resp.StatusCode, 0, "", err
		}
		if out.Post.Status != "published" {
			return resp.StatusCode, 0, "", errNotPublished
		}
		return resp.StatusCode, int64(len(raw)), "", nil
	}
}
