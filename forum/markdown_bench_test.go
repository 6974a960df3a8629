package forum

import (
	"strconv"
	"strings"
	"testing"
)

// Timings of RenderMarkdown, measured with
//
//	go test -run '^$' -bench RenderMarkdown -benchtime 20x ./forum/
//
// on the 2-core amd64 development machine (-race off). Every input is at or
// near the 32 000-character cap; "refused" means mdComplexity rejects it
// (figure without the pre-check in brackets).
//
//	typical ~600-char post                                0.14 ms
//	">" x 32000, "1. " x 10666, "> - " x 8000   refused  < 0.1 ms (370-650 ms)
//	"*a_" / "~a*" x 10666                       refused  < 0.1 ms (330-690 ms)
//	"*a" x 16000 (over the run bound)           refused  < 0.1 ms (30 ms)
//	"[a](" x 8000, "[](" x 10666                refused  < 0.2 ms (500-690 ms)
//	4 000 x 8 000 table, same in a blockquote   refused  < 0.5 ms (> 7 s)
//	32 nested blockquotes x 900, big output     refused   10 ms (over MaxRenderedBytes)
//	at the bounds: 32-deep nesting on every line         4-20 ms
//	               8 000 mixed "*", "_", "~" runs        35-37 ms
//	               1 000 unclosed "](" + text            51-58 ms
//	1 000 x 30 table (30 000 cells)                      26 ms
//	"[" x 32000, "![" x 16000, "[a][" x 8000             7-15 ms
//	task lists, hard breaks, headings, link references   6-23 ms
//	everything else in mdPathologicalCases               < 11 ms
//
// A random search (45 000 sources of 32 000 characters mixing Markdown
// tokens) found nothing over 190 ms, and 1.5 M fuzzing runs of
// FuzzRenderMarkdown found no unsafe output.

// mdTypicalPost is a ~600-character French post using the usual formatting.
const mdTypicalPost = `## Migration de la messagerie

Bonjour à tous,

Nous migrons la messagerie de la **communauté d'agglomération** vers une
solution souveraine. Points d'attention :

- inventaire des boîtes partagées ;
- *bascule* des agendas (voir [la doc ANSSI](https://cyber.gouv.fr/)) ;
- [x] marché notifié
- [ ] formation des agents

| Étape | Date |
|:------|-----:|
| Pilote | mars |

` + "```bash\nrsync -av /srv/mail/ backup:/mail/\n```" + `

Des retours d'expérience ? Écrivez-moi : dsi@exemple.fr ou https://exemple.fr/contact
`

// mdPathologicalCase is a source built to stress the parser at the size cap.
type mdPathologicalCase struct {
	name    string
	src     string
	errCode string // "" when it must render
}

func mdPathologicalCases() []mdPathologicalCase {
	r := strings.Repeat
	pad := func(s string) string { return s + r("a", MaxPostSourceChars-len(s)) }
	var b strings.Builder
	// 1 000 x 30 table: rows of one char are padded to 30 empty cells.
	b.WriteString("|" + r("a|", 30) + "\n|" + r("-|", 30) + "\n" + r("x\n", 1000))
	table1000x30 := b.String()
	b.Reset()
	// Indented nested lists, one level deeper per line.
	for i := 0; b.Len() < 31000; i++ {
		b.WriteString(r("  ", i) + "- a\n")
	}
	stairs := b.String()
	b.Reset()
	// Unmatched backtick runs of growing length.
	for i := 1; b.Len()+i+1 < MaxPostSourceChars; i++ {
		b.WriteString(r("`", i) + "a")
	}
	backticks := b.String()
	b.Reset()
	// Link reference chain: many definitions, each used many times.
	for i := 0; i < 1000; i++ {
		b.WriteString("[r" + strconv.Itoa(i) + "]: https://a.fr/" + strconv.Itoa(i) + "\n")
	}
	for b.Len() < 31000 {
		b.WriteString("[a][r1] [r999] ")
	}
	refChain := b.String()
	const tooComplex = "body_too_complex"
	return []mdPathologicalCase{
		{"blockquote nesting", r(">", 32000), tooComplex},
		{"blockquote nesting at bound", r(r(">", 32)+"a\n", 32000/34), ""},
		{"blockquote nesting big output", r(r(">", 32)+"a\n\n", 900), tooComplex},
		{"lazy blockquote", r(">", 16000) + " a\n" + r("b\n", 7998), tooComplex},
		{"lazy blockquote at bound", r(">", 32) + " a\n" + r("b\n", 15980), ""},
		{"list nesting", r("- ", 15999) + "a", tooComplex},
		{"ordered list nesting", r("1. ", 10666), tooComplex},
		{"ordered list nesting at bound", r(r("1. ", 32)+"a\n", 32000/98), ""},
		{"quote and list", r("> - ", 8000), tooComplex},
		{"lazy list", r("- ", 8000) + "a\n" + r("b\n", 7999), tooComplex},
		{"lazy list at bound", r("- ", 32) + "a\n" + r("b\n", 15960), ""},
		{"list stairs", stairs, ""},
		{"thematic breaks", r("- ", 8000) + "\n\n" + r("* ", 7998), ""},
		{"brackets", r("[", 32000), ""},
		{"image brackets", r("![", 16000), ""},
		{"close brackets", r("]", 32000), ""},
		{"stars", r("*", 32000), ""},
		{"star emphasis", r("*a", 16000), tooComplex},
		{"star emphasis at bound", pad(r("*a", 8000)), ""},
		{"mixed emphasis", r("*a_", 10666), tooComplex},
		{"mixed emphasis at bound", pad(r("*a_", 4000)), ""},
		{"strike and star", r("~a*", 10666), tooComplex},
		{"strike and star at bound", pad(r("~a*", 4000)), ""},
		{"double emphasis at bound", pad(r("**a__", 4000)), ""},
		{"unclosed links", r("[a](", 8000), tooComplex},
		{"empty unclosed links", r("[](", 10666), tooComplex},
		{"unclosed links at bound", pad(r("[](", 1000)), ""},
		{"unclosed emphasised links at bound", pad(r("[*a](", 1000)), ""},
		{"link ref chain", refChain, ""},
		{"reference brackets", r("[a][", 8000), ""},
		{"backticks", backticks, ""},
		{"html tags", r("<a ", 10666), ""},
		{"html comments", r("<!--", 8000), ""},
		{"entities", r("&#x", 10666), ""},
		{"backslashes", r("\\", 32000), ""},
		{"headings", r("# a\n", 8000), ""},
		{"linkify www", r("www.a", 6400), ""},
		{"linkify parens", "http://a.fr/" + r("(", 31000), ""},
		{"linkify emails", r("a@", 16000), ""},
		{"autolinks", r("<http://a", 3555), ""},
		{"task lists", r("- [x] a\n", 4000), ""},
		{"hard breaks", r("a\n", 16000), ""},
		{"table 1000x30", table1000x30, ""},
		{"table blowup", r("a|", 4000) + "\n" + r("-|", 4000) + "\n" + r("x\n", 7990), tooComplex},
		{"table in quote blowup", "> " + r("a|", 3000) + "\n> " + r("-|", 3000) + "\n" + r("x\n", 9990), tooComplex},
		{"table pipes", "a|b\n-|-\n" + r("|", 31990), ""},
	}
}

func BenchmarkRenderMarkdown(b *testing.B) {
	cases := append([]mdPathologicalCase{{"typical post", mdTypicalPost, ""}}, mdPathologicalCases()...)
	for _, c := range cases {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(c.src)))
			for b.Loop() {
				_, _ = RenderMarkdown(c.src)
			}
		})
	}
}
