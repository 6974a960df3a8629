package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// doFunc makes one request as connection number conn and returns the
// response's status and body size; err is a transport error or timeout.
type doFunc func(ctx context.Context, conn int) (status int, bytes int64, encoding string, err error)

// loadResult is what one closed-loop run measured.
type loadResult struct {
	Name     string
	Window   time.Duration
	Conns    int
	Done     int             // requests completed (any status) inside the window
	OK       int             // 2xx among all requests started in the window
	Errors   int             // non-2xx, transport errors and timeouts among them
	Bytes    int64           // body bytes of the 2xx responses (as sent: compressed if so)
	Lat      []time.Duration // latency of every request started in the window, sorted
	Encoding string          // Content-Encoding of the last 2xx response ("" = identity)
	Statuses map[int]int
	FirstErr string
	// Alone is the median time of the request made alone, before the load.
	Alone time.Duration
	// CPU is how the machine's CPU was used during the window.
	CPU cpuUse
}

// RPS is the rate of requests completed inside the window.
func (r *loadResult) RPS() float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.Done) / r.Window.Seconds()
}

// OKRPS is the rate of successful requests (2xx) completed inside the window.
func (r *loadResult) OKRPS() float64 {
	if r.Window <= 0 || r.Done == 0 {
		return 0
	}
	return r.RPS() * float64(r.OK) / float64(r.OK+r.Errors)
}

// BytesPerResponse is the mean body size of the 2xx responses.
func (r *loadResult) BytesPerResponse() int64 {
	if r.OK == 0 {
		return 0
	}
	return r.Bytes / int64(r.OK)
}

// P returns the p-th percentile latency (0 < p <= 100).
func (r *loadResult) P(p float64) time.Duration { return percentile(r.Lat, p) }

// percentile returns the nearest-rank p-th percentile of sorted durations:
// the smallest value such that at least p % of the values are <= it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// runLoad runs a closed loop: conns workers each send a request, wait for
// the whole response, and send the next, for window. Every request started
// inside the window is waited for (up to timeout, after which it counts as
// an error) so that slow responses weigh in the latencies; the rate counts
// the requests completed inside the window.
func runLoad(ctx context.Context, name string, conns int, window, timeout time.Duration, do doFunc) *loadResult {
	type workerOut struct {
		done, ok, errs int
		bytes          int64
		lat            []time.Duration
		enc            string
		statuses       map[int]int
		firstErr       string
	}
	outs := make([]workerOut, conns)
	start := time.Now()
	end := start.Add(window)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			o := &outs[w]
			o.statuses = map[int]int{}
			o.lat = make([]time.Duration, 0, 1024)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					return
				}
				rctx, cancel := context.WithTimeout(ctx, timeout)
				status, n, enc, err := do(rctx, w)
				cancel()
				t1 := time.Now()
				o.lat = append(o.lat, t1.Sub(t0))
				if !t1.After(end) {
					o.done++
				}
				switch {
				case err != nil:
					o.errs++
					if o.firstErr == "" {
						o.firstErr = err.Error()
					}
				case status < 200 || status > 299:
					o.errs++
					o.statuses[status]++
					if o.firstErr == "" {
						o.firstErr = fmt.Sprintf("HTTP %d", status)
					}
				default:
					o.ok++
					o.bytes += n
					o.enc = enc
					o.statuses[status]++
				}
			}
		})
	}
	wg.Wait()
	r := &loadResult{Name: name, Window: window, Conns: conns, Statuses: map[int]int{}}
	for _, o := range outs {
		r.Done += o.done
		r.OK += o.ok
		r.Errors += o.errs
		r.Bytes += o.bytes
		r.Lat = append(r.Lat, o.lat...)
		if o.enc != "" {
			r.Encoding = o.enc
		}
		for k, v := range o.statuses {
			r.Statuses[k] += v
		}
		if r.FirstErr == "" {
			r.FirstErr = o.firstErr
		}
	}
	slices.Sort(r.Lat)
	return r
}

// newClient returns an HTTP client keeping up to conns connections alive to
// one host. It leaves bodies as sent (no transparent gzip): the driver sets
// Accept-Encoding itself and counts the bytes on the wire.
func newClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// getter returns a doFunc that GETs url as an anonymous visitor (no cookie).
func getter(client *http.Client, url string, gzip bool) doFunc {
	return func(ctx context.Context, _ int) (int, int64, string, error) {
		req, err := newGet(ctx, url, gzip)
		if err != nil {
			return 0, 0, "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, "", err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil {
			return resp.StatusCode, n, "", err
		}
		return resp.StatusCode, n, resp.Header.Get("Content-Encoding"), nil
	}
}

// newGet returns a GET request with a browser's headers, as an anonymous
// visitor (no cookie); gzip adds Accept-Encoding.
func newGet(ctx context.Context, url string, gzip bool) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	}
	return req, nil
}

// errNotPublished is returned when a reply was queued for moderation.
var errNotPublished = errors.New("message mis en attente de modération")
