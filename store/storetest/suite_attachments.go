package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"time"

	"coterforum/forum"
)

func init() { register("Attachments", testAttachments) }

// testAttachments checks the file store: content written and read back in
// chunks (more than two), metadata, joining to a post only by the uploader
// and only while pending, listings, pruning and deletion.
func testAttachments(t *testing.T, e Engine) {
	s := e.Open(t, t.TempDir())
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	content := make([]byte, 700<<10+123)
	_, _ = rand.Read(content)
	mk := func(uploader string, at time.Time, data []byte) *forum.Attachment {
		t.Helper()
		a := &forum.Attachment{ID: forum.NewID(), UploaderID: uploader, Name: "devis.pdf", Size: int64(len(data)),
			Type: "application/pdf", SHA256: "ab", CreatedAt: at, Thumbnail: []byte{1, 2, 3}}
		if err := s.InsertAttachment(ctx, a, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := mk("m1", base, content)
	b := mk("m1", base.Add(time.Hour), []byte("%PDF-1.4 small"))
	c := mk("m2", base.Add(25*time.Hour), []byte("%PDF-1.4 other"))

	got, err := s.AttachmentByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "devis.pdf" || got.Size != a.Size || got.UploaderID != "m1" || got.PostID != "" || !got.CreatedAt.Equal(base) || !bytes.Equal(got.Thumbnail, []byte{1, 2, 3}) {
		t.Fatalf("metadata %+v", got)
	}
	rc, err := s.OpenAttachment(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || !bytes.Equal(back, content) {
		t.Fatalf("content read back: %d bytes, err %v (want %d)", len(back), err, len(content))
	}

	// Only the uploader's pending attachments join a post.
	if n, err := s.AttachToPost(ctx, "m2", "p1", []string{a.ID, b.ID}); err != nil || n != 0 {
		t.Fatalf("another member's attachments joined: %d %v", n, err)
	}
	if n, err := s.AttachToPost(ctx, "m1", "p1", []string{a.ID, b.ID}); err != nil || n != 2 {
		t.Fatalf("AttachToPost = %d %v", n, err)
	}
	if n, err := s.AttachToPost(ctx, "m1", "p2", []string{a.ID}); err != nil || n != 0 {
		t.Fatalf("an attached file joined a second post: %d %v", n, err)
	}
	of, err := s.AttachmentsOfPosts(ctx, []string{"p1", "p9"})
	if err != nil || len(of) != 2 || of[0].ID != a.ID || of[1].ID != b.ID || of[0].PostID != "p1" {
		t.Fatalf("AttachmentsOfPosts = %+v %v", of, err)
	}
	mine, err := s.AttachmentsOfUploader(ctx, "m1")
	if err != nil || len(mine) != 2 {
		t.Fatalf("AttachmentsOfUploader = %d %v", len(mine), err)
	}
	// Pending before a time: c only once a day has passed.
	old, err := s.PendingAttachmentsBefore(ctx, base.Add(24*time.Hour), 10)
	if err != nil || len(old) != 0 {
		t.Fatalf("pending before = %+v %v", old, err)
	}
	old, err = s.PendingAttachmentsBefore(ctx, base.Add(50*time.Hour), 10)
	if err != nil || len(old) != 1 || old[0].ID != c.ID {
		t.Fatalf("pending before = %+v %v", old, err)
	}
	if err := s.DeleteAttachment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AttachmentByID(ctx, a.ID); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("deleted attachment still there: %v", err)
	}
	if rc, err := s.OpenAttachment(ctx, a.ID); err == nil {
		n, _ := io.Copy(io.Discard, rc)
		_ = rc.Close()
		if n > 0 {
			t.Fatalf("deleted content still readable (%d bytes)", n)
		}
	}
	rc, err = s.OpenAttachment(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	back, _ = io.ReadAll(rc)
	_ = rc.Close()
	if string(back) != "%PDF-1.4 small" {
		t.Fatalf("other content damaged: %q", back)
	}

	// A copy (backup, restore) carries the files: exported by batches of
	// chunks and imported into another store, they read back whole.
	big := mk("m3", base, content)
	copyTo := e.Open(t, t.TempDir())
	for _, col := range []string{"attachments", "attachment_chunks"} {
		after := ""
		for {
			docs, err := s.ExportBatch(ctx, col, after, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) == 0 {
				break
			}
			if col == "attachment_chunks" && len(docs) > 16 {
				t.Fatalf("%d chunks in one batch", len(docs))
			}
			if err := copyTo.ImportBatch(ctx, col, docs); err != nil {
				t.Fatal(err)
			}
			// Imported twice (a resumed copy): skipped.
			if err := copyTo.ImportBatch(ctx, col, docs); err != nil {
				t.Fatal(err)
			}
			after = docs[len(docs)-1].Lookup("_id").StringValue()
		}
	}
	rc, err = copyTo.OpenAttachment(ctx, big.ID)
	if err != nil {
		t.Fatal(err)
	}
	back, err = io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || !bytes.Equal(back, content) {
		t.Fatalf("copied content: %d bytes, %v", len(back), err)
	}
	for _, col := range []string{"attachments", "attachment_chunks"} {
		a, _ := s.CountCollection(ctx, col)
		b, _ := copyTo.CountCollection(ctx, col)
		if a != b || a == 0 {
			t.Fatalf("%s: %d copied to %d", col, a, b)
		}
	}
}
