package browsertest

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Screenshot writes a PNG of the whole page that the tab ctx shows, beyond
// the window if the page is longer, to path (its directory is created). It is
// for people to look at; it fails the test when the browser cannot take it.
func (b *Browser) Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png, err := fullPagePNG(ctx)
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
}

// fullPagePNG captures the page's whole scrollable area as a PNG.
func fullPagePNG(ctx context.Context) ([]byte, error) {
	m, err := chromedp.Call(ctx, page.GetLayoutMetrics, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	clip := &page.Viewport{Width: WindowWidth, Height: WindowHeight, Scale: 1}
	if s := m.CSSContentSize; s != nil && s.Width > 0 && s.Height > 0 {
		clip.Width, clip.Height = math.Ceil(s.Width), math.Ceil(s.Height)
	}
	beyond, fromSurface := true, true
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format:                page.CaptureScreenshotFormatPng,
		Clip:                  clip,
		FromSurface:           &fromSurface,
		CaptureBeyondViewport: &beyond,
	})
	if err != nil {
		return nil, err
	}
	return res.Data, nil
}
