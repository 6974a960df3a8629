# coterforum — common tasks. POSIX make; needs Go, and for `test` node/npm
# and chromium (apt-get install chromium).
.POSIX:
.PHONY: test run build bench

GO = go
NPM = npm

# The whole suite, browser tests included: axe-core comes from npm at the
# version that tools/browser/package-lock.json pins.
test:
	$(NPM) ci --prefix tools/browser --no-audit --no-fund --loglevel=error
	$(GO) test -race -count=1 -timeout 45m ./...

# The forum on http://localhost:8080 with demonstration data.
run:
	$(GO) run . serve --demo

# A static binary ./coterforum.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o coterforum .

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
