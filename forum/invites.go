package forum

import (
	"context"
	"errors"
)

// CreateInvite records an invitation for email, mailed in lang ("fr", "en"),
// and returns the secret token to put in the link (admins only). The token
// itself is never stored.
func (s *Service) CreateInvite(ctx context.Context, actor *Member, email, role, lang string) (string, *Invite, error) {
	if !actor.IsAdmin() {
		return "", nil, ErrForbidden
	}
	email, err := NormalizeEmail(email)
	if err != nil {
		return "", nil, err
	}
	if role == "" {
		role = RoleMember
	}
	if role != RoleMember && role != RoleModerator && role != RoleAdmin {
		return "", nil, Invalid("role", "role_invalid", "Le rôle est member, moderator ou admin.")
	}
	if lang != "" && lang != "fr" && lang != "en" {
		return "", nil, Invalid("lang", "lang_invalid", "Langue inconnue (fr ou en).")
	}
	if _, err := s.store.MemberByEmail(ctx, email); err == nil {
		return "", nil, Invalid("email", "email_taken", "Un compte existe déjà avec cette adresse.")
	} else if !errors.Is(err, ErrNotFound) {
		return "", nil, err
	}
	token, id := randomToken()
	now := s.now()
	inv := &Invite{ID: id, Email: email, Role: role, InvitedBy: actor.ID, CreatedAt: now, ExpiresAt: now.Add(InviteLifetime), Lang: lang}
	if err := s.store.InsertInvite(ctx, inv); err != nil {
		return "", nil, err
	}
	return token, inv, nil
}

// ErrInviteInvalid is returned for an unknown, used or expired invitation.
var ErrInviteInvalid = errors.New("cette invitation n'est plus valable (déjà utilisée ou expirée)")

// Invitation returns the usable invitation behind a token.
func (s *Service) Invitation(ctx context.Context, token string) (*Invite, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrInviteInvalid
	}
	inv, err := s.store.InviteByID(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrInviteInvalid
	}
	if err != nil {
		return nil, err
	}
	if inv.UsedAt != nil || !s.now().Before(inv.ExpiresAt) {
		return nil, ErrInviteInvalid
	}
	return inv, nil
}

// Invitations returns the latest invitations (admins only).
func (s *Service) Invitations(ctx context.Context, actor *Member) ([]Invite, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	return s.store.ListInvites(ctx, 50)
}

// AcceptInvite creates the invited member's account, once. The email and
// role come from the invitation, never from the form; the language is the
// invitation's unless the person chose another (p.Lang).
func (s *Service) AcceptInvite(ctx context.Context, token string, p ProfileInput, password string) (*Member, error) {
	inv, err := s.Invitation(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := s.validateProfile(ctx, &p); err != nil {
		return nil, err
	}
	if err := validatePassword(password); err != nil {
		return nil, err
	}
	// An address that got an account meanwhile must not burn the invitation.
	if _, err := s.store.MemberByEmail(ctx, inv.Email); err == nil {
		return nil, Invalid("email", "email_taken", "Un compte existe déjà avec cette adresse : connectez-vous.")
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	ok, err := s.store.UseInvite(ctx, inv.ID, s.now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrInviteInvalid
	}
	lang := p.Lang
	if lang == "" {
		lang = inv.Lang
	}
	return s.CreateMember(ctx, NewMember{Email: inv.Email, DisplayName: p.DisplayName, Authority: p.Authority,
		AuthorityType: p.AuthorityType, Role: inv.Role, Password: password, Lang: lang})
}
