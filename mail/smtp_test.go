package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestSMTPPlainDelivery(t *testing.T) {
	ts := startServer(t, serverOpts{})
	s := newTestSender(t, ts, "smtp", "", "")
	subject := "Réseaux : déploiement — été"
	err := send(t, s, Message{
		To:      "Alice Été <alice@example.org>",
		Subject: subject,
		Text:    "Bonjour Alice, voici le résumé de l'été.",
		HTML:    "<p>Bonjour Alice, voici le <b>résumé</b> de l'été.</p>",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://forum.example.org/desabonnement?t=abc>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := only(t, ts)
	if got.From != "forum@example.org" || len(got.To) != 1 || got.To[0] != "alice@example.org" {
		t.Errorf("envelope = %q -> %q, want forum@example.org -> [alice@example.org]", got.From, got.To)
	}
	if got.TLS {
		t.Error("session unexpectedly encrypted")
	}
	msg := parse(t, got.Data)
	if s := decodedSubject(t, msg); s != subject {
		t.Errorf("subject = %q, want %q", s, subject)
	}
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?UTF-8?") {
		t.Errorf("subject not RFC 2047-encoded: %q", raw)
	}
	for name, want := range map[string]string{
		"Content-Language":      "fr",
		"List-Unsubscribe":      "<https://forum.example.org/desabonnement?t=abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Mime-Version":          "1.0",
	} {
		if v := msg.Header.Get(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") {
		t.Errorf("Message-ID = %q", id)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "forum@example.org" || from[0].Name != "coterforum" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Alice Été" {
		t.Errorf("To = %v (%v)", to, err)
	}
	parts := alternativeParts(t, msg)
	if !strings.Contains(parts["text/plain"], "résumé de l'été") {
		t.Errorf("text part = %q", parts["text/plain"])
	}
	if !strings.Contains(parts["text/html"], "<b>résumé</b>") {
		t.Errorf("HTML part = %q", parts["text/html"])
	}
}

func TestSMTPStartTLS(t *testing.T) {
	t.Run("opportunistic", func(t *testing.T) {
		ts := startServer(t, serverOpts{startTLS: true})
		if err := send(t, newTestSender(t, ts, "smtp", "", ""), Message{}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if !only(t, ts).TLS {
			t.Error("STARTTLS offered but not used")
		}
	})
	t.Run("required", func(t *testing.T) {
		ts := startServer(t, serverOpts{startTLS: true})
		if err := send(t, newTestSender(t, ts, "smtp", "", "?starttls=required"), Message{}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if !only(t, ts).TLS {
			t.Error("session not encrypted")
		}
	})
	t.Run("required but not offered", func(t *testing.T) {
		ts := startServer(t, serverOpts{})
		err := send(t, newTestSender(t, ts, "smtp", "", "?starttls=required"), Message{})
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Fatalf("Send error = %v, want a STARTTLS error", err)
		}
		if IsTemporary(err) {
			t.Error("missing STARTTLS reported as temporary")
		}
		if mails, rcpts := ts.counts(); mails != 0 || rcpts != 0 || len(ts.received()) != 0 {
			t.Errorf("server saw %d MAIL, %d RCPT, %d messages; want nothing", mails, rcpts, len(ts.received()))
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		ts := startServer(t, serverOpts{startTLS: true})
		s := newTestSender(t, ts, "smtp", "", "").WithTLSConfig(&tls.Config{}) // system roots only
		err := send(t, s, Message{})
		if err == nil {
			t.Fatal("Send succeeded with an untrusted certificate")
		}
		if IsTemporary(err) {
			t.Errorf("certificate error reported as temporary: %v", err)
		}
		if len(ts.received()) != 0 {
			t.Error("message delivered despite the certificate error")
		}
	})
	t.Run("self-signed on loopback without TLS config", func(t *testing.T) {
		ts := startServer(t, serverOpts{startTLS: true})
		s, err := NewSMTPSender("smtp://"+ts.addr, testFrom)
		if err != nil {
			t.Fatal(err)
		}
		if err := send(t, s, Message{}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if !only(t, ts).TLS {
			t.Error("STARTTLS offered but not used")
		}
	})
}

func TestSMTPImplicitTLS(t *testing.T) {
	ts := startServer(t, serverOpts{implicitTLS: true})
	if err := send(t, newTestSender(t, ts, "smtps", "", ""), Message{Subject: "smtps"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !only(t, ts).TLS {
		t.Error("smtps session not encrypted")
	}
}

func TestSMTPAuth(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      serverOpts
		userinfo  string
		wantUser  string
		wantError bool
	}{
		{"plain over STARTTLS", serverOpts{startTLS: true, user: "forum", pass: "s3cret:é"}, "forum:s3cret%3A%C3%A9@", "forum", false},
		{"plain over smtps", serverOpts{implicitTLS: true, user: "forum", pass: "pw"}, "forum:pw@", "forum", false},
		{"login only", serverOpts{startTLS: true, user: "forum", pass: "pw", loginOnly: true}, "forum:pw@", "forum", false},
		{"wrong password", serverOpts{startTLS: true, user: "forum", pass: "pw"}, "forum:nope@", "", true},
		{"no credentials", serverOpts{startTLS: true, user: "forum", pass: "pw"}, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, tc.opts)
			scheme := "smtp"
			if tc.opts.implicitTLS {
				scheme = "smtps"
			}
			err := send(t, newTestSender(t, ts, scheme, tc.userinfo, ""), Message{})
			if tc.wantError {
				if err == nil {
					t.Fatal("Send succeeded")
				}
				if IsTemporary(err) {
					t.Errorf("auth failure reported as temporary: %v", err)
				}
				if strings.Contains(err.Error(), "nope") {
					t.Errorf("error leaks the password: %v", err)
				}
				if len(ts.received()) != 0 {
					t.Error("message delivered without authentication")
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := only(t, ts); got.User != tc.wantUser || !got.TLS {
				t.Errorf("user = %q, TLS = %v; want %q over TLS", got.User, got.TLS, tc.wantUser)
			}
		})
	}
}

func TestSMTPSubjectInjection(t *testing.T) {
	ts := startServer(t, serverOpts{})
	err := send(t, newTestSender(t, ts, "smtp", "", ""), Message{Subject: "Titre\r\nBcc: evil@example.org"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := only(t, ts)
	assertNoInjection(t, ts, got.Data)
	if s := decodedSubject(t, parse(t, got.Data)); s != "Titre Bcc: evil@example.org" {
		t.Errorf("subject = %q", s)
	}
}

func TestSMTPHeaderInjection(t *testing.T) {
	ts := startServer(t, serverOpts{})
	err := send(t, newTestSender(t, ts, "smtp", "", ""), Message{
		Subject: "Titre",
		Headers: map[string]string{
			"List-Unsubscribe": "<https://forum.example.org/u>\r\nBcc: evil@example.org",
			"X-Coterforum":     "a\nTo: evil@example.org\rCc: evil@example.org",
		},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := only(t, ts)
	assertNoInjection(t, ts, got.Data)
	msg := parse(t, got.Data)
	if cc := msg.Header["Cc"]; len(cc) > 0 {
		t.Errorf("Cc header injected: %q", cc)
	}
	if v := msg.Header.Get("List-Unsubscribe"); v != "<https://forum.example.org/u> Bcc: evil@example.org" {
		t.Errorf("List-Unsubscribe = %q", v)
	}
}

func TestSMTPIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		code int
		want bool
	}{{451, true}, {421, true}, {550, false}, {553, false}} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			ts := startServer(t, serverOpts{rcptErr: &smtp.SMTPError{
				Code: tc.code, EnhancedCode: smtp.EnhancedCode{tc.code / 100, 1, 1}, Message: "non",
			}})
			err := send(t, newTestSender(t, ts, "smtp", "", ""), Message{})
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := IsTemporary(err); got != tc.want {
				t.Errorf("IsTemporary(%v) = %v, want %v", err, got, tc.want)
			}
		})
	}
	t.Run("connection refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		s, err := NewSMTPSender("smtp://"+addr, testFrom)
		if err != nil {
			t.Fatal(err)
		}
		err = send(t, s, Message{})
		if err == nil || !IsTemporary(err) {
			t.Errorf("IsTemporary(%v) = false, want true", err)
		}
	})
	t.Run("silent server times out", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() { // accept and never answer
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		s, err := NewSMTPSender("smtp://"+l.Addr().String(), testFrom)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = s.Send(ctx, Message{To: "alice@example.org", Text: "Bonjour"})
		if err == nil || !IsTemporary(err) {
			t.Errorf("IsTemporary(%v) = false, want true", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Send took %v despite a 100ms deadline", d)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		s, err := NewSMTPSender("smtp://127.0.0.1:1", testFrom)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Send(ctx, Message{To: "alice@example.org", Text: "x"}); err == nil || IsTemporary(err) {
			t.Errorf("cancelled Send: err = %v, IsTemporary = %v", err, IsTemporary(err))
		}
	})
}

func TestSMTPConcurrentSends(t *testing.T) {
	ts := startServer(t, serverOpts{startTLS: true, user: "forum", pass: "pw"})
	s := newTestSender(t, ts, "smtp", "forum:pw@", "")
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- send(t, s, Message{To: fmt.Sprintf("user%d@example.org", i), Subject: fmt.Sprint("n°", i)})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := len(ts.received()); got != n {
		t.Errorf("server received %d messages, want %d", got, n)
	}
}
