package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// Header is one decoded header of a message.
type Header struct {
	Name, Value string
}

// Decoded is a message as a reader sees it: its main headers decoded
// (RFC 2047), its text and HTML parts decoded (quoted-printable, base64)
// to UTF-8, and the names of its other parts.
type Decoded struct {
	Headers []Header
	Text    string
	HTML    string
	// Others are the types (and file names) of the parts that are neither
	// the text nor the HTML.
	Others []string
}

// Header returns the decoded value of a header, or "".
func (d *Decoded) Header(name string) string {
	for _, h := range d.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// shownHeaders are the headers Decode keeps, in this order.
var shownHeaders = []string{"From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "Content-Language",
	"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Auto-Submitted", "Precedence"}

// Limits of Decode: a bigger part is cut, a deeper nesting refused.
const (
	maxDecodedPart = 4 << 20
	maxPartDepth   = 5
	maxParts       = 50
)

// Decode parses a message (RFC 5322 with MIME parts).
func Decode(raw []byte) (*Decoded, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("message illisible : %w", err)
	}
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	d := &Decoded{}
	for _, name := range shownHeaders {
		vs := msg.Header[textproto.CanonicalMIMEHeaderKey(name)]
		for _, v := range vs {
			if s, err := dec.DecodeHeader(v); err == nil {
				v = s
			}
			d.Headers = append(d.Headers, Header{Name: name, Value: v})
		}
	}
	parts := 0
	err = d.walk(textproto.MIMEHeader(msg.Header), msg.Body, 0, &parts)
	return d, err
}

// walk reads one part, undoing its transfer encoding; multipart parts are
// read part by part (raw: quoted-printable is undone here, like base64).
func (d *Decoded) walk(h textproto.MIMEHeader, body io.Reader, depth int, parts *int) error {
	*parts++
	if depth > maxPartDepth || *parts > maxParts {
		return errors.New("message trop imbriqué")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, params = "application/octet-stream", nil
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("partie illisible : %w", err)
			}
			if err := d.walk(p.Header, p, depth+1, parts); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	isAttachment := disposition == "attachment"
	if (mt == "text/plain" && d.Text == "" || mt == "text/html" && d.HTML == "") && !isAttachment {
		b, err := io.ReadAll(io.LimitReader(r, maxDecodedPart))
		if err != nil {
			return fmt.Errorf("partie %s illisible : %w", mt, err)
		}
		s := toUTF8(b, params["charset"])
		if mt == "text/plain" {
			d.Text = s
		} else {
			d.HTML = s
		}
		return nil
	}
	other := mt
	if name := dparams["filename"]; name != "" {
		other += " (" + name + ")"
	}
	d.Others = append(d.Others, other)
	return nil
}

// charsetReader reads the charsets that mail from this forum and common
// clients use in encoded words: UTF-8, US-ASCII and ISO-8859-1.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(input, maxDecodedPart))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(toUTF8(b, charset)), nil
}

// toUTF8 converts text in charset to UTF-8: ISO-8859-1 and Windows-1252
// byte by byte (close enough to show), anything else as UTF-8 with invalid
// bytes replaced.
func toUTF8(b []byte, charset string) string {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "iso-8859-15", "windows-1252":
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String()
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
