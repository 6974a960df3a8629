// Package i18n holds the forum's two languages: French, the source and
// default, and English. Text is written in French where it is used and
// looked up here by that French text (gettext style); a text missing from
// the English catalog is shown in French, never as a key.
package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a zoneinfo database
)

// Lang is a language code: "fr" or "en".
type Lang string

// The languages the forum speaks.
const (
	FR Lang = "fr"
	EN Lang = "en"
)

// Langs lists the supported languages, default first.
var Langs = []Lang{FR, EN}

// Parse returns the language a code names ("fr", "en", "en-GB"…), and
// false for anything else.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	switch s {
	case "fr":
		return FR, true
	case "en":
		return EN, true
	}
	return FR, false
}

// Negotiate picks French or English from an Accept-Language header: the
// supported language with the highest weight, French on a tie or when
// neither is named.
func Negotiate(header string) Lang {
	best, bestQ := FR, -1.0
	for _, part := range strings.Split(header, ",") {
		if len(part) > 200 {
			continue
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		l, ok := Parse(tag)
		if !ok {
			continue
		}
		q := 1.0
		if p := strings.TrimSpace(params); strings.HasPrefix(p, "q=") {
			v, err := strconv.ParseFloat(strings.TrimPrefix(p, "q="), 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			q = v
		}
		if q > bestQ || (q == bestQ && l == FR) {
			best, bestQ = l, q
		}
	}
	if bestQ <= 0 {
		return FR
	}
	return best
}

// english maps English text by its French source. Files en_*.go fill it
// at init, one map per area, and nothing writes it afterwards.
var english = map[string]string{}

func register(m map[string]string) {
	for fr, en := range m {
		if prev, dup := english[fr]; dup && prev != en {
			panic(fmt.Sprintf("i18n: %q translated twice: %q and %q", fr, prev, en))
		}
		english[fr] = en
		setCatalog(fr, en)
	}
}

// T translates French source text into lang, with French typography when
// lang is French.
func T(lang Lang, fr string) string {
	if lang == EN {
		if en, ok := english[fr]; ok {
			return en
		}
		return fr
	}
	return Typo(fr)
}

// Message translates a message built by the code (a validation error, a
// conflict): the catalog's text for its key, filled with its arguments
// formatted for lang. It never guesses: a key missing from the catalog is
// shown in French.
func Message(lang Lang, m Msg) string { return m.In(lang) }

// Tf translates a format string and fills it.
func Tf(lang Lang, fr string, args ...any) string {
	if lang == EN {
		if en, ok := english[fr]; ok {
			return fmt.Sprintf(en, args...)
		}
	}
	return Typo(fmt.Sprintf(fr, args...))
}

// Has reports whether the English catalog translates fr.
func Has(fr string) bool { _, ok := english[fr]; return ok }

// typo puts the non-breaking spaces of French typography: a narrow one
// before ; ! ? and a normal one before : and inside « ».
var typo = strings.NewReplacer(
	" :", "\u00a0:",
	" ;", "\u202f;",
	" !", "\u202f!",
	" ?", "\u202f?",
	"« ", "«\u00a0",
	" »", "\u00a0»",
)

// Typo applies French typography to text written with ordinary spaces.
func Typo(s string) string { return typo.Replace(s) }

// Paris is the time zone every date is shown in.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// DateTime is "12 mars 2026 à 14 h 05" in French, "12 March 2026 at 14:05"
// in English, in Europe/Paris.
func DateTime(lang Lang, t time.Time) string {
	t = t.In(Paris)
	if lang == EN {
		return fmt.Sprintf("%d %s %d at %02d:%02d", t.Day(), t.Month(), t.Year(), t.Hour(), t.Minute())
	}
	return fmt.Sprintf("%s %s %d à %d h %02d", frenchDay(t.Day()), frenchMonths[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}

// Date is "12 mars 2026" ("1er mars 2026") or "12 March 2026".
func Date(lang Lang, t time.Time) string {
	t = t.In(Paris)
	if lang == EN {
		return fmt.Sprintf("%d %s %d", t.Day(), t.Month(), t.Year())
	}
	return fmt.Sprintf("%s %s %d", frenchDay(t.Day()), frenchMonths[t.Month()-1], t.Year())
}

func frenchDay(d int) string {
	if d == 1 {
		return "1er"
	}
	return strconv.Itoa(d)
}

// Ago says how long before now t was: "il y a 3 heures", "3 hours ago";
// past a week it gives the date instead.
func Ago(lang Lang, now, t time.Time) string {
	d := now.Sub(t)
	n, unitFR, unitEN := 0, "", ""
	switch {
	case d < time.Minute:
		if lang == EN {
			return "just now"
		}
		return "à l'instant"
	case d < time.Hour:
		n, unitFR, unitEN = int(d/time.Minute), "minute", "minute"
	case d < 24*time.Hour:
		n, unitFR, unitEN = int(d/time.Hour), "heure", "hour"
	case d < 7*24*time.Hour:
		n, unitFR, unitEN = int(d/(24*time.Hour)), "jour", "day"
	default:
		return DateTime(lang, t)
	}
	if lang == EN {
		if n > 1 {
			unitEN += "s"
		}
		return fmt.Sprintf("%d %s ago", n, unitEN)
	}
	if n > 1 {
		unitFR += "s"
	}
	return fmt.Sprintf("il y a %d %s", n, unitFR)
}
