package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestFullDiskRefusesWritesAndKeepsData fills the database up to a page cap
// (SQLite's SQLITE_FULL, as on a full disk): the write that does not fit is
// refused with forum.ErrUnavailable (a 503 for the server), nothing of it
// is left half-written, every acknowledged write is still there, and once
// there is room again writing goes on.
func TestFullDiskRefusesWritesAndKeepsData(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: dir}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	s, err = Open(ctx, Config{DataDir: dir, MaxPages: pages + 40}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: "Un fil",
		Status: forum.ThreadPublished, CreatedAt: now, LastActivityAt: now}
	if err := s.InsertThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("Réseau fibre optique de la communauté de communes. ", 40)
	var acked []string
	var full error
	for i := 0; i < 10000 && full == nil; i++ {
		p := &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Source: body, HTML: "<p>" + body + fmt.Sprint(i) + "</p>",
			Status: forum.PostPublished, CreatedAt: now}
		err := s.Atomically(ctx, func(ctx context.Context) error {
			if err := s.InsertPost(ctx, p); err != nil {
				return err
			}
			return s.RecordThreadPost(ctx, th.ID, 1, p)
		})
		switch {
		case err == nil:
			acked = append(acked, p.ID)
		case errors.Is(err, forum.ErrUnavailable):
			full = err
		default:
			t.Fatalf("write %d: %v, want ErrUnavailable", i, err)
		}
	}
	if full == nil {
		t.Fatal("the capped database never filled up")
	}
	if len(acked) == 0 {
		t.Fatal("nothing fitted")
	}
	got, err := s.ThreadByID(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PostCount != len(acked) {
		t.Fatalf("post_count %d after a refused write, %d acknowledged: half-written", got.PostCount, len(acked))
	}
	s.Close(ctx)

	s, err = Open(ctx, Config{DataDir: dir}, quiet())
	if err != nil {
		t.Fatalf("reopen after a full disk: %v", err)
	}
	defer s.Close(ctx)
	if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	n, err := s.CountPosts(ctx, forum.PostFilter{ThreadID: th.ID}, nil)
	if err != nil || int(n) != len(acked) {
		t.Fatalf("%d posts stored, %d acknowledged (%v)", n, len(acked), err)
	}
	if err := s.InsertPost(ctx, &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Source: "x", HTML: "<p>x</p>",
		Status: forum.PostPublished, CreatedAt: now}); err != nil {
		t.Fatalf("write once there is room: %v", err)
	}
}

// makeReadOnly makes dir unwritable, even for root (chattr +i), and undoes
// it at the end of the test.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
		return
	}
	// Root ignores permissions: the immutable attribute stops it too.
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Fatalf("chattr +i %s: %v %s (the test needs e2fsprogs' chattr on an ext4/xfs temp dir when run as root)", dir, err, out)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
}

// TestReadOnlyDataDirRefusedAtStart: a data dir that cannot be written is
// refused at start with one clear line, and its database is untouched.
func TestReadOnlyDataDirRefusedAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: dir}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InsertMember(ctx, &forum.Member{ID: forum.NewID(), Email: "a@ville.fr", DisplayName: "A", Role: forum.RoleMember,
		Status: forum.MemberActive, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	makeReadOnly(t, dir)
	for _, command := range []bool{false, true} {
		_, err = Open(ctx, Config{DataDir: dir, Command: command}, quiet())
		if err == nil {
			t.Fatalf("opened a read-only data dir (command %v)", command)
		}
		if !strings.Contains(err.Error(), "accessible en écriture") || strings.Contains(err.Error(), "\n") {
			t.Fatalf("error is not one clear line: %q", err)
		}
	}
	// Once writable again, the data is there.
	if err := exec.Command("chattr", "-i", dir).Run(); err != nil && os.Geteuid() == 0 {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o700)
	s, err = Open(ctx, Config{DataDir: dir}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if _, err := s.MemberByEmail(ctx, "a@ville.fr"); err != nil {
		t.Fatalf("member lost: %v", err)
	}
}
