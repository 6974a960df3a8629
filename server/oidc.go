package server

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"
)

// OIDCConfig turns on the login with ProConnect (or any OpenID Connect
// provider): FORUM_OIDC_ISSUER, FORUM_OIDC_CLIENT_ID,
// FORUM_OIDC_CLIENT_SECRET, FORUM_OIDC_SCOPES, FORUM_OIDC_SIGNUP and
// FORUM_OIDC_SIGNUP_DOMAINS. The zero value (no issuer) turns it off.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// Scopes requested; "openid" is always among them.
	Scopes []string
	// Signup says whether a first login creates an account.
	Signup forum.SignupPolicy
}

// Enabled reports whether the provider is configured.
func (c OIDCConfig) Enabled() bool { return c.Issuer != "" }

// DefaultOIDCScopes are ProConnect's: the identity pivot and the SIRET.
var DefaultOIDCScopes = []string{oidc.ScopeOpenID, "email", "given_name", "usual_name", "siret", "uid"}

const (
	// oidcCookie carries the flow's state, nonce, PKCE verifier and the
	// page to return to, encrypted, from the start to the callback.
	oidcCookie = "cf_oidc"
	// oidcFlowLifetime bounds the time spent at the provider.
	oidcFlowLifetime = 10 * time.Minute
	// oidcCallbackPath is the redirect URI to register at the provider
	// (under FORUM_BASE_URL).
	oidcCallbackPath = "/login/proconnect/callback"
)

// oidcClient talks to the provider; discovery happens at the first login
// (and again after a failure), so that the forum starts while the
// provider is down.
type oidcClient struct {
	cfg    OIDCConfig
	redir  string
	aead   cipher.AEAD
	mu     sync.Mutex
	prov   *oidc.Provider
	verify *oidc.IDTokenVerifier
}

// newOIDCClient prepares the client; key encrypts the flow cookie.
func newOIDCClient(cfg OIDCConfig, redirectURL string, key []byte) (*oidcClient, error) {
	sum := sha256.Sum256(append([]byte("oidc-flow:"), key...))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = DefaultOIDCScopes
	}
	return &oidcClient{cfg: cfg, redir: redirectURL, aead: aead}, nil
}

// provider returns the discovered provider and its ID token verifier
// (issuer, audience = client id, expiry, signature).
func (o *oidcClient) provider(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.prov != nil {
		return o.prov, o.verify, nil
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(dctx, o.cfg.Issuer)
	if err != nil {
		return nil, nil, err
	}
	o.prov, o.verify = p, p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	return o.prov, o.verify, nil
}

// oauth returns the OAuth 2 configuration of the provider. The client
// authenticates as the discovery says (client_secret_basic, the default,
// or client_secret_post), so that a refused code is sent once, not once
// per method as oauth2's auto-detection does.
func (o *oidcClient) oauth(p *oidc.Provider) *oauth2.Config {
	ep := p.Endpoint()
	var meta struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	_ = p.Claims(&meta)
	switch {
	case len(meta.Methods) == 0 || slices.Contains(meta.Methods, "client_secret_basic"):
		ep.AuthStyle = oauth2.AuthStyleInHeader
	case slices.Contains(meta.Methods, "client_secret_post"):
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: ep,
		RedirectURL: o.redir, Scopes: o.cfg.Scopes}
}

// oidcFlow is what the browser carries, encrypted, from the start of a
// login to its callback.
type oidcFlow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"r"`
	Expires  int64  `json:"e"`
}

func (o *oidcClient) seal(f oidcFlow) string {
	b, _ := json.Marshal(f)
	nonce := make([]byte, o.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(o.aead.Seal(nonce, nonce, b, []byte(oidcCookie)))
}

func (o *oidcClient) open(v string, now time.Time) (oidcFlow, bool) {
	var f oidcFlow
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) < o.aead.NonceSize() {
		return f, false
	}
	b, err := o.aead.Open(nil, raw[:o.aead.NonceSize()], raw[o.aead.NonceSize():], []byte(oidcCookie))
	if err != nil || json.Unmarshal(b, &f) != nil || now.Unix() > f.Expires || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return oidcFlow{}, false
	}
	return f, true
}

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Refusals of the callback: a 4xx page, in the reader's language.
var (
	errOIDCDisabled     = echo.NewHTTPError(http.StatusNotFound)
	errOIDCUnavailable  = echo.NewHTTPError(http.StatusServiceUnavailable, i18n.M("ProConnect ne répond pas pour le moment : réessayez dans quelques minutes ou connectez-vous avec votre mot de passe."))
	errOIDCNoFlow       = echo.NewHTTPError(http.StatusBadRequest, i18n.M("Cette connexion ProConnect a expiré ou n'a pas été commencée dans ce navigateur : recommencez depuis la page de connexion."))
	errOIDCState        = echo.NewHTTPError(http.StatusBadRequest, i18n.M("La réponse de ProConnect ne correspond pas à la connexion commencée dans ce navigateur (paramètre state) : recommencez depuis la page de connexion."))
	errOIDCDenied       = echo.NewHTTPError(http.StatusForbidden, i18n.M("ProConnect n'a pas autorisé la connexion."))
	errOIDCCode         = echo.NewHTTPError(http.StatusBadRequest, i18n.M("ProConnect a refusé le code de connexion (déjà utilisé ou expiré) : recommencez depuis la page de connexion."))
	errOIDCToken        = echo.NewHTTPError(http.StatusBadRequest, i18n.M("Le jeton d'identité renvoyé par ProConnect n'est pas valable (émetteur, destinataire, signature ou date) : recommencez depuis la page de connexion."))
	errOIDCNonce        = echo.NewHTTPError(http.StatusBadRequest, i18n.M("Le jeton d'identité ne correspond pas à la connexion commencée dans ce navigateur (paramètre nonce) : recommencez depuis la page de connexion."))
	errOIDCSignupClosed = echo.NewHTTPError(http.StatusForbidden, i18n.M("Aucun compte du forum ne correspond à votre adresse ProConnect, et le club n'ouvre pas de compte par ProConnect pour elle : demandez une invitation à un administrateur du club."))
	errOIDCUnverified   = echo.NewHTTPError(http.StatusForbidden, i18n.M("ProConnect ne garantit pas votre adresse électronique : elle ne peut pas servir à retrouver ou créer votre compte. Connectez-vous avec votre mot de passe."))
	errOIDCPrivileged   = echo.NewHTTPError(http.StatusForbidden, i18n.M("Les comptes de modérateur et d'administrateur ne sont pas reliés à ProConnect par leur adresse : connectez-vous avec votre mot de passe."))
	errOIDCRefused      = echo.NewHTTPError(http.StatusForbidden, i18n.M("Ce compte est suspendu ou supprimé : la connexion est refusée."))
)

// oidcStart sends the browser to the provider with a fresh state, nonce
// and PKCE verifier (S256), kept in an encrypted cookie for the callback.
func (s *Server) oidcStart(c echo.Context) error {
	if s.oidc == nil {
		return errOIDCDisabled
	}
	p, _, err := s.oidc.provider(c.Request().Context())
	if err != nil {
		s.cfg.Log.Warn("OpenID Connect discovery failed", "issuer", s.oidc.cfg.Issuer, "err", err)
		return errOIDCUnavailable
	}
	f := oidcFlow{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(c.QueryParam("next")), Expires: s.svc.Now().Add(oidcFlowLifetime).Unix()}
	c.SetCookie(&http.Cookie{Name: oidcCookie, Value: s.oidc.seal(f), Path: "/login/proconnect", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(oidcFlowLifetime / time.Second)})
	return seeOther(c, s.oidc.oauth(p).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)))
}

// oidcCallback finishes the login: the flow cookie (used once), the state,
// the code exchanged with the PKCE verifier, the ID token checked
// (signature, issuer, audience, expiry) and its nonce, then the member
// found, linked or created, and a session started. Any refusal stores
// nothing.
func (s *Server) oidcCallback(c echo.Context) error {
	if s.oidc == nil {
		return errOIDCDisabled
	}
	ctx := c.Request().Context()
	ck, err := c.Cookie(oidcCookie)
	if err != nil {
		return errOIDCNoFlow
	}
	c.SetCookie(&http.Cookie{Name: oidcCookie, Value: "", Path: "/login/proconnect", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	f, ok := s.oidc.open(ck.Value, s.svc.Now())
	if !ok {
		return errOIDCNoFlow
	}
	q := c.Request().URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return errOIDCState
	}
	if q.Get("error") != "" {
		return errOIDCDenied
	}
	p, verifier, err := s.oidc.provider(ctx)
	if err != nil {
		return errOIDCUnavailable
	}
	hctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	tok, err := s.oidc.oauth(p).Exchange(hctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			s.cfg.Log.Warn("OpenID Connect code refused", "err", err)
			return errOIDCCode
		}
		s.cfg.Log.Warn("OpenID Connect token endpoint failed", "err", err)
		return errOIDCUnavailable
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return errOIDCToken
	}
	idt, err := verifier.Verify(hctx, raw)
	if err != nil {
		s.cfg.Log.Warn("OpenID Connect ID token refused", "err", err)
		return errOIDCToken
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return errOIDCNonce
	}
	ext, err := s.oidcIdentity(hctx, p, idt, tok)
	if err != nil {
		return err
	}
	m, created, err := s.svc.LoginWithIdentity(ctx, ext, s.oidc.cfg.Signup)
	switch {
	case errors.Is(err, forum.ErrSignupClosed):
		return errOIDCSignupClosed
	case errors.Is(err, forum.ErrEmailUnverified):
		return errOIDCUnverified
	case errors.Is(err, forum.ErrIdentityRefused):
		return errOIDCRefused
	case errors.Is(err, forum.ErrPrivilegedLink):
		return errOIDCPrivileged
	case err != nil:
		return err
	}
	if old, err := c.Cookie(sessionCookie); err == nil {
		_ = s.svc.EndSession(ctx, old.Value)
	}
	token, _, err := s.svc.StartSession(ctx, m)
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token)
	if created {
		return seeOther(c, "/account?notice=proconnect-welcome")
	}
	next := f.Next
	if strings.Contains(next, "#") {
		return seeOther(c, next)
	}
	sep := "?"
	if strings.Contains(next, "?") {
		sep = "&"
	}
	return seeOther(c, next+sep+"notice=logged-in")
}

// oidcClaims are the claims read from the ID token and the userinfo.
type oidcClaims struct {
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	GivenName     string `json:"given_name"`
	UsualName     string `json:"usual_name"`
	SIRET         string `json:"siret"`
}

// merge fills the claims c lacks from u.
func (c *oidcClaims) merge(u oidcClaims) {
	if c.Email == "" {
		c.Email, c.EmailVerified = u.Email, u.EmailVerified
	}
	if c.EmailVerified == nil {
		c.EmailVerified = u.EmailVerified
	}
	if c.GivenName == "" {
		c.GivenName = u.GivenName
	}
	if c.UsualName == "" {
		c.UsualName = u.UsualName
	}
	if c.SIRET == "" {
		c.SIRET = u.SIRET
	}
}

// oidcIdentity reads the person's claims from the ID token, completed by
// the userinfo endpoint when the provider has one (ProConnect gives the
// identity there); the userinfo must be about the same subject.
func (s *Server) oidcIdentity(ctx context.Context, p *oidc.Provider, idt *oidc.IDToken, tok *oauth2.Token) (forum.ExternalIdentity, error) {
	var cl oidcClaims
	if err := idt.Claims(&cl); err != nil {
		return forum.ExternalIdentity{}, errOIDCToken
	}
	if p.UserInfoEndpoint() != "" {
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			s.cfg.Log.Warn("OpenID Connect userinfo failed", "err", err)
			return forum.ExternalIdentity{}, errOIDCUnavailable
		}
		var u oidcClaims
		if err := ui.Claims(&u); err != nil || u.Subject != idt.Subject {
			return forum.ExternalIdentity{}, errOIDCToken
		}
		cl.merge(u)
	}
	verified := cl.EmailVerified != nil && *cl.EmailVerified
	if cl.EmailVerified == nil && isProConnect(idt.Issuer) {
		// ProConnect sends no email_verified: its identity providers
		// vouch for the agents' professional addresses.
		verified = true
	}
	return forum.ExternalIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: cl.Email, EmailVerified: verified,
		GivenName: cl.GivenName, UsualName: cl.UsualName, SIRET: cl.SIRET}, nil
}

// isProConnect reports whether issuer is ProConnect's (or AgentConnect's,
// its former name).
func isProConnect(issuer string) bool {
	u, err := url.Parse(issuer)
	if err != nil || u.Scheme != "https" {
		return false
	}
	h := u.Hostname()
	for _, d := range []string{"proconnect.gouv.fr", "agentconnect.gouv.fr"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

func init() {
	notices["proconnect-welcome"] = "Bienvenue ! Votre compte est créé avec ProConnect : complétez le nom de votre collectivité et son type."
}
