package mail

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileSender(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	f := NewFileSender(dir, testFrom)
	if files, err := f.List(); err != nil || len(files) != 0 {
		t.Fatalf("List before any send = %v, %v; want empty", files, err)
	}
	subjects := []string{"Premier", "Réseaux : déploiement — été"}
	for _, subject := range subjects {
		err := f.Send(context.Background(), Message{
			To: "alice@example.org", Subject: subject, Text: "Bonjour", HTML: "<p>Bonjour</p>",
		})
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	}

	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("directory mode = %v, want 0700", perm)
	}

	files, err := f.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(files) != 2 {
		t.Fatalf("List returned %d files, want 2: %+v", len(files), files)
	}
	// Newest first.
	if files[0].Subject != subjects[1] || files[1].Subject != subjects[0] {
		t.Errorf("subjects = %q, %q; want newest first %q, %q", files[0].Subject, files[1].Subject, subjects[1], subjects[0])
	}
	if files[0].Time.Before(files[1].Time) || files[0].Time.IsZero() {
		t.Errorf("times = %v, %v; want non-zero, newest first", files[0].Time, files[1].Time)
	}
	for _, file := range files {
		if !strings.HasSuffix(file.Name, ".eml") || file.Size <= 0 || file.To != "<alice@example.org>" {
			t.Errorf("bad entry %+v", file)
		}
		st, err := os.Stat(filepath.Join(dir, file.Name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() != file.Size {
			t.Errorf("%s: size %d, want %d", file.Name, file.Size, st.Size())
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s: mode %v readable by others", file.Name, perm)
		}
	}

	data, err := f.Open(files[0].Name)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	msg := parse(t, data)
	if s := decodedSubject(t, msg); s != subjects[1] {
		t.Errorf("subject = %q, want %q", s, subjects[1])
	}
	if msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") == "" || msg.Header.Get("Content-Language") != "fr" {
		t.Errorf("missing headers in\n%s", data)
	}
	alternativeParts(t, msg)
}

func TestFileSenderOpenRefusesOtherNames(t *testing.T) {
	dir := t.TempDir()
	f := NewFileSender(dir, testFrom)
	if err := os.WriteFile(filepath.Join(dir, "x.eml"), []byte("Subject: x\r\n\r\nx"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"../x", "x.eml", "", ".", "..", "/etc/passwd", "sub/20260101T000000.000000000Z-0123456789abcdef.eml",
		"../20260101T000000.000000000Z-0123456789abcdef.eml", "20260101T000000.000000000Z-0123456789abcdef.eml/",
	} {
		if _, err := f.Open(name); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		}
	}
	if files, err := f.List(); err != nil || len(files) != 0 {
		t.Errorf("List = %v, %v; want foreign files ignored", files, err)
	}
	_, err := f.Open("20260101T000000.000000000Z-0123456789abcdef.eml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestFileSenderInvalid(t *testing.T) {
	dir := t.TempDir()
	if err := NewFileSender(dir, "pas une adresse").Send(context.Background(), Message{To: "a@example.org", Text: "x"}); err == nil {
		t.Error("Send with an invalid sender succeeded")
	}
	f := NewFileSender(dir, testFrom)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Send(ctx, Message{To: "a@example.org", Text: "x"}); err == nil {
		t.Error("Send with a cancelled context succeeded")
	}
	if files, _ := f.List(); len(files) != 0 {
		t.Errorf("files written despite errors: %v", files)
	}
}
