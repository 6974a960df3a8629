package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultTimeout bounds the dial and every SMTP exchange of one Send. A
// shorter context deadline takes precedence.
const DefaultTimeout = 30 * time.Second

// SMTPSender sends messages through an SMTP server, opening one connection
// per message. It is safe for concurrent use once configured.
type SMTPSender struct {
	redacted    string // URL without password, for errors
	host        string
	port        int
	implicitTLS bool // smtps://
	requireTLS  bool // ?starttls=required
	user, pass  string
	from        *netmail.Address
	tlsConfig   *tls.Config // set by WithTLSConfig
	timeout     time.Duration
}

// NewSMTPSender returns a sender for smtpURL, sending as from (for instance
// "coterforum <forum@example.org>" or a bare address).
//
// The URL is smtp://[user:pass@]host[:port] (STARTTLS when the server offers
// it, plain text otherwise; default port 25) or smtps://[user:pass@]host[:port]
// (implicit TLS; default port 465). The query parameter starttls=required
// makes an smtp:// sender refuse to talk to a server that does not offer
// STARTTLS. Authentication (PLAIN, or LOGIN when it is the only one offered)
// happens only when a user is given. Server certificates are verified against
// the system roots (see WithTLSConfig), except on loopback addresses
// (localhost, 127.0.0.0/8, ::1) where nobody can intercept the traffic and
// local relays commonly use self-signed certificates.
func NewSMTPSender(smtpURL, from string) (*SMTPSender, error) {
	s := &SMTPSender{redacted: Redact(smtpURL), timeout: DefaultTimeout}
	addr, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	s.from = addr

	u, err := url.Parse(strings.TrimSpace(smtpURL))
	if err != nil {
		// The parse error may quote part of the password: leave it out.
		return nil, errorf("URL SMTP invalide %q", s.redacted)
	}
	switch u.Scheme {
	case "smtp":
		s.port = 25
	case "smtps":
		s.port, s.implicitTLS = 465, true
	default:
		return nil, errorf("URL SMTP %q : schéma %q non pris en charge (attendu smtp:// ou smtps://)", s.redacted, u.Scheme)
	}
	s.host = u.Hostname()
	if u.Opaque != "" || s.host == "" {
		return nil, errorf("URL SMTP %q : hôte manquant (attendu %s://hôte:port)", s.redacted, u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errorf("URL SMTP %q : chemin inattendu %q", s.redacted, u.Path)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, errorf("URL SMTP %q : port invalide %q", s.redacted, p)
		}
		s.port = n
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return nil, errorf("URL SMTP %q : mot de passe sans nom d'utilisateur", s.redacted)
		}
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errorf("URL SMTP %q : paramètres invalides", s.redacted)
	}
	for key, values := range query {
		if key != "starttls" {
			return nil, errorf("URL SMTP %q : paramètre %q inconnu (seul starttls=required est accepté)", s.redacted, key)
		}
		if len(values) != 1 || (values[0] != "required" && values[0] != "opportunistic") {
			return nil, errorf("URL SMTP %q : valeur de starttls invalide %q (attendu « required »)", s.redacted, strings.Join(values, ","))
		}
		// With smtps:// TLS is always used, so "required" holds anyway.
		s.requireTLS = values[0] == "required" && !s.implicitTLS
	}
	return s, nil
}

// WithTLSConfig makes the sender use a copy of c for STARTTLS and implicit
// TLS, typically to trust a private root CA (c.RootCAs). ServerName defaults
// to the URL's host; certificates are then verified even on loopback. It
// returns s and must be called before the sender is used.
func (s *SMTPSender) WithTLSConfig(c *tls.Config) *SMTPSender {
	if c == nil {
		s.tlsConfig = nil
		return s
	}
	s.tlsConfig = c.Clone()
	return s
}

// Send delivers m through the SMTP server. Cancelling ctx aborts the
// connection; use IsTemporary on the error to decide whether to retry.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := buildMsg(m, s.from)
	if err != nil {
		return err
	}
	rcpt := strings.TrimSpace(m.To)
	timeout := s.timeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	if err := ctx.Err(); err != nil || timeout <= 0 {
		if err == nil {
			err = context.DeadlineExceeded
		}
		return errorf("envoi à %s abandonné avant la connexion : %w", rcpt, err)
	}

	conns := &connTracker{}
	stop := context.AfterFunc(ctx, conns.closeAll)
	defer stop()
	defer conns.closeAll()

	policy := gomail.TLSOpportunistic
	switch {
	case s.implicitTLS:
		policy = gomail.NoTLS // TLS is already set up by dial
	case s.requireTLS:
		policy = gomail.TLSMandatory
	}
	tlsConfig := s.clientTLSConfig()
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(tlsConfig),
		gomail.WithDialContextFunc(s.dialFunc(conns, tlsConfig)),
	}
	if s.user != "" {
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return errorf("configuration SMTP %q invalide : %w", s.redacted, err)
	}

	smtpClient, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if s.requireTLS && strings.Contains(err.Error(), "does not support STARTTLS") {
			return errorf("le serveur SMTP %q ne propose pas STARTTLS alors que starttls=required : rien n'a été envoyé", s.redacted)
		}
		return errorf("connexion au serveur SMTP %q impossible : %w", s.redacted, withCtxErr(ctx, err))
	}
	err = client.SendWithSMTPClient(smtpClient, msg)
	_ = client.CloseWithSMTPClient(smtpClient) // QUIT; failures here do not matter
	if err != nil && !msg.IsDelivered() {
		return errorf("envoi à %s via %q refusé ou interrompu : %w", rcpt, s.redacted, withCtxErr(ctx, err))
	}
	return nil
}

// withCtxErr adds the context's error, if any, so that IsTemporary and
// errors.Is see why the connection was closed.
func withCtxErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return errors.Join(err, ctxErr)
	}
	return err
}

// clientTLSConfig returns the TLS configuration for one connection.
func (s *SMTPSender) clientTLSConfig() *tls.Config {
	var c *tls.Config
	if s.tlsConfig != nil {
		c = s.tlsConfig.Clone()
	} else {
		c = &tls.Config{InsecureSkipVerify: isLoopback(s.host)} //nolint:gosec // loopback only, see NewSMTPSender
	}
	if c.ServerName == "" {
		c.ServerName = s.host
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// isLoopback reports whether host designates the local machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dialFunc returns the function go-mail uses to connect: it records the raw
// connection (so that it is always closed, and closed early when the context
// ends) and performs the TLS handshake itself for smtps://.
func (s *SMTPSender) dialFunc(conns *connTracker, tlsConfig *tls.Config) gomail.DialContextFunc {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		raw, err := d.DialContext(ctx, network, net.JoinHostPort(s.host, strconv.Itoa(s.port)))
		if err != nil {
			return nil, err
		}
		if !conns.add(raw) {
			return nil, net.ErrClosed
		}
		if !s.implicitTLS {
			return raw, nil
		}
		conn := tls.Client(raw, tlsConfig)
		if err := conn.HandshakeContext(ctx); err != nil {
			return nil, err
		}
		return conn, nil
	}
}

// connTracker closes the connections of one Send.
type connTracker struct {
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

// add records c, or closes it and returns false when closeAll already ran.
func (t *connTracker) add(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		_ = c.Close()
		return false
	}
	t.conns = append(t.conns, c)
	return true
}

// closeAll closes every recorded connection, now and in the future.
func (t *connTracker) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for _, c := range t.conns {
		_ = c.Close()
	}
	t.conns = nil
}
