// Package browsertest drives Debian's headless chromium from Go tests, through
// github.com/chromedp/chromedp, to check what a person sees and can do on the
// forum's pages: axe-core accessibility audits, keyboard focus, screenshots.
//
// It needs chromium (apt-get install chromium) and axe-core from npm
// (npm ci --prefix tools/browser); when either is missing, the test fails with
// a message that says how to install it. It never skips: a browser test that
// did not run must not count as passing.
//
// A typical test:
//
//	b := browsertest.New(t)
//	ctx := b.Ctx()
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
//		t.Fatal(err)
//	}
//	browsertest.AssertNoViolations(t, "accueil", b.Axe(t, ctx))
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TabTimeout bounds the life of each tab context that a Browser hands out, so
// that a page that never loads fails the test instead of hanging it.
const TabTimeout = 60 * time.Second

// WindowWidth and WindowHeight are the size of the browser window, in CSS pixels.
const (
	WindowWidth  = 1280
	WindowHeight = 900
)

// The paths tried, in order, after $CHROMIUM_PATH.
const (
	debianChromium = "/usr/bin/chromium"
	otherChromium  = "/usr/bin/chromium-browser"
)

// Browser is one headless chromium process, owned by one test. It is stopped,
// and its profile removed, when the test ends.
type Browser struct {
	browserCtx context.Context // the context that owns the browser process
	tab        context.Context // the test's main tab, see Ctx

	axeMu     sync.Mutex
	axeSource string // axe.min.js, read on the first call of Axe
}

// New starts a headless chromium for the test t, with a fresh profile under
// t.TempDir(), and opens the test's main tab (see Ctx). The browser is found at
// $CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser, in that
// order. When no browser is found, New skips the test with one line saying
// what to install, except under CI=true, where it fails it: CI must run every
// browser test. A browser that is found but does not start always fails the
// test. Under -short, browser tests are skipped. Call it from the test's
// goroutine.
func New(t testing.TB) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("browsertest: browser test skipped under -short")
	}
	execPath, err := findChromium(os.Getenv, isExecutable)
	if err != nil {
		Missing(t, err)
	}

	// t.TempDir registers its removal first, so it runs after the browser
	// has stopped (cleanups run last-in, first-out).
	profile := filepath.Join(t.TempDir(), "chromium-profile")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// A French browser: the forum answers in the Accept-Language's
		// language. Tests of the English pages set the cf_lang cookie.
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Flag("accept-lang", "fr-FR,fr"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(WindowWidth, WindowHeight),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close gracefully so that chromium's helper processes leave the
		// profile alone, then free everything and wait for the process.
		closeCtx, cancelClose := context.WithTimeout(browserCtx, 10*time.Second)
		_ = chromedp.Cancel(closeCtx)
		cancelClose()
		cancelBrowser()
		cancelAlloc()
		if err := removeAllRetry(profile); err != nil {
			t.Logf("browsertest: removing the chromium profile: %v", err)
		}
	})

	// The first action on browserCtx starts the browser. It must not carry a
	// timeout (that would stop the whole browser), so bound it from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browserCtx) }()
	select {
	case err = <-started:
	case <-time.After(TabTimeout):
		err = errors.New("timed out")
	}
	if err != nil {
		t.Fatalf("browsertest: starting %s: %v", execPath, err)
	}

	b := &Browser{browserCtx: browserCtx}
	b.tab = b.NewTab(t)
	return b
}

// Ctx returns the test's main tab. Pass it to chromedp.Do and chromedp.Run.
// It expires TabTimeout after New, and closes when the test ends.
func (b *Browser) Ctx() context.Context { return b.tab }

// NewTab opens another tab in the same browser, independent of Ctx for
// navigation and focus (the cookie jar is shared). It expires TabTimeout after
// the call, and closes when the test ends.
func (b *Browser) NewTab(t testing.TB) context.Context {
	t.Helper()
	timed, cancelTimeout := context.WithTimeout(b.browserCtx, TabTimeout)
	tab, cancelTab := chromedp.NewContext(timed)
	t.Cleanup(func() {
		cancelTab()
		cancelTimeout()
	})
	// Open the tab now, so that a browser that cannot open one fails here.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	return tab
}

// findChromium returns the browser to run: $CHROMIUM_PATH when set, else the
// first executable of /usr/bin/chromium and
// /usr/bin/chromium-browser.
func findChromium(getenv func(string) string, executable func(string) bool) (string, error) {
	if p := getenv("CHROMIUM_PATH"); p != "" {
		if !executable(p) {
			return "", fmt.Errorf("CHROMIUM_PATH=%s is not an executable file; unset it or point it at chromium (apt-get install chromium)", p)
		}
		return p, nil
	}
	for _, p := range []string{debianChromium, otherChromium} {
		if executable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("no chromium found (looked at $CHROMIUM_PATH, %s, %s); browser tests need it: run `apt-get install chromium` (Debian) or set CHROMIUM_PATH",
		debianChromium, otherChromium)
}

// isExecutable reports whether path is a regular file that someone may execute.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// removeAllRetry removes dir, retrying for a short while: a helper process of
// chromium can still write in its profile just after the browser exits.
func removeAllRetry(dir string) error {
	var err error
	for range 20 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// Missing ends a test that needs something not installed here (chromium,
// axe-core): a skip with one line saying what is missing, or a failure under
// CI=true, where everything must be installed.
func Missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("browsertest: %v (CI=true: browser tests must run)", err)
	}
	t.Skipf("browsertest: skipped, %v", err)
}
