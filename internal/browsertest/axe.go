package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeScript is the path of axe-core's browser bundle, relative to the module
// root. `npm ci --prefix tools/browser` installs it at the version pinned in
// tools/browser/package-lock.json.
const AxeScript = "tools/browser/node_modules/axe-core/axe.min.js"

// AxeTags lists, comma-separated, the axe-core rule tags that Axe runs:
// WCAG 2.0 and 2.1, levels A and AA (the level that the French RGAA asks of
// public bodies).
const AxeTags = "wcag2a,wcag2aa,wcag21a,wcag21aa"

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID      string          `json:"id"`      // rule id, such as "color-contrast"
	Impact  string          `json:"impact"`  // "minor", "moderate", "serious" or "critical"
	Help    string          `json:"help"`    // one line about what the rule wants
	HelpURL string          `json:"helpUrl"` // Deque's page about the rule
	Nodes   []ViolationNode `json:"nodes"`   // the elements that break it
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target holds CSS selectors of the element: one per frame, outermost
	// first; a selector into a shadow root joins its parts with " >>> ".
	Target         []string `json:"target"`
	HTML           string   `json:"html"`           // the element's opening tag, as axe shows it
	FailureSummary string   `json:"failureSummary"` // what to fix, in axe's words
}

// axeRunJS runs axe on the whole document and returns the violations in the
// shape of []Violation. %s is the JSON array of the tags.
const axeRunJS = `(async () => {
	const results = await axe.run(document, {
		runOnly: {type: "tag", values: %s},
		resultTypes: ["violations"],
	});
	const selector = (s) => Array.isArray(s) ? s.join(" >>> ") : String(s);
	return results.violations.map((v) => ({
		id: v.id,
		impact: v.impact || "",
		help: v.help,
		helpUrl: v.helpUrl,
		nodes: v.nodes.map((n) => ({
			target: n.target.map(selector),
			html: n.html,
			failureSummary: n.failureSummary || "",
		})),
	}));
})()`

// Axe injects axe-core into the page that the tab ctx shows (once per page) and
// runs it with the rules tagged AxeTags. It returns the violations, none when
// the page passes. It fails the test when axe-core is not installed or cannot
// run. Call it from the test's goroutine, after the page has loaded.
func (b *Browser) Axe(t testing.TB, ctx context.Context) []Violation {
	t.Helper()
	src, err := b.axe()
	if errors.Is(err, errAxeMissing) {
		Missing(t, err)
	}
	if err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object" && typeof window.axe.run === "function"`))
	if err != nil {
		t.Fatalf("browsertest: looking for axe-core in the page: %v", err)
	}
	if !loaded {
		// End on undefined: the bundle's own last value need not be
		// serialisable.
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src+"\n;undefined")); err != nil {
			t.Fatalf("browsertest: injecting axe-core: %v", err)
		}
	}
	tags := `["` + strings.ReplaceAll(AxeTags, ",", `","`) + `"]`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](fmt.Sprintf(axeRunJS, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browsertest: running axe-core: %v", err)
	}
	return vs
}

// errAxeMissing: tools/browser/node_modules holds no axe-core.
var errAxeMissing = errors.New("axe-core is not installed")

// axe returns the source of axe.min.js, read once per Browser.
func (b *Browser) axe() (string, error) {
	b.axeMu.Lock()
	defer b.axeMu.Unlock()
	if b.axeSource != "" {
		return b.axeSource, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return "", err
	}
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(AxeScript)))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%w (%s is missing): run `npm ci --prefix tools/browser` at the repository root", errAxeMissing, AxeScript)
	}
	if err != nil {
		return "", err
	}
	b.axeSource = string(src)
	return b.axeSource, nil
}

// moduleRoot returns dir or its nearest parent that holds go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod in %s or any parent: cannot find %s", dir, AxeScript)
		}
		d = parent
	}
}

// AssertNoViolations fails the test (without stopping it) when vs is not
// empty, with one readable paragraph per violation and element. name says
// which page or state was audited, such as "accueil (connecté)".
func AssertNoViolations(t testing.TB, name string, vs []Violation) {
	t.Helper()
	if len(vs) == 0 {
		return
	}
	t.Errorf("%s: %d accessibility violation(s) (axe-core, %s):\n%s",
		name, len(vs), AxeTags, FormatViolations(vs))
}

// FormatViolations writes the violations for a person to read, one rule per
// paragraph with the elements that break it.
func FormatViolations(vs []Violation) string {
	var sb strings.Builder
	for i, v := range vs {
		if i > 0 {
			sb.WriteByte('\n')
		}
		fmt.Fprintf(&sb, "- [%s] %s: %s\n  %s\n", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&sb, "  * %s\n    %s\n", strings.Join(n.Target, " | "), shortHTML(n.HTML))
			if n.FailureSummary != "" {
				fmt.Fprintf(&sb, "    %s\n", strings.ReplaceAll(n.FailureSummary, "\n", "\n    "))
			}
		}
	}
	return sb.String()
}

// shortHTML collapses white space in html and cuts it to a readable length:
// for some rules axe shows a whole element, <html> included.
func shortHTML(html string) string {
	const limit = 300
	s := strings.Join(strings.Fields(html), " ")
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}

// ViolationIDs returns the rule ids of vs, in order.
func ViolationIDs(vs []Violation) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}
