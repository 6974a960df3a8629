// Package privacy holds the personal data features of coterforum (GDPR):
// a member's export of everything the forum keeps about them, and account
// deletion. It spans the forum, moderation and digest data, so it sits
// above those packages; server calls it.
package privacy

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/moderation"
)

// Policies for the posts of a deleted account (FORUM_DELETE_POSTS_POLICY).
const (
	// PolicyChoice lets the member choose: posts anonymised or removed.
	PolicyChoice = "choice"
	// PolicyAnonymise keeps the posts of deleted accounts, author anonymised.
	PolicyAnonymise = "anonymise"
)

// Config holds the club's personal data settings.
type Config struct {
	// DeletePostsPolicy is PolicyChoice (default) or PolicyAnonymise.
	DeletePostsPolicy string
	// DPOEmail is the address of the club's data protection officer
	// (FORUM_DPO_EMAIL), shown on the privacy page; empty when not set.
	DPOEmail string
}

// Store is what the personal data features need from the database;
// store.Store implements it (store/privacy.go).
type Store interface {
	forum.Store
	// IdentityStore: the member's ProConnect links are exported and deleted with the account.
	forum.IdentityStore
	ListNotifications(ctx context.Context, memberID string, limit int) ([]moderation.Notification, error)
	ListModerators(ctx context.Context) ([]forum.Member, error)

	// PostsByAuthor returns every post of a member, any status, oldest first.
	PostsByAuthor(ctx context.Context, memberID string) ([]forum.Post, error)
	// ReportsBy returns the reports a member filed.
	ReportsBy(ctx context.Context, memberID string) ([]moderation.Report, error)
	// SessionsOf returns a member's sessions.
	SessionsOf(ctx context.Context, memberID string) ([]forum.Session, error)
	// AuditForTargets returns the audit entries about any of ids.
	AuditForTargets(ctx context.Context, ids []string) ([]moderation.AuditEntry, error)

	// BeginMemberDeletion marks the member as being deleted (login refused,
	// role member), keeping the first choice when it was already marked. An
	// admin is marked only if another admin, not being deleted, remains:
	// else ErrLastAdmin and nothing changes. Two admins deleting themselves
	// at once cannot both go.
	BeginMemberDeletion(ctx context.Context, id, posts string, at time.Time) error
	// MembersBeingDeleted returns members whose deletion started and did not finish.
	MembersBeingDeleted(ctx context.Context) ([]forum.Member, error)
	// ErasePostBodies replaces the body of every post of the member.
	ErasePostBodies(ctx context.Context, memberID, source, html string) error
	// MarkPostsErased sets the erasure time of the member's posts that
	// have none: their feed entries change.
	MarkPostsErased(ctx context.Context, memberID string, at time.Time) error
	// AnonymiseMember writes ref over the member's name wherever it was copied.
	AnonymiseMember(ctx context.Context, memberID string, ref forum.AuthorRef, lastPostIDs []string) error
	DeleteNotifications(ctx context.Context, memberID string) error
	// ReadMarkersOf returns every read marker of a member.
	ReadMarkersOf(ctx context.Context, memberID string) ([]forum.ReadMarker, error)
	DeleteInvitesFor(ctx context.Context, email string) error
	// DecidePost, SetThreadStatus and InsertAudit withdraw the pending posts
	// of a deleted member from the moderation queue (moderation.Store).
	DecidePost(ctx context.Context, postID string, cond moderation.PostCondition, status string, d forum.Decision) (bool, error)
	SetThreadStatus(ctx context.Context, threadID string, from []string, status string) (bool, error)
	InsertAudit(ctx context.Context, e *moderation.AuditEntry) error
	// FinishMemberDeletion makes the member record a tombstone.
	FinishMemberDeletion(ctx context.Context, id, tombstoneEmail string, at time.Time) error
}

// ErrLastAdmin is returned by Store.BeginMemberDeletion for the last admin.
var ErrLastAdmin = errors.New("privacy: the last admin cannot be deleted")

// Service exports and deletes members' personal data.
type Service struct {
	forum  *forum.Service
	digest *digest.Service
	store  Store
	cfg    Config
	log    *slog.Logger
}

// New returns the personal data service.
func New(f *forum.Service, d *digest.Service, st Store, cfg Config, log *slog.Logger) *Service {
	if cfg.DeletePostsPolicy != PolicyAnonymise {
		cfg.DeletePostsPolicy = PolicyChoice
	}
	return &Service{forum: f, digest: d, store: st, cfg: cfg, log: log}
}

// Config returns the settings in force.
func (s *Service) Config() Config { return s.cfg }

// MayRemovePosts reports whether members may have their posts removed with
// their account (else the posts stay, anonymised).
func (s *Service) MayRemovePosts() bool { return s.cfg.DeletePostsPolicy == PolicyChoice }
