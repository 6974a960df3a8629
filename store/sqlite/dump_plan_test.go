package sqlite

import (
	"context"
	"strings"
	"testing"

	"coterforum/store/portable"
)

// TestDumpQueriesUseIndexes checks the plans of the export and LastKey
// queries of every collection: a range of the key's index read in order
// (max() one end of it), never a scan nor a sort (a backup of a million posts pages through
// them a thousand rows at a time).
func TestDumpQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, err := s.w.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	for _, c := range portable.Collections {
		tb, err := tableOf(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`SELECT ` + tb.cols + ` FROM ` + tb.table + ` WHERE ` + tb.key + ` > ? ORDER BY ` + tb.key + ` LIMIT ?`,
			`SELECT max(` + tb.key + `) FROM ` + tb.table,
		} {
			plan, err := explain(ctx, s, q, []any{"x", 1000}[:strings.Count(q, "?")])
			if err != nil {
				t.Fatalf("%s: %v", c, err)
			}
			for _, step := range plan {
				if !strings.HasPrefix(step, "SEARCH ") || strings.Contains(step, "TEMP B-TREE") {
					t.Errorf("%s: %q\n%s", c, step, q)
				}
			}
		}
	}
}
