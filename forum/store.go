package forum

import (
	"context"
	"time"
)

// ThreadFilter selects threads for a listing. Empty fields do not filter.
type ThreadFilter struct {
	Theme         string
	AuthorityType string
	AuthorID      string
	Statuses      []string // default: published only
	Skip          int
	Limit         int
}

// PostFilter selects the posts of a thread a viewer may see.
type PostFilter struct {
	ThreadID string
	// ViewerID, when set, adds the viewer's own pending posts.
	ViewerID string
	// AllStatuses shows every status (moderators).
	AllStatuses bool
	Skip        int
	Limit       int
}

// PostEdit is the change made by an edit of a post.
type PostEdit struct {
	// Current is the source the edit started from: the edit applies only if
	// the post still has it, so concurrent edits never lose a revision.
	Current  string
	Source   string
	HTML     string
	Previous Revision
	EditedAt time.Time
}

// ThemeUpdate is an admin change to a theme; nil fields are unchanged.
type ThemeUpdate struct {
	NameFR      *string
	NameEN      *string
	Description *string
	Position    *int
	Moderation  *string
	Archived    *bool
}

// Store is what the forum services need from the database. The store
// package implements it on MongoDB and on the embedded FerretDB.
type Store interface {
	ListThemes(ctx context.Context) ([]Theme, error)
	GetTheme(ctx context.Context, slug string) (*Theme, error)
	InsertTheme(ctx context.Context, t *Theme) error
	UpdateTheme(ctx context.Context, slug string, u ThemeUpdate) error
	ListAuthorityTypes(ctx context.Context) ([]AuthorityType, error)
	InsertAuthorityType(ctx context.Context, a *AuthorityType) error

	InsertMember(ctx context.Context, m *Member) error
	MemberByID(ctx context.Context, id string) (*Member, error)
	MemberByEmail(ctx context.Context, email string) (*Member, error)
	UpdateMemberProfile(ctx context.Context, id, displayName, authority, authorityType, lang string) error
	SetMemberPassword(ctx context.Context, id, hash string) error
	IncMemberApprovedPosts(ctx context.Context, id string, delta int) error
	CountMembers(ctx context.Context) (int64, error)

	InsertSession(ctx context.Context, s *Session) error
	SessionByID(ctx context.Context, id string) (*Session, error)
	DeleteSession(ctx context.Context, id string) error
	DeleteMemberSessions(ctx context.Context, memberID string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	InsertInvite(ctx context.Context, inv *Invite) error
	InviteByID(ctx context.Context, id string) (*Invite, error)
	// UseInvite marks the invite used if it is unused and unexpired at now;
	// it returns false when another request used it first.
	UseInvite(ctx context.Context, id string, now time.Time) (bool, error)
	ListInvites(ctx context.Context, limit int) ([]Invite, error)

	InsertThread(ctx context.Context, t *Thread) error
	ThreadByID(ctx context.Context, id string) (*Thread, error)
	ListThreads(ctx context.Context, f ThreadFilter) ([]Thread, error)
	// RecordThreadPost adds delta to the thread's published post count and
	// moves its last activity to the given post.
	RecordThreadPost(ctx context.Context, threadID string, delta int, p *Post) error

	InsertPost(ctx context.Context, p *Post) error
	PostByID(ctx context.Context, id string) (*Post, error)
	ListPosts(ctx context.Context, f PostFilter) ([]Post, error)
	CountPosts(ctx context.Context, f PostFilter, before *Post) (int64, error)
	EditPost(ctx context.Context, id string, e PostEdit) error

	// Secret returns the named random secret, creating it once for all processes.
	Secret(ctx context.Context, name string) ([]byte, error)

	FeedStore
	ReadMarkerStore
}
