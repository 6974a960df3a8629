package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"coterforum/forum"
	"coterforum/store/portable"
)

// chunkSize is the size of one row of attachment_chunks: a file is
// written and read a chunk at a time (migration 0009 says why the content
// is in the database).
const chunkSize = portable.AttachmentChunkSize

const attachmentCols = `id, post_id, uploader_id, name, size, type, sha256, thumbnail, created_at`

func scanAttachment(r scanner) (forum.Attachment, error) {
	var a forum.Attachment
	var at int64
	err := r.Scan(&a.ID, &a.PostID, &a.UploaderID, &a.Name, &a.Size, &a.Type, &a.SHA256, &a.Thumbnail, &at)
	a.CreatedAt = tm(at)
	return a, err
}

// InsertAttachment writes the metadata and the content, chunk by chunk, in
// one transaction.
func (s *Store) InsertAttachment(ctx context.Context, a *forum.Attachment, r io.Reader) error {
	return s.inTx(ctx, func(ctx context.Context, q querier) error {
		if _, err := q.ExecContext(ctx, `INSERT INTO attachments (`+attachmentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.PostID, a.UploaderID, a.Name, a.Size, a.Type, a.SHA256, a.Thumbnail, ms(a.CreatedAt)); err != nil {
			return mapErr(err)
		}
		buf := make([]byte, chunkSize)
		var total int64
		for n := 0; ; n++ {
			k, err := io.ReadFull(r, buf)
			if k > 0 {
				if _, err := q.ExecContext(ctx, `INSERT INTO attachment_chunks (attachment_id, n, data) VALUES (?, ?, ?)`, a.ID, n, buf[:k]); err != nil {
					return mapErr(err)
				}
				total += int64(k)
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		if total != a.Size {
			return fmt.Errorf("attachment %s: %d bytes read, %d expected", a.ID, total, a.Size)
		}
		return nil
	})
}

// AttachmentByID returns an attachment's metadata.
func (s *Store) AttachmentByID(ctx context.Context, id string) (*forum.Attachment, error) {
	a, err := queryOne(ctx, s, scanAttachment, `SELECT `+attachmentCols+` FROM attachments WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// OpenAttachment returns a reader that reads the content one chunk (one
// query) at a time.
func (s *Store) OpenAttachment(ctx context.Context, id string) (io.ReadCloser, error) {
	if _, err := s.AttachmentByID(ctx, id); err != nil {
		return nil, err
	}
	return &chunkReader{ctx: ctx, s: s, id: id}, nil
}

type chunkReader struct {
	ctx  context.Context
	s    *Store
	id   string
	n    int
	buf  []byte
	done bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		var data []byte
		err := c.s.queryRow(c.ctx, `SELECT data FROM attachment_chunks WHERE attachment_id = ? AND n = ?`, c.id, c.n).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, mapErr(err)
		}
		c.n++
		c.buf = data
	}
	k := copy(p, c.buf)
	c.buf = c.buf[k:]
	return k, nil
}

func (c *chunkReader) Close() error { c.done, c.buf = true, nil; return nil }

// AttachmentsOfPosts returns the attachments of the posts, oldest first.
func (s *Store) AttachmentsOfPosts(ctx context.Context, postIDs []string) ([]forum.Attachment, error) {
	if len(postIDs) == 0 {
		return []forum.Attachment{}, nil
	}
	return queryAll(ctx, s, scanAttachment, `SELECT `+attachmentCols+` FROM attachments
		WHERE post_id IN (`+placeholders(len(postIDs))+`) ORDER BY id`, anys(postIDs)...)
}

// AttachmentsOfUploader returns every attachment the member uploaded.
func (s *Store) AttachmentsOfUploader(ctx context.Context, uploaderID string) ([]forum.Attachment, error) {
	return queryAll(ctx, s, scanAttachment, `SELECT `+attachmentCols+` FROM attachments WHERE uploader_id = ? ORDER BY id`, uploaderID)
}

// AttachToPost joins the uploader's pending attachments ids to the post.
func (s *Store) AttachToPost(ctx context.Context, uploaderID, postID string, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	return s.exec(ctx, `UPDATE attachments SET post_id = ? WHERE uploader_id = ? AND post_id = '' AND id IN (`+placeholders(len(ids))+`)`,
		append([]any{postID, uploaderID}, anys(ids)...)...)
}

// DeleteAttachment removes an attachment and its chunks.
func (s *Store) DeleteAttachment(ctx context.Context, id string) error {
	return s.inTx(ctx, func(ctx context.Context, q querier) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM attachment_chunks WHERE attachment_id = ?`, id); err != nil {
			return mapErr(err)
		}
		_, err := q.ExecContext(ctx, `DELETE FROM attachments WHERE id = ?`, id)
		return mapErr(err)
	})
}

// PendingAttachmentsBefore returns up to limit pending attachments uploaded before t.
func (s *Store) PendingAttachmentsBefore(ctx context.Context, t time.Time, limit int) ([]forum.Attachment, error) {
	return queryAll(ctx, s, scanAttachment, `SELECT `+attachmentCols+` FROM attachments INDEXED BY attachments_pending
		WHERE post_id = '' AND created_at < ? ORDER BY created_at LIMIT ?`, ms(t), limit)
}

// chunkKey is the SQL of a chunk's portable key (index attachment_chunks_key).
const chunkKey = `attachment_id || ':' || printf('%06d', n)`

func scanChunk(r scanner) (any, error) {
	var c portable.AttachmentChunk
	err := r.Scan(&c.Key, &c.AttachmentID, &c.N, &c.Data)
	return &c, err
}

func attachmentArgs(a *forum.Attachment) []any {
	return []any{a.ID, a.PostID, a.UploaderID, a.Name, a.Size, a.Type, a.SHA256, a.Thumbnail, ms(a.CreatedAt)}
}
