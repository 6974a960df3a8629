//go:build pprof

package main

import (
	"net/http"
	_ "net/http/pprof" // profiles, in builds made with -tags pprof only
	"os"
)

// A build made with `go build -tags pprof` serves Go's profiles on
// COTERFORUM_PPROF_ADDR (e.g. 127.0.0.1:6060), for measuring; the default
// build has none of this.
func init() {
	if addr := os.Getenv("COTERFORUM_PPROF_ADDR"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
