package privacy

import (
	"context"
	"time"

	"coterforum/forum"
)

// ExportAttachment is a file the member uploaded: its metadata and where
// to download it (the member may while logged in, even a pending one).
type ExportAttachment struct {
	ID        string    `json:"id"`
	PostID    string    `json:"post_id,omitempty"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

// exportAttachments lists the member's uploads in the export.
func (s *Service) exportAttachments(ctx context.Context, m *forum.Member, x *Export) error {
	x.Attachments = []ExportAttachment{}
	as, ok := s.store.(forum.AttachmentStore)
	if !ok {
		return nil
	}
	all, err := as.AttachmentsOfUploader(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, a := range all {
		x.Attachments = append(x.Attachments, ExportAttachment{ID: a.ID, PostID: a.PostID, Name: a.Name, Type: a.Type,
			Size: a.Size, SHA256: a.SHA256, URL: a.URL(), CreatedAt: a.CreatedAt})
	}
	return nil
}

// deleteAttachments deletes every file the member uploaded, content and
// metadata (idempotent: a deletion cut short is finished by the next run).
func (s *Service) deleteAttachments(ctx context.Context, memberID string) error {
	as, ok := s.store.(forum.AttachmentStore)
	if !ok {
		return nil
	}
	all, err := as.AttachmentsOfUploader(ctx, memberID)
	if err != nil {
		return err
	}
	for _, a := range all {
		if err := as.DeleteAttachment(ctx, a.ID); err != nil {
			return err
		}
	}
	return nil
}
