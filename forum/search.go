package forum

import (
	"html/template"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/french"
	"golang.org/x/text/unicode/norm"
)

// Limits of search, explicit and tested.
const (
	// MaxSearchChars bounds the query; a longer one is refused before any work.
	MaxSearchChars = 200
	// MaxSearchWords is how many words of a query are used; the rest are ignored.
	MaxSearchWords = 10
	// SearchPerPage is the number of results on a page.
	SearchPerPage = 20
	// maxTermRunes cuts absurdly long "words" (hashes, base64) before indexing.
	maxTermRunes = 40
	// excerptRunes is the approximate length of a result's excerpt.
	excerptRunes = 240
)

// elisions are the French elided words dropped before an apostrophe (l'appel → appel).
var elisions = map[string]bool{
	"l": true, "d": true, "qu": true, "j": true, "n": true, "s": true, "c": true, "m": true, "t": true,
	"jusqu": true, "lorsqu": true, "puisqu": true, "quoiqu": true,
}

// extraStopWords complete snowball's French list with frequent words that
// carry no meaning in a search (and unaccented spellings of its words).
var extraStopWords = map[string]bool{
	"a": true, "les": true, "ou": true, "où": true, "cet": true, "cette": true, "ceux": true, "celle": true,
	"celui": true, "comme": true, "comment": true, "quel": true, "quelle": true, "quels": true, "quelles": true,
	"dont": true, "si": true, "plus": true, "tres": true, "très": true, "aussi": true, "sans": true, "sous": true,
	"chez": true, "vers": true, "donc": true, "car": true, "ni": true, "or": true, "etre": true, "être": true,
	"avoir": true, "deja": true, "déjà": true, "y": true, "leurs": true, "tout": true, "tous": true, "toute": true,
	"toutes": true,
}

// isStopWord reports whether a lower-cased word is a French stop word.
func isStopWord(w string) bool {
	return french.IsStopWord(w) || extraStopWords[w]
}

// foldAccents removes diacritics (é → e) and spells out the ligatures œ and æ.
func foldAccents(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// wordToken is one word of a text: its lower-cased form and its byte span.
type wordToken struct {
	word       string
	start, end int
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// tokenize splits text into lower-cased words on anything that is not a
// letter or a digit, dropping French elisions (l', qu', jusqu'…).
func tokenize(text string) []wordToken {
	var out []wordToken
	start := -1
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || (start >= 0 && unicode.Is(unicode.Mn, r)) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			w := strings.ToLower(text[start:i])
			if !(isApostrophe(r) && elisions[w]) {
				out = append(out, wordToken{word: w, start: start, end: i})
			}
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, wordToken{word: strings.ToLower(text[start:]), start: start, end: len(text)})
	}
	return out
}

// wordVariants returns the search terms of one lower-cased word, or nil for
// a stop word. The French stemmer needs the accents, so the word is stemmed
// first and folded after; but a reader often types without accents, and
// the stemmer does not always cut an unaccented word at the same place
// (sécurité → sécur, securite → securit), so the folded word is stemmed too.
// A word has one or two variants; two words match when they share one.
// The variants of the words met recently are remembered (stemmed.get).
func wordVariants(w string) []string {
	if v, ok := stemmed.get(w); ok {
		return v
	}
	v := computeVariants(w)
	stemmed.put(w, v)
	return v
}

// stemMemo remembers the variants of words: stemming is most of the work of
// indexing a post (~1.5 ms for 600 characters), and a forum's vocabulary is
// small. It is a pure function's cache, bounded: emptied when full.
type stemMemo struct {
	mu sync.RWMutex
	m  map[string][]string
}

// maxStemmed bounds the words remembered (~2 MB).
const maxStemmed = 20000

var stemmed = &stemMemo{m: map[string][]string{}}

func (c *stemMemo) get(w string) ([]string, bool) {
	c.mu.RLock()
	v, ok := c.m[w]
	c.mu.RUnlock()
	return v, ok
}

func (c *stemMemo) put(w string, v []string) {
	c.mu.Lock()
	if len(c.m) >= maxStemmed {
		clear(c.m)
	}
	c.m[w] = v
	c.mu.Unlock()
}

// computeVariants is wordVariants without the memory.
func computeVariants(w string) []string {
	w = norm.NFC.String(w)
	if isStopWord(w) {
		return nil
	}
	if n := utf8.RuneCountInString(w); n < 2 && !unicode.IsDigit([]rune(w)[0]) {
		return nil
	} else if n > maxTermRunes {
		w = string([]rune(w)[:maxTermRunes])
	}
	a := foldAccents(french.Stem(w, true))
	f := foldAccents(w)
	if f == w {
		return []string{a}
	}
	b := foldAccents(french.Stem(f, true))
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// SearchTerms returns the distinct normalised terms of a text, as stored in
// the search index of a post or a thread title: lower-cased, elisions and
// stop words removed, stemmed (French snowball) and accent-folded.
func SearchTerms(text string) []string {
	seen := map[string]bool{}
	words := map[string]bool{}
	terms := []string{}
	for _, t := range tokenize(text) {
		if words[t.word] {
			continue // stemmed already: a text repeats most of its words
		}
		words[t.word] = true
		for _, v := range wordVariants(t.word) {
			if !seen[v] {
				seen[v] = true
				terms = append(terms, v)
			}
		}
	}
	return terms
}

// PostSearchTerms returns the search terms of a post from its rendered HTML:
// the visible text only, so that link targets and markup are not indexed.
func PostSearchTerms(renderedHTML string) []string {
	return SearchTerms(PlainExcerpt(renderedHTML, len(renderedHTML)+1))
}

// SearchQuery is a parsed search: the words to find, each with its variants.
type SearchQuery struct {
	// Text is the query as typed (trimmed).
	Text string
	// Words holds, for each meaningful word of the query in order, its
	// variants; a result must match every word (any of its variants).
	Words [][]string
	// Truncated says that words past MaxSearchWords were ignored.
	Truncated bool
}

// Empty reports whether the query has no word to search for (nothing typed,
// or only stop words).
func (q SearchQuery) Empty() bool { return len(q.Words) == 0 }

// ParseSearchQuery normalises what a reader typed. A query longer than
// MaxSearchChars is refused before any other work; words past
// MaxSearchWords are ignored (Truncated tells); the text is never
// interpreted (no operators, no patterns).
func ParseSearchQuery(text string) (SearchQuery, error) {
	if len(text) > 4*MaxSearchChars || utf8.RuneCountInString(text) > MaxSearchChars {
		// The message states MaxSearchChars as a literal, so that it is
		// one text for the English catalog.
		return SearchQuery{}, Invalid("q", "query_too_long", "La recherche est trop longue : 200 caractères au plus.")
	}
	text = strings.TrimSpace(strings.ToValidUTF8(text, " "))
	q := SearchQuery{Text: text}
	seen := map[string]bool{}
	for _, t := range tokenize(text) {
		v := wordVariants(t.word)
		if v == nil || seen[v[0]] {
			continue
		}
		if len(q.Words) == MaxSearchWords {
			q.Truncated = true
			break
		}
		seen[v[0]] = true
		q.Words = append(q.Words, v)
	}
	return q, nil
}

// matcher returns matches with a memory of the words it was asked about
// (an excerpt asks about the same words again and again; stemming is most
// of the work of a search page).
func (q SearchQuery) matcher() func(word string) bool {
	known := map[string]bool{}
	return func(word string) bool {
		m, ok := known[word]
		if !ok {
			m = q.matches(word)
			known[word] = m
		}
		return m
	}
}

// matches reports whether a lower-cased word matches one of the query's words.
func (q SearchQuery) matches(word string) bool {
	vs := wordVariants(word)
	for _, qv := range q.Words {
		for _, a := range qv {
			for _, b := range vs {
				if a == b {
					return true
				}
			}
		}
	}
	return false
}

// Highlight escapes text for HTML and wraps the words that match the query
// in <mark>. The text is plain text: nothing in it is trusted.
func (q SearchQuery) Highlight(text string) template.HTML {
	return q.highlight(text, tokenize(text), 0, len(text), q.matcher())
}

func (q SearchQuery) highlight(text string, toks []wordToken, from, to int, matches func(string) bool) template.HTML {
	var b strings.Builder
	pos := from
	for _, t := range toks {
		if t.start < from || t.end > to || !matches(t.word) {
			continue
		}
		b.WriteString(template.HTMLEscapeString(text[pos:t.start]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(text[t.start:t.end]))
		b.WriteString("</mark>")
		pos = t.end
	}
	b.WriteString(template.HTMLEscapeString(text[pos:to]))
	return template.HTML(b.String())
}

// Excerpt returns about excerptRunes runes of plain text around the first
// word that matches the query (the start of the text when none does),
// escaped, with the matching words wrapped in <mark>.
func (q SearchQuery) Excerpt(plain string) template.HTML {
	plain = strings.Join(strings.Fields(plain), " ")
	toks := tokenize(plain)
	matches := q.matcher()
	first := 0
	for _, t := range toks {
		if matches(t.word) {
			first = t.start
			break
		}
	}
	// Start about a third of the excerpt before the match, on a word boundary.
	from := first
	for n := 0; from > 0 && n < excerptRunes/3; n++ {
		_, size := utf8.DecodeLastRuneInString(plain[:from])
		from -= size
	}
	if from > 0 {
		if i := strings.IndexByte(plain[from:first], ' '); i >= 0 {
			from += i + 1
		} else {
			from = first
		}
	}
	to := from
	for n := 0; to < len(plain) && n < excerptRunes; n++ {
		_, size := utf8.DecodeRuneInString(plain[to:])
		to += size
	}
	if to < len(plain) {
		if i := strings.LastIndexByte(plain[from:to], ' '); i > first-from {
			to = from + i
		}
	}
	out := q.highlight(plain, toks, from, to, matches)
	if from > 0 {
		out = "…" + out
	}
	if to < len(plain) {
		out += "…"
	}
	return out
}
