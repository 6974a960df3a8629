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
)

// TestMessagesHaveEnglish fails when a validation message written in Go
// (forum.Invalid / Invalidf, in any package) lacks an English translation.
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
			if !ok || len(call.Args) < 3 {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			if name != "Invalid" && name != "Invalidf" {
				return true
			}
			lit, ok := call.Args[2].(*ast.BasicLit)
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

func TestFilledFormatIsTranslated(t *testing.T) {
	if got := T(EN, "Thème inconnu : « zzz »."); got != "Unknown theme: “zzz”." {
		t.Errorf("filled format: %q", got)
	}
	if got := T(EN, "Le titre compte 150 caractères au plus (il en compte 151)."); got != "The title is 150 characters at most (it has 151)." {
		t.Errorf("two values: %q", got)
	}
	if got := T(EN, "Déjà traité par Alice le 02/01/2026 à 10:00 UTC (publié)."); got != "Already handled by Alice on 02/01/2026 à 10:00 UTC (published)." {
		t.Errorf("already decided: %q", got)
	}
	if got := T(EN, "suspendu jusqu'au 02/01/2026 10:00 UTC, de confiance"); got != "suspended until 02/01/2026 10:00 UTC, trusted" {
		t.Errorf("the most specific format must win: %q", got)
	}
}
