package sqlite

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// TestAdminQueriesUseIndexes checks the plans of the admin members page
// and dashboard: no table scanned, members read in email order without a
// sort, whatever the filters.
func TestAdminQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	var mu sync.Mutex
	var seen []string
	var seenArgs [][]any
	s.rstmts.trace = func(q string, args []any) {
		mu.Lock()
		seen, seenArgs = append(seen, q), append(seenArgs, args)
		mu.Unlock()
	}
	reads := []struct {
		name string
		run  func() error
	}{
		{"all members", func() error { _, err := s.ListMembers(ctx, forum.MemberFilter{Limit: 51}); return err }},
		{"members by role", func() error { _, err := s.ListMembers(ctx, forum.MemberFilter{Role: "admin", Limit: 51}); return err }},
		{"members by status", func() error {
			_, err := s.ListMembers(ctx, forum.MemberFilter{Status: forum.MemberFilterSuspended, Limit: 51})
			return err
		}},
		{"members by role and status, searched", func() error {
			_, err := s.ListMembers(ctx, forum.MemberFilter{Role: "member", Status: forum.MemberFilterActive, Query: "dupont", Skip: 50, Limit: 51})
			return err
		}},
		{"deleted members", func() error {
			_, err := s.ListMembers(ctx, forum.MemberFilter{Status: forum.MemberFilterDeleted, Limit: 51})
			return err
		}},
		{"member counts", func() error { _, err := s.CountMembersByRoleStatus(ctx); return err }},
		{"posts this week", func() error { _, err := s.CountPublishedSince(ctx, time.Now().Add(-7*24*time.Hour)); return err }},
	}
	for _, r := range reads {
		mu.Lock()
		seen, seenArgs = nil, nil
		mu.Unlock()
		if err := r.run(); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if len(seen) == 0 {
			t.Fatalf("%s: no query seen", r.name)
		}
		for i, q := range seen {
			plan, err := explain(ctx, s, q, seenArgs[i])
			if err != nil {
				t.Fatalf("%s: %v", r.name, err)
			}
			for _, step := range plan {
				if scansTable(step) {
					t.Errorf("%s scans a table: %q\n%s", r.name, step, q)
				}
				if strings.Contains(step, "USE TEMP B-TREE FOR ORDER BY") {
					t.Errorf("%s sorts its rows: %q\n%s", r.name, step, q)
				}
			}
		}
	}
}
