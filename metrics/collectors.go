package metrics

import (
	"context"
	"sync"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/internal/lru"

	"github.com/prometheus/client_golang/prometheus"
)

// QueueStore is what the moderation queue gauges read: the queries of the
// moderation queue, on the index of posts by status.
type QueueStore interface {
	CountPostsByStatus(ctx context.Context, status string) (int64, error)
	// ListPostsByStatus returns the oldest first (ids are time-ordered).
	ListPostsByStatus(ctx context.Context, status string, limit int) ([]forum.Post, error)
}

// OutboxStore is what the outbox gauges read.
type OutboxStore interface {
	OutboxCounts(ctx context.Context, failedSince time.Time) (digest.OutboxCounts, error)
}

// Defaults of the store gauges: a scrape reads the store at most once per
// gaugeTTL, each read bounded by gaugeTimeout.
const (
	gaugeTTL     = 10 * time.Second
	gaugeTimeout = 2 * time.Second
)

// WatchStore registers the gauges read from the store at scrape time: the
// moderation queue's length and the age of its oldest pending post, the
// outbox's pending, sending, retrying and recently failed messages. The
// answer is kept gaugeTTL, so scrapes stay cheap whatever their rate; now
// is the clock (nil: time.Now).
func (m *Metrics) WatchStore(queue QueueStore, outbox OutboxStore, now func() time.Time) {
	if m == nil {
		return
	}
	if now == nil {
		now = time.Now
	}
	m.reg.MustRegister(&storeGauges{m: m, queue: queue, outbox: outbox, now: now, ttl: gaugeTTL, timeout: gaugeTimeout})
}

var (
	queueLenDesc = prometheus.NewDesc(QueueLength, "Posts waiting for a moderator's decision.", nil, nil)
	queueAgeDesc = prometheus.NewDesc(QueueOldestAge,
		"Age of the oldest post waiting for a decision (0 when the queue is empty).", nil, nil)
	outboxDesc = prometheus.NewDesc(OutboxMessages,
		"Messages in the outbox by status: pending (waiting for a first attempt or a retry) or sending (claimed by a process).",
		[]string{"status"}, nil)
	retryingDesc = prometheus.NewDesc(OutboxRetrying,
		"Pending outbox messages that already failed at least once and wait for a retry.", nil, nil)
	failedDesc = prometheus.NewDesc(OutboxFailedLastDay,
		"Messages given up (failed permanently) in the last 24 hours, from the delivery log.", nil, nil)
)

// storeGauges is the collector of the store's gauges.
type storeGauges struct {
	m            *Metrics
	queue        QueueStore
	outbox       OutboxStore
	now          func() time.Time
	ttl, timeout time.Duration

	mu      sync.Mutex
	readAt  time.Time
	snap    gaugeSnapshot
	queueOK bool
	boxOK   bool
}

// gaugeSnapshot is one reading of the store's gauges.
type gaugeSnapshot struct {
	queueLen  int64
	oldestAge time.Duration
	outbox    digest.OutboxCounts
}

// Describe sends the gauges' descriptions.
func (g *storeGauges) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queueLenDesc, queueAgeDesc, outboxDesc, retryingDesc, failedDesc} {
		ch <- d
	}
}

// Collect sends the gauges, read from the store at most once per ttl.
func (g *storeGauges) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	if now := g.now(); g.readAt.IsZero() || now.Sub(g.readAt) >= g.ttl {
		g.read(now)
		g.readAt = now
	}
	snap, queueOK, boxOK := g.snap, g.queueOK, g.boxOK
	g.mu.Unlock()
	if queueOK {
		ch <- prometheus.MustNewConstMetric(queueLenDesc, prometheus.GaugeValue, float64(snap.queueLen))
		ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, snap.oldestAge.Seconds())
	}
	if boxOK {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(snap.outbox.Pending), digest.StatusPending)
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(snap.outbox.Sending), digest.StatusSending)
		ch <- prometheus.MustNewConstMetric(retryingDesc, prometheus.GaugeValue, float64(snap.outbox.Retrying))
		ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(snap.outbox.Failed))
	}
}

// read asks the store, with a short timeout; a failed read leaves its
// gauges out of the scrape, counted and logged.
func (g *storeGauges) read(now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	g.queueOK = false
	if g.queue != nil {
		n, err := g.queue.CountPostsByStatus(ctx, forum.PostPending)
		var oldest []forum.Post
		if err == nil && n > 0 {
			oldest, err = g.queue.ListPostsByStatus(ctx, forum.PostPending, 1)
		}
		if err != nil {
			g.failed("moderation_queue", err)
		} else {
			g.snap.queueLen, g.snap.oldestAge, g.queueOK = n, 0, true
			if len(oldest) > 0 {
				g.snap.oldestAge = max(0, now.Sub(oldest[0].CreatedAt))
			}
		}
	}
	g.boxOK = false
	if g.outbox != nil {
		c, err := g.outbox.OutboxCounts(ctx, now.Add(-24*time.Hour))
		if err != nil {
			g.failed("outbox", err)
		} else {
			g.snap.outbox, g.boxOK = c, true
		}
	}
}

func (g *storeGauges) failed(collector string, err error) {
	g.m.collectErrors.WithLabelValues(collector).Inc()
	g.m.log.Warn("metrics: store gauges not read", "collector", collector, "err", err)
}

// WatchCache registers the read cache's size and evictions, read from its
// own counters at scrape time (its hits and misses are counted by kind
// through CacheLookup).
func (m *Metrics) WatchCache(cache func() *lru.Cache) {
	if m == nil {
		return
	}
	m.reg.MustRegister(cacheStats{cache})
}

var (
	cacheEntriesDesc   = prometheus.NewDesc(CacheEntries, "Entries in the read and render cache.", nil, nil)
	cacheBytesDesc     = prometheus.NewDesc(CacheBytes, "Bytes the read and render cache's entries take (as they report them).", nil, nil)
	cacheMaxBytesDesc  = prometheus.NewDesc(CacheMaxBytes, "Bound of the read and render cache (FORUM_CACHE_BYTES).", nil, nil)
	cacheEvictionsDesc = prometheus.NewDesc(CacheEvictions, "Entries evicted from the read and render cache to make room.", nil, nil)
)

// cacheStats reports lru.Stats.
type cacheStats struct{ cache func() *lru.Cache }

// Describe sends the descriptions.
func (c cacheStats) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheEntriesDesc, cacheBytesDesc, cacheMaxBytesDesc, cacheEvictionsDesc} {
		ch <- d
	}
}

// Collect reads the cache's figures.
func (c cacheStats) Collect(ch chan<- prometheus.Metric) {
	lc := c.cache()
	if lc == nil {
		return
	}
	st := lc.Stats()
	ch <- prometheus.MustNewConstMetric(cacheEntriesDesc, prometheus.GaugeValue, float64(st.Entries))
	ch <- prometheus.MustNewConstMetric(cacheBytesDesc, prometheus.GaugeValue, float64(st.Bytes))
	ch <- prometheus.MustNewConstMetric(cacheMaxBytesDesc, prometheus.GaugeValue, float64(st.MaxBytes))
	ch <- prometheus.MustNewConstMetric(cacheEvictionsDesc, prometheus.CounterValue, float64(st.Evictions))
}
