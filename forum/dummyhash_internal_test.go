package forum

import (
	"fmt"
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
	if params(New(nil, nil, nil).dummyHash) != params(fresh) {
		t.Fatalf("dummy hash parameters %q, current %q", params(New(nil, nil, nil).dummyHash), params(fresh))
	}
}

// TestStrongHashOutsideTests checks what the forum's binary uses: the cheap
// parameters exist only inside test binaries, and the dummy hash of the
// binary has the strong parameters.
func TestStrongHashOutsideTests(t *testing.T) {
	if argonParams.Memory < 19*1024 || argonParams.Iterations < 2 {
		t.Errorf("argonParams %+v are below OWASP's minimum (19 MiB, 2 passes)", argonParams)
	}
	if want := fmt.Sprintf("$m=%d,t=%d,p=%d$", argonParams.Memory, argonParams.Iterations, argonParams.Parallelism); !strings.Contains(dummyPasswordHash, want) {
		t.Errorf("the binary's dummy hash %q does not have argonParams", dummyPasswordHash)
	}
	if hashParams() != testArgonParams {
		t.Error("inside a test binary, hashParams is not the cheap set")
	}
}
