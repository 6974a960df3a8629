package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"coterforum/forum"
)

// TestCacheThroughput measures, roughly, requests per second for a 50-reply
// thread page and the thread JSON, served from the caches and not, on the
// embedded store holding COTERFORUM_CACHE_BENCH_POSTS other posts. It runs
// only when COTERFORUM_CACHE_BENCH=1 (the full load test lives in bench/):
//
//	COTERFORUM_CACHE_BENCH=1 go test -count=1 -run TestCacheThroughput -v ./server/
func TestCacheThroughput(t *testing.T) {
	if os.Getenv("COTERFORUM_CACHE_BENCH") == "" {
		t.Skip("set COTERFORUM_CACHE_BENCH=1 to measure")
	}
	e := newEnv(t)
	ctx := context.Background()
	m, pw := e.member(forum.RoleMember, "commune")
	body := strings.Repeat("Un paragraphe de retour d'expérience sur la **fibre** et les [réseaux](https://example.org). ", 6)
	th, _, err := e.svc.CreateThread(ctx, m, forum.NewThreadInput{Theme: "reseaux", AuthorityTypes: []string{"commune"},
		Title: "Fil de cinquante réponses", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := e.svc.Reply(ctx, m, th.ID, body); err != nil {
			t.Fatal(err)
		}
	}
	others := 1000
	fmt.Sscan(os.Getenv("COTERFORUM_CACHE_BENCH_POSTS"), &others)
	other, _, err := e.svc.CreateThread(ctx, m, forum.NewThreadInput{Theme: "sig", Title: "Autres messages", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	for range others {
		if _, err := e.svc.Reply(ctx, m, other.ID, body); err != nil {
			t.Fatal(err)
		}
	}
	page := e.ts.URL + "/threads/" + th.ID
	member := e.login(m, pw)
	const workers = 8
	run := func(name string, d time.Duration, c *http.Client, url string, hdr map[string]string, want int) {
		var n, bad atomic.Int64
		var lat sync.Mutex
		var worst time.Duration
		stop := time.Now().Add(d)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for time.Now().Before(stop) {
					req, _ := http.NewRequest("GET", url, nil)
					for k, v := range hdr {
						req.Header.Set(k, v)
					}
					t0 := time.Now()
					resp, err := c.Do(req)
					if err != nil {
						bad.Add(1)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if el := time.Since(t0); el > worst {
						lat.Lock()
						worst = max(worst, el)
						lat.Unlock()
					}
					if resp.StatusCode != want {
						bad.Add(1)
					}
					n.Add(1)
				}
			})
		}
		wg.Wait()
		t.Logf("%-44s %8.0f req/s  (%d requests, %d unexpected, slowest %v)", name, float64(n.Load())/d.Seconds(), n.Load(), bad.Load(), worst.Round(time.Millisecond))
	}
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	anon := e.anon()
	anon.get("/threads/" + th.ID) // the anonymous cookie
	anonHTTP := &http.Client{Transport: tr, Jar: anon.http.Jar}
	memberHTTP := &http.Client{Transport: tr, Jar: member.http.Jar}
	_, _, resp := anon.get("/threads/" + th.ID)
	etag := resp.Header.Get("ETag")

	// Time in the handler alone, one request at a time (no network).
	direct := func(name string, c *client, hdr map[string]string, want int) {
		req := httptest.NewRequest("GET", "/threads/"+th.ID, nil)
		for _, ck := range c.http.Jar.Cookies(mustURL(t, e.ts.URL)) {
			req.AddCookie(ck)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		n := 0
		t0 := time.Now()
		for time.Since(t0) < 2*time.Second {
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Fatalf("%s: %d", name, rec.Code)
			}
			n++
		}
		t.Logf("%-44s %8.0f µs/request in the handler", name, float64(time.Since(t0).Microseconds())/float64(n))
	}
	direct("thread page, anonymous, cached (gzip)", anon, map[string]string{"Accept-Encoding": "gzip"}, 200)
	direct("thread page, anonymous, cached (identity)", anon, nil, 200)
	direct("thread page, anonymous, 304", anon, map[string]string{"If-None-Match": etag}, 304)
	direct("thread page, member (gzip)", member, map[string]string{"Accept-Encoding": "gzip"}, 200)
	direct("thread page, member (identity)", member, nil, 200)

	d := 3 * time.Second
	run("thread page, anonymous, cached (gzip)", d, anonHTTP, page, nil, 200)
	run("thread page, anonymous, cached (identity)", d, anonHTTP, page, map[string]string{"Accept-Encoding": "identity"}, 200)
	run("thread page, anonymous, If-None-Match → 304", d, anonHTTP, page, map[string]string{"If-None-Match": etag}, 304)
	run("thread page, member (data cached, rendered)", d, memberHTTP, page, nil, 200)
	run("thread JSON, anonymous, cached", d, anonHTTP, e.ts.URL+"/api/v1/threads/"+th.ID, nil, 200)
	run("home, anonymous, cached", d, anonHTTP, e.ts.URL+"/", nil, 200)
	e.svc.SetCacheBytes(64) // nothing fits: every read goes to the store
	run("thread page, anonymous, no cache", d, anonHTTP, page, nil, 200)
	run("thread page, member, no cache", d, memberHTTP, page, nil, 200)
}
