// Package server is coterforum's HTTP surface: pages and the JSON API, on Echo.
package server

import (
	"context"
	"fmt"
	"golang.org/x/sync/singleflight"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
	"coterforum/metrics"
	"coterforum/moderation"
	"coterforum/privacy"
	"coterforum/static"

	"github.com/labstack/echo/v4"
)

// DefaultBodyLimit bounds every request body. A post's source is at most
// 32 000 characters (128 KiB in the worst UTF-8 case), plus the form fields.
const DefaultBodyLimit = 256 << 10

// Config is what the server needs besides the forum service.
type Config struct {
	// BaseURL is the forum's public absolute URL, used for links in mail.
	BaseURL string
	// BodyLimit bounds request bodies in bytes (default DefaultBodyLimit).
	BodyLimit int64
	// Mail sends invitations; required.
	Mail mail.Sender
	// Log receives errors and notable events.
	Log *slog.Logger
	// Ready reports whether the store answers (for /readyz).
	Ready func(ctx context.Context) error
	// LoginLimits overrides the login rate limits (tests); zero uses defaults.
	LoginLimits LoginLimits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (for the per-client login limit); none by default.
	TrustedProxies []*net.IPNet
	// Digest is the subscriptions and digests service; required.
	Digest *digest.Service
	// MailFiles lists the .eml files when mail is written to files (nil with SMTP).
	MailFiles *mail.FileSender
	// Moderation is the moderation service; required.
	Moderation *moderation.Service
	// Privacy holds the personal data settings (FORUM_DELETE_POSTS_POLICY, FORUM_DPO_EMAIL).
	Privacy privacy.Config
	// Metrics receives the request, cache and login series; nil records
	// nothing. They are served elsewhere (FORUM_METRICS_ADDR), never here.
	Metrics *metrics.Metrics
	// OIDC turns on the login with ProConnect when its issuer is set (oidc.go).
	OIDC OIDCConfig
}

// Server holds the HTTP handlers. Create it with New.
type Server struct {
	svc     *forum.Service
	mod     *moderation.Service
	digest  *digest.Service
	privacy *privacy.Service
	cfg     Config
	e       *echo.Echo
	pages   *pages
	limiter *loginLimiter
	// deviceKey signs the cookie of browsers that logged in (ratelimit.go).
	deviceKey []byte
	// cop refuses unsafe cross-origin browser requests (middleware.go).
	cop    *http.CrossOriginProtection
	secure bool
	base   *url.URL
	assets *assets
	// renders lets one request render an anonymous page of a version while
	// the others asking for it at the same moment wait for its bytes.
	renders singleflight.Group
	// rendered counts the anonymous renders (tests).
	rendered atomic.Int64
	// routeSet holds the route patterns (observe.go).
	routeSet map[string]bool
	// bg is the work started after answering (pages_recovery.go).
	bg background
	// oidc is the ProConnect client; nil when it is not configured.
	oidc *oidcClient
}

// New builds the server and its routes. Templates are parsed here, so a
// broken template fails at start, not at request time.
func New(ctx context.Context, svc *forum.Service, cfg Config) (*Server, error) {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost:8080"
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("FORUM_BASE_URL invalide : %q (attendu : http(s)://hôte[:port])", cfg.BaseURL)
	}
	cop, err := newCrossOriginProtection(base)
	if err != nil {
		return nil, fmt.Errorf("FORUM_BASE_URL invalide : %w", err)
	}
	as, err := loadAssets(static.FS)
	if err != nil {
		return nil, err
	}
	p, err := loadPages(as)
	if err != nil {
		return nil, err
	}
	if cfg.Moderation == nil || cfg.Digest == nil {
		return nil, fmt.Errorf("server: Config.Moderation and Config.Digest are required")
	}
	pst, ok := svc.Store().(privacy.Store)
	if !ok {
		return nil, fmt.Errorf("server: the store does not implement privacy.Store")
	}
	deviceKey, err := svc.Store().Secret(ctx, "device")
	if err != nil {
		return nil, fmt.Errorf("secret des appareils : %w", err)
	}
	s := &Server{svc: svc, mod: cfg.Moderation, digest: cfg.Digest, cfg: cfg, pages: p, cop: cop, deviceKey: deviceKey, secure: base.Scheme == "https", base: base,
		limiter: newLoginLimiter(cfg.LoginLimits, svc.Now, cfg.Metrics.LoginRefused), assets: as,
		privacy: privacy.New(svc, cfg.Digest, pst, cfg.Privacy, cfg.Log)}
	if cfg.OIDC.Enabled() {
		key, err := svc.Store().Secret(ctx, "oidc")
		if err != nil {
			return nil, fmt.Errorf("secret OpenID Connect : %w", err)
		}
		if s.oidc, err = newOIDCClient(cfg.OIDC, s.absURL(oidcCallbackPath), key); err != nil {
			return nil, err
		}
	}
	s.e = echo.New()
	s.e.HideBanner = true
	s.e.HidePort = true
	s.e.HTTPErrorHandler = s.handleError
	s.e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		s.e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s.routes()
	s.routeSet = registeredRoutes(s.e)
	return s, nil
}

// Privacy returns the personal data service (main runs its Resumer).
func (s *Server) Privacy() *privacy.Service { return s.privacy }

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// absURL returns an absolute URL on the forum's public base for path.
func (s *Server) absURL(path string) string {
	return s.base.String() + path
}
