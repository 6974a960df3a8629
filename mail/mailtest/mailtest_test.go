package mailtest

import (
	"context"
	"fmt"
	"net/smtp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/mail"
)

// sendCtx sends m with s under a short deadline.
func sendCtx(t *testing.T, s mail.Sender, m mail.Message) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Send(ctx, m)
}

func TestSendReceived(t *testing.T) {
	srv := Start(t)
	if !strings.HasPrefix(srv.URL(), "smtp://127.0.0.1:") || srv.URL() != "smtp://"+srv.Addr() {
		t.Errorf("URL() = %q, Addr() = %q", srv.URL(), srv.Addr())
	}
	subject := "Résumé de la semaine : « été » — ça avance ! 🎉"
	text := "Bonjour Zoé,\n\nVoici les nouveautés de la semaine, avec une ligne assez longue pour que le quoted-printable la coupe en plusieurs morceaux : àâäéèêëîïôöùûüç.\n\n— Le forum\n"
	html := "<p>Bonjour Zoé,</p>\n<p>Voici les <strong>nouveautés</strong> = « été ».</p>\n"
	err := sendCtx(t, srv.Sender(t), mail.Message{
		To: "Zoé <zoe@example.org>", Subject: subject, Text: text, HTML: html,
		Headers: map[string]string{"X-Coterforum-Kind": "digest"},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.WaitFor(t, 1, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "forum@example.org" || !slices.Equal(m.To, []string{"zoe@example.org"}) {
		t.Errorf("envelope = %q -> %q", m.From, m.To)
	}
	if m.Subject != subject {
		t.Errorf("Subject = %q, want %q", m.Subject, subject)
	}
	if m.Text != text {
		t.Errorf("Text = %q, want %q", m.Text, text)
	}
	if m.HTML != html {
		t.Errorf("HTML = %q, want %q", m.HTML, html)
	}
	if got := m.Header.Get("X-Coterforum-Kind"); got != "digest" {
		t.Errorf("X-Coterforum-Kind = %q", got)
	}
	if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	if to, err := m.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Name != "Zoé" || to[0].Address != "zoe@example.org" {
		t.Errorf("To header = %v, %v", to, err)
	}
	if !strings.Contains(string(m.Raw), "\r\n\r\n") || strings.Contains(string(m.Raw), "Zoé,") {
		t.Errorf("Raw does not look like an encoded message:\n%s", m.Raw)
	}
}

func TestTextOnly(t *testing.T) {
	srv := Start(t)
	if err := sendCtx(t, srv.Sender(t), mail.Message{To: "a@example.org", Subject: "Simple", Text: "Juste du texte, été."}); err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, 1, 5*time.Second)[0]
	if m.Subject != "Simple" || m.Text != "Juste du texte, été.\n" || m.HTML != "" {
		t.Errorf("got Subject %q, Text %q, HTML %q", m.Subject, m.Text, m.HTML)
	}
}

func TestWithMailNew(t *testing.T) {
	srv := Start(t)
	sender, err := mail.New(srv.URL(), "Autre <autre@example.org>", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sender.(*mail.SMTPSender); !ok {
		t.Fatalf("mail.New(%q) = %T, want *mail.SMTPSender", srv.URL(), sender)
	}
	if err := sendCtx(t, sender, mail.Message{To: "b@example.org", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.WaitFor(t, 1, 5*time.Second)[0]; m.From != "autre@example.org" {
		t.Errorf("From = %q", m.From)
	}
}

func TestFailNext(t *testing.T) {
	for _, tc := range []struct {
		code      int
		temporary bool
	}{{451, true}, {421, true}, {550, false}, {554, false}} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			srv := Start(t)
			sender := srv.Sender(t)
			srv.FailNext(1, tc.code)
			m := mail.Message{To: "alice@example.org", Subject: "Essai", Text: "Bonjour"}
			err := sendCtx(t, sender, m)
			if err == nil {
				t.Fatal("first Send succeeded despite FailNext")
			}
			if got := mail.IsTemporary(err); got != tc.temporary {
				t.Errorf("IsTemporary(%v) = %v, want %v", err, got, tc.temporary)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tc.code)) {
				t.Errorf("error %q does not mention code %d", err, tc.code)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages recorded after a failure", n)
			}
			if err := sendCtx(t, sender, m); err != nil {
				t.Fatalf("second Send: %v", err)
			}
			if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Subject != "Essai" {
				t.Errorf("Messages() = %+v, want the second attempt", msgs)
			}
		})
	}
}

func TestFailNextSeveralAndCancel(t *testing.T) {
	srv := Start(t)
	sender := srv.Sender(t)
	m := mail.Message{To: "alice@example.org", Text: "x"}
	srv.FailNext(2, 451)
	for i := range 2 {
		if err := sendCtx(t, sender, m); err == nil || !mail.IsTemporary(err) {
			t.Errorf("attempt %d: err = %v, want a temporary error", i+1, err)
		}
	}
	if err := sendCtx(t, sender, m); err != nil {
		t.Errorf("third attempt: %v", err)
	}
	srv.FailNext(3, 550)
	srv.FailNext(0, 550)
	if err := sendCtx(t, sender, m); err != nil {
		t.Errorf("after FailNext(0): %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
	defer func() {
		if recover() == nil {
			t.Error("FailNext(1, 250) did not panic")
		}
	}()
	srv.FailNext(1, 250)
}

func TestConcurrent(t *testing.T) {
	srv := Start(t)
	sender := srv.Sender(t)
	const n = 12
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := sendCtx(t, sender, mail.Message{
				To: fmt.Sprintf("u%d@example.org", i), Subject: fmt.Sprintf("n°%d", i), Text: "x", HTML: "<p>x</p>",
			})
			if err != nil {
				t.Errorf("Send %d: %v", i, err)
			}
		})
		_ = srv.Messages() // concurrent reads
	}
	msgs := srv.WaitFor(t, n, 10*time.Second)
	wg.Wait()
	var subjects []string
	for _, m := range msgs {
		subjects = append(subjects, m.Subject)
	}
	slices.Sort(subjects)
	if len(subjects) != n || subjects[0] != "n°0" {
		t.Errorf("subjects = %q", subjects)
	}
}

func TestMessagesIsCopy(t *testing.T) {
	srv := Start(t)
	if err := sendCtx(t, srv.Sender(t), mail.Message{To: "a@example.org", Subject: "S", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.WaitFor(t, 1, 5*time.Second)
	msgs[0].To[0] = "changed"
	msgs[0].Raw[0] = '!'
	msgs[0].Header["Subject"][0] = "changed"
	again := srv.Messages()[0]
	if again.To[0] != "a@example.org" || again.Raw[0] == '!' || again.Header.Get("Subject") != "S" {
		t.Errorf("Messages shares memory with the caller's copy: %+v", again)
	}
}

// rawMessage is a hand-written message: multipart/mixed holding a
// multipart/alternative (base64 text, quoted-printable HTML) and a text
// attachment that must be ignored.
const rawMessage = "From: forum@example.org\r\n" +
	"To: a@example.org\r\n" +
	"Subject: =?UTF-8?B?UsOpc3Vtw6k=?= du =?UTF-8?Q?=C3=A9t=C3=A9?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"outer\"\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"Qm9uam91ciBab8OpLApsaWduZSAy\r\n" +
	"Cg==\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: Quoted-Printable\r\n" +
	"\r\n" +
	"<p>Bonjour Zo=C3=A9, une tr=C3=A8s longue ligne coup=C3=A9e par un saut =\r\n" +
	"doux</p>\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Disposition: attachment; filename=\"x.txt\"\r\n" +
	"\r\n" +
	"pièce jointe\r\n" +
	"--outer--\r\n"

func TestParseNestedBase64(t *testing.T) {
	m, err := parse([]byte(rawMessage))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Résumé du été" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if m.Text != "Bonjour Zoé,\nligne 2\n" {
		t.Errorf("Text = %q", m.Text)
	}
	if m.HTML != "<p>Bonjour Zoé, une très longue ligne coupée par un saut doux</p>" {
		t.Errorf("HTML = %q", m.HTML)
	}
}

func TestRawSMTPAndUnparsable(t *testing.T) {
	srv := Start(t)
	if err := smtp.SendMail(srv.Addr(), nil, "x@example.org", []string{"a@example.org", "b@example.org"}, []byte(rawMessage)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	m := srv.WaitFor(t, 1, 5*time.Second)[0]
	if m.From != "x@example.org" || !slices.Equal(m.To, []string{"a@example.org", "b@example.org"}) || m.Subject != "Résumé du été" {
		t.Errorf("got %q -> %q, subject %q", m.From, m.To, m.Subject)
	}

	bad := "Subject: x\r\nContent-Type: multipart/alternative\r\n\r\nno boundary\r\n"
	err := smtp.SendMail(srv.Addr(), nil, "x@example.org", []string{"a@example.org"}, []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "554") {
		t.Errorf("unparsable message: err = %v, want a 554 refusal", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages recorded, want 1", n)
	}
}

// fatalTB records Fatalf instead of stopping the test.
type fatalTB struct {
	testing.TB
	msg string
}

type fatalCalled struct{}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatalCalled{})
}

func TestWaitForTimeout(t *testing.T) {
	srv := Start(t)
	if err := sendCtx(t, srv.Sender(t), mail.Message{To: "a@example.org", Subject: "Seul", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	fake := &fatalTB{TB: t}
	start := time.Now()
	func() {
		defer func() {
			if r := recover(); r != nil && r != (fatalCalled{}) {
				panic(r)
			}
		}()
		srv.WaitFor(fake, 2, 100*time.Millisecond)
	}()
	if fake.msg == "" {
		t.Fatal("WaitFor did not call Fatalf")
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("WaitFor gave up after %v", d)
	}
	if !strings.Contains(fake.msg, "1 message(s)") || !strings.Contains(fake.msg, `"Seul"`) {
		t.Errorf("Fatalf message = %q", fake.msg)
	}
}
