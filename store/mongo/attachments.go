package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colAttachments holds the metadata of attachments (forum.Attachment); their
// content is in the GridFS bucket attachmentBucket, under the same _id,
// in chunks of 255 KiB: neither a write nor a read holds a whole file.
const (
	colAttachments   = "attachments"
	attachmentBucket = "attachment_files"
)

// attachmentIndexes serve the attachments of posts and of an uploader, and
// the pruning of pending uploads; the GridFS ones have the keys of those
// the driver would make (it then finds them and makes none).
var attachmentIndexes = map[string][]index{
	colAttachments: {
		{name: "attachments_post_v1", keys: keys("post_id", 1, "_id", 1)},
		{name: "attachments_uploader_v1", keys: keys("uploader_id", 1, "_id", 1)},
		{name: "attachments_pending_v1", keys: keys("post_id", 1, "created_at", 1)},
	},
	attachmentBucket + ".files":  {{name: "attachment_files_name_v1", keys: keys("filename", 1, "uploadDate", 1)}},
	attachmentBucket + ".chunks": {{name: "attachment_chunks_n_v1", keys: keys("files_id", 1, "n", 1), unique: true}},
}

func (s *Store) bucket() *mongodrv.GridFSBucket {
	// Chunks of portable.AttachmentChunkSize, as on SQLite: a chunk is
	// then the same document in a backup from either engine.
	return s.db.GridFSBucket(options.GridFSBucket().SetName(attachmentBucket).SetChunkSizeBytes(portable.AttachmentChunkSize))
}

// InsertAttachment uploads the content to GridFS, then inserts the
// metadata; a failed insert removes the content.
func (s *Store) InsertAttachment(ctx context.Context, a *forum.Attachment, r io.Reader) error {
	err := s.write(ctx, func(ctx context.Context) error {
		return s.bucket().UploadFromStreamWithID(ctx, a.ID, a.Name, r)
	})
	if err != nil {
		return mapErr(err)
	}
	if err := s.insert(ctx, colAttachments, a); err != nil {
		_ = s.write(context.WithoutCancel(ctx), func(ctx context.Context) error { return s.bucket().Delete(ctx, a.ID) })
		return err
	}
	return nil
}

// AttachmentByID returns an attachment's metadata.
func (s *Store) AttachmentByID(ctx context.Context, id string) (*forum.Attachment, error) {
	var a forum.Attachment
	if err := s.findOne(ctx, colAttachments, bson.D{{Key: "_id", Value: id}}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// OpenAttachment returns a GridFS download stream of the content.
func (s *Store) OpenAttachment(ctx context.Context, id string) (io.ReadCloser, error) {
	st, err := s.bucket().OpenDownloadStream(ctx, id)
	if errors.Is(err, mongodrv.ErrFileNotFound) {
		return nil, forum.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// AttachmentsOfPosts returns the attachments of the posts, oldest first.
func (s *Store) AttachmentsOfPosts(ctx context.Context, postIDs []string) ([]forum.Attachment, error) {
	if len(postIDs) == 0 {
		return []forum.Attachment{}, nil
	}
	return findAll[forum.Attachment](ctx, s, colAttachments, bson.D{{Key: "post_id", Value: bson.D{{Key: "$in", Value: postIDs}}}},
		options.Find().SetSort(bson.D{{Key: "post_id", Value: 1}, {Key: "_id", Value: 1}}))
}

// AttachmentsOfUploader returns every attachment the member uploaded.
func (s *Store) AttachmentsOfUploader(ctx context.Context, uploaderID string) ([]forum.Attachment, error) {
	return findAll[forum.Attachment](ctx, s, colAttachments, bson.D{{Key: "uploader_id", Value: uploaderID}},
		options.Find().SetSort(bson.D{{Key: "uploader_id", Value: 1}, {Key: "_id", Value: 1}}))
}

// AttachToPost joins the uploader's pending attachments ids to the post, one
// conditional update each (FerretDB loses concurrent updates of one
// document in an updateMany).
func (s *Store) AttachToPost(ctx context.Context, uploaderID, postID string, ids []string) (int64, error) {
	var n int64
	for _, id := range ids {
		var res *mongodrv.UpdateResult
		err := s.write(ctx, func(ctx context.Context) error {
			var err error
			res, err = s.c(colAttachments).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "uploader_id", Value: uploaderID}, {Key: "post_id", Value: ""}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "post_id", Value: postID}}}})
			return err
		})
		if err != nil {
			return n, mapErr(err)
		}
		n += res.ModifiedCount
	}
	return n, nil
}

// DeleteAttachment removes the content, then the metadata.
func (s *Store) DeleteAttachment(ctx context.Context, id string) error {
	// The content first: were the second step to fail, the metadata left
	// behind still leads a retry (pruner, account deletion) to this id,
	// while content without metadata would be found by nothing.
	err := s.write(ctx, func(ctx context.Context) error { return s.bucket().Delete(ctx, id) })
	if err != nil && !errors.Is(err, mongodrv.ErrFileNotFound) {
		return err
	}
	err = s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colAttachments).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		return err
	})
	return mapErr(err)
}

// PendingAttachmentsBefore returns up to limit pending attachments uploaded before t.
func (s *Store) PendingAttachmentsBefore(ctx context.Context, t time.Time, limit int) ([]forum.Attachment, error) {
	return findAll[forum.Attachment](ctx, s, colAttachments,
		bson.D{{Key: "post_id", Value: ""}, {Key: "created_at", Value: bson.D{{Key: "$lt", Value: t}}}},
		options.Find().SetSort(bson.D{{Key: "post_id", Value: 1}, {Key: "created_at", Value: 1}}).SetLimit(int64(limit)))
}

// The GridFS collections of the bucket.
const (
	colAttachmentFiles  = attachmentBucket + ".files"
	colAttachmentChunks = attachmentBucket + ".chunks"
	colPortableChunks   = "attachment_chunks"
)

// gridChunk is a chunk as GridFS stores it.
type gridChunk struct {
	FilesID string `bson:"files_id"`
	N       int    `bson:"n"`
	Data    []byte `bson:"data"`
}

// chunkFilter selects the GridFS chunks whose portable key sorts after after.
func chunkFilter(after string) (bson.D, error) {
	if after == "" {
		return bson.D{}, nil
	}
	id, num, ok := strings.Cut(after, ":")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return nil, fmt.Errorf("clé de morceau invalide : %q", after)
	}
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "files_id", Value: bson.D{{Key: "$gt", Value: id}}}},
		bson.D{{Key: "files_id", Value: id}, {Key: "n", Value: bson.D{{Key: "$gt", Value: n}}}},
	}}}, nil
}

// exportChunks reads GridFS chunks in portable key order as portable documents.
func (d dumper) exportChunks(ctx context.Context, after string, limit int) ([]bson.Raw, error) {
	if limit <= 0 || limit > portable.MaxChunkBatch {
		limit = portable.MaxChunkBatch
	}
	filter, err := chunkFilter(after)
	if err != nil {
		return nil, err
	}
	cur, err := d.s.c(colAttachmentChunks).Find(d.in(ctx), filter, options.Find().
		SetSort(bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, err
	}
	var chunks []gridChunk
	if err := cur.All(ctx, &chunks); err != nil {
		return nil, err
	}
	out := make([]bson.Raw, 0, len(chunks))
	for _, c := range chunks {
		doc, err := portable.Encode(colPortableChunks, &portable.AttachmentChunk{Key: portable.ChunkKey(c.FilesID, c.N), AttachmentID: c.FilesID, N: c.N, Data: c.Data})
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, nil
}

// lastChunkKey is the greatest portable key of the chunks.
func (d dumper) lastChunkKey(ctx context.Context) (string, error) {
	var c gridChunk
	err := d.s.c(colAttachmentChunks).FindOne(d.in(ctx), bson.D{}, options.FindOne().
		SetSort(bson.D{{Key: "files_id", Value: -1}, {Key: "n", Value: -1}}).SetProjection(bson.D{{Key: "files_id", Value: 1}, {Key: "n", Value: 1}})).Decode(&c)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return portable.ChunkKey(c.FilesID, c.N), nil
}

// importAttachmentDocs inserts the metadata and the GridFS file documents
// (whose chunks come with attachment_chunks), skipping those that exist.
func (s *Store) importAttachmentDocs(ctx context.Context, docs []bson.Raw) error {
	if err := importAs[forum.Attachment](ctx, s, colAttachments, docs, nil); err != nil {
		return err
	}
	as, err := decodeAll[forum.Attachment](colAttachments, docs)
	if err != nil {
		return err
	}
	for _, a := range as {
		file := bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "length", Value: a.Size}, {Key: "chunkSize", Value: int32(portable.AttachmentChunkSize)},
			{Key: "uploadDate", Value: a.CreatedAt}, {Key: "filename", Value: a.Name}}}}
		err := s.write(ctx, func(ctx context.Context) error {
			_, err := s.c(colAttachmentFiles).UpdateOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, file, options.UpdateOne().SetUpsert(true))
			return err
		})
		if err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// importChunkDocs writes chunks into GridFS, one upsert on (files_id, n)
// each, so that a resumed import skips those written.
func (s *Store) importChunkDocs(ctx context.Context, docs []bson.Raw) error {
	cs, err := decodeAll[portable.AttachmentChunk](colPortableChunks, docs)
	if err != nil {
		return err
	}
	for _, c := range cs {
		err := s.write(ctx, func(ctx context.Context) error {
			_, err := s.c(colAttachmentChunks).UpdateOne(ctx, bson.D{{Key: "files_id", Value: c.AttachmentID}, {Key: "n", Value: c.N}},
				bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "data", Value: c.Data}}}}, options.UpdateOne().SetUpsert(true))
			return err
		})
		if err != nil {
			return mapErr(err)
		}
	}
	return nil
}
