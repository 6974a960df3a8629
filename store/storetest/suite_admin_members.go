package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

// testAdminMembers checks the admin members page's reads: filters by role,
// status and text, the email order and pages, and the counts by role and
// status.
func testAdminMembers(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	as := s.(forum.AdminStore)
	privMember(t, s, "alice", forum.RoleAdmin)
	privMember(t, s, "bruno", forum.RoleModerator)
	chloe := privMember(t, s, "chloe", forum.RoleMember)
	denis := privMember(t, s, "denis", forum.RoleMember)
	privMember(t, s, "emile_x", forum.RoleMember)
	st := forum.MemberSuspended
	if err := s.UpdateMember(ctx, chloe.ID, moderation.MemberChange{Status: &st}); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginMemberDeletion(ctx, denis.ID, forum.DeletePostsAnonymise, mt0); err != nil {
		t.Fatal(err)
	}
	names := func(f forum.MemberFilter) []string {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 10
		}
		ms, err := as.ListMembers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, m := range ms {
			out = append(out, m.DisplayName)
		}
		return out
	}
	for _, c := range []struct {
		f    forum.MemberFilter
		want []string
	}{
		{forum.MemberFilter{}, []string{"alice", "bruno", "chloe", "emile_x"}},
		{forum.MemberFilter{Role: forum.RoleMember}, []string{"chloe", "emile_x"}},
		{forum.MemberFilter{Status: forum.MemberFilterSuspended}, []string{"chloe"}},
		{forum.MemberFilter{Status: forum.MemberFilterActive}, []string{"alice", "bruno", "emile_x"}},
		{forum.MemberFilter{Status: forum.MemberFilterDeleted}, []string{"denis"}},
		{forum.MemberFilter{Role: forum.RoleMember, Status: forum.MemberFilterActive}, []string{"emile_x"}},
		{forum.MemberFilter{Query: "BRU"}, []string{"bruno"}},
		{forum.MemberFilter{Query: "e_x@"}, []string{"emile_x"}},
		{forum.MemberFilter{Query: "_"}, []string{"emile_x"}}, // a wildcard is a character
		{forum.MemberFilter{Query: "%"}, []string{}},
		{forum.MemberFilter{Skip: 1, Limit: 2}, []string{"bruno", "chloe"}},
	} {
		if got := names(c.f); !equalStrings(got, c.want) {
			t.Errorf("ListMembers(%+v) = %v, want %v", c.f, got, c.want)
		}
	}
	want := forum.MemberCounts{Members: 2, Moderators: 1, Admins: 1, Active: 3, Suspended: 1, Deleted: 1}
	if c, err := as.CountMembersByRoleStatus(ctx); err != nil || c != want {
		t.Errorf("counts %+v %v, want %+v", c, err, want)
	}
}

// testSetMemberRole checks role changes and that the last admin stays.
func testSetMemberRole(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	as := s.(forum.AdminStore)
	a := privMember(t, s, "a", forum.RoleAdmin)
	m := privMember(t, s, "m", forum.RoleMember)
	role := func(id string) string {
		got, err := s.MemberByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return got.Role
	}
	if err := as.SetMemberRole(ctx, a.ID, forum.RoleMember); !errors.Is(err, forum.ErrLastAdmin) || role(a.ID) != forum.RoleAdmin {
		t.Fatalf("last admin demoted: %v %s", err, role(a.ID))
	}
	if err := as.SetMemberRole(ctx, "nobody", forum.RoleAdmin); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("unknown member: %v", err)
	}
	if err := as.SetMemberRole(ctx, m.ID, forum.RoleAdmin); err != nil || role(m.ID) != forum.RoleAdmin {
		t.Fatalf("promote: %v", err)
	}
	if err := as.SetMemberRole(ctx, a.ID, forum.RoleModerator); err != nil || role(a.ID) != forum.RoleModerator {
		t.Fatalf("demote with another admin: %v", err)
	}
	// Two admins demoting each other at once: one admin at least stays.
	if err := as.SetMemberRole(ctx, a.ID, forum.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	start := make(chan struct{})
	for _, id := range []string{a.ID, m.ID} {
		go func() { <-start; errs <- as.SetMemberRole(ctx, id, forum.RoleMember) }()
	}
	close(start)
	for range 2 {
		if err := <-errs; err != nil && !errors.Is(err, forum.ErrLastAdmin) {
			t.Fatal(err)
		}
	}
	if role(a.ID) != forum.RoleAdmin && role(m.ID) != forum.RoleAdmin {
		t.Fatal("no admin left")
	}
}

// testReplaceInvite checks that an unused invitation is swapped or
// deleted once, and a used one never.
func testReplaceInvite(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	as := s.(forum.AdminStore)
	inv := func(id string) *forum.Invite {
		return &forum.Invite{ID: id, Email: id + "@example.org", Role: forum.RoleMember, CreatedAt: mt0, ExpiresAt: mt0.Add(time.Hour)}
	}
	for _, id := range []string{"old", "used", "gone"} {
		if err := s.InsertInvite(ctx, inv(id)); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := s.UseInvite(ctx, "used", mt0); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ok, err := as.ReplaceInvite(ctx, "old", inv("new")); err != nil || !ok {
		t.Fatalf("replace: %v %v", ok, err)
	}
	if _, err := s.InviteByID(ctx, "old"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("old invitation kept: %v", err)
	}
	if _, err := s.InviteByID(ctx, "new"); err != nil {
		t.Fatalf("new invitation: %v", err)
	}
	if ok, err := as.ReplaceInvite(ctx, "used", inv("new2")); err != nil || ok {
		t.Fatalf("replace a used one: %v %v", ok, err)
	}
	if _, err := s.InviteByID(ctx, "new2"); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("replacement of a used invitation stored: %v", err)
	}
	if ok, err := as.DeleteUnusedInvite(ctx, "used"); err != nil || ok {
		t.Fatalf("delete a used one: %v %v", ok, err)
	}
	if ok, err := as.DeleteUnusedInvite(ctx, "gone"); err != nil || !ok {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ok, err := as.DeleteUnusedInvite(ctx, "gone"); err != nil || ok {
		t.Fatalf("delete twice: %v %v", ok, err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func init() {
	register("AdminMembers", testAdminMembers)
	register("SetMemberRole", testSetMemberRole)
	register("ReplaceInvite", testReplaceInvite)
}
