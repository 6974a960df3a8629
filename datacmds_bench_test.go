package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCopyBenchFerretDB measures `copy` of a seeded data dir to the MongoDB
// test double and back (BENCHMARKS.md). It runs only when
// COTERFORUM_BENCH_COPY_FROM names a data dir (a copy: the command
// migrates its schema), e.g.
//
//	COTERFORUM_BENCH_COPY_FROM=/tmp/bench-src go test -run TestCopyBenchFerretDB -v -timeout 30m .
func TestCopyBenchFerretDB(t *testing.T) {
	from := os.Getenv("COTERFORUM_BENCH_COPY_FROM")
	if from == "" {
		t.Skip("COTERFORUM_BENCH_COPY_FROM is not set")
	}
	uri := startFerret(t) + "bench"
	for _, step := range []struct{ from, to string }{{from, uri}, {uri, filepath.Join(t.TempDir(), "back")}} {
		start := time.Now()
		out, err := runCmd("copy", "--from", step.from, "--to", step.to)
		t.Logf("copy --from %s --to %s: %s\n%s", step.from, step.to, time.Since(start), out)
		if err != nil {
			t.Fatal(err)
		}
	}
}
