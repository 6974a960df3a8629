package metrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/metrics"
	"coterforum/store/storetest"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestStoreGauges checks the gauges' values from the store's answers.
func TestStoreGauges(t *testing.T) {
	m := metrics.New(storetest.Quiet())
	m.WatchStore(fakeStore{}, fakeStore{}, nil)
	want := `
# HELP coterforum_moderation_queue_length Posts waiting for a moderator's decision.
# TYPE coterforum_moderation_queue_length gauge
coterforum_moderation_queue_length 2
# HELP coterforum_outbox_failed_last_day Messages given up (failed permanently) in the last 24 hours, from the delivery log.
# TYPE coterforum_outbox_failed_last_day gauge
coterforum_outbox_failed_last_day 2
# HELP coterforum_outbox_messages Messages in the outbox by status: pending (waiting for a first attempt or a retry) or sending (claimed by a process).
# TYPE coterforum_outbox_messages gauge
coterforum_outbox_messages{status="pending"} 3
coterforum_outbox_messages{status="sending"} 1
# HELP coterforum_outbox_retrying_messages Pending outbox messages that already failed at least once and wait for a retry.
# TYPE coterforum_outbox_retrying_messages gauge
coterforum_outbox_retrying_messages 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), metrics.QueueLength, metrics.OutboxMessages,
		metrics.OutboxRetrying, metrics.OutboxFailedLastDay); err != nil {
		t.Error(err)
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == metrics.QueueOldestAge {
			if v := f.Metric[0].GetGauge().GetValue(); v < 3599 || v > 3700 {
				t.Errorf("oldest age %v, want about 3600", v)
			}
		}
	}
}

// failingStore fails every read.
type failingStore struct{}

func (failingStore) CountPostsByStatus(context.Context, string) (int64, error) {
	return 0, errors.New("base injoignable")
}
func (failingStore) ListPostsByStatus(context.Context, string, int) ([]forum.Post, error) {
	return nil, errors.New("base injoignable")
}
func (failingStore) OutboxCounts(context.Context, time.Time) (digest.OutboxCounts, error) {
	return digest.OutboxCounts{}, errors.New("base injoignable")
}

// TestStoreGaugesFailing checks that a store that fails leaves its gauges
// out of the scrape and counts the failures, without failing the scrape.
func TestStoreGaugesFailing(t *testing.T) {
	m := metrics.New(storetest.Quiet())
	m.WatchStore(failingStore{}, failingStore{}, nil)
	// Collectors run concurrently: the errors of the first gathering show
	// in the second (which, within the cache time, reads nothing again).
	if _, err := m.Registry().Gather(); err != nil {
		t.Fatal(err)
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		switch f.GetName() {
		case metrics.QueueLength, metrics.OutboxMessages:
			t.Errorf("%s present though the store failed", f.GetName())
		case metrics.CollectorErrors:
			if len(f.Metric) != 2 {
				t.Errorf("collector errors: %v", f.Metric)
			}
		}
	}
}

// TestObserveStoreAllocatesNothing checks that observing a SQLite
// operation allocates nothing once its series exists.
func TestObserveStoreAllocatesNothing(t *testing.T) {
	m := metrics.New(storetest.Quiet())
	m.ObserveStore("sqlite", "read", time.Millisecond)
	if n := testing.AllocsPerRun(100, func() { m.ObserveStore("sqlite", "read", time.Millisecond) }); n != 0 {
		t.Errorf("%v allocations per observation", n)
	}
}
