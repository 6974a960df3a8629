package mongo

import (
	"context"
	"sync"
	"testing"
	"time"

	"coterforum/digest"
)

// TestObserveCommands checks that Config.Observe hears the driver's
// commands, by name, with their durations (the event.CommandMonitor).
func TestObserveCommands(t *testing.T) {
	cfg := Config{URI: realMongoDB(), Database: "test_observe"}
	if cfg.URI == "" {
		cfg.URI, cfg.SerialWrites = startFerretDB(t), true
	}
	var mu sync.Mutex
	seen := map[string]int{}
	cfg.Observe = func(op string, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if d >= 0 {
			seen[op]++
		}
	}
	ctx := context.Background()
	s, err := Open(ctx, cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if realMongoDB() != "" {
		defer func() { _ = s.DropDatabase(ctx) }()
	}
	if _, err := s.OutboxCounts(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertSubscriber(ctx, &digest.Subscriber{ID: "s1", Email: "a@example.org", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen["aggregate"] < 4 || seen["insert"] < 1 {
		t.Errorf("commands observed: %v", seen)
	}
}
