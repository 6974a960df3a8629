package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// aloneResult is a page requested alone, one request at a time.
type aloneResult struct {
	Name, Path string
	Lat        []time.Duration // sorted
	Bytes      int             // body of the last response, as sent
	CPU        cpuUse          // over the requests (and the one not counted): coarse, clock ticks are 10 ms
}

// Median is the median latency.
func (a *aloneResult) Median() time.Duration { return percentile(a.Lat, 50) }

// timeAlone requests a page n times, one request after the other, after
// one request not counted whose answer is checked (200, and check's verdict
// on the uncompressed body), and returns the sorted latencies.
func timeAlone(ctx context.Context, client *http.Client, name, path, base string, n int, gzip bool,
	check func(body string) error) (*aloneResult, error) {
	body, err := getBody(ctx, client, base+path)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(body); err != nil {
			return nil, fmt.Errorf("GET %s : %w", path, err)
		}
	}
	r := &aloneResult{Name: name, Path: path}
	for range n {
		d, size, err := timeOne(ctx, client, base+path, gzip)
		if err != nil {
			return nil, err
		}
		r.Lat, r.Bytes = append(r.Lat, d), size
	}
	slices.Sort(r.Lat)
	return r, nil
}

// timeOne makes one request, reads the whole answer (200 only) and returns
// how long it took and the body's size as sent.
func timeOne(ctx context.Context, client *http.Client, url string, gzip bool) (time.Duration, int, error) {
	rctx, cancel := context.WithTimeout(ctx, aloneLimit)
	defer cancel()
	req, err := newGet(rctx, url, gzip)
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return 0, 0, fmt.Errorf("GET %s seul : plus de %s", url, aloneLimit)
		}
		return 0, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("GET %s : HTTP %d", url, resp.StatusCode)
	}
	return d, len(body), nil
}

// searchQuery is one search of the measure: words as a reader types them,
// and the filters.
type searchQuery struct {
	Kind, Q, Theme, AuthorityType string
}

// searchQueries are the measured searches: common and rare words (the
// places of text.go are each in about one post in 400), two words, a word
// found nowhere, with and without theme and authority-type filters.
var searchQueries = []searchQuery{
	{Kind: "common", Q: "messagerie"},
	{Kind: "common, many titles", Q: "marché"},
	{Kind: "common", Q: "sauvegarde"},
	{Kind: "common", Q: "prestataire"},
	{Kind: "two words", Q: "fibre noire"},
	{Kind: "two words", Q: "centre d'appels"},
	{Kind: "two words", Q: "conduite du changement"},
	{Kind: "two words", Q: "cahier des charges"},
	{Kind: "rare", Q: "Quimper"},
	{Kind: "rare + common", Q: "Quimper sauvegarde"},
	{Kind: "inline code", Q: "zabbix"},
	{Kind: "no match", Q: "kubernetes"},
	{Kind: "common, theme", Q: "messagerie", Theme: "reseaux"},
	{Kind: "two words, theme", Q: "fibre noire", Theme: "reseaux"},
	{Kind: "rare, theme", Q: "Lannion", Theme: "sig"},
	{Kind: "common, theme × type", Q: "marché", Theme: "achats-marches", AuthorityType: "commune"},
}

// Path is the query's search page.
func (q searchQuery) Path() string {
	v := url.Values{"q": {q.Q}}
	if q.Theme != "" {
		v.Set("theme", q.Theme)
	}
	if q.AuthorityType != "" {
		v.Set("authority_type", q.AuthorityType)
	}
	return "/search?" + v.Encode()
}

// searchResult is the search measure: every request's latency, and per
// query its latencies and how many results its first page shows.
type searchResult struct {
	Rounds  int
	All     []time.Duration // sorted
	Queries []searchQueryResult
	CPU     cpuUse // over all the requests (and the first of each query, not counted)
}

// searchQueryResult is one query's part of the search measure.
type searchQueryResult struct {
	Query   searchQuery
	Results int  // results on the first page
	More    bool // the page links to a next one
	Lat     []time.Duration
}

// measureSearch runs the queries in turn, rounds times, one request at a
// time (after one request per query, not counted, that counts its
// results), through the search page /search?q=.
func measureSearch(ctx context.Context, client *http.Client, base string, rounds int, gzip bool) (*searchResult, error) {
	res := &searchResult{Rounds: rounds}
	for _, q := range searchQueries {
		body, err := getBody(ctx, client, base+q.Path())
		if err != nil {
			return nil, err
		}
		res.Queries = append(res.Queries, searchQueryResult{Query: q,
			Results: strings.Count(body, `<li class="search-result`), More: strings.Contains(body, `rel="next"`)})
	}
	for range rounds {
		for i, q := range searchQueries {
			d, _, err := timeOne(ctx, client, base+q.Path(), gzip)
			if err != nil {
				return nil, err
			}
			res.Queries[i].Lat = append(res.Queries[i].Lat, d)
			res.All = append(res.All, d)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	slices.Sort(res.All)
	for i := range res.Queries {
		slices.Sort(res.Queries[i].Lat)
	}
	return res, nil
}

// getBody GETs url without compression and returns its body (200 only).
func getBody(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := newGet(ctx, url, false)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s : HTTP %d", url, resp.StatusCode)
	}
	return string(b), nil
}
