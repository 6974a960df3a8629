package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLicenceIsEUPL checks the licence and that the README, the npm package
// and the container image say the same.
func TestLicenceIsEUPL(t *testing.T) {
	text, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(text), "EUROPEAN UNION PUBLIC LICENCE v. 1.2") ||
		!strings.Contains(string(text), "Appendix") || len(text) < 12000 {
		t.Errorf("LICENSE is not the whole EUPL-1.2 text (%d bytes)", len(text))
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "EUPL-1.2") || !strings.Contains(string(readme), "(LICENSE)") {
		t.Error("README.md does not name the EUPL-1.2 and link LICENSE")
	}
	var pkg struct{ License string }
	b, err := os.ReadFile("tools/browser/package.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil || pkg.License != "EUPL-1.2" {
		t.Errorf("tools/browser/package.json license = %q (%v), want EUPL-1.2", pkg.License, err)
	}
	docker, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(docker), `org.opencontainers.image.licenses="EUPL-1.2"`) {
		t.Error("the Dockerfile does not label the image EUPL-1.2")
	}
}

// TestDocsLinkOnlyInsideTheRepository checks that every relative link of the
// Markdown documents at the root points at a file of the repository: a
// reader of a fresh clone must be able to follow each one.
func TestDocsLinkOnlyInsideTheRepository(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)\s]+)\)|<((?:\.\.?/)[^>\s]+)>`)
	docs, err := filepath.Glob("*.md")
	if err != nil || len(docs) == 0 {
		t.Fatalf("no Markdown document found (%v)", err)
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(text), -1) {
			target := m[1] + m[2]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			abs, err := filepath.Abs(target)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(abs, root+string(filepath.Separator)) {
				t.Errorf("%s links %q, outside the repository", doc, m[0])
				continue
			}
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s links %q, which does not exist in the repository", doc, m[0])
			}
		}
	}
}
