package forum

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// argonParams are argon2id's parameters: 19 MiB, 3 passes, 1 lane, one
// pass more than OWASP's recommended minimum (19 MiB, 2 passes), ~35 ms a
// hash on this project's 2-core machine. 64 MiB a hash (RFC 9106's second
// option) took the server past its memory budget at each login
// (BENCHMARKS.md); hashes made with it still verify, their parameters are
// in them.
var argonParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 3, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// testArgonParams are the parameters inside `go test` binaries only
// (testing.Testing): the suite makes hundreds of accounts and logins, and a
// strong hash costs several times more under -race. What a test checks of
// passwords (right, wrong, changed, timing of unknown addresses) does not
// depend on the cost. The forum's binary, including the one the tests start
// as a child process, always uses argonParams.
var testArgonParams = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashParams returns the parameters of new hashes.
func hashParams() *argon2id.Params {
	if testing.Testing() {
		return testArgonParams
	}
	return argonParams
}

// HashPassword returns the argon2id hash of a password.
func HashPassword(pw string) (string, error) {
	return argon2id.CreateHash(pw, hashParams())
}

// NewMember is the input that creates an account.
type NewMember struct {
	Email         string `json:"email" form:"email"`
	DisplayName   string `json:"display_name" form:"display_name"`
	Authority     string `json:"authority" form:"authority"`
	AuthorityType string `json:"authority_type" form:"authority_type"`
	Role          string `json:"role" form:"role"`
	Password      string `json:"password" form:"password"`
	// Lang is the account's language ("fr", "en"; empty: French by default).
	Lang string `json:"lang" form:"lang"`
}

// NormalizeEmail lower-cases and trims an email, and checks its form.
func NormalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > MaxEmailChars || !strings.Contains(email, "@") {
		return "", Invalid("email", "email_invalid", "L'adresse électronique n'est pas valide.")
	}
	return email, nil
}

func validatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordChars {
		return Invalid("password", "password_too_short", "Le mot de passe doit compter au moins 10 caractères.")
	}
	if n > MaxPasswordChars {
		return Invalid("password", "password_too_long", "Le mot de passe compte 256 caractères au plus.")
	}
	return nil
}

// ProfileInput is the public part of a member's profile.
type ProfileInput struct {
	DisplayName   string `json:"display_name" form:"display_name"`
	Authority     string `json:"authority" form:"authority"`
	AuthorityType string `json:"authority_type" form:"authority_type"`
	Lang          string `json:"lang" form:"lang"`
}

func (s *Service) validateProfile(ctx context.Context, p *ProfileInput) error {
	if err := CheckLine("display_name", p.DisplayName); err != nil {
		return err
	}
	if err := CheckLine("authority", p.Authority); err != nil {
		return err
	}
	p.DisplayName = strings.Join(strings.Fields(p.DisplayName), " ")
	p.Authority = strings.Join(strings.Fields(p.Authority), " ")
	if p.DisplayName == "" || utf8.RuneCountInString(p.DisplayName) > MaxDisplayNameChars {
		return Invalid("display_name", "name_invalid", "Le nom affiché est obligatoire (80 caractères au plus).")
	}
	if p.Authority == "" || utf8.RuneCountInString(p.Authority) > MaxAuthorityChars {
		return Invalid("authority", "authority_invalid", "Le nom de la collectivité est obligatoire (120 caractères au plus).")
	}
	if _, err := s.AuthorityType(ctx, p.AuthorityType); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Invalid("authority_type", "authority_type_unknown", "Type de collectivité inconnu.")
		}
		return err
	}
	if p.Lang != "" && p.Lang != "fr" && p.Lang != "en" {
		return Invalid("lang", "lang_invalid", "Langue inconnue (fr ou en).")
	}
	return nil
}

// CreateMember creates an account. It is used by the CLI, the demo and invitations.
func (s *Service) CreateMember(ctx context.Context, in NewMember) (*Member, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	p := ProfileInput{DisplayName: in.DisplayName, Authority: in.Authority, AuthorityType: in.AuthorityType, Lang: in.Lang}
	if err := s.validateProfile(ctx, &p); err != nil {
		return nil, err
	}
	if in.Role == "" {
		in.Role = RoleMember
	}
	if in.Role != RoleMember && in.Role != RoleModerator && in.Role != RoleAdmin {
		return nil, Invalid("role", "role_invalid", "Le rôle est member, moderator ou admin.")
	}
	if err := validatePassword(in.Password); err != nil {
		return nil, err
	}
	var hash string
	if herr := s.withHashing(ctx, func() { hash, err = HashPassword(in.Password) }); herr != nil {
		return nil, herr
	}
	if err != nil {
		return nil, err
	}
	m := &Member{ID: NewID(), Email: email, DisplayName: p.DisplayName, Authority: p.Authority,
		AuthorityType: p.AuthorityType, Role: in.Role, Status: MemberActive, PasswordHash: hash, Lang: p.Lang, CreatedAt: s.now()}
	if err := s.store.InsertMember(ctx, m); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return nil, Invalid("email", "email_taken", "Un compte existe déjà avec cette adresse.")
		}
		return nil, err
	}
	return m, nil
}

// ErrBadCredentials is returned for an unknown email or a wrong password.
var ErrBadCredentials = errors.New("adresse ou mot de passe incorrect")

// Authenticate checks an email and password and returns the member.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*Member, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > MaxEmailChars || len(password) > 4*MaxPasswordChars {
		return nil, ErrBadCredentials
	}
	m, err := s.store.MemberByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	hash := s.dummyHash
	if m != nil {
		hash = m.PasswordHash
	}
	var ok bool
	if herr := s.withHashing(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(password, hash) }); herr != nil {
		return nil, herr
	}
	if m == nil || err != nil || !ok || m.Deleting() {
		return nil, ErrBadCredentials
	}
	return m, nil
}

// Member returns a member by id.
func (s *Service) Member(ctx context.Context, id string) (*Member, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	return s.store.MemberByID(ctx, id)
}

// UpdateProfile changes the member's own profile.
func (s *Service) UpdateProfile(ctx context.Context, m *Member, p ProfileInput) error {
	if err := s.validateProfile(ctx, &p); err != nil {
		return err
	}
	return s.change(ctx, func(ctx context.Context) error {
		return s.store.UpdateMemberProfile(ctx, m.ID, p.DisplayName, p.Authority, p.AuthorityType, p.Lang)
	}, MemberKey(m.ID))
}

// SetLanguage records the member's interface language ("fr" or "en").
func (s *Service) SetLanguage(ctx context.Context, m *Member, lang string) error {
	if lang != "fr" && lang != "en" {
		return Invalid("lang", "lang_invalid", "Langue inconnue (fr ou en).")
	}
	return s.change(ctx, func(ctx context.Context) error {
		return s.store.UpdateMemberProfile(ctx, m.ID, m.DisplayName, m.Authority, m.AuthorityType, lang)
	}, MemberKey(m.ID))
}

// ChangePassword replaces the member's password after checking the current
// one, ends the member's sessions and cancels the pending password-reset
// and email-change links.
func (s *Service) ChangePassword(ctx context.Context, m *Member, current, next string) error {
	var ok bool
	var err error
	if herr := s.withHashing(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(current, m.PasswordHash) }); herr != nil {
		return herr
	}
	if err != nil || !ok {
		return Invalid("current_password", "password_wrong", "Le mot de passe actuel est incorrect.")
	}
	if err := validatePassword(next); err != nil {
		ve := err.(*ValidationError)
		return &ValidationError{Field: "new_password", Code: ve.Code, Msg: ve.Msg}
	}
	var hash string
	if herr := s.withHashing(ctx, func() { hash, err = HashPassword(next) }); herr != nil {
		return herr
	}
	if err != nil {
		return err
	}
	return s.change(ctx, func(ctx context.Context) error {
		if err := s.store.SetMemberPassword(ctx, m.ID, hash); err != nil {
			return err
		}
		if err := s.store.DeleteMemberSessions(ctx, m.ID); err != nil {
			return err
		}
		// Pending reset and address-change links end with the old password.
		return s.tokens().DeleteMemberAccountTokens(ctx, m.ID, "")
	}, MemberKey(m.ID))
}

// randomToken returns a URL-safe random token of 256 bits and its SHA-256 hex digest.
func randomToken() (token, digest string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 hex digest under which a token is stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession creates a session for the member and returns the cookie value.
func (s *Service) StartSession(ctx context.Context, m *Member) (string, *Session, error) {
	token, id := randomToken()
	csrf, _ := randomToken()
	now := s.now()
	sess := &Session{ID: id, MemberID: m.ID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionLifetime)}
	if err := s.store.InsertSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// sessionEntry is a session and its member as read under the member key's stamp.
type sessionEntry struct {
	stamp uint64
	sess  Session
	m     Member
}

// SessionMember returns the live session of a cookie value and its member;
// ErrUnauthenticated when there is none, it expired, or the member is gone.
// It is served from the read cache while the member's key is unchanged:
// logout, a password change, a suspension or a profile change invalidate it
// (in other processes within a poll interval, under a second).
func (s *Service) SessionMember(ctx context.Context, token string) (*Session, *Member, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, ErrUnauthenticated
	}
	id := HashToken(token)
	ck := "forum:session:" + id
	if s.CacheFresh() {
		if v, ok := s.changes.cache.Get(ck); ok {
			e := v.(*sessionEntry)
			if e.stamp == s.Stamp(MemberKey(e.m.ID)) && s.now().Before(e.sess.ExpiresAt) {
				s.ObserveCache("session", true)
				sess, m := e.sess, e.m
				return &sess, &m, nil
			}
			s.changes.cache.Remove(ck)
		}
		s.ObserveCache("session", false)
	}
	sess, m, err := s.sessionMember(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	// The stamp is taken before reading again: a change during the read
	// leaves an entry that no lookup matches.
	stamp := s.Stamp(MemberKey(m.ID))
	if sess2, m2, err := s.sessionMember(ctx, id); err == nil && s.CacheFresh() && m2.ID == m.ID {
		s.changes.cache.Add(ck, &sessionEntry{stamp: stamp, sess: *sess2, m: *m2}, 1024)
		return sess2, m2, nil
	}
	return sess, m, nil
}

// sessionMember reads a session by id and its member from the store.
func (s *Service) sessionMember(ctx context.Context, id string) (*Session, *Member, error) {
	sess, err := s.store.SessionByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		_ = s.store.DeleteSession(ctx, sess.ID)
		return nil, nil, ErrUnauthenticated
	}
	m, err := s.store.MemberByID(ctx, sess.MemberID)
	if errors.Is(err, ErrNotFound) || (err == nil && m.Deleting()) {
		return nil, nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, nil, err
	}
	return sess, m, nil
}

// EndSession deletes the session of a cookie value, and its cached copy in
// every process.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	id := HashToken(token)
	s.changes.cache.Remove("forum:session:" + id)
	sess, err := s.store.SessionByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.change(ctx, func(ctx context.Context) error {
		return s.store.DeleteSession(ctx, id)
	}, MemberKey(sess.MemberID))
}

// SweepSessions deletes expired sessions.
func (s *Service) SweepSessions(ctx context.Context) (int64, error) {
	return s.store.DeleteExpiredSessions(ctx, s.now())
}
