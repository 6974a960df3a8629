package mail_test

import (
	"context"
	"strings"
	"testing"

	"coterforum/mail"
)

// TestDecodeWrittenMessage writes a message with accents, long lines, an
// HTML part and a List-Unsubscribe header through the file sender, and
// decodes it back: every header and both parts read as they were given.
func TestDecodeWrittenMessage(t *testing.T) {
	f := mail.NewFileSender(t.TempDir(), "Forum des DSI <forum@example.org>")
	text := "Bonjour Amélie,\n\nLe fil « Téléphonie des centres d'appel » a reçu 3 réponses — " + strings.Repeat("déjà vu ", 20) + "\n"
	html := `<p>Bonjour Amélie, <strong>réponses</strong> reçues</p><script>alert(1)</script>`
	if err := f.Send(context.Background(), mail.Message{To: "Amélie Dupré <amelie@example.org>", Subject: "Résumé : fils suivis à l'Hôtel de Région",
		Text: text, HTML: html, Headers: map[string]string{"List-Unsubscribe": "<https://forum.example.org/u?t=abc>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}}); err != nil {
		t.Fatal(err)
	}
	files, err := f.List()
	if err != nil || len(files) != 1 {
		t.Fatal(files, err)
	}
	raw, err := f.Open(files[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "Amélie, <strong>") && strings.Contains(string(raw), "déjà vu déjà vu") {
		t.Fatal("the file is not encoded: the test would prove nothing")
	}
	d, err := mail.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"Subject": "Résumé : fils suivis à l'Hôtel de Région", "List-Unsubscribe": "<https://forum.example.org/u?t=abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} {
		if got := d.Header(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if !strings.Contains(d.Header("To"), "Amélie Dupré") || !strings.Contains(d.Header("From"), "forum@example.org") || d.Header("Date") == "" || d.Header("Message-ID") == "" {
		t.Errorf("headers: %+v", d.Headers)
	}
	if strings.ReplaceAll(d.Text, "\r\n", "\n") != text {
		t.Errorf("text:\n%q\nwant\n%q", d.Text, text)
	}
	if !strings.Contains(d.HTML, "<p>Bonjour Amélie, <strong>réponses</strong> reçues</p>") {
		t.Errorf("html: %q", d.HTML)
	}
}

// TestDecodeBase64AndLatin1 decodes a base64 part in ISO-8859-1 and an
// encoded-word subject in ISO-8859-1, and lists an attachment.
func TestDecodeBase64AndLatin1(t *testing.T) {
	raw := "From: a@example.org\r\nSubject: =?ISO-8859-1?Q?=E9t=E9?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=iso-8859-1\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n6XTpIOAgUGFyaXM=\r\n--XX\r\nContent-Type: application/pdf\r\n" +
		"Content-Disposition: attachment; filename=\"cahier.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--XX--\r\n"
	d, err := mail.Decode([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if d.Header("Subject") != "été" || d.Text != "été à Paris" || len(d.Others) != 1 || d.Others[0] != "application/pdf (cahier.pdf)" {
		t.Fatalf("%+v", d)
	}
	if _, err := mail.Decode([]byte("pas un courriel")); err == nil {
		t.Fatal("garbage decoded")
	}
}
