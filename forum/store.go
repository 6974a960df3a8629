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
	// Status, when set, selects only the posts of that status (any
	// author), e.g. a thread's pending posts.
	Status string
	Skip   int
	Limit  int
}

// PostEdit is the change made by an edit of a post. The store writes the
// post's search terms (PostSearchTerms of HTML) in the same update.
type PostEdit struct {
	// Current is the source the edit started from: the edit applies only if
	// the post still has it, so concurrent edits never lose a revision.
	Current  string
	Source   string
	HTML     string
	Previous Revision
	EditedAt time.Time
	// Statuses, when set, are the statuses the post must still have for
	// the edit to apply (forum.ErrConflict otherwise).
	Statuses []string
}

// SearchFilter selects published posts or threads for a search. Empty
// fields do not filter.
type SearchFilter struct {
	// Words are the query's words, each with its variants: a document must
	// have every word, in any of its variants.
	Words         [][]string
	Theme         string
	AuthorityType string
	AuthorID      string
	// From (inclusive) and To (exclusive) bound the creation time.
	From, To time.Time
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
// packages implement it on SQLite (store/sqlite, the embedded default) and
// on MongoDB (store/mongo).
type Store interface {
	PostNumberStore

	// Atomically runs fn so that the store writes it makes commit together
	// (atomic.go): one transaction on SQLite; in order, and to the end even
	// if ctx is cancelled, on MongoDB. fn's error, or one given to Fail,
	// undoes the writes on SQLite and is returned. Calls nest: the
	// outermost commits.
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error

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
	ThreadsByIDs(ctx context.Context, ids []string) ([]Thread, error)
	PostsByIDs(ctx context.Context, ids []string) ([]Post, error)

	ThreadSearchStore
	// SearchTitles returns published threads whose title has every word of
	// f, newest first, at most limit.
	SearchTitles(ctx context.Context, f SearchFilter, limit int) ([]Thread, error)
	// SearchPosts returns published posts of published threads that have
	// every word of f, newest first, except the posts excludeIDs.
	SearchPosts(ctx context.Context, f SearchFilter, excludeIDs []string, skip, limit int) ([]Post, error)
	// PostsWithoutTerms and ThreadsWithoutTitleTerms return up to limit
	// documents written before search existed; SetPostTerms and
	// SetThreadTitleTerms index them (id → terms), only if still unindexed.
	PostsWithoutTerms(ctx context.Context, limit int) ([]Post, error)
	SetPostTerms(ctx context.Context, terms map[string][]string) error
	ThreadsWithoutTitleTerms(ctx context.Context, limit int) ([]Thread, error)
	SetThreadTitleTerms(ctx context.Context, terms map[string][]string) error

	// PostByIdempotencyKey returns the author's post stored with that
	// idempotency key (InsertPost refuses a second one with ErrDuplicate);
	// ErrNotFound if none.
	PostByIdempotencyKey(ctx context.Context, authorID, key string) (*Post, error)

	// ThreadTally computes from the thread's posts what its counters
	// should be (reconcile.go).
	ThreadTally(ctx context.Context, th *Thread) (ThreadTally, error)
	// SetThreadTally writes a thread's status, published post count, last
	// activity and last post.
	SetThreadTally(ctx context.Context, threadID string, t ThreadTally) error
	// ThreadIDsAfter returns up to limit thread ids above afterID, in order.
	ThreadIDsAfter(ctx context.Context, afterID string, limit int) ([]string, error)
	// ThreadIDsTouchedSince returns the ids of the threads of up to limit
	// posts created or decided at or after since.
	ThreadIDsTouchedSince(ctx context.Context, since time.Time, limit int) ([]string, error)
	// MemberIDsAfter returns up to limit member ids above afterID, in order.
	MemberIDsAfter(ctx context.Context, afterID string, limit int) ([]string, error)
	// CountApprovedPosts counts the member's posts that were approved:
	// published or hidden since.
	CountApprovedPosts(ctx context.Context, memberID string) (int, error)
	// SetMemberApprovedPosts sets the member's approved post count.
	SetMemberApprovedPosts(ctx context.Context, memberID string, n int) error

	// Secret returns the named random secret, creating it once for all processes.
	Secret(ctx context.Context, name string) ([]byte, error)

	FeedStore
	ReadMarkerStore
}
