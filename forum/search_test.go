package forum

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// docMatches reports whether a document text matches a query with the same
// AND-over-words, any-variant semantics as the store's filter.
func docMatches(t *testing.T, doc, query string) bool {
	t.Helper()
	q, err := ParseSearchQuery(query)
	if err != nil {
		t.Fatalf("ParseSearchQuery(%q): %v", query, err)
	}
	if q.Empty() {
		t.Fatalf("query %q has no words", query)
	}
	terms := SearchTerms(doc)
	for _, variants := range q.Words {
		if !slices.ContainsFunc(variants, func(v string) bool { return slices.Contains(terms, v) }) {
			return false
		}
	}
	return true
}

func TestSearchMatching(t *testing.T) {
	tests := []struct {
		doc, query string
		want       bool
	}{
		{"Nos Réseaux de fibre", "reseau", true},
		{"NOS RESEAUX DE FIBRE", "reseau", true},
		{"Réseaux", "réseaux", true},
		{"reseaux", "Réseau", true},
		{"Qui a migré son centre d'appels ?", "centres d'appel", true},
		{"Le centre d’appels citoyen", "centres d'appel", true},
		{"Qui a migré son centre d'appels ?", "migrer", true},
		{"Qui a migré son centre d'appels ?", "migre", true},
		{"La sécurité des données", "securite donnees", true},
		{"la securite des donnees", "sécurité données", true},
		{"L'intercommunalité", "intercommunalite", true},
		{"Une mairie", "mairies", true},
		{"Nos marchés publics", "marche public", true},
		{"Le cœur du réseau", "coeur", true},
		// AND semantics: every word must be there.
		{"Le centre d'appels", "centre réseau", false},
		{"Le centre d'appels", "standard", false},
		// Elisions: "l'" and "jusqu'" are not words of their own.
		{"jusqu'à l'état civil", "etat civil", true},
		// Metacharacters are text, not patterns.
		{"abc.def", "abc.*", true},
		{"abcdef", "abc.*", false},
		{"version 2.0 (a+)+", "2 0", true},
	}
	for _, tt := range tests {
		if got := docMatches(t, tt.doc, tt.query); got != tt.want {
			t.Errorf("doc %q, query %q: match = %v, want %v (doc terms %v)", tt.doc, tt.query, got, tt.want, SearchTerms(tt.doc))
		}
	}
}

func TestSearchTerms(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", []string{}},
		{"le la les de des du et à", []string{}},
		{"l'appel d'offres qu'il", []string{"appel", "offre"}},
		{"L’Appel", []string{"appel"}},
		{"RÉSEAUX réseaux Reseaux", []string{"reseau"}},
		{"IPv6 et 5G", []string{"ipv6", "5g"}},
		{`{"$ne":1} .*(a+)+$`, []string{"1"}},
		{"x y z 7", []string{"7"}},
	}
	for _, tt := range tests {
		if got := SearchTerms(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("SearchTerms(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestSearchTermsAccentVariants(t *testing.T) {
	// The stemmer cuts "sécurité" and "securite" differently: the accented
	// word carries both cuts, so that an unaccented query finds it.
	got := SearchTerms("sécurité")
	if !slices.Contains(got, "secur") || !slices.Contains(got, "securit") {
		t.Fatalf("SearchTerms(sécurité) = %q, want both secur and securit", got)
	}
	for _, term := range SearchTerms("Éléments réseaux œuvre données Noël") {
		if !isASCII(term) {
			t.Errorf("term %q is not folded", term)
		}
	}
}

func TestSearchTermsLongWords(t *testing.T) {
	for _, term := range SearchTerms(strings.Repeat("a", 500) + " ok") {
		if len([]rune(term)) > maxTermRunes {
			t.Errorf("term of %d runes", len([]rune(term)))
		}
	}
}

func TestParseSearchQuery(t *testing.T) {
	q, err := ParseSearchQuery("  le la de  ")
	if err != nil || !q.Empty() || q.Text != "le la de" {
		t.Fatalf("stop words only: %+v, %v", q, err)
	}
	q, err = ParseSearchQuery("un deux trois quatre cinq six sept huit neuf dix onze douze")
	if err != nil || len(q.Words) != MaxSearchWords || !q.Truncated {
		t.Fatalf("12 words: %d words, truncated %v, %v", len(q.Words), q.Truncated, err)
	}
	q, err = ParseSearchQuery("réseau réseaux RESEAU")
	if err != nil || len(q.Words) != 1 || q.Truncated {
		t.Fatalf("repeated word: %+v, %v", q, err)
	}
	if _, err := ParseSearchQuery(strings.Repeat("é", MaxSearchChars)); err != nil {
		t.Fatalf("%d characters: %v", MaxSearchChars, err)
	}
	for _, long := range []string{strings.Repeat("a", MaxSearchChars+1), strings.Repeat("é", 10000), strings.Repeat("x", 1<<20)} {
		_, err := ParseSearchQuery(long)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != "q" || ve.Code != "query_too_long" {
			t.Errorf("query of %d bytes: err = %v, want query_too_long", len(long), err)
		}
	}
	if _, err := ParseSearchQuery("caf\xff\xfe"); err != nil {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

func TestSearchHighlight(t *testing.T) {
	q, _ := ParseSearchQuery("centre d'appels")
	got := string(q.Highlight(`Le <b>Centre</b> d'appel & "centres"`))
	want := `Le &lt;b&gt;<mark>Centre</mark>&lt;/b&gt; d&#39;<mark>appel</mark> &amp; &#34;<mark>centres</mark>&#34;`
	if got != want {
		t.Errorf("Highlight:\n got %s\nwant %s", got, want)
	}
}

func TestSearchExcerpt(t *testing.T) {
	q, _ := ParseSearchQuery("réseau")
	long := strings.Repeat("bla ", 200) + "notre réseau <script> " + strings.Repeat("fin ", 200)
	got := string(q.Excerpt(long))
	if !strings.Contains(got, "notre <mark>réseau</mark> &lt;script&gt;") {
		t.Errorf("excerpt misses the match: %s", got)
	}
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("excerpt not marked as cut: %s", got)
	}
	if n := len([]rune(got)); n > excerptRunes+200 {
		t.Errorf("excerpt of %d runes", n)
	}
	if got := string(q.Excerpt("Court texte sans rapport")); got != "Court texte sans rapport" {
		t.Errorf("no match: %s", got)
	}
}
