package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

// The audit log's filters and order, notifications, and reports.

// testAuditFilters checks each filter of ListAudit, the newest-first order
// (by id, not by time) and the pages.
func testAuditFilters(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	type entry struct {
		actor, action, target, thread string
		at                            time.Duration
	}
	// Ids are made in this order; times are not in id order (the last
	// entry happened before the others), so the order tells which one is used.
	entries := []entry{
		{"a1", "approve", "p1", "t1", 0},
		{"a2", "reject", "p2", "t1", time.Hour},
		{"a1", "hide", "t2", "", 2 * time.Hour},
		{"a2", "approve", "p3", "t2", 3 * time.Hour},
		{"a1", "approve", "m1", "", 4 * time.Hour},
		{"a1", "approve", "p4", "t3", -time.Hour},
	}
	ids := make([]string, len(entries))
	for i, en := range entries {
		ids[i] = forum.NewID()
		err := s.InsertAudit(ctx, &moderation.AuditEntry{ID: ids[i], At: mt0.Add(en.at), Actor: forum.AuthorRef{ID: en.actor, DisplayName: en.actor},
			Action: en.action, TargetType: "post", TargetID: en.target, ThreadID: en.thread, Before: "b", After: "a", Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.InsertAudit(ctx, &moderation.AuditEntry{ID: ids[0], At: mt0, Action: "x"}); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("duplicate audit id: %v", err)
	}
	want := func(idx ...int) []string {
		out := make([]string, len(idx))
		for i, x := range idx {
			out[i] = ids[x]
		}
		return out
	}
	cases := []struct {
		name string
		f    moderation.AuditFilter
		want []string
	}{
		{"all, newest id first", moderation.AuditFilter{}, want(5, 4, 3, 2, 1, 0)},
		{"actor", moderation.AuditFilter{ActorID: "a1"}, want(5, 4, 2, 0)},
		{"action", moderation.AuditFilter{Action: "approve"}, want(5, 4, 3, 0)},
		{"actor and action", moderation.AuditFilter{ActorID: "a2", Action: "approve"}, want(3)},
		{"target or its thread", moderation.AuditFilter{TargetID: "t2"}, want(3, 2)},
		{"thread", moderation.AuditFilter{TargetID: "t1"}, want(1, 0)},
		{"since (inclusive)", moderation.AuditFilter{Since: mt0.Add(2 * time.Hour)}, want(4, 3, 2)},
		{"until (exclusive)", moderation.AuditFilter{Until: mt0.Add(time.Hour)}, want(5, 0)},
		{"since and until", moderation.AuditFilter{Since: mt0, Until: mt0.Add(3 * time.Hour)}, want(2, 1, 0)},
		{"page", moderation.AuditFilter{Skip: 1, Limit: 2}, want(4, 3)},
		{"last page", moderation.AuditFilter{ActorID: "a1", Skip: 3, Limit: 2}, want(0)},
		{"nothing", moderation.AuditFilter{ActorID: "nobody"}, want()},
	}
	for _, c := range cases {
		got, err := s.ListAudit(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		gotIDs := make([]string, len(got))
		for i, g := range got {
			gotIDs[i] = g.ID
		}
		if got == nil || !slices.Equal(gotIDs, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, gotIDs, c.want)
		}
	}
	got, _ := s.ListAudit(ctx, moderation.AuditFilter{TargetID: "m1"})
	if len(got) != 1 || got[0].Actor.DisplayName != "a1" || !got[0].At.Equal(mt0.Add(4*time.Hour)) || got[0].Before != "b" ||
		got[0].After != "a" || got[0].Reason != "r" || got[0].TargetType != "post" {
		t.Fatalf("entry read back: %+v", got)
	}
	if got, err := s.AuditForTargets(ctx, nil); got != nil || err != nil {
		t.Fatalf("AuditForTargets of no id: %v, %v", got, err)
	}
	byTargets, err := s.AuditForTargets(ctx, []string{"p1", "t2", "m1", "t1"})
	if err != nil {
		t.Fatal(err)
	}
	targetIDs := make([]string, len(byTargets))
	for i, g := range byTargets {
		targetIDs[i] = g.ID
	}
	if !slices.Equal(targetIDs, want(4, 2, 0)) {
		t.Fatalf("AuditForTargets: %v, want %v (targets only, newest first)", targetIDs, want(4, 2, 0))
	}
}

// testNotificationsUnread checks the unread count, the newest-first list
// and that marking read touches one member only.
func testNotificationsUnread(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	add := func(member string, read bool) string {
		t.Helper()
		n := &moderation.Notification{ID: forum.NewID(), MemberID: member, Kind: "approved", PostID: "p", ThreadID: "t", Title: "Titre",
			Reason: "ok", CreatedAt: mt0, Read: read}
		if err := s.InsertNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
		return n.ID
	}
	count := func(member string) int64 {
		t.Helper()
		n, err := s.CountUnreadNotifications(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	n1, n2, n3 := add("m1", false), add("m1", true), add("m1", false)
	add("m2", false)
	if count("m1") != 2 || count("m2") != 1 || count("m3") != 0 {
		t.Fatalf("unread counts: %d %d %d", count("m1"), count("m2"), count("m3"))
	}
	list, err := s.ListNotifications(ctx, "m1", 2)
	if err != nil || len(list) != 2 || list[0].ID != n3 || list[1].ID != n2 || !list[1].Read || list[0].Read {
		t.Fatalf("latest notifications: %v, %+v", err, list)
	}
	if list[0].Title != "Titre" || list[0].Reason != "ok" || list[0].Kind != "approved" || list[0].MemberID != "m1" || !list[0].CreatedAt.Equal(mt0) {
		t.Fatalf("notification read back: %+v", list[0])
	}
	if err := s.MarkNotificationsRead(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if count("m1") != 0 || count("m2") != 1 {
		t.Fatalf("after marking m1 read: %d %d", count("m1"), count("m2"))
	}
	list, _ = s.ListNotifications(ctx, "m1", 10)
	if len(list) != 3 || list[2].ID != n1 || !list[0].Read || !list[2].Read {
		t.Fatalf("after marking read: %+v", list)
	}
	if err := s.DeleteNotifications(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.ListNotifications(ctx, "m1", 10); list == nil || len(list) != 0 {
		t.Fatalf("after deleting: %#v", list)
	}
	if count("m2") != 1 {
		t.Fatal("deleting m1's notifications touched m2's")
	}
}

// testReportsOpenAndResolve checks one report per reporter and post, the
// open reports' count and order, and their resolution.
func testReportsOpenAndResolve(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	report := func(post, reporter string, at time.Duration) *moderation.Report {
		t.Helper()
		r := &moderation.Report{ID: post + ":" + reporter, PostID: post, ThreadID: "t", Reporter: forum.AuthorRef{ID: reporter, DisplayName: reporter},
			Reason: "spam", CreatedAt: mt0.Add(at), Open: true}
		if err := s.InsertReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	report("p1", "r1", 2*time.Minute)
	report("p1", "r2", time.Minute)
	report("p2", "r1", 3*time.Minute)
	if err := s.InsertReport(ctx, &moderation.Report{ID: "p1:r1", PostID: "p1", CreatedAt: mt0, Open: true}); !errors.Is(err, forum.ErrDuplicate) {
		t.Fatalf("second report of a post by one member: %v", err)
	}
	if n, err := s.CountOpenReports(ctx, "p1"); err != nil || n != 2 {
		t.Fatalf("open reports of p1: %d, %v", n, err)
	}
	open, err := s.ListOpenReports(ctx, 10)
	if err != nil || len(open) != 3 || open[0].ID != "p1:r2" || open[1].ID != "p1:r1" || open[2].ID != "p2:r1" {
		t.Fatalf("open reports, oldest first: %v, %+v", err, open)
	}
	if err := s.ResolveReports(ctx, "p1", "mod", mt0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountOpenReports(ctx, "p1"); n != 0 {
		t.Fatalf("open reports of p1 after resolution: %d", n)
	}
	if open, _ := s.ListOpenReports(ctx, 10); len(open) != 1 || open[0].ID != "p2:r1" {
		t.Fatalf("open reports after resolution: %+v", open)
	}
	mine, err := s.ReportsBy(ctx, "r1")
	if err != nil || len(mine) != 2 || mine[0].ID != "p1:r1" || mine[1].ID != "p2:r1" {
		t.Fatalf("reports by r1: %v, %+v", err, mine)
	}
	if r := mine[0]; r.Open || r.ResolvedBy != "mod" || r.ResolvedAt == nil || !r.ResolvedAt.Equal(mt0.Add(time.Hour)) || r.Reason != "spam" {
		t.Fatalf("resolved report: %+v", r)
	}
	if r := mine[1]; !r.Open || r.ResolvedBy != "" || r.ResolvedAt != nil {
		t.Fatalf("report of another post changed: %+v", r)
	}
}

func init() {
	register("AuditFilters", testAuditFilters)
	register("NotificationsUnread", testNotificationsUnread)
	register("ReportsOpenAndResolve", testReportsOpenAndResolve)
}
