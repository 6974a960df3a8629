package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"coterforum/forum"

	"github.com/labstack/echo/v4"
)

// The render cache and HTTP caching of the read pages and API reads.
//
// A page is identified by a canonical id (kind and parameters) and depends on
// forum keys (forum/changes.go): its stamp, forum.Service.Stamp of those keys
// plus the taxonomy's, changes with every write that changes it. From the
// stamp alone, without rendering or touching the store:
//   - the ETag is computed (stamp, id, language, the minute, and for a member
//     their id, role and counts' keys), so If-None-Match answers 304;
//   - an anonymous visitor's page is served from the bytes cached under the
//     stamp, per language, plain and gzipped once: pages hold nothing per
//     visitor (no CSRF token: see checkCSRF), so every anonymous visitor
//     gets the same bytes.
// Members' pages are rendered per request from the cached data (thread and
// posts, listings, session, counts): nothing per viewer is ever shared.
// Rendered entries live at most until the end of the current minute, so
// relative times ("il y a 3 minutes") never go stale by more than that.

// minCompress is the smallest body worth compressing.
const minCompress = 1024

// renderedPage is a response body cached for every anonymous visitor.
type renderedPage struct {
	stamp  uint64
	minute int64
	ctype  string
	body   []byte
	gz     []byte // body gzipped, when worth it
	size   int
}

// newRenderedPage prepares a body for serving: compressed once, here.
func newRenderedPage(stamp uint64, minute int64, ctype string, body []byte) *renderedPage {
	p := &renderedPage{stamp: stamp, minute: minute, ctype: ctype, body: body}
	if len(body) >= minCompress {
		var b bytes.Buffer
		w := cachedGzipPool.Get().(*gzip.Writer)
		w.Reset(&b)
		_, _ = w.Write(body)
		_ = w.Close()
		cachedGzipPool.Put(w)
		p.gz = b.Bytes()
	}
	p.size = len(p.body) + len(p.gz)
	return p
}

// cachedGzipPool keeps the writers that compress cached pages: a new writer
// allocates and clears ~1.2 MB, more than the work of compressing a page.
// The default level: on the forum's pages it gives the best level's bytes
// in three quarters of its time.
var cachedGzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// renderOnce builds the anonymous response of version (stamp, minute)
// under ck once, however many requests ask for it at the same moment: the
// first renders and caches it, the others wait for its bytes. Without it,
// every reader arriving after a write would render the page again.
func (s *Server) renderOnce(ck string, stamp uint64, minute int64, build func() (*renderedPage, error)) (*renderedPage, error) {
	v, err, _ := s.renders.Do(ck+"\x00"+strconv.FormatUint(stamp, 16)+"\x00"+strconv.FormatInt(minute, 10), func() (any, error) {
		// A request that missed the cache just before the previous flight
		// stored its page finds it here.
		if v, ok := s.svc.Cache().Get(ck); ok {
			if p := v.(*renderedPage); p.stamp == stamp && p.minute == minute {
				return p, nil
			}
		}
		s.rendered.Add(1)
		p, err := build()
		if err != nil {
			return nil, err
		}
		s.svc.Cache().Add(ck, p, int64(p.size)+256)
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*renderedPage), nil
}

// acceptsGzip reports whether the request accepts a gzip-coded response.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// etagMatches reports whether If-None-Match names etag (weak comparison, as
// RFC 9110 asks; the gzip variant of a tag matches too).
func etagMatches(r *http.Request, etag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	if strings.TrimSpace(inm) == "*" {
		return true
	}
	base := strings.TrimSuffix(etag, `"`)
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		t = strings.TrimSuffix(strings.TrimSuffix(t, `"`), "-gz")
		if t == base {
			return true
		}
	}
	return false
}

// gzipPool compresses per-request bodies (members' pages) at the fastest
// level: the cached ones are compressed once, at the default level.
var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}

// writeBody sends a body, gzipped when it is worth it and the client
// accepts it, with Vary: Accept-Encoding and, when etag is set, the ETag of
// the coding sent.
func writeBody(c echo.Context, status int, ctype string, body []byte, etag string) error {
	r, h := c.Request(), c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Type", ctype)
	if len(body) >= minCompress && acceptsGzip(r) {
		var b bytes.Buffer
		w := gzipPool.Get().(*gzip.Writer)
		w.Reset(&b)
		_, _ = w.Write(body)
		_ = w.Close()
		gzipPool.Put(w)
		body = b.Bytes()
		h.Set("Content-Encoding", "gzip")
		if etag != "" {
			etag = strings.TrimSuffix(etag, `"`) + `-gz"`
		}
	}
	if etag != "" {
		h.Set("ETag", etag)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(body)
	return err
}

// writeRendered sends a cached body, gzipped when the client accepts it.
func writeRendered(c echo.Context, p *renderedPage, etag string) error {
	r, h := c.Request(), c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Type", p.ctype)
	body := p.body
	if p.gz != nil && acceptsGzip(r) {
		body = p.gz
		h.Set("Content-Encoding", "gzip")
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	h.Set("ETag", etag)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(body)
	return err
}

// cacheSpec says what a cacheable read depends on.
type cacheSpec struct {
	// id names the response among those of its kind: kind and canonical parameters.
	id string
	// keys are the forum keys whose writes change the response (the
	// taxonomy is added for pages).
	keys []forum.Key
	// viewerKeys are keys of what a logged-in viewer's response adds to the
	// shared data (e.g. their unread marks); they are part of that viewer's
	// ETag only. The viewer's record, notifications and, for moderators,
	// the queue are always part of it.
	viewerKeys []forum.Key
	// raw: a response without language (API reads, feeds).
	raw bool
}

// validator computes, from versions alone, the stamp and the ETag of the
// response to this request, and sets the caching headers.
func (s *Server) validator(c echo.Context, spec cacheSpec) (stamp uint64, minute int64, etag string) {
	m := viewer(c)
	keys := spec.keys
	if !spec.raw {
		keys = append(keys, forum.KeyTaxonomy)
	}
	// Everything a page shows of its viewer: their record and sessions,
	// their notifications, and for moderators the queue.
	vkeys := keys
	if m != nil {
		vkeys = append(append(append([]forum.Key{}, keys...), spec.viewerKeys...), forum.MemberKey(m.ID), forum.NotificationsKey(m.ID))
		if m.IsModerator() {
			vkeys = append(vkeys, forum.KeyQueue)
		}
	}
	stamp = s.svc.Stamp(keys...)
	vstamp := s.svc.Stamp(vkeys...)
	minute = time.Now().Unix() / 60
	h := sha256.New()
	var b [8]byte
	h.Write(binary.LittleEndian.AppendUint64(b[:0], vstamp))
	h.Write(binary.LittleEndian.AppendUint64(b[:0], uint64(minute)))
	h.Write([]byte(spec.id))
	h.Write([]byte{0})
	if !spec.raw {
		h.Write([]byte(language(c)))
		h.Write([]byte{0})
		h.Write([]byte(c.QueryParam("notice")))
	}
	if m != nil {
		h.Write([]byte{0})
		h.Write([]byte(m.ID + "\x00" + m.Role + "\x00" + m.Lang))
		if s.svc.CanWrite(m) == nil {
			h.Write([]byte{1})
		}
	}
	etag = `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:15]) + `"`

	rh := c.Response().Header()
	if spec.raw {
		rh.Add("Vary", "Cookie")
	} else {
		rh.Set("Content-Language", string(language(c)))
		rh.Add("Vary", "Accept-Language, Cookie")
	}
	// Anonymous responses may be kept by shared caches (keyed by Cookie,
	// which carries the session and the language), but not one that sets a
	// cookie; everything is revalidated by ETag. A
	// member's page is never stored: on a shared computer (a town hall's
	// front desk) the back button must not show it after logout.
	switch {
	case m != nil || session(c) != nil:
		rh.Set("Cache-Control", "private, no-store")
	case rh.Get("Set-Cookie") != "":
		rh.Set("Cache-Control", "private, no-cache")
	default:
		rh.Set("Cache-Control", "public, no-cache")
	}
	return stamp, minute, etag
}

// notModified answers 304 with the validator's headers.
func notModified(c echo.Context, etag string) error {
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	h.Set("ETag", etag)
	c.Response().WriteHeader(http.StatusNotModified)
	return nil
}

// servePage answers a cacheable page: 304 when the client's copy is
// current; an anonymous visitor's page from the render cache; else build
// returns the template and view to render (from the cached data), and an
// anonymous visitor's page is cached for the next.
func (s *Server) servePage(c echo.Context, spec cacheSpec, build func() (string, view, error)) error {
	stamp, minute, etag := s.validator(c, spec)
	fresh := s.svc.CacheFresh()
	if fresh && etagMatches(c.Request(), etag) {
		return notModified(c, etag)
	}
	// With the cache off (FORUM_CACHE_BYTES=0) nothing is kept: every
	// page is rendered and compressed for its request, as a member's is.
	anonymous := viewer(c) == nil && session(c) == nil && c.QueryParam("notice") == "" && s.svc.Cache().Enabled()
	ck := "page:" + string(language(c)) + ":" + spec.id
	if fresh && anonymous {
		if v, ok := s.svc.Cache().Get(ck); ok {
			if p := v.(*renderedPage); p.stamp == stamp && p.minute == minute {
				s.svc.ObserveCache("page", true)
				return writeRendered(c, p, etag)
			}
		}
		s.svc.ObserveCache("page", false)
		p, err := s.renderOnce(ck, stamp, minute, func() (*renderedPage, error) {
			name, v, err := build()
			if err != nil {
				return nil, err
			}
			body, err := s.renderBytes(c, name, v)
			if err != nil {
				return nil, err
			}
			return newRenderedPage(stamp, minute, echo.MIMETextHTMLCharsetUTF8, body), nil
		})
		if err != nil {
			return err
		}
		return writeRendered(c, p, etag)
	}
	name, v, err := build()
	if err != nil {
		return err
	}
	body, err := s.renderBytes(c, name, v)
	if err != nil {
		return err
	}
	return writeBody(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, body, etag)
}

// serveJSON answers a cacheable API read like servePage: build returns the
// value to encode.
func (s *Server) serveJSON(c echo.Context, spec cacheSpec, build func() (any, error)) error {
	return s.serveBytes(c, spec, echo.MIMEApplicationJSON, func() ([]byte, error) {
		v, err := build()
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(v)
		return append(body, '\n'), err
	})
}

// serveBytes answers a cacheable response without language
// (API reads, feeds) like servePage: 304 from the versions, the anonymous
// body from the render cache (compressed once), else build's bytes. A feed
// handler is one call:
//
//	return s.serveBytes(c, cacheSpec{id: "feed/theme/" + slug, keys: []forum.Key{forum.ThemeListingKey(slug)}},
//		"application/atom+xml; charset=utf-8", func() ([]byte, error) { ... })
func (s *Server) serveBytes(c echo.Context, spec cacheSpec, ctype string, build func() ([]byte, error)) error {
	spec.raw = true
	stamp, minute, etag := s.validator(c, spec)
	fresh := s.svc.CacheFresh()
	if fresh && etagMatches(c.Request(), etag) {
		return notModified(c, etag)
	}
	anonymous := viewer(c) == nil && session(c) == nil && s.svc.Cache().Enabled()
	ck := "raw:" + ctype + ":" + spec.id
	if fresh && anonymous {
		if v, ok := s.svc.Cache().Get(ck); ok {
			if p := v.(*renderedPage); p.stamp == stamp && p.minute == minute {
				s.svc.ObserveCache("raw", true)
				return writeRendered(c, p, etag)
			}
		}
		s.svc.ObserveCache("raw", false)
		p, err := s.renderOnce(ck, stamp, minute, func() (*renderedPage, error) {
			body, err := build()
			if err != nil {
				return nil, err
			}
			return newRenderedPage(stamp, minute, ctype, body), nil
		})
		if err != nil {
			return err
		}
		return writeRendered(c, p, etag)
	}
	body, err := build()
	if err != nil {
		return err
	}
	return writeBody(c, http.StatusOK, ctype, body, etag)
}
