package forum

import (
	"context"
	"errors"
	"time"
)

// Account tokens: the secret of a password-reset link or of an email-change
// confirmation link. Only the SHA-256 of the token is stored (its ID); a
// token is used once, and is refused past its expiry.
const (
	// TokenPasswordReset is the kind of a password-reset token.
	TokenPasswordReset = "password_reset"
	// TokenEmailChange is the kind of an email-change token; its Email is
	// the new address.
	TokenEmailChange = "email_change"
)

// Lifetimes of account tokens, explicit and tested.
const (
	// PasswordResetLifetime is how long a password-reset link works.
	PasswordResetLifetime = time.Hour
	// EmailChangeLifetime is how long an email-change link works: a day,
	// so that a member who changes address in the evening can confirm it
	// the next morning, while an address is never held pending for long.
	EmailChangeLifetime = 24 * time.Hour
	// MaxTokenChars bounds a token read from a link or a form (ours have 43).
	MaxTokenChars = 100
)

// AccountToken is a single-use secret link of a member. ID is the SHA-256
// hex digest of the token, never the token itself.
type AccountToken struct {
	ID        string     `bson:"_id"`
	Kind      string     `bson:"kind"`
	MemberID  string     `bson:"member_id"`
	Email     string     `bson:"email,omitempty"`
	CreatedAt time.Time  `bson:"created_at"`
	ExpiresAt time.Time  `bson:"expires_at"`
	UsedAt    *time.Time `bson:"used_at,omitempty"`
}

// AccountTokenStore keeps account tokens. Both stores implement it.
type AccountTokenStore interface {
	// InsertAccountToken stores a token.
	InsertAccountToken(ctx context.Context, t *AccountToken) error
	// AccountTokenByID returns the token with that id (ErrNotFound if none).
	AccountTokenByID(ctx context.Context, id string) (*AccountToken, error)
	// UseAccountToken marks the token used if it is unused and unexpired at
	// now, in one conditional update; false when it was not.
	UseAccountToken(ctx context.Context, id string, now time.Time) (bool, error)
	// DeleteMemberAccountTokens removes the member's tokens of a kind, or
	// of every kind when kind is "".
	DeleteMemberAccountTokens(ctx context.Context, memberID, kind string) error
	// DeleteExpiredAccountTokens removes the tokens expired at now (used
	// ones included) and says how many.
	DeleteExpiredAccountTokens(ctx context.Context, now time.Time) (int64, error)
	// SetMemberEmail changes a member's address; ErrDuplicate when another
	// account has it.
	SetMemberEmail(ctx context.Context, memberID, email string) error
}

// ErrTokenInvalid is returned for a link whose token is unknown, altered,
// used or expired, or whose member may no longer use it.
var ErrTokenInvalid = errors.New("ce lien n'est plus valable (déjà utilisé, expiré ou incomplet)")

// tokens returns the store's account tokens.
func (s *Service) tokens() AccountTokenStore {
	return s.store.(AccountTokenStore)
}

// newAccountToken stores a new token of a kind for the member and returns
// the secret to put in the link.
func (s *Service) newAccountToken(ctx context.Context, kind string, m *Member, email string, life time.Duration) (string, error) {
	token, id := randomToken()
	now := s.now()
	t := &AccountToken{ID: id, Kind: kind, MemberID: m.ID, Email: email, CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := s.tokens().InsertAccountToken(ctx, t); err != nil {
		return "", err
	}
	return token, nil
}

// accountToken returns the usable token of a kind behind a secret and its
// member: unused, unexpired, and the member active (not suspended, not
// deleted).
func (s *Service) accountToken(ctx context.Context, kind, token string) (*AccountToken, *Member, error) {
	if token == "" || len(token) > MaxTokenChars {
		return nil, nil, ErrTokenInvalid
	}
	t, err := s.tokens().AccountTokenByID(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if t.Kind != kind || t.UsedAt != nil || !now.Before(t.ExpiresAt) {
		return nil, nil, ErrTokenInvalid
	}
	m, err := s.store.MemberByID(ctx, t.MemberID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, err
	}
	if m.Deleting() || m.SuspendedAt(now) {
		return nil, nil, ErrTokenInvalid
	}
	return t, m, nil
}

// PasswordResetFor looks up the member who asked for a password reset:
// the member, or nil for an address of no active account (unknown,
// suspended or deleted), and the caller answers the same either way. Only
// a malformed address is an error. It does the same store work in both
// cases; writing the token (IssuePasswordReset) and sending the mail are
// left to after the answer.
func (s *Service) PasswordResetFor(ctx context.Context, email string) (*Member, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	m, err := s.store.MemberByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if m.Deleting() || m.SuspendedAt(s.now()) {
		return nil, nil
	}
	return m, nil
}

// IssuePasswordReset stores a password-reset token for the member, valid
// PasswordResetLifetime, and returns the secret for the link.
func (s *Service) IssuePasswordReset(ctx context.Context, m *Member) (string, error) {
	return s.newAccountToken(ctx, TokenPasswordReset, m, "", PasswordResetLifetime)
}

// PasswordReset returns the member of a usable password-reset token
// (ErrTokenInvalid otherwise).
func (s *Service) PasswordReset(ctx context.Context, token string) (*Member, error) {
	_, m, err := s.accountToken(ctx, TokenPasswordReset, token)
	return m, err
}

// ResetPassword sets a new password with a password-reset token: the token
// is used (once), every session of the member ends and every other reset
// token of the member is deleted.
func (s *Service) ResetPassword(ctx context.Context, token, password string) (*Member, error) {
	t, m, err := s.accountToken(ctx, TokenPasswordReset, token)
	if err != nil {
		return nil, err
	}
	if err := validatePassword(password); err != nil {
		return nil, err
	}
	var hash string
	if herr := s.withHashing(ctx, func() { hash, err = HashPassword(password) }); herr != nil {
		return nil, herr
	}
	if err != nil {
		return nil, err
	}
	err = s.change(ctx, func(ctx context.Context) error {
		// The conditional use first: of two requests with one token, one wins.
		ok, err := s.tokens().UseAccountToken(ctx, t.ID, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return ErrTokenInvalid
		}
		if err := s.store.SetMemberPassword(ctx, m.ID, hash); err != nil {
			return err
		}
		if err := s.store.DeleteMemberSessions(ctx, m.ID); err != nil {
			return err
		}
		// Every link goes, an address change on its way too: whoever knew
		// the old password must not keep a way into the account.
		return s.tokens().DeleteMemberAccountTokens(ctx, m.ID, "")
	}, MemberKey(m.ID))
	if err != nil {
		return nil, err
	}
	return m, nil
}

// RequestEmailChange checks the member's current password and the new
// address, and stores an email-change token (valid EmailChangeLifetime)
// whose secret the caller mails to the new address. A pending change
// replaces the previous one. Nothing changes before the link is followed.
func (s *Service) RequestEmailChange(ctx context.Context, m *Member, newEmail, password string) (string, string, error) {
	email, err := NormalizeEmail(newEmail)
	if err != nil {
		return "", "", err
	}
	if err := s.CheckPassword(ctx, m, password); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			return "", "", &ValidationError{Field: "current_password", Code: ve.Code, Msg: ve.Msg}
		}
		return "", "", err
	}
	if email == m.Email {
		return "", "", Invalid("email", "email_same", "C'est déjà l'adresse de votre compte.")
	}
	if err := s.emailFree(ctx, email); err != nil {
		return "", "", err
	}
	if err := s.tokens().DeleteMemberAccountTokens(ctx, m.ID, TokenEmailChange); err != nil {
		return "", "", err
	}
	token, err := s.newAccountToken(ctx, TokenEmailChange, m, email, EmailChangeLifetime)
	return token, email, err
}

// errEmailTaken refuses an address another account has.
func errEmailTaken() error {
	return Invalid("email", "email_taken", "Cette adresse ne peut pas être utilisée : choisissez-en une autre.")
}

// emailFree checks that no account has the address.
func (s *Service) emailFree(ctx context.Context, email string) error {
	if _, err := s.store.MemberByEmail(ctx, email); err == nil {
		return errEmailTaken()
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// EmailChange returns the usable email-change token behind a secret and
// its member (ErrTokenInvalid otherwise).
func (s *Service) EmailChange(ctx context.Context, token string) (*AccountToken, *Member, error) {
	return s.accountToken(ctx, TokenEmailChange, token)
}

// ConfirmEmailChange changes the member's address to the one the token was
// sent to, once. It returns the member as it was (its old address, to tell
// it) and the new address.
func (s *Service) ConfirmEmailChange(ctx context.Context, token string) (*Member, string, error) {
	t, m, err := s.accountToken(ctx, TokenEmailChange, token)
	if err != nil {
		return nil, "", err
	}
	if err := s.emailFree(ctx, t.Email); err != nil {
		return nil, "", err
	}
	err = s.change(ctx, func(ctx context.Context) error {
		ok, err := s.tokens().UseAccountToken(ctx, t.ID, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return ErrTokenInvalid
		}
		if err := s.tokens().SetMemberEmail(ctx, m.ID, t.Email); err != nil {
			if errors.Is(err, ErrDuplicate) {
				return errEmailTaken()
			}
			return err
		}
		// A reset link mailed to the old address no longer works.
		return s.tokens().DeleteMemberAccountTokens(ctx, m.ID, "")
	}, MemberKey(m.ID))
	if err != nil {
		return nil, "", err
	}
	return m, t.Email, nil
}

// DeleteAccountTokens removes every token of the member (account deletion).
func (s *Service) DeleteAccountTokens(ctx context.Context, memberID string) error {
	return s.tokens().DeleteMemberAccountTokens(ctx, memberID, "")
}

// SweepAccountTokens deletes the expired account tokens.
func (s *Service) SweepAccountTokens(ctx context.Context) (int64, error) {
	return s.tokens().DeleteExpiredAccountTokens(ctx, s.now())
}
