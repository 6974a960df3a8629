package forum

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Identity links an account of an OpenID Connect provider (ProConnect) to
// a member: later logins find the member by (Issuer, Subject), never by
// email. SIRET and SIREN are those of the last login's siret claim: the
// member's authority is verified when they are set.
type Identity struct {
	ID          string    `bson:"_id" json:"-"`
	Issuer      string    `bson:"issuer" json:"issuer"`
	Subject     string    `bson:"subject" json:"subject"`
	MemberID    string    `bson:"member_id" json:"-"`
	Email       string    `bson:"email" json:"email"`
	SIRET       string    `bson:"siret,omitempty" json:"siret,omitempty"`
	SIREN       string    `bson:"siren,omitempty" json:"siren,omitempty"`
	CreatedAt   time.Time `bson:"created_at" json:"linked_at"`
	LastLoginAt time.Time `bson:"last_login_at" json:"last_login_at"`
}

// IdentityStore keeps the identity links; both stores implement it.
type IdentityStore interface {
	// InsertIdentity adds a link; ErrDuplicate when (issuer, subject) is
	// already linked or the member already has a link with that issuer.
	InsertIdentity(ctx context.Context, id *Identity) error
	// IdentityBySubject returns the link of (issuer, subject); ErrNotFound if none.
	IdentityBySubject(ctx context.Context, issuer, subject string) (*Identity, error)
	// IdentitiesOf returns the member's links, by issuer.
	IdentitiesOf(ctx context.Context, memberID string) ([]Identity, error)
	// RecordIdentityLogin updates the link's email, SIRET, SIREN and last login.
	RecordIdentityLogin(ctx context.Context, issuer, subject, email, siret, siren string, at time.Time) error
	// DeleteIdentitiesOf deletes every link of the member.
	DeleteIdentitiesOf(ctx context.Context, memberID string) error
}

// Signup modes of FORUM_OIDC_SIGNUP: who may create an account by logging
// in with the provider for the first time.
const (
	SignupClosed     = "closed"
	SignupDomainList = "domain-list"
	SignupOpen       = "open"
)

// SignupPolicy says whether a first login creates an account.
type SignupPolicy struct {
	// Mode is SignupClosed, SignupDomainList or SignupOpen.
	Mode string
	// Domains are the lower-cased email domains of SignupDomainList.
	Domains []string
}

// allows reports whether an account may be created for email.
func (p SignupPolicy) allows(email string) bool {
	switch p.Mode {
	case SignupOpen:
		return true
	case SignupDomainList:
		_, domain, _ := strings.Cut(email, "@")
		for _, d := range p.Domains {
			if domain == d {
				return true
			}
		}
	}
	return false
}

// ExternalIdentity is what a provider says of the person who logged in,
// after the server checked the tokens.
type ExternalIdentity struct {
	Issuer, Subject string
	Email           string
	// EmailVerified is true when the provider vouches for the address.
	EmailVerified bool
	GivenName     string
	UsualName     string
	// SIRET is the siret claim as sent ("" when absent).
	SIRET string
}

// Refusals of LoginWithIdentity: nothing was stored.
var (
	// ErrIdentityRefused: the linked member is suspended or deleted.
	ErrIdentityRefused = errors.New("compte suspendu ou supprimé")
	// ErrSignupClosed: no account matches and none may be created.
	ErrSignupClosed = errors.New("création de compte fermée")
	// ErrEmailUnverified: no link exists and the provider does not vouch
	// for the address, so it can neither link nor create an account.
	ErrEmailUnverified = errors.New("adresse non vérifiée")
	// ErrPrivilegedLink refuses to link a moderator's or an administrator's
	// account to an identity by its address alone: those accounts keep their
	// password, so that an identity provider's mistake on an address cannot
	// hand out moderation or administration.
	ErrPrivilegedLink = errors.New("compte de modérateur ou d'administrateur")
)

// ParseSIRET checks a SIRET (14 digits, spaces allowed) and returns it
// without spaces and its SIREN (the first 9 digits); ok is false otherwise.
func ParseSIRET(v string) (siret, siren string, ok bool) {
	v = strings.ReplaceAll(v, " ", "")
	if len(v) != 14 {
		return "", "", false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return "", "", false
		}
	}
	return v, v[:9], true
}

// identityStore returns the store's IdentityStore.
func (s *Service) identityStore() (IdentityStore, error) {
	st, ok := s.store.(IdentityStore)
	if !ok {
		return nil, errors.New("forum: the store does not keep identity links")
	}
	return st, nil
}

// Identities returns the member's identity links.
func (s *Service) Identities(ctx context.Context, memberID string) ([]Identity, error) {
	st, err := s.identityStore()
	if err != nil {
		return nil, err
	}
	return st.IdentitiesOf(ctx, memberID)
}

// VerifiedSIREN returns the SIREN of the member's verified authority, or ""
// when no identity link carries one.
func (s *Service) VerifiedSIREN(ctx context.Context, memberID string) (string, error) {
	ids, err := s.Identities(ctx, memberID)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		if id.SIREN != "" {
			return id.SIREN, nil
		}
	}
	return "", nil
}

// LoginWithIdentity finds or creates the member of a checked external
// identity: by its link first; else, with a verified address only, the
// member of that address (linked now), or a new account when p allows it.
// A suspended or deleted member is refused. created reports a new account.
// On a refusal nothing is stored.
func (s *Service) LoginWithIdentity(ctx context.Context, ext ExternalIdentity, p SignupPolicy) (m *Member, created bool, err error) {
	st, err := s.identityStore()
	if err != nil {
		return nil, false, err
	}
	if ext.Issuer == "" || ext.Subject == "" || len(ext.Subject) > 255 || !utf8.ValidString(ext.Subject) {
		return nil, false, Invalid("", "identity_invalid", "Le fournisseur d'identité n'a pas donné d'identifiant valable.")
	}
	siret, siren, _ := ParseSIRET(ext.SIRET)
	email, emailErr := NormalizeEmail(ext.Email)
	now := s.now()
	link, err := st.IdentityBySubject(ctx, ext.Issuer, ext.Subject)
	switch {
	case err == nil:
		m, err := s.store.MemberByID(ctx, link.MemberID)
		if errors.Is(err, ErrNotFound) {
			return nil, false, ErrIdentityRefused
		}
		if err != nil {
			return nil, false, err
		}
		if m.Deleting() || m.SuspendedAt(now) {
			return nil, false, ErrIdentityRefused
		}
		if emailErr != nil {
			email = link.Email
		}
		if err := st.RecordIdentityLogin(ctx, ext.Issuer, ext.Subject, email, siret, siren, now); err != nil {
			return nil, false, err
		}
		s.Invalidate(ctx, MemberKey(m.ID))
		return m, false, nil
	case !errors.Is(err, ErrNotFound):
		return nil, false, err
	}
	if emailErr != nil || !ext.EmailVerified {
		return nil, false, ErrEmailUnverified
	}
	newLink := &Identity{ID: NewID(), Issuer: ext.Issuer, Subject: ext.Subject, Email: email, SIRET: siret, SIREN: siren,
		CreatedAt: now, LastLoginAt: now}
	m, err = s.store.MemberByEmail(ctx, email)
	switch {
	case err == nil:
		if m.Deleting() || m.SuspendedAt(now) {
			return nil, false, ErrIdentityRefused
		}
		if m.Role != RoleMember {
			return nil, false, ErrPrivilegedLink
		}
		newLink.MemberID = m.ID
		if err := st.InsertIdentity(ctx, newLink); err != nil {
			if errors.Is(err, ErrDuplicate) {
				return nil, false, Conflict("Ce compte est déjà relié à une autre identité ProConnect.")
			}
			return nil, false, err
		}
		s.Invalidate(ctx, MemberKey(m.ID))
		return m, false, nil
	case !errors.Is(err, ErrNotFound):
		return nil, false, err
	}
	if !p.allows(email) {
		return nil, false, ErrSignupClosed
	}
	m, err = s.newIdentityMember(ctx, ext, email, now)
	if err != nil {
		return nil, false, err
	}
	newLink.MemberID = m.ID
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.InsertMember(ctx, m); err != nil {
			return err
		}
		return st.InsertIdentity(ctx, newLink)
	})
	if errors.Is(err, ErrDuplicate) {
		return nil, false, Conflict("Un compte vient d'être créé pour cette identité : reconnectez-vous.")
	}
	if err != nil {
		return nil, false, err
	}
	return m, true, nil
}

// newIdentityMember builds the account of a first login: no password (the
// member may set one by the password reset), the name from the claims, and
// an authority to complete on the account page.
func (s *Service) newIdentityMember(ctx context.Context, ext ExternalIdentity, email string, now time.Time) (*Member, error) {
	types, err := s.AuthorityTypes(ctx)
	if err != nil {
		return nil, err
	}
	if len(types) == 0 {
		return nil, errors.New("forum: no authority type")
	}
	name := strings.Join(strings.Fields(ext.GivenName+" "+ext.UsualName), " ")
	if name == "" || CheckLine("display_name", name) != nil {
		name, _, _ = strings.Cut(email, "@")
	}
	if utf8.RuneCountInString(name) > MaxDisplayNameChars {
		name = string([]rune(name)[:MaxDisplayNameChars])
	}
	_, domain, _ := strings.Cut(email, "@")
	authority := domain
	if _, siren, ok := ParseSIRET(ext.SIRET); ok {
		authority = "SIREN " + siren
	}
	return &Member{ID: NewID(), Email: email, DisplayName: name, Authority: authority, AuthorityType: types[0].Slug,
		Role: RoleMember, Status: MemberActive, CreatedAt: now}, nil
}
