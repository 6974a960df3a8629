package forum

import (
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"slices"
	"time"

	"coterforum/i18n"
	"coterforum/internal/periodic"
)

// Attachment is a file joined to a post. It is uploaded first (PostID
// empty: pending, seen only by its uploader) and joined to a post when the
// post is written; pending uploads older than PendingAttachmentTTL are
// pruned. The content lives in the store (AttachmentStore), the metadata
// here.
type Attachment struct {
	ID         string `bson:"_id" json:"id"`
	PostID     string `bson:"post_id" json:"post_id,omitempty"`
	UploaderID string `bson:"uploader_id" json:"-"`
	// Name is a safe file name whose extension matches Type.
	Name string `bson:"name" json:"name"`
	Size int64  `bson:"size" json:"size"`
	// Type is the MIME type detected from the content (one of
	// AttachmentTypes).
	Type   string `bson:"type" json:"type"`
	SHA256 string `bson:"sha256" json:"sha256"`
	// Thumbnail is a small JPEG of an image (nil for documents).
	Thumbnail []byte    `bson:"thumbnail,omitempty" json:"-"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
}

// IsImage reports whether the attachment is an image shown inline (PNG,
// JPEG or WebP), with a thumbnail.
func (a *Attachment) IsImage() bool { return AttachmentTypes[a.Type].image }

// URL is where the attachment is served.
func (a *Attachment) URL() string { return "/attachments/" + a.ID + "/" + url.PathEscape(a.Name) }

// ThumbnailURL is where the attachment's thumbnail is served.
func (a *Attachment) ThumbnailURL() string { return "/attachments/" + a.ID + "/" + ThumbnailName }

// ThumbnailName is the last segment of a thumbnail's URL. Having no
// extension, it is never the name of an attachment.
const ThumbnailName = "thumbnail"

// AttachmentStore is what attachments need from the database; both stores
// implement it (store/sqlite/attachments.go, store/mongo/attachments.go).
type AttachmentStore interface {
	// InsertAttachment stores the metadata and the content read from r
	// (a.Size bytes), both or neither.
	InsertAttachment(ctx context.Context, a *Attachment, r io.Reader) error
	// AttachmentByID returns the metadata (ErrNotFound if none).
	AttachmentByID(ctx context.Context, id string) (*Attachment, error)
	// OpenAttachment returns a reader of the content, read piece by piece.
	OpenAttachment(ctx context.Context, id string) (io.ReadCloser, error)
	// AttachmentsOfPosts returns the attachments of the posts, oldest first.
	AttachmentsOfPosts(ctx context.Context, postIDs []string) ([]Attachment, error)
	// AttachmentsOfUploader returns every attachment the member uploaded.
	AttachmentsOfUploader(ctx context.Context, uploaderID string) ([]Attachment, error)
	// AttachToPost sets the post of the pending attachments ids uploaded by
	// uploaderID; it returns how many changed (the others were not pending
	// or not theirs).
	AttachToPost(ctx context.Context, uploaderID, postID string, ids []string) (int64, error)
	// DeleteAttachment removes an attachment and its content.
	DeleteAttachment(ctx context.Context, id string) error
	// PendingAttachmentsBefore returns up to limit pending attachments
	// uploaded before t.
	PendingAttachmentsBefore(ctx context.Context, t time.Time, limit int) ([]Attachment, error)
}

// MaxAttachmentsPerPost is how many files one post may carry.
const MaxAttachmentsPerPost = 5

// DefaultAttachmentMax is the default size limit of one file
// (FORUM_ATTACHMENT_MAX): 10 MB.
const DefaultAttachmentMax = 10 << 20

// MaxPendingUploads is how many uploads joined to no post a member may
// have at once (four forms' worth): files sent without ever publishing do
// not fill the store for a day. Checked before each upload, so two sent at
// the same moment may pass it by one.
const MaxPendingUploads = 20

// PendingAttachmentTTL is how long an upload joined to no post is kept.
const PendingAttachmentTTL = 24 * time.Hour

// AttachmentRefusedError is an upload refused for its size (413) or type (415).
type AttachmentRefusedError struct {
	TooLarge bool
	Code     string
	Msg      i18n.Msg
}

func (e *AttachmentRefusedError) Error() string { return e.Msg.Key }

func (s *Service) attachments() (AttachmentStore, error) {
	as, ok := s.store.(AttachmentStore)
	if !ok {
		return nil, errors.New("forum: the store does not keep attachments")
	}
	return as, nil
}

// AttachmentMax returns the size limit of one file.
func (s *Service) AttachmentMax() int64 {
	if s.attachMax <= 0 {
		return DefaultAttachmentMax
	}
	return s.attachMax
}

// SetAttachmentMax sets the size limit of one file (FORUM_ATTACHMENT_MAX).
func (s *Service) SetAttachmentMax(n int64) { s.attachMax = n }

func (s *Service) tooLarge() error {
	return &AttachmentRefusedError{TooLarge: true, Code: "attachment_too_large",
		Msg: i18n.M("Fichier trop volumineux : %d Mo au plus.", s.AttachmentMax()>>20)}
}

// UploadAttachment reads a file from r (streamed to a temporary file, never
// held in memory), checks its type from its content, strips an image's
// metadata, makes a thumbnail and stores it as a pending attachment of the
// uploader.
func (s *Service) UploadAttachment(ctx context.Context, uploader *Member, name string, r io.Reader) (*Attachment, error) {
	if err := s.CanWrite(uploader); err != nil {
		return nil, err
	}
	as, err := s.attachments()
	if err != nil {
		return nil, err
	}
	mine, err := as.AttachmentsOfUploader(ctx, uploader.ID)
	if err != nil {
		return nil, err
	}
	pending := 0
	for _, a := range mine {
		if a.PostID == "" {
			pending++
		}
	}
	if pending >= MaxPendingUploads {
		return nil, Invalidf("attachments", "too_many_pending_uploads",
			"Vous avez déjà %d fichiers envoyés qui ne sont joints à aucun message : publiez-les, ou attendez un jour qu'ils soient effacés.", MaxPendingUploads)
	}
	sc, err := scanUpload(r, s.AttachmentMax())
	if sc != nil {
		defer sc.close()
	}
	if errors.Is(err, errUploadTooLarge) {
		return nil, s.tooLarge()
	}
	if err != nil {
		return nil, err
	}
	a := &Attachment{ID: NewID(), UploaderID: uploader.ID, Name: safeName(name, sc.ext), Size: sc.size, Type: sc.mime,
		SHA256: sc.sum, Thumbnail: sc.thumb, CreatedAt: s.now()}
	if _, err := sc.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := as.InsertAttachment(ctx, a, sc.file); err != nil {
		return nil, err
	}
	return a, nil
}

// checkAttachments validates the ids a member wants to join to a post:
// their own pending uploads, at most MaxAttachmentsPerPost with those the
// post already has.
func (s *Service) checkAttachments(ctx context.Context, author *Member, ids []string, already int) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	as, err := s.attachments()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out)+already > MaxAttachmentsPerPost {
		return nil, Invalidf("attachments", "too_many_attachments", "Un message porte %d pièces jointes au plus.", MaxAttachmentsPerPost)
	}
	for _, id := range out {
		a, err := as.AttachmentByID(ctx, id)
		if errors.Is(err, ErrNotFound) || (err == nil && (a.UploaderID != author.ID || a.PostID != "")) || !ValidID(id) {
			return nil, Invalid("attachments", "attachment_unknown", "Pièce jointe inconnue ou déjà jointe à un message : envoyez le fichier à nouveau.")
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attach joins checked ids to the post, inside the change that writes it.
func (s *Service) attach(ctx context.Context, author *Member, postID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	as, err := s.attachments()
	if err != nil {
		return err
	}
	n, err := as.AttachToPost(ctx, author.ID, postID, ids)
	if err != nil {
		return err
	}
	if n != int64(len(ids)) {
		return Fail(ctx, Invalid("attachments", "attachment_unknown", "Pièce jointe inconnue ou déjà jointe à un message : envoyez le fichier à nouveau."))
	}
	return nil
}

// PostAttachments returns the attachments of the posts, by post id.
func (s *Service) PostAttachments(ctx context.Context, postIDs []string) (map[string][]Attachment, error) {
	out := map[string][]Attachment{}
	if len(postIDs) == 0 {
		return out, nil
	}
	as, err := s.attachments()
	if err != nil {
		return nil, err
	}
	all, err := as.AttachmentsOfPosts(ctx, postIDs)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		out[a.PostID] = append(out[a.PostID], a)
	}
	return out, nil
}

// Attachment returns an attachment the viewer may see: its uploader's while
// pending, else whoever may see its post (ErrNotFound for the others), with
// its post (nil while pending).
func (s *Service) Attachment(ctx context.Context, viewer *Member, id string) (*Attachment, *Post, error) {
	if !ValidID(id) {
		return nil, nil, ErrNotFound
	}
	as, err := s.attachments()
	if err != nil {
		return nil, nil, err
	}
	a, err := as.AttachmentByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if a.PostID == "" {
		if viewer == nil || viewer.ID != a.UploaderID {
			return nil, nil, ErrNotFound
		}
		return a, nil, nil
	}
	p, err := s.Post(ctx, viewer, a.PostID)
	if err != nil {
		return nil, nil, err
	}
	return a, p, nil
}

// OpenAttachment returns a reader of the content of an attachment (check
// who may see it with Attachment first).
func (s *Service) OpenAttachment(ctx context.Context, id string) (io.ReadCloser, error) {
	as, err := s.attachments()
	if err != nil {
		return nil, err
	}
	return as.OpenAttachment(ctx, id)
}

// PendingAttachments returns the member's uploads not yet joined to a
// post, among ids (to show them again on a form sent back).
func (s *Service) PendingAttachments(ctx context.Context, m *Member, ids []string) []Attachment {
	as, err := s.attachments()
	if err != nil || m == nil {
		return nil
	}
	var out []Attachment
	for _, id := range ids {
		if !ValidID(id) {
			continue
		}
		if a, err := as.AttachmentByID(ctx, id); err == nil && a.UploaderID == m.ID && a.PostID == "" {
			out = append(out, *a)
		}
	}
	return out
}

// PrunePendingAttachments deletes the uploads joined to no post within
// PendingAttachmentTTL; it returns how many.
func (s *Service) PrunePendingAttachments(ctx context.Context) (int, error) {
	as, err := s.attachments()
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		old, err := as.PendingAttachmentsBefore(ctx, s.now().Add(-PendingAttachmentTTL), 100)
		if err != nil || len(old) == 0 {
			return n, err
		}
		for _, a := range old {
			if err := as.DeleteAttachment(ctx, a.ID); err != nil {
				return n, err
			}
			n++
		}
	}
}

// RunAttachmentPruner prunes pending uploads every interval until ctx ends.
func (s *Service) RunAttachmentPruner(ctx context.Context, interval time.Duration) error {
	return periodic.Run(ctx, interval, s.log, "prune attachments", func(ctx context.Context) error {
		n, err := s.PrunePendingAttachments(ctx)
		if err == nil && n > 0 {
			s.log.Info("pruned pending attachments", "count", n)
		}
		return err
	})
}

// DiscardUploads deletes uploads of the member that no post holds: those a
// refused form had already stored. Uploads joined to a post, or another
// member's, are left alone.
func (s *Service) DiscardUploads(ctx context.Context, uploader *Member, ids []string) error {
	if len(ids) == 0 || uploader == nil {
		return nil
	}
	as, err := s.attachments()
	if err != nil {
		return err
	}
	for _, a := range s.PendingAttachments(ctx, uploader, ids) {
		if err := as.DeleteAttachment(ctx, a.ID); err != nil {
			return err
		}
	}
	return nil
}

// UploadReadError says that the upload itself could not be read to its end
// (a client gone, a body cut short): the sender's problem, not the server's.
type UploadReadError struct{ Err error }

func (e *UploadReadError) Error() string { return "upload unreadable: " + e.Err.Error() }
func (e *UploadReadError) Unwrap() error { return e.Err }

// sourceReader tags the errors of the upload's reader, so that scanUpload
// tells them from the errors of its own temporary files.
type sourceReader struct{ r io.Reader }

func (t sourceReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		err = &UploadReadError{Err: err}
	}
	return n, err
}

// removeTemp closes and removes a temporary file.
func removeTemp(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}
