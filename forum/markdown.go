package forum

import (
	"bytes"
	"errors"
	stdhtml "html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	xhtml "golang.org/x/net/html"
)

// MaxPostSourceChars is the maximum length of a post's Markdown source, in
// characters (runes), counted after normalisation (CRLF counts as one).
const MaxPostSourceChars = 32000

// MaxRenderedBytes bounds the HTML produced from one source. Sources of
// MaxPostSourceChars made of ordinary constructs stay below it (largest
// measured: 380 KB for one link to a URL of 32 000 emoji, 320 KB for an
// autolink full of "&" or a 1 000 x 30 table); absurd structures such as 900
// blockquotes nested 32 deep reach it and are refused.
const MaxRenderedBytes = 512 << 10

// mdLinkRel is the rel value of every link of a rendered post.
const mdLinkRel = "nofollow noopener ugc"

// goldmark is super-linear on some inputs: nesting opened on one line
// (">>>>", "1. 1. 1.") costs depth², unmatched emphasis delimiters of
// different kinds ("*a_*a_", "~a*") cost runs², unclosed link destinations
// ("[](" then text) rescan the paragraph each time, and GFM pads every table
// row to the header width. Measured before these bounds (2 cores, no -race):
// ">"x32000 650 ms and over MaxRenderedBytes, "1. "x10666 370 ms, "*a_"x10666
// 330-450 ms, "~a*"x10666 690 ms, "[]("x10666 690 ms, "[a]("x8000 500 ms, and
// a 2 000-column header over 4 000 one-char rows (16 000 chars) 7.5 s and
// 80 MB of HTML. mdComplexity refuses them in < 1 ms; the worst inputs it
// accepts take 60 ms at most (see markdown_bench_test.go).
const (
	mdMaxNesting       = 32    // container markers (">", "-", "1.") opening one line
	mdMaxDelimiterRuns = 8000  // runs of "*", "_" or "~"
	mdMaxLinkOpenings  = 1000  // "](" sequences
	mdMaxTableCells    = 40000 // over all tables; a 1 000 x 30 table passes
)

var mdConverter = goldmark.New(
	goldmark.WithExtensions(extension.GFM),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(mdLinkTransformer{}, 1000))),
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(mdRawHTMLAsText{}, 100)),
		html.WithHardWraps(),
		extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute),
	),
)

var mdPolicy = newMDPolicy()

func newMDPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowRelativeURLs(false) // no "//host", "/\host", "#x": http, https, mailto only
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + mdLinkRel + `$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#.-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$`)).OnElements("input")
	return p
}

// mdLinkTransformer sets rel="nofollow noopener ugc" on every link and autolink
// (the policy lets only that exact value through) and empties the source of
// images that are not https (plain http would be mixed content; the policy
// also accepts mailto: there).
type mdLinkTransformer struct{}

var mdHTTPURL = regexp.MustCompile(`(?i)^https://`)

func (mdLinkTransformer) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Link, *ast.AutoLink:
			if entering {
				n.SetAttributeString("rel", []byte(mdLinkRel))
			}
		case *ast.Image:
			if entering && !mdHTTPURL.Match(n.Destination) {
				n.Destination = nil
			}
		}
		return ast.WalkContinue, nil
	})
}

// The task-list checkboxes as bluemonday emits them, stored without a
// label, and as posts written before labels were added at display carried
// them (French, baked in).
const (
	mdTaskDone       = `<input checked="" disabled="" type="checkbox">`
	mdTaskTodo       = `<input disabled="" type="checkbox">`
	mdTaskDoneLegacy = `<input checked="" disabled="" type="checkbox" aria-label="tâche faite">`
	mdTaskTodoLegacy = `<input disabled="" type="checkbox" aria-label="tâche à faire">`
)

// TaskLabels gives the task-list checkboxes of a post's stored HTML an
// accessible name, done or todo, in the reader's language (the caller
// translates the labels "tâche faite" and "tâche à faire"). It rewrites
// only the exact tags the Markdown pipeline emits; labels are attribute
// values, escaped here.
func TaskLabels(html, done, todo string) string {
	if !strings.Contains(html, `type="checkbox"`) {
		return html
	}
	d := `<input checked="" disabled="" type="checkbox" aria-label="` + stdhtml.EscapeString(done) + `">`
	t := `<input disabled="" type="checkbox" aria-label="` + stdhtml.EscapeString(todo) + `">`
	return strings.NewReplacer(mdTaskDoneLegacy, d, mdTaskTodoLegacy, t, mdTaskDone, d, mdTaskTodo, t).Replace(html)
}

// mdRawHTMLAsText shows raw HTML typed in a post as text, escaped, instead
// of dropping it silently: "<b>gras</b>" reads as typed. It overrides
// goldmark's renderers for the two raw HTML node kinds.
type mdRawHTMLAsText struct{}

func (mdRawHTMLAsText) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := 0; i < segs.Len(); i++ {
				seg := segs.At(i)
				_, _ = w.WriteString(stdhtml.EscapeString(string(seg.Value(source))))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		b := n.(*ast.HTMLBlock)
		if entering {
			_, _ = w.WriteString("<p>")
			lines := b.Lines()
			for i := 0; i < lines.Len(); i++ {
				if i > 0 {
					_, _ = w.WriteString("<br>\n")
				}
				line := lines.At(i)
				_, _ = w.WriteString(stdhtml.EscapeString(strings.TrimRight(string(line.Value(source)), "\n")))
			}
			if b.HasClosure() {
				closure := b.ClosureLine
				_, _ = w.WriteString("<br>\n" + stdhtml.EscapeString(strings.TrimRight(string(closure.Value(source)), "\n")))
			}
			_, _ = w.WriteString("</p>\n")
		}
		return ast.WalkSkipChildren, nil
	})
}

// mdLimitedBuffer refuses writes past MaxRenderedBytes.
type mdLimitedBuffer struct{ bytes.Buffer }

func (b *mdLimitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxRenderedBytes {
		return 0, errors.New("rendu trop volumineux")
	}
	return b.Buffer.Write(p)
}

func errMDOutputTooBig() *ValidationError {
	return Invalid("body", "body_too_complex",
		"Le message est trop complexe à afficher ; simplifiez sa mise en forme (tableaux, imbrications).")
}

// RenderMarkdown turns Markdown source into sanitised HTML. Errors are
// *ValidationError on field "body": "body_invalid" (not UTF-8),
// "body_empty", "body_too_long" (more than MaxPostSourceChars) and
// "body_too_complex" (too many table cells or HTML over MaxRenderedBytes).
func RenderMarkdown(src string) (string, error) {
	if !utf8.ValidString(src) {
		return "", Invalid("body", "body_invalid", "Le message contient des caractères invalides (encodage UTF-8 attendu).")
	}
	src = strings.ReplaceAll(src, "\x00", "")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	if strings.TrimSpace(src) == "" {
		return "", Invalid("body", "body_empty", "Le message est vide.")
	}
	if n := utf8.RuneCountInString(src); n > MaxPostSourceChars {
		return "", Invalidf("body", "body_too_long", "Le message dépasse %d caractères (il en compte %d).", MaxPostSourceChars, n)
	}
	if err := mdComplexity(src); err != nil {
		return "", err
	}
	var buf mdLimitedBuffer
	if err := mdConverter.Convert([]byte(src), &buf); err != nil {
		return "", errMDOutputTooBig()
	}
	out := mdPolicy.SanitizeReader(&buf).String()
	if len(out) > MaxRenderedBytes {
		return "", errMDOutputTooBig()
	}
	return out, nil
}

// mdComplexity rejects, in one pass, sources that would make goldmark
// super-linear or blow up the output; it over-estimates, never under.
func mdComplexity(src string) *ValidationError {
	tooComplex := func(format string, limit int) *ValidationError {
		return Invalidf("body", "body_too_complex", format, limit)
	}
	runs := 0
	for i := 0; i < len(src); i++ {
		if c := src[i]; (c == '*' || c == '_' || c == '~') && (i == 0 || src[i-1] != c) {
			runs++
		}
	}
	if runs > mdMaxDelimiterRuns {
		return tooComplex("Le message contient trop de marques de mise en forme (*, _, ~) : %d au plus.", mdMaxDelimiterRuns)
	}
	if strings.Count(src, "](") > mdMaxLinkOpenings {
		return tooComplex("Le message contient trop de liens : %d au plus.", mdMaxLinkOpenings)
	}
	lines := strings.Split(src, "\n")
	cells, end := 0, 0
	for i, line := range lines {
		if mdNesting(line) > mdMaxNesting {
			return tooComplex("Le message imbrique trop de citations ou de listes : %d niveaux au plus.", mdMaxNesting)
		}
		// GFM table: columns of its delimiter row x lines up to the next blank one.
		cols := mdDelimiterColumns(mdStripContainers(line))
		if i < end || cols < 2 {
			continue
		}
		for end = i + 1; end < len(lines) && strings.Trim(mdStripContainers(lines[end]), " \t") != ""; end++ {
		}
		if cells += cols * (end - i + 1); cells > mdMaxTableCells {
			return tooComplex("Les tableaux du message sont trop grands : %d cellules au plus.", mdMaxTableCells)
		}
	}
	return nil
}

// mdNesting counts the block quote and list markers that open a line, which
// goldmark nests in one go; thematic breaks ("- - -", "* * *") count 0.
func mdNesting(line string) int {
	if t := strings.TrimLeft(line, " \t"); t != "" && strings.Contains("-*_", t[:1]) && strings.Trim(t, " \t"+t[:1]) == "" {
		return 0
	}
	depth := 0
	for i := 0; i < len(line); {
		c := line[i]
		j := i + 1
		for c >= '0' && c <= '9' && j < len(line) && line[j] >= '0' && line[j] <= '9' {
			j++
		}
		switch {
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '>':
		case c == '-' || c == '*' || c == '+':
		case c >= '0' && c <= '9' && j < len(line) && (line[j] == '.' || line[j] == ')'):
			j++
		default:
			return depth
		}
		if c != '>' && j < len(line) && line[j] != ' ' && line[j] != '\t' {
			return depth
		}
		depth++
		i = j
	}
	return depth
}

func mdStripContainers(line string) string {
	return strings.TrimLeft(line, " \t>")
}

// mdDelimiterColumns returns the number of "|"-separated columns of a line made
// only of "-", ":", "|" and blanks, 0 if it cannot be a table delimiter row
// (it may over-count: "| - || - |" is no delimiter row for goldmark).
func mdDelimiterColumns(line string) int {
	if !strings.Contains(line, "|") || !strings.Contains(line, "-") {
		return 0
	}
	for _, r := range line {
		if r != '-' && r != ':' && r != '|' && r > ' ' { // controls count as blanks
			return 0
		}
	}
	return strings.Count(strings.Trim(line, "| \t\f\v"), "|") + 1
}

// mdBlockTags separate words in PlainExcerpt; other tags are inline.
var mdBlockTags = map[string]bool{
	"p": true, "br": true, "div": true, "li": true, "ul": true, "ol": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "pre": true, "table": true, "tr": true, "td": true,
	"th": true, "hr": true, "img": true, "input": true, "dd": true, "dt": true,
}

// PlainExcerpt returns at most n runes of the visible text of a rendered
// post (for listings and digests): tags are stripped, entities decoded,
// whitespace collapsed; longer texts are cut at a word boundary and end
// with "…" (counted in n).
func PlainExcerpt(renderedHTML string, n int) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(renderedHTML))
	skip := 0 // inside script/style/template: not visible
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		switch tt {
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			switch tag := string(name); {
			case tag == "script" || tag == "style" || tag == "template":
				if tt == xhtml.StartTagToken {
					skip++
				} else if tt == xhtml.EndTagToken && skip > 0 {
					skip--
				}
			case mdBlockTags[tag]:
				b.WriteByte(' ')
			}
		}
	}
	plain := strings.Join(strings.Fields(b.String()), " ")
	runes := []rune(plain)
	if len(runes) <= n {
		return plain
	}
	cut := string(runes[:n-1])
	if runes[n-1] != ' ' {
		if i := strings.LastIndexByte(cut, ' '); i > 0 {
			cut = cut[:i]
		}
	}
	return strings.TrimRightFunc(cut, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:", r)
	}) + "…"
}
