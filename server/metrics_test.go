package server_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/metrics"
	"coterforum/server"
	"coterforum/store"
	"coterforum/store/storetest"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metricsEnv is a forum wired to metrics as serve wires it: the store's
// operations, the read cache, the store gauges, the digest runner and the
// server's requests and logins.
func metricsEnv(t *testing.T) (*env, *metrics.Metrics) {
	t.Helper()
	ctx := context.Background()
	m := metrics.New(storetest.Quiet())
	dir := t.TempDir()
	st, err := store.Open(ctx, store.Config{DataDir: dir, Observe: m.ObserveStore}, storetest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	e := newEnvAt(t, dir, st, func(c *serverConfig) {
		c.Metrics = m
		c.LoginLimits = server.LoginLimits{PerPair: 1}
	})
	e.svc.SetCacheObserver(m.CacheLookup)
	m.WatchCache(e.svc.Cache)
	m.WatchStore(st, st, nil)
	key, err := st.Secret(ctx, "digest")
	if err != nil {
		t.Fatal(err)
	}
	e.digest = digest.New(e.svc, st, e.mail, digest.Config{BaseURL: e.ts.URL, SecretKey: key, Observer: m}, storetest.Quiet())
	return e, m
}

// scrape reads the metrics handler's answer as a client would, parsed.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("scrape does not parse: %v", err)
	}
	return fams
}

// series returns the metric of the family with exactly these labels, or nil.
func series(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	for _, m := range f.Metric {
		if len(m.Label) != len(labels) {
			continue
		}
		ok := true
		for _, l := range m.Label {
			if labels[l.GetName()] != l.GetValue() {
				ok = false
			}
		}
		if ok {
			return m
		}
	}
	return nil
}

// value is a counter's, gauge's or histogram's count.
func value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

// TestMetricsScrape makes the requests an operator cares about (a page, a
// page from the cache, an unknown URL, a login failure, a limiter refusal,
// a newcomer's thread into the queue, a digest run) and checks every
// series in a parsed scrape, and that the public port has no /metrics.
func TestMetricsScrape(t *testing.T) {
	e, m := metricsEnv(t)
	ctx := context.Background()
	author, apw := e.member(forum.RoleMember, "commune")
	threadID, _ := e.login(author, apw).createThread("reseaux", []string{"commune"}, "Supervision des commutateurs", "Quel outil ?")
	nc, npw := e.newcomer("region")
	if _, _, st := e.login(nc, npw).modNewThread("sig", []string{"region"}, "Cadastre numérisé", "Un prestataire ?"); st != "pending" {
		t.Fatalf("newcomer's thread: %s, want pending", st)
	}
	anon := e.anon()
	for range 2 { // the second from the render cache
		if status, _, _ := anon.get("/threads/" + threadID); status != 200 {
			t.Fatalf("thread page: %d", status)
		}
	}
	if status, _, _ := anon.get("/no/such/page/" + threadID); status != 404 {
		t.Fatalf("unknown page: %d", status)
	}
	if status, _, _ := anon.get("/metrics"); status != 404 {
		t.Errorf("public /metrics: %d, want 404", status)
	}
	for i, want := range []int{401, 429} { // a wrong password, then the limiter
		status, _ := anon.api("POST", "/api/v1/session", map[string]any{"email": author.Email, "password": "pas-le-bon"})
		if status != want {
			t.Fatalf("login attempt %d: %d, want %d", i, status, want)
		}
	}
	if _, err := e.digest.RunOnce(ctx, digest.Daily, time.Now()); err != nil {
		t.Fatal(err)
	}

	fams := scrape(t, m)
	checks := []struct {
		name   string
		labels map[string]string
		ok     func(float64) bool
	}{
		{metrics.RequestDuration, map[string]string{"route": "/threads/:id", "method": "GET", "status": "2xx"}, eq(2)},
		{metrics.RequestDuration, map[string]string{"route": "unmatched", "method": "GET", "status": "4xx"}, atLeast(1)},
		{metrics.RequestDuration, map[string]string{"route": "/api/v1/session", "method": "POST", "status": "4xx"}, eq(2)},
		{metrics.CacheRequests, map[string]string{"cache": "page", "result": "hit"}, atLeast(1)},
		{metrics.CacheRequests, map[string]string{"cache": "page", "result": "miss"}, atLeast(1)},
		{metrics.CacheRequests, map[string]string{"cache": "posts", "result": "miss"}, atLeast(1)},
		{metrics.CacheEntries, nil, atLeast(1)},
		{metrics.CacheBytes, nil, atLeast(1)},
		{metrics.CacheMaxBytes, nil, atLeast(1)},
		{metrics.CacheEvictions, nil, eq(0)},
		{metrics.StoreDuration, map[string]string{"engine": "sqlite", "operation": "read"}, atLeast(1)},
		{metrics.StoreDuration, map[string]string{"engine": "sqlite", "operation": "write"}, atLeast(1)},
		{metrics.StoreDuration, map[string]string{"engine": "sqlite", "operation": "commit"}, atLeast(1)},
		{metrics.QueueLength, nil, eq(1)},
		{metrics.QueueOldestAge, nil, func(v float64) bool { return v >= 0 && v < 600 }},
		{metrics.OutboxMessages, map[string]string{"status": "pending"}, eq(0)},
		{metrics.OutboxMessages, map[string]string{"status": "sending"}, eq(0)},
		{metrics.OutboxRetrying, nil, eq(0)},
		{metrics.OutboxFailedLastDay, nil, eq(0)},
		{metrics.DigestRunDuration, map[string]string{"frequency": "daily", "result": "ok"}, eq(1)},
		{metrics.DigestMessages, map[string]string{"result": "failed"}, eq(0)},
		{metrics.LoginFailures, nil, eq(1)},
		{metrics.LoginRefusals, nil, eq(1)},
		{"go_goroutines", nil, atLeast(1)},
		{"go_memstats_heap_alloc_bytes", nil, atLeast(1)},
		{"process_cpu_seconds_total", nil, atLeast(0)},
	}
	for _, c := range checks {
		if v := value(series(fams, c.name, c.labels)); !c.ok(v) {
			t.Errorf("%s%v = %v", c.name, c.labels, v)
		}
	}
	// Only route patterns label requests: never a raw path.
	for _, s := range fams[metrics.RequestDuration].Metric {
		for _, l := range s.Label {
			if l.GetName() == "route" && strings.Contains(l.GetValue(), threadID) {
				t.Errorf("raw path in a route label: %s", l.GetValue())
			}
		}
	}
}

func eq(want float64) func(float64) bool     { return func(v float64) bool { return v == want } }
func atLeast(min float64) func(float64) bool { return func(v float64) bool { return v >= min } }

// TestMetricsQueueGaugesAreCached checks that scrapes within the cache
// time do not read the store again: the gauges keep their value.
func TestMetricsQueueGaugesAreCached(t *testing.T) {
	e, m := metricsEnv(t)
	if v := value(series(scrape(t, m), metrics.QueueLength, nil)); v != 0 {
		t.Fatalf("queue length %v, want 0", v)
	}
	nc, npw := e.newcomer("region")
	if _, _, st := e.login(nc, npw).modNewThread("sig", []string{"region"}, "Cadastre numérisé", "Un prestataire ?"); st != "pending" {
		t.Fatalf("newcomer's thread: %s", st)
	}
	if v := value(series(scrape(t, m), metrics.QueueLength, nil)); v != 0 {
		t.Errorf("queue length %v within the cache time, want the cached 0", v)
	}
}
