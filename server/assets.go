package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// asset is a static file, fingerprinted and compressed once at start.
type asset struct {
	name   string // style.css
	hashed string // style.1a2b3c4d.css
	ctype  string
	body   []byte
	gz     []byte // nil when compressing does not pay
	etag   string
}

// assets are the static files by URL name (hashed and plain).
type assets struct {
	byName map[string]*asset
	byURL  map[string]*asset
}

// compressible content types (text): the others are sent as they are.
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "xml") || strings.Contains(ctype, "svg")
}

// loadAssets reads every static file, names it by its content's hash and
// compresses it.
func loadAssets(files fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:8]
		ext := path.Ext(p)
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		as := &asset{name: p, hashed: strings.TrimSuffix(p, ext) + "." + hash + ext, ctype: ctype, body: body, etag: `"` + hash + `"`}
		if compressible(ctype) && len(body) >= minCompress {
			var b bytes.Buffer
			w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			_, _ = w.Write(body)
			_ = w.Close()
			if b.Len() < len(body) {
				as.gz = b.Bytes()
			}
		}
		a.byName[p] = as
		a.byURL[p] = as
		a.byURL[as.hashed] = as
		return nil
	})
	return a, err
}

// url is the template function asset: "style.css" → "/static/style.1a2b3c4d.css".
func (a *assets) url(name string) string {
	if as, ok := a.byName[name]; ok {
		return "/static/" + as.hashed
	}
	return "/static/" + name
}

// ServeHTTP serves /static/NAME: a fingerprinted name is cached for a year
// (its content never changes under that name); the plain name still works,
// revalidated after five minutes.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	as, ok := a.byURL[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	if name == as.hashed {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	h.Set("Content-Type", as.ctype)
	if as.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	etag := as.etag
	if etagMatches(r, etag) {
		h.Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := as.body
	if as.gz != nil && acceptsGzip(r) {
		body = as.gz
		h.Set("Content-Encoding", "gzip")
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	h.Set("ETag", etag)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
