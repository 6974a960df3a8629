// Package mail sends the forum's emails (invitations, notifications and
// digests), either through an SMTP server or, when none is configured, by
// writing .eml files to disk so that they can be inspected.
package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email. Text is required; HTML is optional (the message is
// multipart/alternative when both are given).
type Message struct {
	// To is the single recipient, a bare address or "Name <address>".
	To string
	// Subject may contain any Unicode; CR and LF are folded to spaces.
	Subject string
	// Text is the plain-text body (required).
	Text string
	// HTML is the optional HTML alternative of Text.
	HTML string
	// Headers holds extra headers such as "List-Unsubscribe" or
	// "List-Unsubscribe-Post". Names must match ^[A-Za-z0-9-]+$ and must not
	// be one of the headers managed by this package (From, To, Subject, …);
	// CR and LF in values are folded to spaces. "Content-Language" overrides
	// the default "fr" and "Reply-To" must be a valid address.
	Headers map[string]string
	// MessageID is the Message-ID (with or without angle brackets); one is
	// generated when empty.
	MessageID string
}

// Sender sends one message.
type Sender interface {
	// Send delivers m, or returns an error; use IsTemporary to know whether
	// it is worth retrying.
	Send(ctx context.Context, m Message) error
}

// New returns the sender for the configuration: when smtpURL is empty, a
// FileSender writing .eml files under filepath.Join(dataDir, "mail");
// otherwise an SMTPSender (see NewSMTPSender for the URL syntax).
func New(smtpURL, from, dataDir string) (Sender, error) {
	if strings.TrimSpace(smtpURL) != "" {
		return NewSMTPSender(smtpURL, from)
	}
	if _, err := parseFrom(from); err != nil {
		return nil, err
	}
	if dataDir == "" {
		return nil, errors.New("mail : aucun répertoire de données pour enregistrer les courriels (ni serveur SMTP configuré)")
	}
	return NewFileSender(filepath.Join(dataDir, "mail"), from), nil
}

// Redact returns smtpURL with any password replaced by "xxxxx", for logs and
// error messages.
func Redact(smtpURL string) string {
	if u, err := url.Parse(smtpURL); err == nil {
		return u.Redacted()
	}
	// Unparsable URL: hide everything between the first ':' of the user
	// information and the last '@', erring on the side of hiding too much.
	rest, scheme := smtpURL, ""
	if i := strings.Index(rest, "://"); i >= 0 {
		scheme, rest = rest[:i+3], rest[i+3:]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return smtpURL
	}
	if colon := strings.Index(rest[:at], ":"); colon >= 0 {
		return scheme + rest[:colon+1] + "xxxxx" + rest[at:]
	}
	return smtpURL
}

// IsTemporary reports whether a send error is worth retrying later: SMTP 4xx
// answers, refused or reset connections, timeouts. It is false for nil, 5xx
// answers, invalid messages or addresses, TLS and authentication failures,
// and cancelled contexts.
func IsTemporary(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var sendErr *gomail.SendError
	if errors.As(err, &sendErr) {
		if code := sendErr.ErrorCode(); code != 0 {
			return code >= 400 && code < 500
		}
		if sendErr.IsTemp() {
			return true
		}
		switch sendErr.Reason {
		case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData,
			gomail.ErrSMTPDataClose, gomail.ErrWriteContent, gomail.ErrConnCheck:
			// No SMTP code: the connection failed while talking to the server.
			return true
		}
		return false
	}
	var protoErr *textproto.Error
	if errors.As(err, &protoErr) {
		return protoErr.Code >= 400 && protoErr.Code < 500
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTemporary || dnsErr.IsTimeout
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	for _, target := range []error{
		syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
		syscall.EPIPE, syscall.ENETUNREACH, syscall.EHOSTUNREACH,
		io.EOF, io.ErrUnexpectedEOF,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// errorf builds a French error; it exists so that every error of the package
// carries the same prefix.
func errorf(format string, args ...any) error {
	return fmt.Errorf("mail : "+format, args...)
}
