package forum

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestRenderMarkdownFeatures(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{"table", "| Outil | Coût |\n|:--|--:|\n| GLPI | 0 € |",
			[]string{"<table>", `<th align="left">Outil</th>`, `<td align="right">0 €</td>`}, []string{"style="}},
		{"task list", "- [x] marché notifié\n- [ ] formation",
			[]string{`<input checked="" disabled="" type="checkbox"> marché notifié`, `<input disabled="" type="checkbox"> formation`}, []string{"aria-label"}},
		{"strikethrough", "~~ancien~~ nouveau", []string{"<del>ancien</del> nouveau"}, nil},
		{"bare url", "Voir https://cyber.gouv.fr/guides",
			[]string{`<a href="https://cyber.gouv.fr/guides" rel="nofollow noopener ugc">https://cyber.gouv.fr/guides</a>`}, nil},
		{"www url", "Voir www.exemple.fr", []string{`<a href="http://www.exemple.fr" rel="nofollow noopener ugc">www.exemple.fr</a>`}, nil},
		{"angle autolink", "<https://exemple.fr>", []string{`<a href="https://exemple.fr" rel="nofollow noopener ugc">`}, nil},
		{"email", "Écrire à dsi@exemple.fr", []string{`<a href="mailto:dsi@exemple.fr" rel="nofollow noopener ugc">dsi@exemple.fr</a>`}, nil},
		{"inline link", `[le guide](https://exemple.fr/guide "Guide")`,
			[]string{`<a href="https://exemple.fr/guide" title="Guide" rel="nofollow noopener ugc">le guide</a>`}, nil},
		{"reference link", "[guide][g]\n\n[g]: https://exemple.fr/g",
			[]string{`<a href="https://exemple.fr/g" rel="nofollow noopener ugc">guide</a>`}, nil},
		{"mailto link", "[écrire](mailto:dsi@exemple.fr)", []string{`href="mailto:dsi@exemple.fr"`}, nil},
		{"relative link loses href", "[ici](/fils/42) [là](//evil.fr) [x](#ancre)",
			[]string{`<a rel="nofollow noopener ugc">ici</a>`}, []string{"href"}},
		{"fenced code", "```go\nfmt.Println(\"été\")\n```",
			[]string{`<pre><code class="language-go">fmt.Println(&#34;été&#34;)`}, nil},
		{"code span", "`<b>`", []string{"<code>&lt;b&gt;</code>"}, []string{"<b>"}},
		{"heading", "## Schéma directeur", []string{"<h2>Schéma directeur</h2>"}, []string{"id="}},
		{"list", "- un\n- deux\n\n1. premier", []string{"<ul>\n<li>un</li>\n<li>deux</li>\n</ul>", "<ol>\n<li>premier</li>"}, nil},
		{"blockquote", "> citation", []string{"<blockquote>\n<p>citation</p>\n</blockquote>"}, nil},
		{"emphasis", "*un* **deux**", []string{"<em>un</em> <strong>deux</strong>"}, nil},
		{"hard wrap", "ligne 1\nligne 2", []string{"ligne 1<br>\nligne 2"}, nil},
		{"https image", `![logo](https://exemple.fr/logo.png "Logo")`,
			[]string{`<img src="https://exemple.fr/logo.png" alt="logo" title="Logo">`}, nil},
		{"non-http image", "![a](/a.png) ![b](mailto:a@b.fr) ![c](ftp://a.fr/c.png)", []string{`<img alt="a">`}, []string{"src="}},
		{"raw html shown as text", "<b>gras</b> <script>alert(1)</script>\n\n<div onclick=x>bloc</div>",
			[]string{"&lt;b&gt;gras&lt;/b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;div onclick=x&gt;bloc&lt;/div&gt;"},
			[]string{"<b>", "<script", "<div", "<!--"}},
		{"img onerror shown as text", `<img src=x onerror=alert(1)>`, []string{"&lt;img src=x onerror=alert(1)&gt;"}, []string{"<img"}},
		{"crlf and nul", "a\r\nb\x00c\rd", []string{"a<br>\nbc<br>\nd"}, []string{"\r", "\x00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RenderMarkdown(tt.src)
			if err != nil {
				t.Fatalf("RenderMarkdown(%q) error: %v", tt.src, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output contains %q:\n%s", w, out)
				}
			}
			assertSafeHTML(t, tt.src, out)
		})
	}
}

func TestRenderMarkdownTypicalPost(t *testing.T) {
	out, err := RenderMarkdown(mdTypicalPost)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"<h2>", "<table>", `type="checkbox"`, `class="language-bash"`, `href="https://cyber.gouv.fr/"`} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	assertSafeHTML(t, mdTypicalPost, out)
}

// xssVectors are sources that must never produce active content.
var xssVectors = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`[a](javascript:alert(1))`,
	`[a](JaVaScRiPt:alert(1))`,
	`[a](jav&#x09;ascript:alert(1))`,
	`[a](jav&#x0A;ascript:alert(1))`,
	`[a](&#106;avascript:alert(1))`,
	`[a](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))`,
	`[a](javascript&colon;alert(1))`,
	`[a](  javascript:alert(1) )`,
	`[a](<javascript:alert(1)>)`,
	`[a](javascript://%0aalert(1))`,
	`[a](%6A%61%76%61%73%63%72%69%70%74:alert(1))`,
	"[a](\x01javascript:alert(1))",
	"[a][r]\n\n[r]: javascript:alert(1)",
	"[r]\n\n[r]: JAVASCRIPT:alert(1) \"t\"",
	"![r]\n\n[r]: javascript:alert(1)",
	`<javascript:alert(1)>`,
	`<JavaScript:alert(1)>`,
	`<vbscript:msgbox(1)>`,
	`[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`<data:text/html,<script>alert(1)</script>>`,
	`[a](vbscript:msgbox(1))`,
	`[a](VBScript:msgbox(1))`,
	`![x](javascript:alert(1))`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`![x](x" onerror="alert(1))`,
	`![x" onerror="alert(1)](https://a.fr/a.png)`,
	`![x](https://a.fr/a.png "t\" onerror=\"alert(1)")`,
	`![x](https://a.fr/a.png 't" onerror="alert(1)')`,
	`[a](https://a.fr "t\" onmouseover=\"alert(1)")`,
	`[a](https://a.fr/" onmouseover="alert(1))`,
	`[a](https://a.fr/"onmouseover="alert(1)")`,
	`<svg><style><img src=x onerror=alert(1)></style></svg>`,
	`<svg/onload=alert(1)>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<math href="javascript:alert(1)">x</math>`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`<!-- --><script>alert(1)</script> -->`,
	`<!--><img src=x onerror=alert(1)>-->`,
	`<![CDATA[<script>alert(1)</script>]]>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<object data="javascript:alert(1)"></object>`,
	`<embed src="javascript:alert(1)">`,
	`<form action="javascript:alert(1)"><button>x</button></form>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="jav&#x09;ascript:alert(1)">x</a>`,
	`<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>`,
	`<a href="https://a.fr" onclick="alert(1)">x</a>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<p style="color:red">x</p>`,
	`<details open ontoggle=alert(1)>`,
	`<body onload=alert(1)>`,
	`<input autofocus onfocus=alert(1)>`,
	`<base href="javascript:/">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<link rel=stylesheet href="javascript:alert(1)">`,
	`<style>@import 'javascript:alert(1)';</style>`,
	`<template><script>alert(1)</script></template>`,
	`<textarea><script>alert(1)</script></textarea>`,
	`<xmp><img src=x onerror=alert(1)></xmp>`,
	`<select><style><img src=x onerror=alert(1)></style></select>`,
	`<scr<script>ipt>alert(1)</script>`,
	`<x onclick=alert(1)>x</x>`,
	"`<script>alert(1)</script>`",
	"```html\n<script>alert(1)</script>\n```",
	"```\" onclick=\"alert(1)\nx\n```",
	"```go onmouseover=alert(1) style=x\nx\n```",
	"~~~<script>\nx\n~~~",
	`[a](https://a.fr)<img src=x onerror=alert(1)>`,
	`www.a.fr/"onmouseover="alert(1)`,
	`https://a.fr/<script>alert(1)</script>`,
	`<http://a.fr/"onmouseover="alert(1)>`,
	`a@b.fr<script>alert(1)</script>`,
	`[a](//evil.fr)`,
	`[a](/\evil.fr)`,
	`[a](\\evil.fr)`,
	`![a](//evil.fr/x.png)`,
	"- [x] <img src=x onerror=alert(1)>",
	"| <img src=x onerror=alert(1)> | b |\n|---|---|\n| <script>alert(1)</script> | [a](javascript:alert(1)) |",
	"> <iframe src=//evil.fr>",
	`*<img src=x onerror=alert(1)>*`,
	`[<img src=x onerror=alert(1)>](https://a.fr)`,
	`![<img src=x onerror=alert(1)>](https://a.fr/a.png)`,
	`\<script>alert(1)\</script>`,
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
	`[a](http://a.fr/?x=<script>)`,
	`<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`,
	"<div>\n\n[a](javascript:alert(1))\n\n</div>",
	"[a]: <javascript:alert(1)>\n\n[a]",
	"<svg>\n\n<a href=\"javascript:alert(1)\">x</a>\n\n</svg>",
}

func TestRenderMarkdownXSS(t *testing.T) {
	if len(xssVectors) < 60 {
		t.Fatalf("only %d XSS vectors", len(xssVectors))
	}
	for _, v := range xssVectors {
		out, err := RenderMarkdown(v)
		if err != nil {
			t.Errorf("RenderMarkdown(%q) error: %v", v, err)
			continue
		}
		assertSafeHTML(t, v, out)
	}
}

var (
	// A "<" in the output always opens a tag: text is escaped.
	tagWithHandler = regexp.MustCompile(`(?is)<[^>]*[\s/"']on[a-z]+\s*=`)
	tagWithStyle   = regexp.MustCompile(`(?is)<[^>]*[\s/"']style\s*=`)
	forbiddenTag   = regexp.MustCompile(`(?i)<\s*/?\s*(script|iframe|object|embed|form|svg|math|style|link|meta|base|template|textarea|select|button|noscript|xmp|frame|frameset|applet)\b`)
	urlControl     = regexp.MustCompile(`[\x00-\x20\x7f]+`)
	quotedValue    = regexp.MustCompile(`"[^"]*"`) // text quotes are escaped as &#34;
)

// assertSafeHTML checks out textually, then as a browser would parse it,
// and again after a serialisation round trip (mutation XSS).
func assertSafeHTML(t *testing.T, src, out string) {
	t.Helper()
	unquoted := quotedValue.ReplaceAllString(out, `""`)
	for _, re := range []*regexp.Regexp{tagWithHandler, tagWithStyle, forbiddenTag} {
		if m := re.FindString(unquoted); m != "" {
			t.Errorf("source %q: output has %q:\n%s", src, m, out)
		}
	}
	doc := parseFragment(t, out)
	checkNodes(t, src, doc)
	var buf bytes.Buffer
	for _, n := range doc {
		if err := html.Render(&buf, n); err != nil {
			t.Fatal(err)
		}
	}
	checkNodes(t, src, parseFragment(t, buf.String()))
}

func parseFragment(t *testing.T, s string) []*html.Node {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		t.Fatalf("parse output: %v", err)
	}
	return nodes
}

var forbiddenElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "form": true,
	"svg": true, "math": true, "style": true, "link": true, "meta": true, "base": true,
	"template": true, "textarea": true, "select": true, "button": true, "noscript": true,
	"xmp": true, "frame": true, "frameset": true, "applet": true,
}

func checkNodes(t *testing.T, src string, nodes []*html.Node) {
	t.Helper()
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			checkElement(t, src, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

func checkElement(t *testing.T, src string, n *html.Node) {
	t.Helper()
	if forbiddenElements[strings.ToLower(n.Data)] || n.Namespace != "" {
		t.Errorf("source %q: forbidden element <%s> (namespace %q)", src, n.Data, n.Namespace)
	}
	attrs := map[string]string{}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		attrs[key] = a.Val
		if strings.HasPrefix(key, "on") || key == "style" || a.Namespace != "" {
			t.Errorf("source %q: forbidden attribute %s=%q on <%s>", src, a.Key, a.Val, n.Data)
		}
		switch key {
		case "href", "src", "action", "formaction", "cite", "background", "poster", "srcset", "data", "content", "xlink:href":
			// The parser already decoded entities; decode once more in case.
			v := strings.ToLower(urlControl.ReplaceAllString(html.UnescapeString(a.Val), ""))
			for _, bad := range []string{"javascript:", "data:", "vbscript:"} {
				if strings.Contains(v, bad) {
					t.Errorf("source %q: dangerous URL %s=%q", src, a.Key, a.Val)
				}
			}
			ok := strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "http:") ||
				(strings.HasPrefix(v, "mailto:") && key == "href")
			if !ok {
				t.Errorf("source %q: URL %s=%q is not http(s)/mailto", src, a.Key, a.Val)
			}
		}
	}
	switch n.Data {
	case "a":
		if attrs["rel"] != "nofollow noopener ugc" {
			t.Errorf("source %q: link rel=%q", src, attrs["rel"])
		}
		if target, ok := attrs["target"]; ok && (target != "_blank" || !strings.Contains(attrs["rel"], "noopener")) {
			t.Errorf("source %q: link target=%q rel=%q", src, target, attrs["rel"])
		}
	case "input":
		// Stored without a label: TaskLabels adds it, translated, at display.
		if _, labelled := attrs["aria-label"]; labelled || attrs["type"] != "checkbox" || len(attrs) > 3 {
			t.Errorf("source %q: input %v", src, attrs)
		}
		if _, ok := attrs["disabled"]; !ok {
			t.Errorf("source %q: enabled input %v", src, attrs)
		}
	case "code":
		if c, ok := attrs["class"]; ok && !strings.HasPrefix(c, "language-") {
			t.Errorf("source %q: code class=%q", src, c)
		}
	}
}

func TestRenderMarkdownErrors(t *testing.T) {
	tests := []struct {
		name, src, code string
		msgParts        []string
	}{
		{"empty", "", "body_empty", []string{"Le message est vide."}},
		{"blank", " \n\t\r\n \u00a0", "body_empty", nil},
		{"only nul", "\x00\x00", "body_empty", nil},
		{"invalid utf-8", "caf\xe9", "body_invalid", nil},
		{"too long", strings.Repeat("a", MaxPostSourceChars+1), "body_too_long", []string{"32\u00a0000", "32\u00a0001"}},
		{"accents too long", strings.Repeat("é", MaxPostSourceChars+1), "body_too_long", []string{"32\u00a0001"}},
		{"too nested", strings.Repeat(">", 33) + " a", "body_too_complex", nil},
		{"too many links", strings.Repeat("[a](b) ", 1001), "body_too_complex", nil},
		{"too many delimiters", strings.Repeat("*a* ", 4001), "body_too_complex", nil},
		{"table too big", "a|b|c\n-|-|-\n" + strings.Repeat("x\n", 14000), "body_too_complex", nil},
		{"output too big", strings.Repeat(strings.Repeat(">", 32)+"a\n\n", 900), "body_too_complex", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RenderMarkdown(tt.src)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got (%d bytes, %v), want *ValidationError %s", len(out), err, tt.code)
			}
			if ve.Field != "body" || ve.Code != tt.code || ve.Msg.IsZero() {
				t.Errorf("got %+v, want field body, code %s", ve, tt.code)
			}
			for _, p := range tt.msgParts {
				if !strings.Contains(ve.Error(), p) {
					t.Errorf("message %q lacks %q", ve.Error(), p)
				}
			}
		})
	}
}

func TestRenderMarkdownLimits(t *testing.T) {
	tests := []struct{ name, src string }{
		{"exactly the cap", strings.Repeat("a", MaxPostSourceChars)},
		{"accents count once", strings.Repeat("é", MaxPostSourceChars)},
		{"crlf counts once", strings.Repeat("a\r\n", MaxPostSourceChars/2)},
		{"nul not counted", strings.Repeat("a", MaxPostSourceChars) + "\x00"},
		{"nesting at bound", strings.Repeat("> ", 32) + "a"},
		{"thematic breaks", strings.Repeat("- ", 100) + "\n\n" + strings.Repeat("* ", 100)},
		{"1000 x 30 table", "|" + strings.Repeat("a|", 30) + "\n|" + strings.Repeat("-|", 30) + "\n" + strings.Repeat("x\n", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := RenderMarkdown(tt.src)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if out == "" || len(out) > MaxRenderedBytes {
				t.Errorf("output of %d bytes", len(out))
			}
		})
	}
}

// TestRenderMarkdownPathological checks correctness only; timings are in
// BenchmarkRenderMarkdown.
func TestRenderMarkdownPathological(t *testing.T) {
	for _, c := range mdPathologicalCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := RenderMarkdown(c.src)
			if c.errCode != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Code != c.errCode {
					t.Fatalf("got (%d bytes, %v), want %s", len(out), err, c.errCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if len(out) > MaxRenderedBytes {
				t.Errorf("output of %d bytes", len(out))
			}
			assertSafeHTML(t, c.name, out)
		})
	}
}

func TestRenderMarkdownConcurrent(t *testing.T) {
	want, err := RenderMarkdown(mdTypicalPost)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got, err := RenderMarkdown(mdTypicalPost); err != nil || got != want {
					t.Errorf("concurrent render differs: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestPlainExcerpt(t *testing.T) {
	tests := []struct {
		name, html string
		n          int
		want       string
	}{
		{"strips tags", "<p>Bonjour <strong>à</strong> <a href=\"https://a.fr\">tous</a></p>", 100, "Bonjour à tous"},
		{"decodes entities", "<p>L&#39;été &amp; l&rsquo;hiver &lt;b&gt;</p>", 100, "L'été & l’hiver <b>"},
		{"blocks separate words", "<h2>Titre</h2><p>Texte</p><ul><li>un</li><li>deux</li></ul>", 100, "Titre Texte un deux"},
		{"collapses whitespace", "<p>a\n\n   b\t c</p>\n<p> d </p>", 100, "a b c d"},
		{"no cut when shorter", "<p>Le schéma directeur</p>", 19, "Le schéma directeur"},
		{"cut at boundary", "<p>Le schéma directeur des systèmes</p>", 20, "Le schéma directeur…"},
		{"cut inside word", "<p>Le schéma directeur des systèmes</p>", 18, "Le schéma…"},
		{"trailing punctuation", "<p>Bonjour, tout le monde</p>", 10, "Bonjour…"},
		{"long word", "<p>anticonstitutionnellement</p>", 10, "anticonst…"},
		{"zero", "<p>texte</p>", 0, ""},
		{"skips scripts", "<p>a</p><script>b()</script><style>c{}</style>", 100, "a"},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlainExcerpt(tt.html, tt.n)
			if got != tt.want {
				t.Errorf("PlainExcerpt(%q, %d) = %q, want %q", tt.html, tt.n, got, tt.want)
			}
			if n := len([]rune(got)); n > max(tt.n, 0) {
				t.Errorf("%d runes > %d", n, tt.n)
			}
		})
	}
}

func TestPlainExcerptOfRenderedPost(t *testing.T) {
	out, err := RenderMarkdown(mdTypicalPost)
	if err != nil {
		t.Fatal(err)
	}
	got := PlainExcerpt(out, 60)
	want := "Migration de la messagerie Bonjour à tous, Nous migrons la…"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzRenderMarkdown checks that any source either fails with a
// *ValidationError or renders to safe HTML (go test -fuzz FuzzRenderMarkdown).
func FuzzRenderMarkdown(f *testing.F) {
	for _, v := range xssVectors {
		f.Add(v)
	}
	f.Add(mdTypicalPost)
	f.Fuzz(func(t *testing.T, src string) {
		out, err := RenderMarkdown(src)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != "body" {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(out) > MaxRenderedBytes {
			t.Fatalf("output of %d bytes", len(out))
		}
		assertSafeHTML(t, src, out)
	})
}

func TestTaskListCheckboxesHaveAccessibleNames(t *testing.T) {
	html, err := RenderMarkdown("- [x] fibre posée\n- [ ] recette\n")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "aria-label") {
		t.Fatalf("a label in a language was stored: %s", html)
	}
	en := TaskLabels(html, "task done", "task to do")
	if !strings.Contains(en, `type="checkbox" aria-label="task done"> fibre`) || !strings.Contains(en, `type="checkbox" aria-label="task to do"> recette`) {
		t.Fatalf("checkboxes without a name: %s", en)
	}
	// Posts stored by earlier versions carry French labels: replaced too.
	legacy := `<li><input checked="" disabled="" type="checkbox" aria-label="tâche faite"> a</li><li><input disabled="" type="checkbox" aria-label="tâche à faire"> b</li>`
	if got := TaskLabels(legacy, "task done", `"to do"`); got != `<li><input checked="" disabled="" type="checkbox" aria-label="task done"> a</li><li><input disabled="" type="checkbox" aria-label="&#34;to do&#34;"> b</li>` {
		t.Fatalf("legacy labels: %s", got)
	}
}
