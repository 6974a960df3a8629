package i18n

import (
	"strings"
	"testing"
)

// show makes the no-break spaces visible in failures: ~ for U+00A0, ^ for U+202F.
func show(s string) string {
	return strings.NewReplacer("\u00a0", "~", "\u202f", "^").Replace(s)
}

func TestTypoText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Quel outil ?", "Quel outil^?"},
		{"Attention ; voici : la suite !", "Attention^; voici~: la suite^!"},
		{"Vraiment !!! Et ça ?!", "Vraiment^!!! Et ça^?!"},
		{"Il a dit « bonjour » puis «salut».", "Il a dit «~bonjour~» puis «~salut~»."},
		{"Rendez-vous à 16 h 20, 10 Mo, 5 % et 3 km.", "Rendez-vous à 16~h~20, 10~Mo, 5~% et 3~km."},
		{"Le 12 mars 2026 à 14 h 05", "Le 12~mars 2026 à 14~h~05"},
		{"1er mars", "1er~mars"},
		{"3 messages, 1 réponse, 10 000 habitants, 1 250 000 €", "3~messages, 1~réponse, 10~000~habitants, 1~250~000~€"},
		// Not units, not groups of thousands.
		{"en 2025 100 communes", "en 2025 100~communes"},
		{"les 3 premiers", "les 3 premiers"},
		// URLs, times and emoticons keep their form.
		{"Voir https://exemple.fr/a?b=c&d=e#f", "Voir https://exemple.fr/a?b=c&d=e#f"},
		{"Lien : https://exemple.fr/a?b=c", "Lien~: https://exemple.fr/a?b=c"},
		{"À 10:30 ou 16h20", "À 10:30 ou 16h20"},
		{"Merci :) et ;-) et :-D", "Merci :) et ;-) et :-D"},
		{"Fin :", "Fin~:"},
		{"Fin ;", "Fin^;"},
		// No space where none was typed; already spaced text unchanged.
		{"Bonjour!", "Bonjour!"},
		{"Bonjour\u202f! Note\u00a0: «\u00a0oui\u00a0»", "Bonjour^! Note~: «~oui~»"},
		// Text next to a tag: the space starts the text node.
		{" ?", "^?"},
		{"avant ", "avant "},
		{"Question\n?", "Question^?"},
	} {
		if got := TypoText(c.in); got != strings.NewReplacer("~", "\u00a0", "^", "\u202f").Replace(c.want) {
			t.Errorf("TypoText(%q) = %q, want %q", c.in, show(got), c.want)
		}
	}
}

func TestTypoTextIdempotent(t *testing.T) {
	for _, s := range []string{"Quel outil ? 16 h 20 « oui » : non ; 10 000 €", "Merci :) 10:30"} {
		once := TypoText(s)
		if twice := TypoText(once); twice != once {
			t.Errorf("TypoText twice: %q then %q", show(once), show(twice))
		}
	}
}

func TestTypoHTML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<p>Quel outil ? <code>a ? b : c</code> vraiment ?</p>`, `<p>Quel outil^? <code>a ? b : c</code> vraiment^?</p>`},
		{`<pre><code>x = 16 h ;</code></pre><p>Fin !</p>`, `<pre><code>x = 16 h ;</code></pre><p>Fin^!</p>`},
		{`<p><kbd>Ctrl ?</kbd> <samp>Erreur : 5 %</samp></p>`, `<p><kbd>Ctrl ?</kbd> <samp>Erreur : 5 %</samp></p>`},
		// Attribute values and URLs are copied byte for byte.
		{`<a href="https://exemple.fr/a?b=c&amp;d=1" title="Quoi ? 5 %">le lien ?</a>`, `<a href="https://exemple.fr/a?b=c&amp;d=1" title="Quoi ? 5 %">le lien^?</a>`},
		{`<p><strong>Urgent</strong> ! <em>vite</em> :</p>`, `<p><strong>Urgent</strong>^! <em>vite</em>~:</p>`},
		// Escaped text stays escaped.
		{`<p>a &lt; b ? &amp; « c »</p>`, `<p>a &lt; b^? &amp; «~c~»</p>`},
		{`<p>Le 1er mars</p>`, `<p>Le 1er~mars</p>`},
		{`<p>Merci :) ;-) 10:30</p>`, `<p>Merci :) ;-) 10:30</p>`},
		{`<textarea name="body">Quel outil ?</textarea><title>Quoi ?</title>`, `<textarea name="body">Quel outil ?</textarea><title>Quoi^?</title>`},
		{`<script>if (a ? b : c) {}</script><style>a:hover{}</style>`, `<script>if (a ? b : c) {}</script><style>a:hover{}</style>`},
		{`<input value="Quel outil ?"><!-- a ? b -->`, `<input value="Quel outil ?"><!-- a ? b -->`},
	} {
		want := strings.NewReplacer("~", "\u00a0", "^", "\u202f").Replace(c.want)
		if got := string(TypoHTML([]byte(c.in))); got != want {
			t.Errorf("TypoHTML(%s)\n = %s\nwant %s", c.in, show(got), c.want)
		}
	}
}

// BenchmarkTypoHTML measures a thread page of about 60 KB.
func BenchmarkTypoHTML(b *testing.B) {
	post := `<article class="post"><p>Bonjour à tous ! Nous migrons 10 000 postes : quel outil ? Rendez-vous le 12 mars à 16 h 20 ; voir <a href="https://exemple.fr/a?b=c">le lien</a> et <code>a ? b : c</code>.</p><p class="meta"><time datetime="2026-03-12T15:20:00Z">12 mars 2026 à 16 h 20</time></p></article>`
	page := []byte("<!doctype html><html lang=\"fr\"><body>" + strings.Repeat(post, 200) + "</body></html>")
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		TypoHTML(page)
	}
}
