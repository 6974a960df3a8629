package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMessagesHaveEnglish fails when a message key written in Go (the
// French text of forum.Invalid / Invalidf / Conflict and i18n.M, in any
// package) is missing from the catalog.
func TestMessagesHaveEnglish(t *testing.T) {
	count := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "data") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name, pkg := "", ""
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
				if x, ok := fn.X.(*ast.Ident); ok {
					pkg = x.Name
				}
			}
			arg := -1
			switch {
			case name == "Invalid" || name == "Invalidf":
				arg = 2
			case name == "Conflict" && (pkg == "forum" || pkg == "" && strings.HasPrefix(path, "../forum/")):
				arg = 0
			case name == "M" && pkg == "i18n":
				arg = 0
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			lit, ok := call.Args[arg].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			msg, _ := strconv.Unquote(lit.Value)
			count++
			if !Has(msg) {
				t.Errorf("%s: no English for %q", path, msg)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count < 40 {
		t.Fatalf("found only %d messages: the scan no longer sees the code", count)
	}
}

func TestMsgTranslatedAtTheEdge(t *testing.T) {
	at := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC) // 10:00 in Paris
	decided := M("Déjà traité par %s le %s (%s).", "Alice", at, Word("publié"))
	if got := decided.In(EN); got != "Already handled by Alice on 2 January 2026 at 10:00 (published)." {
		t.Errorf("already decided, EN: %q", got)
	}
	if got := decided.In(FR); got != "Déjà traité par Alice le 2 janvier 2026 à 10 h 00 (publié)." {
		t.Errorf("already decided, FR: %q", got)
	}
	if got := Message(EN, M("Thème inconnu : « %s ».", "zzz")); got != "Unknown theme: “zzz”." {
		t.Errorf("filled format: %q", got)
	}
	// French typography applies to the format, never to the arguments.
	if got := M("Thème inconnu : « %s ».", "a ! b").In(FR); got != "Thème inconnu\u00a0: «\u00a0a ! b\u00a0»." {
		t.Errorf("French typography: %q", got)
	}
	title := M("Le titre compte %d caractères au plus (il en compte %d).", 150, 1510)
	if got := title.In(EN); got != "The title is 150 characters at most (it has 1,510)." {
		t.Errorf("numbers, EN: %q", got)
	}
	if got := title.In(FR); got != "Le titre compte 150 caractères au plus (il en compte 1\u00a0510)." {
		t.Errorf("numbers, FR: %q", got)
	}
	// Plural forms follow each language's rule.
	for _, tc := range []struct {
		lang Lang
		n    int
		want string
	}{
		{FR, 0, "Modération\u00a0: 0 message en attente"},
		{FR, 1, "Modération\u00a0: 1 message en attente"},
		{FR, 2, "Modération\u00a0: 2 messages en attente"},
		{EN, 0, "Moderation: 0 posts pending"},
		{EN, 1, "Moderation: 1 post pending"},
		{EN, 2, "Moderation: 2 posts pending"},
	} {
		if got := M("Modération : %d message(s) en attente", tc.n).In(tc.lang); got != tc.want {
			t.Errorf("plural %s %d: %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	if got := M("%d message(s) attendent une décision depuis plus de %d heures :", 1, 24).In(EN); got != "1 post has been awaiting a decision for more than 24 hours:" {
		t.Errorf("plural with two counts: %q", got)
	}
	if got, want := Count(FR, 0, "message", "messages"), "0 message"; got != want {
		t.Errorf("Count FR 0 = %q", got)
	}
	if got, want := Count(EN, 0, "message", "messages"), "0 posts"; got != want {
		t.Errorf("Count EN 0 = %q", got)
	}
	// A key missing from the catalog is French, never guessed; a message
	// without arguments is never read as a format.
	if got := M("Texte absent du catalogue : 100 %").In(EN); got != "Texte absent du catalogue : 100 %" {
		t.Errorf("missing key: %q", got)
	}
	if got := M("Déjà traité par Alice le 02/01/2026 à 10:00 UTC (publié).").In(EN); strings.Contains(got, "Already") {
		t.Errorf("a filled French message was guessed: %q", got)
	}
}
