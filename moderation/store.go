// Package moderation is the moderation of coterforum: who is queued, the
// queue, exactly-once decisions, reports, moderator actions on threads,
// posts and members, notifications to authors, and the audit log.
package moderation

import (
	"context"
	"time"

	"coterforum/forum"
)

// PostCondition is what a post must be for a decision to apply. Every
// decision is one conditional update of the post: two moderators deciding at
// once cannot both win.
type PostCondition struct {
	Statuses []string
	// DecisionAction and DecidedAfter, when set, also require the last decision.
	DecisionAction string
	DecidedAfter   time.Time
}

// ThreadChange is a moderator's change to a thread; nil fields are unchanged.
type ThreadChange struct {
	Title          *string
	Theme          *string
	AuthorityTypes []string
	Locked         *bool
	Pinned         *bool
}

// MemberChange is a moderator's change to a member; nil fields are unchanged.
type MemberChange struct {
	Status         *string
	SuspendedUntil *time.Time
	ClearUntil     bool
	SuspendReason  *string
	Trusted        *bool
	AlwaysModerate *bool
}

// Report is a member's report of a published post. Its id is post:reporter,
// so a member reports a post once.
type Report struct {
	ID         string          `bson:"_id"`
	PostID     string          `bson:"post_id"`
	ThreadID   string          `bson:"thread_id"`
	Reporter   forum.AuthorRef `bson:"reporter"`
	Reason     string          `bson:"reason"`
	CreatedAt  time.Time       `bson:"created_at"`
	Open       bool            `bson:"open"`
	ResolvedBy string          `bson:"resolved_by,omitempty"`
	ResolvedAt *time.Time      `bson:"resolved_at,omitempty"`
}

// AuditEntry is one moderator action, appended and never changed.
type AuditEntry struct {
	ID         string          `bson:"_id" json:"id"`
	At         time.Time       `bson:"at" json:"at"`
	Actor      forum.AuthorRef `bson:"actor" json:"actor"`
	Action     string          `bson:"action" json:"action"`
	TargetType string          `bson:"target_type" json:"target_type"`
	TargetID   string          `bson:"target_id" json:"target_id"`
	ThreadID   string          `bson:"thread_id,omitempty" json:"thread_id,omitempty"`
	Before     string          `bson:"before,omitempty" json:"before,omitempty"`
	After      string          `bson:"after,omitempty" json:"after,omitempty"`
	Reason     string          `bson:"reason,omitempty" json:"reason,omitempty"`
}

// AuditFilter selects audit entries; empty fields do not filter.
type AuditFilter struct {
	ActorID  string
	Action   string
	TargetID string
	Since    time.Time
	Until    time.Time
	Skip     int
	Limit    int
}

// Notification is an in-app message to a member (e.g. "your post was approved").
type Notification struct {
	ID        string    `bson:"_id" json:"id"`
	MemberID  string    `bson:"member_id" json:"-"`
	Kind      string    `bson:"kind" json:"kind"`
	PostID    string    `bson:"post_id,omitempty" json:"post_id,omitempty"`
	ThreadID  string    `bson:"thread_id,omitempty" json:"thread_id,omitempty"`
	Title     string    `bson:"title" json:"title"`
	Reason    string    `bson:"reason,omitempty" json:"reason,omitempty"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	Read      bool      `bson:"read" json:"read"`
}

// Store is what moderation needs from the database, beyond the forum's.
type Store interface {
	forum.Store
	// DecidePost moves a post to status with decision d if it meets cond;
	// false when it did not (someone else decided first).
	DecidePost(ctx context.Context, postID string, cond PostCondition, status string, d forum.Decision) (bool, error)
	// DecidePostEdited is DecidePost that also applies e (new source and HTML,
	// previous source kept as a revision) in the same update, and only if the
	// post's source is still e.Current.
	DecidePostEdited(ctx context.Context, postID string, cond PostCondition, status string, d forum.Decision, e forum.PostEdit) (bool, error)
	// SetThreadStatus moves a thread from one of from to status; false when it was not in from.
	SetThreadStatus(ctx context.Context, threadID string, from []string, status string) (bool, error)
	IncThreadPostCount(ctx context.Context, threadID string, delta int) error
	UpdateThread(ctx context.Context, threadID string, c ThreadChange) error
	UpdateMember(ctx context.Context, memberID string, c MemberChange) error
	IncMemberRejectedPosts(ctx context.Context, memberID string, delta int) error
	ListPostsByStatus(ctx context.Context, status string, limit int) ([]forum.Post, error)
	CountPostsByStatus(ctx context.Context, status string) (int64, error)
	ThreadsByIDs(ctx context.Context, ids []string) ([]forum.Thread, error)
	PostsByIDs(ctx context.Context, ids []string) ([]forum.Post, error)
	ListModerators(ctx context.Context) ([]forum.Member, error)

	InsertReport(ctx context.Context, r *Report) error
	CountOpenReports(ctx context.Context, postID string) (int64, error)
	ListOpenReports(ctx context.Context, limit int) ([]Report, error)
	ResolveReports(ctx context.Context, postID, by string, at time.Time) error

	InsertAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	InsertNotification(ctx context.Context, n *Notification) error
	ListNotifications(ctx context.Context, memberID string, limit int) ([]Notification, error)
	CountUnreadNotifications(ctx context.Context, memberID string) (int64, error)
	MarkNotificationsRead(ctx context.Context, memberID string) error

	// MarkReminded sets the reminder time of a pending post if it has none;
	// false when it was already reminded.
	MarkReminded(ctx context.Context, postID string, at time.Time) (bool, error)
}
