package forum

import (
	"strings"
	"testing"
)

// TestDummyHashUsesTheCurrentParameters fails when the argon2id parameters
// change without the dummy hash: unknown emails would then answer faster
// than known ones.
func TestDummyHashUsesTheCurrentParameters(t *testing.T) {
	fresh, err := HashPassword("x")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }
	if params(dummyPasswordHash) != params(fresh) {
		t.Fatalf("dummy hash parameters %q, current %q", params(dummyPasswordHash), params(fresh))
	}
}
