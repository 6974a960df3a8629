# coterforum — common tasks. POSIX make; needs Go, and for `test` node/npm
# and chromium (apt-get install chromium).
.POSIX:
.PHONY: test run build bench bench-go

GO = go
NPM = npm

# The whole suite, browser tests included: axe-core comes from npm at the
# version that tools/browser/package-lock.json pins.
test:
	$(NPM) ci --prefix tools/browser --no-audit --no-fund --loglevel=error
	$(GO) test -race -count=1 -timeout 45m ./...

# The forum on http://localhost:8080 with demonstration data.
run:
	@echo "compilation… (1 à 3 minutes la première fois, sans autre affichage)"
	$(GO) run . serve --demo

# A static binary ./coterforum.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o coterforum .

# The benchmark suite (BENCHMARKS.md): seeds 500 threads and 5 000 posts,
# starts the server and measures for 20 s per page at 50 connections.
# Options: make bench BENCHFLAGS='-d 3s -out BENCHMARKS-run.md'.
bench:
	$(GO) run ./bench $(BENCHFLAGS)

# The Go micro-benchmarks (Markdown rendering, digest of 10 000 subscribers…).
bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...
