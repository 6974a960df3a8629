package mail

import (
	"crypto/rand"
	"encoding/hex"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultLanguage is the Content-Language of every message unless
// Message.Headers overrides it.
const DefaultLanguage = "fr"

var (
	headerNameRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	messageIDRE  = regexp.MustCompile(`^[!-;=?-~]+@[!-;=?-~]+$`) // printable ASCII except '<', '>' and space
	domainRE     = regexp.MustCompile(`^[A-Za-z0-9.-]+$`)
)

// reservedHeaders are set by the package and cannot be given in
// Message.Headers (canonical MIME form).
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Sender": true,
	"Subject": true, "Date": true, "Message-Id": true, "Mime-Version": true,
	"Content-Type": true, "Content-Transfer-Encoding": true,
	"Return-Path": true, "Received": true,
}

// parseFrom validates the sender address given at construction.
func parseFrom(from string) (*netmail.Address, error) {
	from = strings.TrimSpace(from)
	if from == "" {
		return nil, errorf("adresse d'expéditeur manquante (attendu « nom <adresse@exemple.org> » ou « adresse@exemple.org »)")
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, errorf("adresse d'expéditeur invalide %q (attendu « nom <adresse@exemple.org> » ou « adresse@exemple.org ») : %v", from, err)
	}
	return addr, nil
}

// foldLines replaces CR, LF and CRLF by single spaces so that a value can
// never start a new header line.
func foldLines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// buildMsg turns m into a go-mail message sent by from.
func buildMsg(m Message, from *netmail.Address) (*gomail.Msg, error) {
	if from == nil {
		return nil, errorf("expéditeur non configuré")
	}
	to, err := netmail.ParseAddress(strings.TrimSpace(m.To))
	if err != nil {
		return nil, errorf("adresse du destinataire invalide %q : %v", m.To, err)
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, errorf("le message pour %s n'a pas de texte", to.Address)
	}

	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(to)
	msg.Subject(foldLines(m.Subject))
	msg.SetDateWithValue(time.Now())

	id, err := messageID(m.MessageID, from.Address)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(id)

	msg.SetGenHeader(gomail.HeaderContentLang, DefaultLanguage)
	seen := make(map[string]bool, len(m.Headers))
	for name, value := range m.Headers {
		if !headerNameRE.MatchString(name) {
			return nil, errorf("nom d'en-tête invalide %q", name)
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if reservedHeaders[canon] {
			return nil, errorf("l'en-tête %q est géré automatiquement et ne peut pas être fourni", name)
		}
		if seen[canon] {
			return nil, errorf("l'en-tête %q est fourni plusieurs fois", canon)
		}
		seen[canon] = true
		value = strings.TrimSpace(foldLines(value))
		if canon == "Reply-To" {
			if err := msg.ReplyTo(value); err != nil {
				return nil, errorf("adresse de réponse (Reply-To) invalide %q", value)
			}
			continue
		}
		msg.SetGenHeader(gomail.Header(canon), value)
	}

	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID returns the Message-ID without angle brackets: the given one
// after validation, or a random one in the sender's domain.
func messageID(given, fromAddr string) (string, error) {
	if given != "" {
		id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(given), "<"), ">")
		if !messageIDRE.MatchString(id) {
			return "", errorf("identifiant de message (Message-ID) invalide %q", given)
		}
		return id, nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	domain := fromAddr[strings.LastIndex(fromAddr, "@")+1:]
	if !domainRE.MatchString(domain) {
		domain = "coterforum.invalid"
	}
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}
