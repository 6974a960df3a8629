package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite the README's configuration table from configVars")

const (
	readmeBegin = "<!-- config:début (généré depuis configVars, config.go : go generate) -->\n"
	readmeEnd   = "<!-- config:fin -->\n"
)

// readmeTable is the README's configuration table, made from configVars.
func readmeTable() string {
	var b strings.Builder
	b.WriteString("| variable | rôle | défaut |\n| --- | --- | --- |\n")
	for _, e := range configVars {
		b.WriteString("| `" + e.Name + "` | " + e.FR + " | " + e.DocDefault + " |\n")
	}
	return b.String()
}

// TestConfigREADME: the README's table of variables is the one configVars
// makes (go generate, or go test -run TestConfigREADME -update-readme .,
// rewrites it).
func TestConfigREADME(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	begin, end := strings.Index(readme, readmeBegin), strings.Index(readme, readmeEnd)
	if begin < 0 || end < begin {
		t.Fatalf("README.md: markers %q … %q not found", readmeBegin, readmeEnd)
	}
	want := readme[:begin+len(readmeBegin)] + readmeTable() + readme[end:]
	if *updateREADME {
		if want != readme {
			if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if want != readme {
		t.Fatalf("README.md's configuration table is not configVars': run go generate (or go test -run TestConfigREADME -update-readme .)\nwant:\n%s", readmeTable())
	}
	// Every row names a defined variable once, with its default.
	rows := regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\| .* \\| (.*) \\|$").FindAllStringSubmatch(readme[begin:end], -1)
	if len(rows) != len(configVars) {
		t.Fatalf("README rows: %d, configVars: %d", len(rows), len(configVars))
	}
	for i, r := range rows {
		if r[1] != configVars[i].Name || r[2] != configVars[i].DocDefault {
			t.Errorf("README row %d: %s %s", i, r[1], r[2])
		}
	}
}

// TestConfigDocDefaults: the README's default of each variable is the
// value parsed when it is unset.
func TestConfigDocDefaults(t *testing.T) {
	for _, e := range configVars {
		if e.Default != "" && !strings.Contains(e.DocDefault, "`"+e.Default+"`") {
			t.Errorf("%s: default %q, README says %s", e.Name, e.Default, e.DocDefault)
		}
		if e.FR == "" || e.EN == "" || e.Form == "" || e.Parse == nil {
			t.Errorf("%s: incomplete definition", e.Name)
		}
	}
}

// TestConfigEveryEnvReadIsDefined: no Go file reads a FORUM_* or MONGODB_*
// variable itself; configVars is the only reader.
func TestConfigEveryEnvReadIsDefined(t *testing.T) {
	read := regexp.MustCompile(`(?:Getenv|LookupEnv)\("((?:FORUM|MONGODB)_[A-Z_]+)"\)`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "bench", "node_modules", "testdata", "data", ".git": // bench/ is its own program
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			t.Errorf("%s reads %s directly: add it to configVars (config.go)", path, m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
