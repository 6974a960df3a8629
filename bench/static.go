package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// recordedPage is one response of the real server, replayed byte for byte
// by the static server.
type recordedPage struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
}

// recordPage fetches url once as the load does and saves the response's
// headers and body under dir.
func recordPage(client *http.Client, url string, gzip bool, dir string) (int, error) {
	req, err := newGet(context.Background(), url, gzip)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s : HTTP %d", url, resp.StatusCode)
	}
	h := resp.Header.Clone()
	for _, k := range []string{"Date", "Content-Length", "Transfer-Encoding", "Connection"} {
		h.Del(k)
	}
	meta, err := json.Marshal(recordedPage{Status: resp.StatusCode, Header: h})
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "page.json"), meta, 0o600); err != nil {
		return 0, err
	}
	return len(body), os.WriteFile(filepath.Join(dir, "page.body"), body, 0o600)
}

// serveStatic is the static-bytes server (run in its own process by the
// benchmark, as `bench -serve-static DIR -addr ADDR`): an Echo server with
// the forum's middleware chain (trailing-slash removal, recover, security
// headers, body limit) whose only page handler writes the recorded bytes of
// the thread page, with the recorded headers. It is the machine's ceiling
// for "Echo returns these bytes": no store, no template, no compression at
// request time.
func serveStatic(dir, addr string) error {
	meta, err := os.ReadFile(filepath.Join(dir, "page.json"))
	if err != nil {
		return err
	}
	var rec recordedPage
	if err := json.Unmarshal(meta, &rec); err != nil {
		return err
	}
	body, err := os.ReadFile(filepath.Join(dir, "page.body"))
	if err != nil {
		return err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.Recover())
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			for k, v := range rec.Header {
				h[k] = v
			}
			return next(c)
		}
	})
	e.Use(middleware.BodyLimit("256K"))
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/threads/:id", func(c echo.Context) error {
		return c.Blob(rec.Status, rec.Header.Get("Content-Type"), body)
	})
	srv := &http.Server{Addr: addr, Handler: e, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
