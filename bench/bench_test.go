package main

import (
	"context"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"coterforum/forum"
)

func TestPercentile(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", ms(7), 99, 7 * time.Millisecond},
		{"median of four", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p100", hundred, 100, 100 * time.Millisecond},
		{"p99 of ten: the largest", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"tiny p: the smallest", ms(3, 5), 0.1, 3 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("%s: percentile(p%v) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}

func TestTextGenPosts(t *testing.T) {
	g := newTextGen(1)
	const n = 500
	var total, shortest, longest int
	shortest = 1 << 30
	var headings, lists, links, inline, fenced int
	for range n {
		src := forum.NormalizeSource(g.Post())
		c := utf8.RuneCountInString(src)
		if c < 450 || c > 800 {
			t.Fatalf("post of %d characters:\n%s", c, src)
		}
		total += c
		shortest, longest = min(shortest, c), max(longest, c)
		html, err := forum.RenderMarkdown(src)
		if err != nil {
			t.Fatalf("RenderMarkdown: %v\n%s", err, src)
		}
		if strings.Contains(html, "<h2") {
			headings++
		}
		if strings.Contains(html, "<ul>") || strings.Contains(html, "<ol>") {
			lists++
		}
		if strings.Contains(html, "<a href=\"https://") {
			links++
		}
		if strings.Contains(html, "<code>") {
			inline++
		}
		if strings.Contains(html, "<pre>") {
			fenced++
		}
	}
	t.Logf("%d posts: %d to %d characters, mean %d; headings %d, lists %d, links %d, inline code %d, fenced code %d",
		n, shortest, longest, total/n, headings, lists, links, inline, fenced)
	if mean := total / n; mean < 520 || mean > 720 {
		t.Errorf("mean post length %d characters, want about 600", mean)
	}
	// Every post has a list with a link; the rest varies but occurs often.
	if lists != n || links != n {
		t.Errorf("lists %d, links %d of %d posts", lists, links, n)
	}
	for name, k := range map[string]int{"headings": headings, "inline code": inline, "fenced code": fenced} {
		if k < n/5 || k == n {
			t.Errorf("%s in %d of %d posts: want a varied mix", name, k, n)
		}
	}
}

func TestTextGenDeterministicAndValidTitles(t *testing.T) {
	a, b := newTextGen(42), newTextGen(42)
	for range 50 {
		if a.Post() != b.Post() {
			t.Fatal("same seed, different posts")
		}
		title := a.Title()
		_ = b.Title()
		if _, err := forum.NormalizeTitle(title); err != nil {
			t.Fatalf("title %q: %v", title, err)
		}
	}
}

func TestPostIDsSortByTimeAndAreValid(t *testing.T) {
	var g postIDs
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	prev := ""
	for i := range 100 {
		// The same millisecond several times: ids still increase.
		id := g.at(t0.Add(time.Duration(i/10) * time.Millisecond))
		if !forum.ValidID(id) {
			t.Fatalf("invalid id %q", id)
		}
		if id <= prev {
			t.Fatalf("ids out of order: %s after %s", id, prev)
		}
		prev = id
	}
	if a, b := makeID(5, 1), makeID(5, 2); a == b || !forum.ValidID(a) {
		t.Fatalf("makeID: %q %q", a, b)
	}
}

func TestPresetsAndFlags(t *testing.T) {
	ds, err := applyPreset("100k", dataset{HotReplies: 50, Years: 10, Seed: 6})
	if err != nil || ds.Threads != 5000 || ds.Posts != 100_000 || ds.Members != 300 || ds.Size != "100k" {
		t.Fatalf("100k = %+v, %v", ds, err)
	}
	ds, err = applyPreset("1m", dataset{Posts: 200_000, HotReplies: 50})
	if err != nil || ds.Threads != 50_000 || ds.Posts != 200_000 || ds.Size == "1m" {
		t.Fatalf("1m with -posts = %+v, %v", ds, err)
	}
	if _, err := applyPreset("10m", dataset{}); err == nil {
		t.Fatal("unknown size accepted")
	}
}

func TestNextPostTimeStaysBeforeLimit(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(1, 2))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, hot := range []bool{false, true} {
		tp := &threadPlan{next: now.Add(-38 * time.Hour), limit: now.Add(-time.Minute), left: 60, hot: hot}
		for tp.left > 0 {
			tp.left--
			next := nextPostTime(rng, tp)
			if !next.After(tp.next) || !next.Before(tp.limit) {
				t.Fatalf("hot %v: next post at %v after %v, limit %v", hot, next, tp.next, tp.limit)
			}
			tp.next = next
		}
	}
}

func TestRunLoadCountsErrorsAndBytes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			http.Error(w, "non", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("0123456789"))
	}))
	defer srv.Close()
	client := newClient(4)
	ok := runLoad(context.Background(), "ok", 4, 200*time.Millisecond, time.Second, getter(client, srv.URL+"/", true))
	if ok.Done == 0 || ok.Errors != 0 || ok.BytesPerResponse() != 10 || ok.P(99) <= 0 || len(ok.Lat) != ok.OK {
		t.Fatalf("ok run: done %d errors %d bytes/resp %d p99 %v", ok.Done, ok.Errors, ok.BytesPerResponse(), ok.P(99))
	}
	bad := runLoad(context.Background(), "bad", 2, 100*time.Millisecond, time.Second, getter(client, srv.URL+"/bad", true))
	if bad.OK != 0 || bad.Errors == 0 || bad.Statuses[500] != bad.Errors || bad.OKRPS() != 0 {
		t.Fatalf("bad run: ok %d errors %d statuses %v", bad.OK, bad.Errors, bad.Statuses)
	}
}

func TestCPUUseCountsThisProcess(t *testing.T) {
	pid := os.Getpid()
	c0 := takeCPU(pid)
	deadline := time.Now().Add(150 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	u := takeCPU(pid).since(c0)
	// Server and Bench are the same process read one after the other: a
	// clock tick (10 ms) may fall between the two reads.
	if d := u.Bench - u.Server; u.Wall < 150*time.Millisecond || u.Server <= 0 || d < -20*time.Millisecond || d > 20*time.Millisecond || u.Others < 0 || u.Idle < 0 {
		t.Fatalf("cpu use %+v (x %d)", u, x)
	}
	if c := u.cores(u.Bench); c <= 0 || c > float64(runtime.NumCPU())+0.5 {
		t.Fatalf("bench used %.2f cores", c)
	}
}
