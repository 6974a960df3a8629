package mongo

import (
	"context"
	"errors"
	"io"
	"time"

	"coterforum/forum"

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
// the pruning of pending uploads; the GridFS ones are those the driver
// would make, by the names it gives them.
var attachmentIndexes = map[string][]index{
	colAttachments: {
		{name: "attachments_post_v1", keys: keys("post_id", 1, "_id", 1)},
		{name: "attachments_uploader_v1", keys: keys("uploader_id", 1, "_id", 1)},
		{name: "attachments_pending_v1", keys: keys("post_id", 1, "created_at", 1)},
	},
	attachmentBucket + ".files":  {{name: "filename_1_uploadDate_1", keys: keys("filename", 1, "uploadDate", 1)}},
	attachmentBucket + ".chunks": {{name: "files_id_1_n_1", keys: keys("files_id", 1, "n", 1), unique: true}},
}

func (s *Store) bucket() *mongodrv.GridFSBucket {
	return s.db.GridFSBucket(options.GridFSBucket().SetName(attachmentBucket))
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

// DeleteAttachment removes the metadata, then the content.
func (s *Store) DeleteAttachment(ctx context.Context, id string) error {
	err := s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colAttachments).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		return err
	})
	if err != nil {
		return mapErr(err)
	}
	err = s.write(ctx, func(ctx context.Context) error { return s.bucket().Delete(ctx, id) })
	if errors.Is(err, mongodrv.ErrFileNotFound) {
		return nil
	}
	return err
}

// PendingAttachmentsBefore returns up to limit pending attachments uploaded before t.
func (s *Store) PendingAttachmentsBefore(ctx context.Context, t time.Time, limit int) ([]forum.Attachment, error) {
	return findAll[forum.Attachment](ctx, s, colAttachments,
		bson.D{{Key: "post_id", Value: ""}, {Key: "created_at", Value: bson.D{{Key: "$lt", Value: t}}}},
		options.Find().SetSort(bson.D{{Key: "post_id", Value: 1}, {Key: "created_at", Value: 1}}).SetLimit(int64(limit)))
}
