// Package mailtest provides a real in-process SMTP server for tests of the
// packages that send mail: it listens on 127.0.0.1, accepts every message
// (unless told to fail), and records each one with its envelope and its
// decoded content.
//
//	srv := mailtest.Start(t)
//	sender := srv.Sender(t) // or mail.New(srv.URL(), from, dir)
//	... code under test sends mail with sender ...
//	msgs := srv.WaitFor(t, 1, 5*time.Second)
//	if msgs[0].Subject != "Bienvenue" { ... }
package mailtest

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"coterforum/mail"
)

// From is the sender address of the senders returned by Server.Sender.
const From = "coterforum <forum@example.org>"

// maxMessageBytes bounds the size of one message accepted by the server.
const maxMessageBytes = 32 << 20

// Received is one message accepted by a Server: its envelope and its parsed
// content.
type Received struct {
	// From is the envelope sender (MAIL FROM), e.g. "forum@example.org".
	From string
	// To holds the envelope recipients (RCPT TO) accepted for the message.
	To []string
	// Raw is the message exactly as received after DATA (CRLF line endings).
	Raw []byte
	// Header holds the message's top-level headers, undecoded.
	Header netmail.Header
	// Subject is the RFC 2047-decoded Subject header.
	Subject string
	// Text is the first inline text/plain part (or the body of a text/plain
	// message), with its Content-Transfer-Encoding decoded and CRLF line
	// endings turned into "\n"; empty if none. In a multipart message the
	// parts are exact; a single-part body also keeps the final line ending
	// that SMTP adds when the data does not end with one, so a text-only
	// Message{Text: "abc"} arrives as "abc\n".
	Text string
	// HTML is the first inline text/html part (or the body of a text/html
	// message), decoded like Text; empty if none.
	HTML string
}

// Server is an SMTP server on 127.0.0.1 that records every message it
// accepts. It offers neither STARTTLS nor AUTH. It is safe for concurrent
// use.
type Server struct {
	addr string // 127.0.0.1:port

	mu       sync.Mutex
	msgs     []Received
	rejected []string      // reasons of messages refused because unparsable
	changed  chan struct{} // closed and replaced whenever msgs or rejected change
	failLeft int           // failures still to answer
	failCode int           // SMTP code of those failures
}

// Start starts a Server for the test and stops it at the test's cleanup. It
// calls t.Fatal if the server cannot listen.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = 100
	srv.ErrorLog = log.New(io.Discard, "", 0)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.addr = l.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return s
}

// Addr returns the "127.0.0.1:PORT" address the server listens on.
func (s *Server) Addr() string { return s.addr }

// URL returns "smtp://127.0.0.1:PORT" (plain SMTP, no STARTTLS offered), to
// give to mail.New or mail.NewSMTPSender.
func (s *Server) URL() string { return "smtp://" + s.addr }

// Sender returns a mail.Sender (a *mail.SMTPSender sending as From)
// connected to the server. It calls t.Fatal if the sender cannot be built.
func (s *Server) Sender(t testing.TB) mail.Sender {
	t.Helper()
	sender, err := mail.NewSMTPSender(s.URL(), From)
	if err != nil {
		t.Fatalf("mailtest: NewSMTPSender(%q): %v", s.URL(), err)
	}
	return sender
}

// Messages returns a copy of the messages received so far, in order of
// arrival.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneAll(s.msgs)
}

// WaitFor waits up to timeout until at least n messages were received, then
// returns a copy of all of them. It calls t.Fatalf on timeout, listing what
// was received and any message refused because it could not be parsed.
func (s *Server) WaitFor(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := cloneAll(s.msgs)
			s.mu.Unlock()
			return msgs
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			s.mu.Lock()
			defer s.mu.Unlock()
			subjects := make([]string, len(s.msgs))
			for i, m := range s.msgs {
				subjects[i] = fmt.Sprintf("%q to %v", m.Subject, m.To)
			}
			extra := ""
			if len(s.rejected) > 0 {
				extra = "; refused as unparsable: " + strings.Join(s.rejected, "; ")
			}
			t.Fatalf("mailtest: %d message(s) received after %v, want at least %d: [%s]%s",
				len(s.msgs), timeout, n, strings.Join(subjects, ", "), extra)
			return nil
		}
	}
}

// FailNext makes the next k recipient (RCPT) attempts answer with the SMTP
// code, e.g. 451 (temporary: mail.IsTemporary is true) or 550 (permanent).
// The failure is given at RCPT so the message is not delivered: with the
// single recipient of a mail.Message, each failing attempt is one failed
// Send. k <= 0 cancels pending failures. It panics unless 400 <= code <= 599.
func (s *Server) FailNext(k int, code int) {
	if code < 400 || code > 599 {
		panic(fmt.Sprintf("mailtest: FailNext code %d is not a 4xx or 5xx SMTP code", code))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft, s.failCode = max(k, 0), code
}

// takeFailure consumes one pending failure, if any.
func (s *Server) takeFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failLeft == 0 {
		return nil
	}
	s.failLeft--
	kind := "temporary"
	if s.failCode >= 500 {
		kind = "permanent"
	}
	return &smtp.SMTPError{
		Code:         s.failCode,
		EnhancedCode: smtp.EnhancedCode{s.failCode / 100, 0, 0},
		Message:      "mailtest: simulated " + kind + " failure",
	}
}

// record stores an accepted message, or the reason one was refused, and
// wakes up WaitFor.
func (s *Server) record(m *Received, rejected string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m != nil {
		s.msgs = append(s.msgs, *m)
	} else {
		s.rejected = append(s.rejected, rejected)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// cloneAll returns a deep copy of msgs, so that callers cannot alter the
// server's records.
func cloneAll(msgs []Received) []Received {
	out := make([]Received, len(msgs))
	for i, m := range msgs {
		m.To = append([]string(nil), m.To...)
		m.Raw = bytes.Clone(m.Raw)
		h := make(netmail.Header, len(m.Header))
		for k, v := range m.Header {
			h[k] = append([]string(nil), v...)
		}
		m.Header = h
		out[i] = m
	}
	return out
}

// session is one SMTP connection.
type session struct {
	srv  *Server
	from string
	to   []string
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from, ss.to = from, nil
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.srv.takeFailure(); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		ss.srv.record(nil, err.Error())
		return &smtp.SMTPError{
			Code:         554,
			EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message:      "mailtest: unparsable message: " + err.Error(),
		}
	}
	m.From, m.To = ss.from, append([]string(nil), ss.to...)
	ss.srv.record(m, "")
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// parse decodes a raw RFC 5322 message into a Received (without envelope).
func parse(raw []byte) (*Received, error) {
	msg, err := netmail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, fmt.Errorf("headers: %w", err)
	}
	m := &Received{Raw: raw, Header: msg.Header}
	subject := msg.Header.Get("Subject")
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(subject); err != nil {
		return nil, fmt.Errorf("subject %q: %w", subject, err)
	}
	if err := m.walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"),
		msg.Header.Get("Content-Disposition"), msg.Body); err != nil {
		return nil, err
	}
	return m, nil
}

// walk decodes one entity (the message or a part) and, recursively, its
// parts, filling m.Text and m.HTML with the first inline text/plain and
// text/html bodies.
func (m *Received) walk(contentType, encoding, disposition string, body io.Reader) error {
	mediaType, params := "text/plain", map[string]string{}
	if contentType != "" {
		var err error
		if mediaType, params, err = mime.ParseMediaType(contentType); err != nil {
			return fmt.Errorf("content type %q: %w", contentType, err)
		}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("content type %q: no boundary", contentType)
		}
		r := multipart.NewReader(body, boundary)
		for {
			// NextRawPart leaves Content-Transfer-Encoding to decode.
			p, err := r.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s part: %w", mediaType, err)
			}
			if err := m.walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
				p.Header.Get("Content-Disposition"), p); err != nil {
				return err
			}
		}
	}
	decoded, err := decode(encoding, body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	if d, _, err := mime.ParseMediaType(disposition); err == nil && d == "attachment" {
		return nil
	}
	text := strings.ReplaceAll(string(decoded), "\r\n", "\n")
	switch {
	case mediaType == "text/plain" && m.Text == "":
		m.Text = text
	case mediaType == "text/html" && m.HTML == "":
		m.HTML = text
	}
	return nil
}

// decode reads body and undoes its Content-Transfer-Encoding.
func decode(encoding string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "7bit", "8bit", "binary":
		return io.ReadAll(body)
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(body))
	case "base64":
		// The decoder ignores CR and LF but not other white space.
		data, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, string(data))
		return base64.StdEncoding.DecodeString(clean)
	}
	return nil, errors.New("unknown Content-Transfer-Encoding " + encoding)
}

// CheckLanguage fails the test unless m is written in lang: its
// Content-Language header, the lang attribute of its HTML part (if any),
// every wanted text somewhere in its subject, text or HTML, and none of the
// absent ones (the other language's phrases).
func CheckLanguage(t testing.TB, what string, m Received, lang string, want, absent []string) {
	t.Helper()
	if got := m.Header.Get("Content-Language"); got != lang {
		t.Errorf("%s: Content-Language %q, want %q", what, got, lang)
	}
	if m.HTML != "" && !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
		t.Errorf("%s: HTML part not marked lang=%q", what, lang)
	}
	all := m.Subject + "\n" + m.Text + "\n" + m.HTML
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("%s lacks %q:\n%s\n%s", what, w, m.Subject, m.Text)
		}
	}
	for _, a := range absent {
		if strings.Contains(all, a) {
			t.Errorf("%s contains %q:\n%s\n%s", what, a, m.Subject, m.Text)
		}
	}
}
