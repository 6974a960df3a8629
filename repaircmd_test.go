package main

import (
	"context"
	"strings"
	"testing"

	"coterforum/forum"
	"coterforum/store"
	"coterforum/store/storetest"
)

// TestRepairCommand corrupts a thread's count and a member's approved count
// in a SQLite data dir: repair --check lists both and fails, --fix repairs
// both, and --check then passes.
func TestRepairCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("MONGODB_URI", "")
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir}, storetest.Quiet())
	if err != nil {
		t.Fatal(err)
	}
	svc := forum.New(st, storetest.Quiet(), nil)
	if err := svc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	m := &forum.Member{ID: forum.NewID(), Email: "alice@example.org", DisplayName: "Alice", Role: forum.RoleMember,
		Status: forum.MemberActive, AuthorityType: "commune", CreatedAt: svc.Now()}
	if err := st.InsertMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	th, _, err := svc.CreateThread(ctx, m, forum.NewThreadInput{Theme: "reseaux", Title: "Un fil sur la fibre", Body: "Bonjour"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, m, th.ID, "Une réponse"); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd("repair", "--check")
	if err != nil || !strings.Contains(out, "0 écarts") {
		t.Fatalf("check of a sound forum: %v\n%s", err, out)
	}
	// The corruption: a count off by 5, an approved count off by 3.
	if err := st.IncThreadPostCount(ctx, th.ID, 5); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMemberApprovedPosts(ctx, m.ID, 5); err != nil {
		t.Fatal(err)
	}
	st.Close(ctx)

	out, err = runCmd("repair", "--check")
	if err == nil {
		t.Fatalf("check of a corrupted forum succeeded:\n%s", out)
	}
	for _, want := range []string{"thread " + th.ID, "post_count 7≠2", "member " + m.ID, "approved_posts 5≠2", "2 écarts"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	out, err = runCmd("repair", "--fix")
	if err != nil || !strings.Contains(out, "2 écarts, 2 réparés") {
		t.Fatalf("fix: %v\n%s", err, out)
	}
	out, err = runCmd("repair", "--check")
	if err != nil || !strings.Contains(out, "0 écarts") {
		t.Fatalf("check after the fix: %v\n%s", err, out)
	}
	if _, err := runCmd("repair"); err == nil {
		t.Fatal("repair without --check or --fix succeeded")
	}
}
