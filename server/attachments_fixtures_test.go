package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Files built in memory for the attachment tests.

func pdfFile() []byte {
	return []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// zipFile builds a zip whose first entry is stored (as ODF asks for its
// "mimetype"), the others deflated.
func zipFile(t testing.TB, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i, e := range entries {
		h := &zip.FileHeader{Name: e[0], Method: zip.Deflate}
		if i == 0 || len(e[1]) > 4096 {
			h.Method = zip.Store
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.Write([]byte(e[1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docxFile(t testing.TB) []byte {
	return zipFile(t, [2]string{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		[2]string{"_rels/.rels", `<?xml version="1.0"?><Relationships/>`},
		[2]string{"word/document.xml", `<?xml version="1.0"?><w:document/>`})
}

// docxLateFile is a DOCX whose word/ part comes after 8 KB of other
// parts, as some programs write them.
func docxLateFile(t testing.TB) []byte {
	return zipFile(t, [2]string{"[Content_Types].xml", `<?xml version="1.0"?><Types/>`},
		[2]string{"docProps/thumbnail.txt", strings.Repeat("0123456789abcdef", 512)},
		[2]string{"_rels/.rels", `<?xml version="1.0"?><Relationships/>`},
		[2]string{"word/document.xml", `<?xml version="1.0"?><w:document/>`})
}

func xlsxFile(t testing.TB) []byte {
	return zipFile(t, [2]string{"[Content_Types].xml", `<?xml version="1.0"?><Types/>`},
		[2]string{"_rels/.rels", `<?xml version="1.0"?><Relationships/>`},
		[2]string{"xl/workbook.xml", `<?xml version="1.0"?><workbook/>`})
}

func odfFile(t testing.TB, mimeType string) []byte {
	return zipFile(t, [2]string{"mimetype", mimeType}, [2]string{"content.xml", `<?xml version="1.0"?><office:document-content/>`})
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	return img
}

// jpegWithExif is a JPEG carrying an EXIF segment (APP1) with a GPS
// position and an author, an IPTC segment (APP13) and a comment.
func jpegWithExif(t testing.TB) []byte {
	t.Helper()
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, testImage(640, 480), nil); err != nil {
		t.Fatal(err)
	}
	b := plain.Bytes()
	segment := func(marker byte, payload string) []byte {
		s := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
		return append(s, payload...)
	}
	var out bytes.Buffer
	out.Write(b[:2]) // SOI
	out.Write(segment(0xE1, "Exif\x00\x00MM\x00*GPSLatitude 48.8566 N GPSLongitude 2.3522 E Artist=Camille Secret"))
	out.Write(segment(0xED, "Photoshop 3.0\x008BIM By-line=Camille Secret"))
	out.Write(segment(0xFE, "comment: Camille Secret"))
	out.Write(b[2:])
	return out.Bytes()
}

// pngWithText is a PNG carrying a tEXt chunk naming its author.
func pngWithText(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(400, 200)); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	data := []byte("Author\x00Camille Secret")
	chunk := make([]byte, 8, 12+len(data))
	binary.BigEndian.PutUint32(chunk, uint32(len(data)))
	copy(chunk[4:], "tEXt")
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	// After the IHDR chunk (8 + 25 bytes).
	return append(append(append([]byte{}, b[:33]...), chunk...), b[33:]...)
}

// webpFile is a 1×1 lossless WebP.
func webpFile(t testing.TB) []byte {
	b, err := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exeFile() []byte {
	b := make([]byte, 512)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	binary.LittleEndian.PutUint32(b[0x3c:], 0x80)
	copy(b[0x80:], "PE\x00\x00")
	return b
}

func svgFile() []byte {
	return []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
}

func htmlFile() []byte {
	return []byte(`<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>`)
}

// multipartBody builds a multipart/form-data body of fields and files
// (field name, file name, content).
func multipartBody(t testing.TB, fields url.Values, files ...fileField) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(f.data)
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

type fileField struct {
	field, name string
	data        []byte
}

// upload sends one file to the upload API.
func (c *client) upload(name string, data []byte) (int, map[string]any) {
	c.t.Helper()
	ct, body := multipartBody(c.t, nil, fileField{"file", name, data})
	return c.rawAPI("POST", "/api/v1/attachments", ct, bytes.NewReader(body), int64(len(body)))
}

// rawAPI sends a body with its content type and the session's CSRF header.
func (c *client) rawAPI(method, path, contentType string, body io.Reader, length int64) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.e.ts.URL+path, body)
	req.ContentLength = length
	req.Header.Set("Content-Type", contentType)
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(raw, &out)
	}
	return resp.StatusCode, out
}

// postMultipart submits a multipart form as a browser does from a page of
// the forum.
func (c *client) postMultipart(path string, fields url.Values, files ...fileField) (int, string, *http.Response) {
	c.t.Helper()
	ct, body := multipartBody(c.t, fields, files...)
	req, _ := http.NewRequest(http.MethodPost, c.e.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", c.e.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp
}

// download fetches a URL (absolute or a path) and returns status, body and response.
func (c *client) download(u string) (int, []byte, *http.Response) {
	c.t.Helper()
	u = strings.TrimPrefix(u, c.e.ts.URL)
	resp, err := c.http.Get(c.e.ts.URL + u)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp
}

// webpWithExif is the 1×1 WebP in the extended format (VP8X) with an EXIF
// chunk naming its author.
func webpWithExif(t testing.TB) []byte {
	plain := webpFile(t)
	image := plain[12:] // the VP8L chunk
	vp8x := []byte("VP8X\x0a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	exif := []byte("Camille Secret GPS")
	ex := append([]byte("EXIF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(ex[4:], uint32(len(exif)))
	ex = append(ex, exif...)
	body := append(append(append([]byte("WEBP"), vp8x...), image...), ex...)
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...)
}
