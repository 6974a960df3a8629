package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"strconv"
	"strings"
	"testing"
)

// commandsOfRunConfig reads main.go and returns the command names that
// runConfig's switch knows, so that a command added there without a line in
// the usage fails TestHelpListsEveryCommand.
func commandsOfRunConfig(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "runConfig" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			cc, ok := n.(*ast.CaseClause)
			if !ok {
				return true
			}
			for _, e := range cc.List {
				if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					names = append(names, s)
				}
			}
			return true
		})
	}
	return names
}

func TestHelpListsEveryCommand(t *testing.T) {
	names := commandsOfRunConfig(t)
	if len(names) < 9 {
		t.Fatalf("found only %v in runConfig's switch", names)
	}
	for _, name := range names {
		if strings.HasPrefix(name, "-") || name == "help" {
			continue
		}
		if !strings.Contains(usage, "coterforum "+name) && !strings.Contains(usage, "coterforum ["+name+"]") {
			t.Errorf("the usage does not list the command %q:\n%s", name, usage)
		}
	}

	log := slog.New(slog.DiscardHandler)
	// Help needs no configuration: a bad variable must not hide it.
	t.Setenv("FORUM_CACHE_BYTES", "pas-un-nombre")
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"serve", "--help"}, {"backup", "--help"},
		{"user", "add", "-h"}, {"digest", "--help"}, {"repair", "-help"}, {"copy", "--help"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, strings.NewReader(""), &out, log); err != nil {
			t.Errorf("coterforum %s: %v", strings.Join(args, " "), err)
			continue
		}
		for _, want := range []string{"coterforum backup", "coterforum repair", "coterforum user add", "coterforum copy"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("coterforum %s: the output lacks %q:\n%s", strings.Join(args, " "), want, out.String())
			}
		}
	}

	// "--" ends the options: what follows is not a request for help.
	if wantsHelp([]string{"user", "add", "--", "--help"}) {
		t.Error(`wantsHelp took an argument after "--" for a request for help`)
	}
}
