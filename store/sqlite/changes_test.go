package sqlite

import (
	"context"
	"testing"
	"time"

	"coterforum/forum"
)

// newSharedService is a forum service on s that publishes its changes and
// follows the others' (as the server does), polling every 20 ms until the
// test ends.
func newSharedService(t *testing.T, s *Store) *forum.Service {
	t.Helper()
	svc := forum.New(s, quiet(), nil)
	if err := svc.SeedTaxonomy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !svc.ShareChanges(20*time.Millisecond, 0) {
		t.Fatal("the SQLite store keeps no change sequence")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = svc.RunChanges(ctx) }()
	for !svc.CacheFresh() {
		time.Sleep(5 * time.Millisecond)
	}
	return svc
}

// TestUnpublishedChangeFailsTheWrite: when the change of a reply cannot be
// appended to the change sequence, the reply is not written at all (its
// transaction rolls back) and the caller gets the error; nothing is left
// that another process's cache would not know about.
func TestUnpublishedChangeFailsTheWrite(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	svc := newSharedService(t, s)
	m, err := svc.CreateMember(ctx, forum.NewMember{Email: "a@ville.fr", DisplayName: "Alice", Authority: "Ville",
		AuthorityType: "commune", Role: forum.RoleModerator, Password: "un-mot-de-passe-long"})
	if err != nil {
		t.Fatal(err)
	}
	th, _, err := svc.CreateThread(ctx, m, forum.NewThreadInput{Theme: "reseaux", Title: "Un fil de test", Body: "Premier."})
	if err != nil {
		t.Fatal(err)
	}
	// The sequence breaks: every append fails from now on.
	if _, err := s.w.ExecContext(ctx, `CREATE TRIGGER changes_broken BEFORE INSERT ON changes BEGIN SELECT RAISE(ABORT, 'broken'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, m, th.ID, "Cette réponse ne doit pas rester."); err == nil {
		t.Fatal("the reply succeeded although its change could not be published")
	}
	got, err := s.ThreadByID(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.CountPosts(ctx, forum.PostFilter{ThreadID: th.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.PostCount != 1 || n != 1 {
		t.Fatalf("post_count %d, %d posts: the failed reply was half-written", got.PostCount, n)
	}
	if _, err := s.w.ExecContext(ctx, `DROP TRIGGER changes_broken`); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reply(ctx, m, th.ID, "Celle-ci reste."); err != nil {
		t.Fatalf("reply once the sequence works again: %v", err)
	}
}

// TestCommandWriteReachesServerCache: a command (its own store on the same
// file) writes; the server's cached thread page changes within a poll.
func TestCommandWriteReachesServerCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	server, err := Open(ctx, Config{DataDir: dir}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close(ctx)
	command, err := Open(ctx, Config{DataDir: dir, Command: true}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer command.Close(ctx)
	a, b := newSharedService(t, server), newSharedService(t, command)
	m, err := a.CreateMember(ctx, forum.NewMember{Email: "a@ville.fr", DisplayName: "Alice", Authority: "Ville",
		AuthorityType: "commune", Role: forum.RoleModerator, Password: "un-mot-de-passe-long"})
	if err != nil {
		t.Fatal(err)
	}
	th, _, err := a.CreateThread(ctx, m, forum.NewThreadInput{Theme: "reseaux", Title: "Un fil partagé", Body: "Premier."})
	if err != nil {
		t.Fatal(err)
	}
	if _, page, err := a.ThreadPage(ctx, nil, th.ID, 1); err != nil || page.Total != 1 {
		t.Fatalf("page: %v %v", page, err)
	}
	if _, err := b.Reply(ctx, m, th.ID, "Écrit par l'autre processus."); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, page, err := a.ThreadPage(ctx, nil, th.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the server's cache never saw the other process's reply")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
