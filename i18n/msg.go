package i18n

import (
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Msg is a message the code builds (a validation error, a conflict, a
// mail line): its key, the French source format written where it is used
// (gettext style), and typed arguments. It is translated at the edge, in
// the reader's language, by In.
//
// Arguments are formatted for the language: a time.Time by DateTime (Europe/Paris),
// a Word by the catalog, a Msg by its own In (a []Msg joined by
// semicolons), an integer with the
// language's digit grouping (and it selects the plural form when the key
// has plural forms); anything else, such as a name or a title, is shown as
// given.
type Msg struct {
	Key  string
	Args []any
}

// M builds a Msg.
func M(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// Word is an argument that is itself French text to translate: a status
// name, a type name.
type Word string

// In renders the message in lang, French typography included for French.
func (m Msg) In(lang Lang) string {
	if len(m.Args) == 0 {
		return T(lang, m.Key) // plain text, never read as a format
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch v := a.(type) {
		case time.Time:
			args[i] = DateTime(lang, v)
		case Word:
			args[i] = T(lang, string(v))
		case Msg:
			args[i] = v.In(lang)
		case []Msg:
			sep := " ; "
			if lang == EN {
				sep = "; "
			}
			parts := make([]string, len(v))
			for j := range v {
				parts[j] = v[j].In(lang)
			}
			args[i] = strings.Join(parts, Typo(sep))
		default:
			args[i] = a
		}
	}
	key := m.Key
	if lang != EN && !inCatalog[key] {
		// Not in the catalog: the source itself is the French format.
		key = Typo(key)
	}
	return printers[lang].Sprintf(key, args...)
}

// String is the message in French, for logs and Error().
func (m Msg) String() string { return m.In(FR) }

// IsZero reports whether the message is empty.
func (m Msg) IsZero() bool { return m.Key == "" }

var (
	// cat holds every message: French keys translated into French (with
	// its typography) and English, plural forms included. Filled at init.
	cat = catalog.NewBuilder(catalog.Fallback(language.French))
	// inCatalog lists the keys of cat.
	inCatalog = map[string]bool{}
	printers  = map[Lang]*message.Printer{
		FR: message.NewPrinter(language.French, message.Catalog(cat)),
		EN: message.NewPrinter(language.English, message.Catalog(cat)),
	}
)

func tag(l Lang) language.Tag {
	if l == EN {
		return language.English
	}
	return language.French
}

// setCatalog adds a key and its English text to the catalog.
func setCatalog(fr, en string) {
	if inCatalog[fr] {
		return // a plural form set it
	}
	inCatalog[fr] = true
	mustSet(FR, fr, catalog.String(Typo(fr)))
	mustSet(EN, fr, catalog.String(en))
}

func mustSet(l Lang, key string, msg ...catalog.Message) {
	if err := cat.Set(tag(l), key, msg...); err != nil {
		panic("i18n: " + key + ": " + err.Error())
	}
}

// Forms are the singular ("one") and plural ("other") forms of a message
// whose words follow a count.
type Forms struct{ One, Other string }

// Plural is one message with plural forms: Key is the French source
// format, Arg the position (1-based) of the count that selects the form.
type Plural struct {
	Key    string
	Arg    int
	FR, EN Forms
}

func registerPlurals(ps []Plural) {
	for _, p := range ps {
		if inCatalog[p.Key] {
			panic("i18n: " + p.Key + " set twice")
		}
		inCatalog[p.Key] = true
		english[p.Key] = p.EN.Other
		mustSet(FR, p.Key, plural.Selectf(p.Arg, "%d", "one", Typo(p.FR.One), "other", Typo(p.FR.Other)))
		mustSet(EN, p.Key, plural.Selectf(p.Arg, "%d", "one", p.EN.One, "other", p.EN.Other))
	}
}

// Count writes n followed by one or other translated into lang, the form
// chosen by the language's plural rule (French: 0 and 1 are singular).
func Count(lang Lang, n int, one, other string) string {
	form := other
	if plural.Cardinal.MatchPlural(tag(lang), n, 0, 0, 0, 0) == plural.One {
		form = one
	}
	return printers[lang].Sprintf("%d", n) + " " + T(lang, form)
}
