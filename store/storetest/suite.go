package storetest

import (
	"sort"
	"testing"
)

// The conformance suite: every store behaviour the domain relies on, run
// on every engine (Run). Each suite_*.go file registers its tests.

type suiteTest struct {
	name string
	fn   func(t *testing.T, e Engine)
}

var suite = map[string]suiteTest{}

// register adds a test to the suite; names are unique.
func register(name string, fn func(t *testing.T, e Engine)) {
	if _, dup := suite[name]; dup {
		panic("storetest: two tests named " + name)
	}
	suite[name] = suiteTest{name, fn}
}

// Run runs the whole conformance suite on the engine, one subtest a behaviour.
func Run(t *testing.T, e Engine) {
	names := make([]string, 0, len(suite))
	for n := range suite {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st := suite[n]
		t.Run(n, func(t *testing.T) { st.fn(t, e) })
	}
}
