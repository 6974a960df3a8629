package store_test

import (
	"testing"

	"coterforum/store/storetest"
)

// TestConformance runs the store conformance suite on SQLite and on the
// MongoDB store against FerretDB, and on a real MongoDB when
// COTERFORUM_TEST_MONGODB_URI is set.
func TestConformance(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, e)
		})
	}
}
