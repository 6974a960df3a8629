package mail

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFileSenderRetention(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	f := NewFileSender(dir, testFrom)
	if n, err := f.EraseRecipient("alice@example.org"); err != nil || n != 0 {
		t.Fatalf("erase before any send: %d, %v", n, err)
	}
	for _, to := range []string{"alice@example.org", "Alice <ALICE@example.org>", "bob@example.org", "malice@example.org"} {
		if err := f.Send(context.Background(), Message{To: to, Subject: "Objet", Text: "Bonjour"}); err != nil {
			t.Fatal(err)
		}
	}
	// A file that is not the sender's is never touched.
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(other, []byte("alice@example.org"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := f.EraseRecipient(" Alice@Example.org "); err != nil || n != 2 {
		t.Fatalf("erased %d files of alice, %v; want 2", n, err)
	}
	files, err := f.List()
	if err != nil || len(files) != 2 {
		t.Fatalf("files left: %+v, %v", files, err)
	}
	for _, file := range files {
		if file.To != "<bob@example.org>" && file.To != "<malice@example.org>" {
			t.Fatalf("left a file to %s", file.To)
		}
	}

	// Pruning: a file written 31 days ago goes, recent ones stay.
	old := time.Now().UTC().Add(-31*24*time.Hour).Format(emlTimeLayout) + "-0123456789abcdef.eml"
	if err := os.Rename(filepath.Join(dir, files[0].Name), filepath.Join(dir, old)); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Prune(time.Now().Add(-DefaultKeep)); err != nil || n != 1 {
		t.Fatalf("pruned %d files, %v; want 1", n, err)
	}
	if files, _ := f.List(); len(files) != 1 || files[0].Name == old {
		t.Fatalf("files after pruning: %+v", files)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("another file was removed: %v", err)
	}
}
