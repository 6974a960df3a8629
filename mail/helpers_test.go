package mail

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"
)

const testFrom = "coterforum <forum@example.org>"

// newTestSender builds an SMTP sender for ts with the given URL scheme,
// user information and query, trusting the test CA.
func newTestSender(t *testing.T, ts *testServer, scheme, userinfo, query string) *SMTPSender {
	t.Helper()
	u := scheme + "://" + userinfo + ts.addr + query
	s, err := NewSMTPSender(u, testFrom)
	if err != nil {
		t.Fatalf("NewSMTPSender(%q): %v", u, err)
	}
	return s.WithTLSConfig(trustTestCA())
}

// send sends a simple message to alice with a short deadline.
func send(t *testing.T, s Sender, m Message) error {
	t.Helper()
	if m.To == "" {
		m.To = "alice@example.org"
	}
	if m.Text == "" {
		m.Text = "Bonjour"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Send(ctx, m)
}

// only returns the single message received by ts.
func only(t *testing.T, ts *testServer) received {
	t.Helper()
	msgs := ts.received()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// parse parses raw as an RFC 5322 message.
func parse(t *testing.T, raw []byte) *netmail.Message {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("unparsable message: %v\n%s", err, raw)
	}
	return msg
}

// decodedSubject returns the RFC 2047-decoded Subject of msg.
func decodedSubject(t *testing.T, msg *netmail.Message) string {
	t.Helper()
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject %q: %v", msg.Header.Get("Subject"), err)
	}
	return subject
}

// assertNoInjection checks that the message has one recipient and no Bcc.
func assertNoInjection(t *testing.T, ts *testServer, raw []byte) {
	t.Helper()
	msg := parse(t, raw)
	if bcc := msg.Header["Bcc"]; len(bcc) > 0 {
		t.Errorf("Bcc header injected: %q", bcc)
	}
	if to := msg.Header["To"]; len(to) != 1 || to[0] != "<alice@example.org>" {
		t.Errorf("To headers = %q, want only <alice@example.org>", to)
	}
	if _, rcpts := ts.counts(); rcpts != 1 {
		t.Errorf("server saw %d RCPT commands, want 1", rcpts)
	}
	if bytes.Contains(raw, []byte("\nBcc:")) || bytes.Contains(raw, []byte("\nbcc:")) {
		t.Errorf("raw message contains a Bcc line:\n%s", raw)
	}
}

// alternativeParts returns the decoded bodies of a multipart/alternative
// message, by media type.
func alternativeParts(t *testing.T, msg *netmail.Message) map[string]string {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		ct, ctParams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if !strings.EqualFold(ctParams["charset"], "utf-8") {
			t.Errorf("part %s charset = %q, want UTF-8", ct, ctParams["charset"])
		}
		parts[ct] = string(body)
	}
	if len(parts) != 2 {
		t.Errorf("got parts %v, want text/plain and text/html", parts)
	}
	return parts
}
