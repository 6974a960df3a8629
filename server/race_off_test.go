//go:build !race

package server_test

// raceBuild says that the tests run under the race detector (race_on_test.go).
const raceBuild = false
