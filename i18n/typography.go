package i18n

import (
	"bytes"
	"io"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// French typography of displayed text (issue 12): the interface's own text
// gets it from Typo when its catalog is built; the text members wrote
// (titles, posts) and the dates and counts of a page get it from TypoText
// and TypoHTML when a French page is rendered. The stored text is never
// changed, and English pages never get it.

const (
	nbsp       = '\u00a0' // no-break space: before ":", inside « », after a number
	narrowNbsp = '\u202f' // narrow no-break space: before ";", "!" and "?"
)

// typoUnits are the words that stay on the line of the number before them:
// units, currencies, French months (dates), and the nouns the forum counts.
var typoUnits = func() map[string]bool {
	m := map[string]bool{}
	for _, u := range strings.Fields(`h min s ms j km m cm mm kg g t l L o Ko Mo Go To Po ko mo go to
		bit bits kbit Mbit Gbit kbit/s Mbit/s Gbit/s Mb/s Gb/s Mbps Gbps kW kWh MW MWh W V A Hz kHz MHz GHz
		°C ° % ‰ € k€ M€ Md€ $ £ ETP
		janvier février mars avril mai juin juillet août septembre octobre novembre décembre
		message messages réponse réponses fil fils discussion discussions membre membres abonné abonnés
		minute minutes heure heures jour jours semaine semaines mois an ans caractère caractères
		page pages fichier fichiers mot mots habitant habitants commune communes agent agents poste postes
		utilisateur utilisateurs licence licences lecteur lecteurs`) {
		m[u] = true
	}
	return m
}()

func isTypoSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func isNoBreak(r rune) bool { return r == nbsp || r == narrowNbsp || r == '\u2009' || r == '\u2007' }

// unitAt reports where the unit starting at rs[i] ends, and whether the
// word there is a unit: a run of runes up to a space or a punctuation mark
// that ends a word.
func unitAt(rs []rune, i int) (end int, ok bool) {
	end = i
	for end < len(rs) && !isTypoSpace(rs[end]) && !isNoBreak(rs[end]) && !strings.ContainsRune(".,;:!?)]}»\"'’…", rs[end]) {
		end++
	}
	return end, end > i && typoUnits[string(rs[i:end])]
}

// numberBefore reports whether the text before position i (a space run's
// start) ends with a number: digits, or "1er".
func numberBefore(rs []rune, i int) bool {
	if i >= 1 && unicode.IsDigit(rs[i-1]) {
		return true
	}
	return i >= 3 && rs[i-2] == 'e' && rs[i-1] == 'r' && unicode.IsDigit(rs[i-3])
}

// digitsBefore counts the digits just before position i.
func digitsBefore(rs []rune, i int) int {
	n := 0
	for i > 0 && unicode.IsDigit(rs[i-1]) {
		i--
		n++
	}
	return n
}

// thousandsAt reports whether rs[i:] starts with exactly three digits (a
// group of a number such as 10 000).
func thousandsAt(rs []rune, i int) bool {
	if i+3 > len(rs) {
		return false
	}
	for _, r := range rs[i : i+3] {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return i+3 == len(rs) || !unicode.IsDigit(rs[i+3]) && !unicode.IsLetter(rs[i+3])
}

// closesPunct reports whether the : or ; at rs[i] is punctuation: followed by
// a space, the end, or a closing mark. ":)", ";-)" and "10:30" are not.
func closesPunct(rs []rune, i int) bool {
	return i+1 == len(rs) || isTypoSpace(rs[i+1]) || isNoBreak(rs[i+1]) || strings.ContainsRune("»\"”’", rs[i+1])
}

// TypoText applies French typography to plain text that members wrote (or
// that the forum computed: dates, counts). The spaces typed before ";",
// "!" and "?" become narrow no-break spaces, those before ":" and inside
// « » no-break spaces (added when « » have none), and the space between a
// number and its unit ("16 h 20", "10 Mo", "5 %", "12 mars", "3 messages")
// or a group of thousands ("10 000") a no-break space. No space is added
// where none was typed, so "10:30", URLs and emoticons (":)", ";-)") keep
// their form; text already spaced is left as it is.
func TypoText(s string) string {
	if !strings.ContainsAny(s, " \t\n\r«»") {
		return s
	}
	rs := []rune(s)
	out := make([]rune, 0, len(rs)+4)
	afterTimeUnit := false // just wrote "h" after a number: "16 h 20"
	for i := 0; i < len(rs); {
		r := rs[i]
		if r == '«' {
			out = append(out, r)
			i++
			j := i
			for j < len(rs) && isTypoSpace(rs[j]) {
				j++
			}
			if j < len(rs) && !isNoBreak(rs[j]) {
				out = append(out, nbsp)
			}
			i = j
			continue
		}
		if r == '»' {
			if n := len(out); n > 0 && !isNoBreak(out[n-1]) && !isTypoSpace(out[n-1]) {
				out = append(out, nbsp)
			}
			out = append(out, r)
			i++
			continue
		}
		if !isTypoSpace(r) {
			out = append(out, r)
			i++
			if r != 'h' {
				afterTimeUnit = false
			}
			continue
		}
		j := i
		for j < len(rs) && isTypoSpace(rs[j]) {
			j++
		}
		if j == len(rs) {
			out = append(out, rs[i:j]...)
			i, afterTimeUnit = j, false
			continue
		}
		next := rs[j]
		var space rune
		switch {
		case next == ';' || next == '!' || next == '?':
			if next != ';' || closesPunct(rs, j) {
				space = narrowNbsp
			}
		case next == ':':
			if closesPunct(rs, j) {
				space = nbsp
			}
		case next == '»':
			space = nbsp
		case afterTimeUnit && unicode.IsDigit(next):
			space = nbsp
		case numberBefore(rs, i):
			if end, ok := unitAt(rs, j); ok {
				space = nbsp
				out = append(out, space)
				out = append(out, rs[j:end]...)
				afterTimeUnit = end-j == 1 && rs[j] == 'h'
				i = end
				continue
			}
			if n := digitsBefore(rs, i); n >= 1 && n <= 3 && j-i == 1 && thousandsAt(rs, j) {
				space = nbsp
			}
		}
		afterTimeUnit = false
		if space == 0 {
			out = append(out, rs[i:j]...)
		} else {
			out = append(out, space)
		}
		i = j
	}
	return string(out)
}

// mayNeedTypo reports whether TypoText may change the escaped text raw:
// it has a space before ; : ! ?, a number (or 1er) before a space, or a
// guillemet. Most text nodes (indentation, plain prose) have none.
func mayNeedTypo(raw []byte) bool {
	for i, c := range raw {
		switch {
		case c == 0xc2 && i+1 < len(raw) && (raw[i+1] == 0xab || raw[i+1] == 0xbb): // « »
			return true
		case c >= '0' && c <= '9' && i+1 < len(raw) && isTypoSpace(rune(raw[i+1])):
			return true
		case c == 'r' && i >= 2 && raw[i-1] == 'e' && raw[i-2] >= '0' && raw[i-2] <= '9' && i+1 < len(raw) && isTypoSpace(rune(raw[i+1])): // 1er mars
			return true
		case isTypoSpace(rune(c)) && i+1 < len(raw) && strings.IndexByte(";:!?", raw[i+1]) >= 0:
			return true
		}
	}
	return false
}

// typoSkip are the elements whose text keeps its form: code, preformatted
// and sample text, form fields and what is not text.
var typoSkip = map[string]bool{"code": true, "pre": true, "kbd": true, "samp": true, "textarea": true,
	"script": true, "style": true, "var": true}

// TypoHTML applies TypoText to the text nodes of an HTML page or fragment,
// outside code, pre, kbd, samp, textarea, script and style: tags, attribute
// values (links, form values) and comments are copied byte for byte. It
// returns src itself when nothing changed.
func TypoHTML(src []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(src))
	var out bytes.Buffer
	out.Grow(len(src) + len(src)/64)
	changed := false
	skip := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF && changed {
				return out.Bytes()
			}
			return src
		}
		raw := z.Raw()
		switch tt {
		case html.TextToken:
			if skip == 0 && mayNeedTypo(raw) {
				text := html.UnescapeString(string(raw))
				if t := TypoText(text); t != text {
					out.WriteString(html.EscapeString(t))
					changed = true
					continue
				}
			}
			out.Write(raw)
		case html.StartTagToken, html.EndTagToken:
			out.Write(raw)
			name, _ := z.TagName()
			if !typoSkip[string(name)] {
				continue
			}
			if tt == html.StartTagToken {
				skip++
			} else if skip > 0 {
				skip--
			}
		default:
			out.Write(raw)
		}
	}
}
