package metrics_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/internal/lru"
	"coterforum/metrics"
	"coterforum/store/storetest"
)

// fakeStore answers the gauges' queries.
type fakeStore struct{}

func (fakeStore) CountPostsByStatus(context.Context, string) (int64, error) { return 2, nil }
func (fakeStore) ListPostsByStatus(context.Context, string, int) ([]forum.Post, error) {
	return []forum.Post{{CreatedAt: time.Now().Add(-time.Hour)}}, nil
}
func (fakeStore) OutboxCounts(context.Context, time.Time) (digest.OutboxCounts, error) {
	return digest.OutboxCounts{Pending: 3, Sending: 1, Retrying: 1, Failed: 2}, nil
}

// everySeries returns the names of the families the registry gathers once
// every series has been touched.
func everySeries(t *testing.T) map[string]bool {
	t.Helper()
	m := metrics.New(storetest.Quiet())
	m.WatchStore(fakeStore{}, fakeStore{}, nil)
	cache := lru.New(1 << 20)
	m.WatchCache(func() *lru.Cache { return cache })
	m.ObserveRequest("/threads/:id", "GET", 200, time.Millisecond)
	m.CacheLookup("page", true)
	m.ObserveStore("mongodb", "find", time.Millisecond)
	m.LoginFailed()
	m.LoginRefused()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range fams {
		names[f.GetName()] = true
	}
	return names
}

// TestDashboardQueriesExistingSeries parses deploy/grafana-dashboard.json
// and checks that every series its queries name is in the registry.
func TestDashboardQueriesExistingSeries(t *testing.T) {
	raw, err := os.ReadFile("../deploy/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Query any `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("dashboard is not valid JSON: %v", err)
	}
	var exprs []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		if q, ok := v.Query.(string); ok {
			exprs = append(exprs, q)
		}
	}
	have := everySeries(t)
	name := regexp.MustCompile(`\b(?:coterforum|go|process)_[a-z0-9_]+\b`)
	seen := map[string]bool{}
	for _, e := range exprs {
		for _, n := range name.FindAllString(e, -1) {
			seen[n] = true
			base := n
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				if b, ok := strings.CutSuffix(n, suffix); ok && have[b] {
					base = b
				}
			}
			if !have[base] {
				t.Errorf("the dashboard queries %s, which the registry does not have", n)
			}
		}
	}
	for _, want := range []string{metrics.RequestDuration + "_bucket", metrics.CacheRequests, metrics.StoreDuration + "_bucket",
		metrics.QueueLength, metrics.QueueOldestAge, metrics.OutboxMessages, metrics.OutboxFailedLastDay,
		metrics.DigestRunDuration + "_count", metrics.LoginFailures, metrics.LoginRefusals} {
		if !seen[want] {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
}
