package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// serverOpts configures a testServer.
type serverOpts struct {
	startTLS    bool            // offer STARTTLS
	implicitTLS bool            // TLS from the first byte (smtps)
	user, pass  string          // require AUTH with these credentials
	loginOnly   bool            // offer only AUTH LOGIN instead of PLAIN
	rcptErr     *smtp.SMTPError // answer RCPT with this error
}

// received is one message accepted by the test server.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // the session was encrypted
	User string // authenticated user, if any
}

// testServer is a real in-process SMTP server on 127.0.0.1.
type testServer struct {
	t    *testing.T
	opts serverOpts
	addr string // host:port

	mu       sync.Mutex
	msgs     []received
	mails    int // MAIL FROM commands seen
	rcpts    int // RCPT TO commands seen
	sessions int
}

// testCert is a self-signed certificate valid for 127.0.0.1 and localhost,
// generated once per test binary, with a pool trusting it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "coterforum test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
})

// trustTestCA returns a client TLS configuration trusting testCert.
func trustTestCA() *tls.Config {
	_, pool := testCert()
	return &tls.Config{RootCAs: pool}
}

// startServer starts a test server; it is closed at the end of the test.
func startServer(t *testing.T, opts serverOpts) *testServer {
	t.Helper()
	ts := &testServer{t: t, opts: opts}
	srv := smtp.NewServer(smtp.BackendFunc(ts.newSession))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = true // loopback tests without TLS
	srv.ErrorLog = log.New(io.Discard, "", 0)
	cert, _ := testCert()
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}}
	if opts.startTLS {
		srv.TLSConfig = tlsConfig
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.implicitTLS {
		l = tls.NewListener(l, tlsConfig)
	}
	ts.addr = l.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return ts
}

// received returns a copy of the accepted messages.
func (ts *testServer) received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

// counts returns the number of MAIL and RCPT commands seen.
func (ts *testServer) counts() (mails, rcpts int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.mails, ts.rcpts
}

func (ts *testServer) newSession(c *smtp.Conn) (smtp.Session, error) {
	ts.mu.Lock()
	ts.sessions++
	ts.mu.Unlock()
	return &testSession{ts: ts, conn: c}, nil
}

// testSession records one SMTP session.
type testSession struct {
	ts   *testServer
	conn *smtp.Conn
	user string
	from string
	to   []string
}

var _ smtp.AuthSession = (*testSession)(nil)

func (s *testSession) AuthMechanisms() []string {
	if s.ts.opts.user == "" {
		return nil
	}
	if s.ts.opts.loginOnly {
		return []string{"LOGIN"}
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != s.ts.opts.user || pass != s.ts.opts.pass {
			return smtp.ErrAuthFailed
		}
		s.user = user
		return nil
	}
	switch {
	case mech == sasl.Plain && !s.ts.opts.loginOnly:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case mech == "LOGIN" && s.ts.opts.loginOnly:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.ts.opts.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.ts.mu.Lock()
	s.ts.mails++
	s.ts.mu.Unlock()
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.ts.mu.Lock()
	s.ts.rcpts++
	s.ts.mu.Unlock()
	if s.ts.opts.rcptErr != nil {
		return s.ts.opts.rcptErr
	}
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	s.ts.msgs = append(s.ts.msgs, received{From: s.from, To: s.to, Data: data, TLS: isTLS, User: s.user})
	return nil
}

func (s *testSession) Reset() { s.from, s.to = "", nil }

func (s *testSession) Logout() error { return nil }

// loginServer is a minimal server side of the LOGIN SASL mechanism, which
// go-sasl only implements for clients.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // initial response carries the user name
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, true, errors.New("unexpected LOGIN step")
}
