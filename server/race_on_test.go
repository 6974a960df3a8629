//go:build race

package server_test

// raceBuild says that the tests run under the race detector, which keeps
// shadow memory for every allocation: memory measured then is inflated.
const raceBuild = true
