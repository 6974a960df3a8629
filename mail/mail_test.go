package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"smtp://user:s3cret@mail.example.org:587":      "smtp://user:xxxxx@mail.example.org:587",
		"smtps://user:p%40ss@mail.example.org":         "smtps://user:xxxxx@mail.example.org",
		"smtp://mail.example.org:25?starttls=required": "smtp://mail.example.org:25?starttls=required",
		"smtp://user@mail.example.org":                 "smtp://user@mail.example.org",
		"smtp://user:bad%zzsecret@mail.example.org":    "smtp://user:xxxxx@mail.example.org",
		"": "",
	} {
		got := Redact(in)
		if got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "secret") || strings.Contains(got, "p%40ss") {
			t.Errorf("Redact(%q) leaks the password: %q", in, got)
		}
	}
}

func TestNewSMTPSender(t *testing.T) {
	for _, tc := range []struct {
		url, host string
		port      int
		tls, req  bool
		user      string
	}{
		{"smtp://localhost", "localhost", 25, false, false, ""},
		{"smtp://relay.example.org:2525/", "relay.example.org", 2525, false, false, ""},
		{"smtps://u:p@mail.example.org", "mail.example.org", 465, true, false, "u"},
		{"smtp://u:p@mail.example.org:587?starttls=required", "mail.example.org", 587, false, true, "u"},
		{"smtp://[::1]:25", "::1", 25, false, false, ""},
	} {
		s, err := NewSMTPSender(tc.url, testFrom)
		if err != nil {
			t.Errorf("NewSMTPSender(%q): %v", tc.url, err)
			continue
		}
		if s.host != tc.host || s.port != tc.port || s.implicitTLS != tc.tls || s.requireTLS != tc.req || s.user != tc.user {
			t.Errorf("NewSMTPSender(%q) = %+v", tc.url, s)
		}
	}
	for _, bad := range []string{
		"http://mail.example.org", "mail.example.org:25", "smtp://", "smtp://host:0", "smtp://host:99999",
		"smtp://host:25/path", "smtp://host?insecure_skip_verify=true", "smtp://host?starttls=maybe",
		"smtp://:secret@host", "smtp://user:bad%zzsecret@host",
	} {
		_, err := NewSMTPSender(bad, testFrom)
		if err == nil {
			t.Errorf("NewSMTPSender(%q) succeeded", bad)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
	for _, from := range []string{"", "forum", "a@b.org, c@d.org", "x <forum@example.org>\r\nBcc: evil@example.org"} {
		if _, err := NewSMTPSender("smtp://localhost", from); err == nil || !strings.Contains(err.Error(), "expéditeur") {
			t.Errorf("NewSMTPSender with from %q: err = %v, want a French sender error", from, err)
		}
	}
	if _, err := NewSMTPSender("smtp://localhost", "forum@example.org"); err != nil {
		t.Errorf("bare from address refused: %v", err)
	}
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	s, err := New("", testFrom, dir)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := s.(*FileSender); !ok || f.Dir() != filepath.Join(dir, "mail") {
		t.Errorf("New(\"\") = %#v, want a FileSender in %s/mail", s, dir)
	}
	if s, err := New("smtp://localhost:2525", testFrom, dir); err != nil {
		t.Error(err)
	} else if _, ok := s.(*SMTPSender); !ok {
		t.Errorf("New(smtp) = %T, want *SMTPSender", s)
	}
	if _, err := New("", "forum", dir); err == nil {
		t.Error("New accepted an invalid from for the file sender")
	}
	if _, err := New("", testFrom, ""); err == nil {
		t.Error("New accepted an empty data directory")
	}
}

func TestMessageValidation(t *testing.T) {
	f := NewFileSender(t.TempDir(), testFrom)
	for name, m := range map[string]Message{
		"no recipient":           {Text: "x"},
		"two recipients":         {To: "a@example.org, b@example.org", Text: "x"},
		"recipient injection":    {To: "a@example.org\r\nBcc: evil@example.org", Text: "x"},
		"no text":                {To: "a@example.org", Text: " \n", HTML: "<p>x</p>"},
		"bad header name":        {To: "a@example.org", Text: "x", Headers: map[string]string{"X Bad": "v"}},
		"header name with colon": {To: "a@example.org", Text: "x", Headers: map[string]string{"Bcc:": "v"}},
		"reserved header":        {To: "a@example.org", Text: "x", Headers: map[string]string{"bcc": "evil@example.org"}},
		"duplicate header":       {To: "a@example.org", Text: "x", Headers: map[string]string{"X-A": "1", "x-a": "2"}},
		"bad reply-to":           {To: "a@example.org", Text: "x", Headers: map[string]string{"Reply-To": "nope"}},
		"bad message-id":         {To: "a@example.org", Text: "x", MessageID: "<a b@c>\r\nBcc: evil@example.org"},
	} {
		err := f.Send(context.Background(), m)
		if err == nil {
			t.Errorf("%s: Send succeeded", name)
		} else if IsTemporary(err) {
			t.Errorf("%s: IsTemporary(%v) = true", name, err)
		}
	}
	if files, _ := f.List(); len(files) != 0 {
		t.Errorf("invalid messages written: %v", files)
	}
}

func TestMessageHeaders(t *testing.T) {
	f := NewFileSender(t.TempDir(), testFrom)
	err := f.Send(context.Background(), Message{
		To: "a@example.org", Subject: "Sans HTML", Text: "Texte seul",
		MessageID: "<invitation-42@forum.example.org>",
		Headers: map[string]string{
			"content-language": "en", "Reply-To": "Modération <moderation@example.org>", "X-Coterforum-Kind": "invitation",
		},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	files, err := f.List()
	if err != nil || len(files) != 1 {
		t.Fatalf("List = %v, %v", files, err)
	}
	data, err := f.Open(files[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	msg := parse(t, data)
	for name, want := range map[string]string{
		"Content-Language":  "en",
		"Message-Id":        "<invitation-42@forum.example.org>",
		"X-Coterforum-Kind": "invitation",
	} {
		if got := msg.Header[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want [%q]", name, got, want)
		}
	}
	if rt, err := msg.Header.AddressList("Reply-To"); err != nil || len(rt) != 1 || rt[0].Name != "Modération" {
		t.Errorf("Reply-To = %v, %v", rt, err)
	}
	if ct := msg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(ct, "UTF-8") {
		t.Errorf("Content-Type = %q, want text/plain; charset=UTF-8", ct)
	}
}

func TestIsTemporaryErrors(t *testing.T) {
	for err, want := range map[error]bool{
		nil:                false,
		errors.New("boom"): false,
		context.Canceled:   false,
		fmt.Errorf("x: %w", context.DeadlineExceeded):        true,
		os.ErrDeadlineExceeded:                               true,
		&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}:  true,
		&net.OpError{Op: "read", Err: syscall.ECONNRESET}:    true,
		&net.DNSError{Err: "no such host", IsNotFound: true}: false,
		&net.DNSError{Err: "timeout", IsTimeout: true}:       true,
		errors.Join(syscall.ECONNRESET, context.Canceled):    false,
	} {
		if got := IsTemporary(err); got != want {
			t.Errorf("IsTemporary(%v) = %v, want %v", err, got, want)
		}
	}
}
