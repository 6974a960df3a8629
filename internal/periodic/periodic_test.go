package periodic

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunRepeatsLogsFailuresAndStops(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	ctx, cancel := context.WithCancel(context.Background())
	var rounds atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, time.Millisecond, log, "la tâche a échoué", func(context.Context) error {
			if rounds.Add(1) == 1 {
				return errors.New("disque plein")
			}
			return nil
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for rounds.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d rounds ran", rounds.Load())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run returned %v after cancellation, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop after cancellation")
	}
	if !strings.Contains(buf.String(), "la tâche a échoué") || !strings.Contains(buf.String(), "disque plein") {
		t.Errorf("the failed round was not logged: %q", buf.String())
	}
	if strings.Count(buf.String(), "échoué") != 1 {
		t.Errorf("successful rounds were logged as failures: %q", buf.String())
	}
}

func TestRunRunsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{}, 1)
	go Run(ctx, time.Hour, nil, "", func(context.Context) error {
		select {
		case ran <- struct{}{}:
		default:
		}
		return nil
	})
	defer cancel()
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the first round did not run at start")
	}
}
