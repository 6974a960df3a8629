// Package metrics holds coterforum's Prometheus series: one registry built
// at start (never the global default) and passed down, the observers the
// server, the stores and the digest runner call, and the collectors that
// read the store and the read cache at scrape time. It is served on its own
// listener (FORUM_METRICS_ADDR), never on the public port.
//
// Every method is safe on a nil *Metrics and then does nothing: code that
// runs without metrics (commands, tests) calls them all the same.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Names of the series (README.md, deploy/grafana-dashboard.json).
const (
	RequestDuration     = "coterforum_http_request_duration_seconds"
	CacheRequests       = "coterforum_cache_requests_total"
	StoreDuration       = "coterforum_store_operation_duration_seconds"
	DigestRunDuration   = "coterforum_digest_run_duration_seconds"
	DigestMessages      = "coterforum_digest_messages_total"
	LoginFailures       = "coterforum_login_failures_total"
	LoginRefusals       = "coterforum_login_limiter_refusals_total"
	CollectorErrors     = "coterforum_collector_errors_total"
	QueueLength         = "coterforum_moderation_queue_length"
	QueueOldestAge      = "coterforum_moderation_queue_oldest_age_seconds"
	OutboxMessages      = "coterforum_outbox_messages"
	OutboxRetrying      = "coterforum_outbox_retrying_messages"
	OutboxFailedLastDay = "coterforum_outbox_failed_last_day"
	CacheEntries        = "coterforum_cache_entries"
	CacheBytes          = "coterforum_cache_bytes"
	CacheMaxBytes       = "coterforum_cache_max_bytes"
	CacheEvictions      = "coterforum_cache_evictions_total"
)

// UnmatchedRoute is the route label of requests that matched no route.
const UnmatchedRoute = "unmatched"

// Metrics is the registry and the series the process updates.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests      *prometheus.HistogramVec
	cache         *prometheus.CounterVec
	store         *prometheus.HistogramVec
	digestRuns    *prometheus.HistogramVec
	digestMsgs    *prometheus.CounterVec
	loginFailures prometheus.Counter
	loginRefusals prometheus.Counter
	collectErrors *prometheus.CounterVec
	// sqliteOps are the SQLite store's histograms by operation, resolved
	// at its first observation (so that a MongoDB deployment shows none);
	// read-only once built.
	sqliteOnce sync.Once
	sqliteOps  map[string]prometheus.Observer
}

// New builds the registry with the Go runtime and process collectors and
// coterforum's own series. log receives the collectors' errors.
func New(log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: RequestDuration,
		Help:    "HTTP request duration by route pattern (never the raw URL), method and status class.",
		Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}},
		[]string{"route", "method", "status"})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{Name: CacheRequests,
		Help: "Read and render cache lookups by cache and result: a hit is a current entry served without the store or a render."},
		[]string{"cache", "result"})
	m.store = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: StoreDuration,
		Help:    "Store operation latency by engine and operation (SQLite: read, write, commit; MongoDB: the command name).",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}},
		[]string{"engine", "operation"})
	m.digestRuns = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: DigestRunDuration,
		Help:    "Digest runs (scheduled or manual) by frequency and result (ok, busy, error); the _count is the number of runs.",
		Buckets: prometheus.ExponentialBuckets(0.01, 4, 9)}, []string{"frequency", "result"})
	m.digestMsgs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: DigestMessages,
		Help: "Outbox messages (digests, confirmations, notifications) this process finished: sent, retry (temporary failure) or failed (given up)."},
		[]string{"result"})
	m.loginFailures = prometheus.NewCounter(prometheus.CounterOpts{Name: LoginFailures,
		Help: "Logins refused for a wrong address or password."})
	m.loginRefusals = prometheus.NewCounter(prometheus.CounterOpts{Name: LoginRefusals,
		Help: "Password checks refused by the rate limiter (too many recent failures for the account or the client)."})
	m.collectErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: CollectorErrors,
		Help: "Scrape-time reads of the store that failed (their gauges are then missing from the scrape)."},
		[]string{"collector"})
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.cache, m.store, m.digestRuns, m.digestMsgs, m.loginFailures, m.loginRefusals, m.collectErrors)
	for _, r := range []string{"ok", "busy", "error"} {
		for _, f := range []string{"daily", "weekly"} {
			m.digestRuns.WithLabelValues(f, r)
		}
	}
	for _, r := range []string{"sent", "retry", "failed"} {
		m.digestMsgs.WithLabelValues(r)
	}
	return m
}

// Registry is the process's registry (tests, extra collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError,
		ErrorLog: slogPrinter{m.log}, Timeout: 10 * time.Second})
}

// slogPrinter gives promhttp's error log to slog.
type slogPrinter struct{ log *slog.Logger }

// Println logs the handler's error.
func (p slogPrinter) Println(v ...any) { p.log.Error("metrics: scrape error", "err", v) }

// ObserveRequest records one HTTP request: route is the route pattern
// (UnmatchedRoute for none).
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, methodLabel(method), statusClass(status)).Observe(d.Seconds())
}

// methodLabel bounds the method label to the methods routes use.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// statusClass is "2xx" … "5xx".
func statusClass(status int) string {
	switch {
	case status >= 100 && status < 600:
		return strconv.Itoa(status/100) + "xx"
	}
	return "other"
}

// CacheLookup records a lookup in the named cache (page, raw, thread,
// posts, listing, session, counts).
func (m *Metrics) CacheLookup(cache string, hit bool) {
	if m == nil {
		return
	}
	result := "miss"
	if hit {
		result = "hit"
	}
	m.cache.WithLabelValues(cache, result).Inc()
}

// ObserveStore records one store operation (store.Config.Observe). The
// SQLite store's operations are resolved once: an observation is a map
// read and the histogram's own work, without allocating.
func (m *Metrics) ObserveStore(engine, op string, d time.Duration) {
	if m == nil {
		return
	}
	if engine == "sqlite" {
		m.sqliteOnce.Do(func() {
			m.sqliteOps = map[string]prometheus.Observer{}
			for _, op := range []string{"read", "write", "commit"} {
				m.sqliteOps[op] = m.store.WithLabelValues("sqlite", op)
			}
		})
		if o, ok := m.sqliteOps[op]; ok {
			o.Observe(d.Seconds())
			return
		}
	}
	m.store.WithLabelValues(engine, op).Observe(d.Seconds())
}

// DigestRun records a digest run of a frequency: result is ok, busy
// (another process held the lease) or error.
func (m *Metrics) DigestRun(frequency, result string, d time.Duration) {
	if m == nil {
		return
	}
	m.digestRuns.WithLabelValues(frequency, result).Observe(d.Seconds())
}

// MessageFinished records the outcome of one delivery attempt: sent, retry or failed.
func (m *Metrics) MessageFinished(result string) {
	if m == nil {
		return
	}
	m.digestMsgs.WithLabelValues(result).Inc()
}

// LoginFailed records a login refused for bad credentials.
func (m *Metrics) LoginFailed() {
	if m == nil {
		return
	}
	m.loginFailures.Inc()
}

// LoginRefused records a password check the rate limiter refused.
func (m *Metrics) LoginRefused() {
	if m == nil {
		return
	}
	m.loginRefusals.Inc()
}
