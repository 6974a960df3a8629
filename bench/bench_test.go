package main

import (
	"context"
	"net/http"
	"net/http/httptest"
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

func TestIDAtSortsByTimeAndIsValid(t *testing.T) {
	used := map[string]bool{}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	prev := ""
	for i := range 100 {
		id := idAt(t0.Add(time.Duration(i)*time.Nanosecond), used)
		if !forum.ValidID(id) {
			t.Fatalf("invalid id %q", id)
		}
		if id <= prev {
			t.Fatalf("ids out of order: %s after %s", id, prev)
		}
		prev = id
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
