package forum

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Member list filters: the statuses the admin members page offers.
const (
	MemberFilterActive    = "active"
	MemberFilterSuspended = "suspended"
	MemberFilterDeleted   = "deleted"
	MemberFilterInvited   = "invited"
)

// Limits of the admin members page.
const (
	MembersPageSize     = 50
	MaxMemberQueryChars = 100
)

// MemberFilter selects members for the admin members page; empty fields
// do not filter. Members come by email.
type MemberFilter struct {
	// Query matches a part of the email or of the display name (case-insensitive).
	Query string
	// Role is member, moderator or admin.
	Role string
	// Status is active, suspended or deleted (being or already deleted);
	// empty lists every member whose account is not deleted.
	Status string
	Skip   int
	Limit  int
}

// MemberCounts are the members by role and status (the admin dashboard).
// Role counts leave out deleted accounts.
type MemberCounts struct {
	Members, Moderators, Admins int64
	Active, Suspended, Deleted  int64
}

// Add counts n members not being deleted, of that role and status.
func (c *MemberCounts) Add(role, status string, n int64) {
	switch role {
	case RoleAdmin:
		c.Admins += n
	case RoleModerator:
		c.Moderators += n
	default:
		c.Members += n
	}
	if status == MemberSuspended {
		c.Suspended += n
	} else {
		c.Active += n
	}
}

// ErrLastAdmin is returned by SetMemberRole when the change would leave
// the forum without an admin.
var ErrLastAdmin = errors.New("le dernier administrateur reste administrateur")

// AdminStore is what the admin area needs from the database.
type AdminStore interface {
	// ListMembers returns the members f selects, by email.
	ListMembers(ctx context.Context, f MemberFilter) ([]Member, error)
	// CountMembersByRoleStatus counts members by role and by status.
	CountMembersByRoleStatus(ctx context.Context) (MemberCounts, error)
	// CountPublishedSince counts the posts published at or after since.
	CountPublishedSince(ctx context.Context, since time.Time) (int64, error)
	// SetMemberRole changes the role of a member whose account is not
	// deleted: ErrNotFound when there is none, ErrLastAdmin when the member
	// is the last admin and role is not admin (checked by the same write).
	SetMemberRole(ctx context.Context, id, role string) error
	// ReplaceInvite swaps an unused invitation for next (a new token and
	// expiry); false when oldID is gone or used.
	ReplaceInvite(ctx context.Context, oldID string, next *Invite) (bool, error)
	// DeleteUnusedInvite deletes an unused invitation; false when it is
	// gone or used.
	DeleteUnusedInvite(ctx context.Context, id string) (bool, error)
}

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool {
	return role == RoleMember || role == RoleModerator || role == RoleAdmin
}

// CleanMemberFilter checks a filter from a request and bounds its page.
func CleanMemberFilter(f MemberFilter) (MemberFilter, error) {
	f.Query = strings.Join(strings.Fields(f.Query), " ")
	if utf8.RuneCountInString(f.Query) > MaxMemberQueryChars {
		return f, Invalidf("q", "query_too_long", "La recherche compte %d caractères au plus.", MaxMemberQueryChars)
	}
	if f.Role != "" && !ValidRole(f.Role) {
		return f, Invalid("role", "role_invalid", "Le rôle est member, moderator ou admin.")
	}
	switch f.Status {
	case "", MemberFilterActive, MemberFilterSuspended, MemberFilterDeleted, MemberFilterInvited:
	default:
		return f, Invalid("status", "status_invalid", "L'état est active, suspended, invited ou deleted.")
	}
	if f.Skip < 0 || f.Skip > 100_000 {
		return f, Invalid("page", "page_invalid", "Numéro de page invalide.")
	}
	if f.Limit <= 0 || f.Limit > MembersPageSize+1 {
		f.Limit = MembersPageSize + 1
	}
	return f, nil
}

// AdminStore returns the store's admin part, or an error when it has none.
func (s *Service) AdminStore() (AdminStore, error) {
	as, ok := s.store.(AdminStore)
	if !ok {
		return nil, errors.New("forum: the store does not implement forum.AdminStore")
	}
	return as, nil
}

// ListMembers returns a page of members (admins only).
func (s *Service) ListMembers(ctx context.Context, actor *Member, f MemberFilter) ([]Member, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	f, err := CleanMemberFilter(f)
	if err != nil {
		return nil, err
	}
	as, err := s.AdminStore()
	if err != nil {
		return nil, err
	}
	return as.ListMembers(ctx, f)
}

// UnusedInvitations returns the unused invitations among the latest 50,
// expired ones included (they can be sent again); admins only.
func (s *Service) UnusedInvitations(ctx context.Context, actor *Member) ([]Invite, error) {
	invs, err := s.Invitations(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := invs[:0]
	for _, inv := range invs {
		if inv.UsedAt == nil {
			out = append(out, inv)
		}
	}
	return out, nil
}

// Expired reports whether the invitation's link no longer works at now.
func (inv *Invite) Expired(now time.Time) bool { return !now.Before(inv.ExpiresAt) }

// NewInviteToken returns a fresh token and the invitation that stands for
// it, with the email, role and language of inv and a new lifetime.
func (s *Service) NewInviteToken(inv *Invite, by string) (string, *Invite) {
	token, id := randomToken()
	now := s.now()
	return token, &Invite{ID: id, Email: inv.Email, Role: inv.Role, InvitedBy: by, CreatedAt: now, ExpiresAt: now.Add(InviteLifetime), Lang: inv.Lang}
}
