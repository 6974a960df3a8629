package moderation

import (
	"context"
	"errors"

	"coterforum/forum"
)

// The admin area's actions on members and invitations. Each is one write
// and its audit entry, in one Atomically: a refused change writes nothing.

func (s *Service) requireAdmin(actor *forum.Member) (forum.AdminStore, error) {
	if err := s.requireModerator(actor); err != nil {
		return nil, err
	}
	if !actor.IsAdmin() {
		return nil, forum.ErrForbidden
	}
	return s.forum.AdminStore()
}

// ErrLastAdminRole is the refusal to take the role of the last admin.
var ErrLastAdminRole = forum.Invalid("role", "last_admin", "Le forum doit garder au moins un administrateur : nommez-en un autre avant de changer ce rôle.")

// ChangeRole gives a member another role (admins only). The last admin
// keeps the role (ErrLastAdminRole); a deleted or unknown member is
// forum.ErrNotFound.
func (s *Service) ChangeRole(ctx context.Context, actor *forum.Member, memberID, role string) (*forum.Member, error) {
	as, err := s.requireAdmin(actor)
	if err != nil {
		return nil, err
	}
	if !forum.ValidRole(role) {
		return nil, forum.Invalid("role", "role_invalid", "Le rôle est member, moderator ou admin.")
	}
	m, err := s.forum.Member(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if m.Deleting() {
		return nil, forum.ErrNotFound
	}
	if m.Role == role {
		return m, nil
	}
	before := m.Role
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := as.SetMemberRole(ctx, m.ID, role); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.Ref(), "member.role", "member", m.ID, "", before, role, ""); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, forum.MemberKey(m.ID))
		return nil
	})
	if errors.Is(err, forum.ErrLastAdmin) {
		return nil, ErrLastAdminRole
	}
	if err != nil {
		return nil, err
	}
	m.Role = role
	return m, nil
}

// errInviteGone is the refusal to act on a used or deleted invitation.
var errInviteGone = forum.Invalid("invite", "invite_gone", "Cette invitation a déjà servi ou a été révoquée.")

// unusedInvite returns an unused invitation by id.
func (s *Service) unusedInvite(ctx context.Context, id string) (*forum.Invite, error) {
	if id == "" || len(id) > 100 {
		return nil, forum.ErrNotFound
	}
	inv, err := s.store.InviteByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if inv.UsedAt != nil {
		return nil, errInviteGone
	}
	return inv, nil
}

// RevokeInvite deletes an unused invitation: its link stops working.
func (s *Service) RevokeInvite(ctx context.Context, actor *forum.Member, inviteID string) error {
	as, err := s.requireAdmin(actor)
	if err != nil {
		return err
	}
	inv, err := s.unusedInvite(ctx, inviteID)
	if err != nil {
		return err
	}
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		ok, err := as.DeleteUnusedInvite(ctx, inv.ID)
		if err != nil {
			return err
		}
		if !ok {
			return errInviteGone
		}
		return s.audit(ctx, actor.Ref(), "invite.revoke", "invite", inv.ID, "", inv.Role, "", "")
	})
}

// ResendInvite replaces an unused invitation (expired or not) by a new
// one for the same address, role and language, valid from now, and
// returns its token for the mail; the old link stops working.
func (s *Service) ResendInvite(ctx context.Context, actor *forum.Member, inviteID string) (string, *forum.Invite, error) {
	as, err := s.requireAdmin(actor)
	if err != nil {
		return "", nil, err
	}
	inv, err := s.unusedInvite(ctx, inviteID)
	if err != nil {
		return "", nil, err
	}
	token, next := s.forum.NewInviteToken(inv, actor.ID)
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		ok, err := as.ReplaceInvite(ctx, inv.ID, next)
		if err != nil {
			return err
		}
		if !ok {
			return errInviteGone
		}
		return s.audit(ctx, actor.Ref(), "invite.resend", "invite", next.ID, "", inv.ID, next.ID, "")
	})
	if err != nil {
		return "", nil, err
	}
	return token, next, nil
}
