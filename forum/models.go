package forum

import "time"

// Roles of a member.
const (
	RoleMember    = "member"
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// Member statuses.
const (
	MemberActive    = "active"
	MemberSuspended = "suspended"
)

// Post statuses. Only published posts are visible to everyone; a pending post
// is visible to its author and to moderators only.
const (
	PostPending   = "pending"
	PostPublished = "published"
	PostRejected  = "rejected"
	PostHidden    = "hidden"
)

// Thread statuses mirror the status of the thread's first post.
const (
	ThreadPending   = "pending"
	ThreadPublished = "published"
	ThreadRejected  = "rejected"
	ThreadHidden    = "hidden"
)

// Theme moderation policies.
const (
	ModerationNewMembers = "new-members"
	ModerationAll        = "all"
)

// Theme is a subject area of the forum (networks, GIS…).
type Theme struct {
	Slug        string    `bson:"_id" json:"slug"`
	NameFR      string    `bson:"name_fr" json:"name_fr"`
	NameEN      string    `bson:"name_en" json:"name_en"`
	Description string    `bson:"description" json:"description"`
	Position    int       `bson:"position" json:"position"`
	Moderation  string    `bson:"moderation" json:"moderation"`
	Archived    bool      `bson:"archived" json:"archived"`
	CreatedAt   time.Time `bson:"created_at" json:"-"`
}

// Name returns the theme's name in the language lang ("fr" or "en").
func (t Theme) Name(lang string) string {
	if lang == "en" && t.NameEN != "" {
		return t.NameEN
	}
	return t.NameFR
}

// AuthorityType is a kind of local authority (commune, région…).
type AuthorityType struct {
	Slug     string `bson:"_id" json:"slug"`
	NameFR   string `bson:"name_fr" json:"name"`
	NameEN   string `bson:"name_en" json:"name_en"`
	Plural   string `bson:"plural_fr" json:"plural"`
	Position int    `bson:"position" json:"position"`
}

// Name returns the authority type's name in the language lang ("fr" or "en").
func (a AuthorityType) Name(lang string) string {
	if lang == "en" && a.NameEN != "" {
		return a.NameEN
	}
	return a.NameFR
}

// Member is an account of the forum.
type Member struct {
	ID             string    `bson:"_id" json:"id"`
	Email          string    `bson:"email" json:"-"`
	DisplayName    string    `bson:"display_name" json:"display_name"`
	Authority      string    `bson:"authority" json:"authority"`
	AuthorityType  string    `bson:"authority_type" json:"authority_type"`
	Role           string    `bson:"role" json:"role"`
	Status         string    `bson:"status" json:"-"`
	PasswordHash   string    `bson:"password_hash" json:"-"`
	ApprovedPosts  int       `bson:"approved_posts" json:"-"`
	Trusted        bool      `bson:"trusted" json:"-"`
	AlwaysModerate bool      `bson:"always_moderate" json:"-"`
	Lang           string    `bson:"lang,omitempty" json:"-"`
	CreatedAt      time.Time `bson:"created_at" json:"-"`
	// SuspendedUntil ends a suspension; nil with status suspended means indefinitely.
	SuspendedUntil *time.Time `bson:"suspended_until,omitempty" json:"-"`
	SuspendReason  string     `bson:"suspend_reason,omitempty" json:"-"`
	RejectedPosts  int        `bson:"rejected_posts" json:"-"`
	// DeletionStartedAt is set when the member asked to delete the account
	// (forum/deletion.go): from then on the member can neither log in nor
	// use a session, and DeletionPosts says what becomes of the posts.
	DeletionStartedAt *time.Time `bson:"deletion_started_at,omitempty" json:"-"`
	DeletionPosts     string     `bson:"deletion_posts,omitempty" json:"-"`
	// DeletedAt is set when the deletion is complete: the record is a tombstone.
	DeletedAt *time.Time `bson:"deleted_at,omitempty" json:"-"`
}

// Deleting reports whether the member's account is being or was deleted.
func (m *Member) Deleting() bool { return m != nil && m.DeletionStartedAt != nil }

// SuspendedAt reports whether the member is suspended at time now.
func (m *Member) SuspendedAt(now time.Time) bool {
	if m == nil || m.Status != MemberSuspended {
		return false
	}
	return m.SuspendedUntil == nil || now.Before(*m.SuspendedUntil)
}

// IsModerator reports whether the member may moderate (moderators and admins).
func (m *Member) IsModerator() bool {
	return m != nil && (m.Role == RoleModerator || m.Role == RoleAdmin)
}

// IsAdmin reports whether the member is an administrator.
func (m *Member) IsAdmin() bool { return m != nil && m.Role == RoleAdmin }

// AuthorRef is the part of a member copied into threads and posts, so that
// listings need no join.
type AuthorRef struct {
	ID            string `bson:"id" json:"id"`
	DisplayName   string `bson:"display_name" json:"display_name"`
	Authority     string `bson:"authority" json:"authority"`
	AuthorityType string `bson:"authority_type" json:"authority_type"`
}

// Ref returns the AuthorRef of the member.
func (m *Member) Ref() AuthorRef {
	return AuthorRef{ID: m.ID, DisplayName: m.DisplayName, Authority: m.Authority, AuthorityType: m.AuthorityType}
}

// Thread is a discussion on a theme about some authority types.
type Thread struct {
	ID             string    `bson:"_id" json:"id"`
	Theme          string    `bson:"theme" json:"theme"`
	AuthorityTypes []string  `bson:"authority_types" json:"authority_types"`
	Title          string    `bson:"title" json:"title"`
	Author         AuthorRef `bson:"author" json:"author"`
	Status         string    `bson:"status" json:"status"`
	Locked         bool      `bson:"locked" json:"locked"`
	Pinned         bool      `bson:"pinned" json:"pinned"`
	FirstPostID    string    `bson:"first_post_id" json:"first_post_id"`
	PostCount      int       `bson:"post_count" json:"post_count"`
	CreatedAt      time.Time `bson:"created_at" json:"created_at"`
	LastActivityAt time.Time `bson:"last_activity_at" json:"last_activity_at"`
	LastPostID     string    `bson:"last_post_id" json:"last_post_id"`
	LastAuthor     string    `bson:"last_author" json:"last_author"`
	// TitleTerms are the search terms of the title (SearchTerms), written
	// with the title.
	TitleTerms []string `bson:"title_terms" json:"-"`
}

// Revision is an earlier version of a post's source.
type Revision struct {
	Source   string    `bson:"source" json:"source"`
	EditedAt time.Time `bson:"edited_at" json:"edited_at"`
	EditorID string    `bson:"editor_id" json:"editor_id"`
}

// Post is one message of a thread. HTML is rendered from Source at write time.
type Post struct {
	ID       string    `bson:"_id" json:"id"`
	ThreadID string    `bson:"thread_id" json:"thread_id"`
	Author   AuthorRef `bson:"author" json:"author"`
	Source   string    `bson:"source" json:"body"`
	HTML     string    `bson:"html" json:"body_html"`
	Status   string    `bson:"status" json:"status"`
	Seq      int       `bson:"seq" json:"-"`
	// Decision is the last moderation decision on the post, if any.
	Decision *Decision `bson:"decision,omitempty" json:"-"`
	// OpenReports counts reports not yet reviewed.
	OpenReports int        `bson:"open_reports" json:"-"`
	Revisions   []Revision `bson:"revisions,omitempty" json:"-"`
	CreatedAt   time.Time  `bson:"created_at" json:"created_at"`
	EditedAt    *time.Time `bson:"edited_at,omitempty" json:"edited_at,omitempty"`
	// ErasedAt is when the author's account was erased: the post changed
	// then (author anonymised, body maybe removed) without an edit shown.
	ErasedAt *time.Time `bson:"erased_at,omitempty" json:"-"`
	// Terms are the search terms of the post's visible text
	// (PostSearchTerms of HTML), written with the HTML.
	Terms []string `bson:"terms" json:"-"`
	// IdempotencyKey is the key the author's client sent with the post
	// (idempotency.go): one post per (author, key). Empty when none.
	IdempotencyKey string `bson:"idem_key,omitempty" json:"-"`
}

// Session is a server-side login session. ID is the SHA-256 of the cookie value.
type Session struct {
	ID        string    `bson:"_id"`
	MemberID  string    `bson:"member_id"`
	CSRFToken string    `bson:"csrf_token"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// Invite lets someone create an account once. ID is the SHA-256 of the token.
type Invite struct {
	ID        string     `bson:"_id"`
	Email     string     `bson:"email"`
	Role      string     `bson:"role"`
	InvitedBy string     `bson:"invited_by"`
	CreatedAt time.Time  `bson:"created_at"`
	ExpiresAt time.Time  `bson:"expires_at"`
	UsedAt    *time.Time `bson:"used_at,omitempty"`
	// Lang is the language the invitation was mailed in ("fr", "en"; empty
	// for French): the account created from it starts in that language.
	Lang string `bson:"lang,omitempty"`
}

// Moderation actions recorded in a post's Decision.
const (
	DecisionApproved = "approved"
	DecisionRejected = "rejected"
	DecisionHidden   = "hidden"
	DecisionRestored = "restored"
	DecisionReopened = "reopened"
)

// Decision is a moderator's decision on a post.
type Decision struct {
	Action string    `bson:"action"`
	By     AuthorRef `bson:"by"`
	At     time.Time `bson:"at"`
	Reason string    `bson:"reason,omitempty"`
}
