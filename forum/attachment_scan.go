package forum

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // thumbnails of PNG images
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"coterforum/i18n"

	"github.com/gabriel-vasile/mimetype"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // thumbnails of WebP images
)

// attachmentType is an accepted file type: its extension, and whether it
// is an image (served inline, with a thumbnail).
type attachmentType struct {
	ext   string
	image bool
}

// Ext is the extension of the type's files, with its dot.
func (t attachmentType) Ext() string { return t.ext }

// AttachmentTypes are the accepted types, as detected from the content
// (github.com/gabriel-vasile/mimetype looks inside zip files for the
// OpenDocument and Office Open XML ones). SVG and HTML are never among
// them: they can carry scripts.
var AttachmentTypes = map[string]attachmentType{
	"application/pdf":                                                         {ext: ".pdf"},
	"application/vnd.oasis.opendocument.text":                                 {ext: ".odt"},
	"application/vnd.oasis.opendocument.spreadsheet":                          {ext: ".ods"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {ext: ".docx"},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       {ext: ".xlsx"},
	"image/png":  {ext: ".png", image: true},
	"image/jpeg": {ext: ".jpg", image: true},
	"image/webp": {ext: ".webp", image: true},
}

// detectLimit is how much of the start of a file the type detection reads:
// enough to find the parts of an office document named early in its zip.
const detectLimit = 64 << 10

// The detection reads 3 KiB by default, where an office document made by
// some programs (LibreOffice) has not named its parts yet: the library's
// limit is its own setting, set once here for every detection.
func init() { mimetype.SetLimit(detectLimit) }

// ThumbnailSize bounds the width and height of a thumbnail, in pixels.
const ThumbnailSize = 320

// maxThumbnailPixels bounds the images that get a thumbnail: decoding one
// costs about 4 bytes a pixel, so larger images are kept without one.
const maxThumbnailPixels = 6_000_000

var errUploadTooLarge = errors.New("upload too large")

// scanned is an upload checked and cleaned, in a temporary file.
type scanned struct {
	file  *os.File
	size  int64
	mime  string
	ext   string
	sum   string
	thumb []byte
	temps []*os.File
}

func (s *scanned) close() {
	for _, f := range s.temps {
		removeTemp(f)
	}
}

// scanUpload copies r to a temporary file (at most limit bytes), detects
// its type, strips image metadata and hashes the bytes kept. The caller
// closes the result (even with an error).
func scanUpload(r io.Reader, limit int64) (*scanned, error) {
	sc := &scanned{}
	raw, err := os.CreateTemp("", "coterforum-upload-*")
	if err != nil {
		return sc, err
	}
	sc.temps = append(sc.temps, raw)
	n, err := io.Copy(raw, io.LimitReader(sourceReader{r}, limit+1))
	if err != nil {
		return sc, err
	}
	if n > limit {
		return sc, errUploadTooLarge
	}
	if n == 0 {
		return sc, &AttachmentRefusedError{Code: "attachment_empty", Msg: i18n.M("Le fichier est vide.")}
	}
	head := make([]byte, min(n, detectLimit))
	if _, err := raw.ReadAt(head, 0); err != nil && err != io.EOF {
		return sc, err
	}
	mt := mimetype.Detect(head)
	typ, ok := AttachmentTypes[mt.String()]
	if !ok {
		return sc, &AttachmentRefusedError{Code: "attachment_type", Msg: i18n.M("Type de fichier refusé (%s) : seuls les PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG et WebP sont acceptés.", mt.String())}
	}
	sc.mime, sc.ext = mt.String(), typ.ext
	// The kept bytes: images without their metadata, other files as sent.
	kept, err := os.CreateTemp("", "coterforum-kept-*")
	if err != nil {
		return sc, err
	}
	sc.temps = append(sc.temps, kept)
	if _, err := raw.Seek(0, io.SeekStart); err != nil {
		return sc, err
	}
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(kept, h), 64<<10)
	in := bufio.NewReaderSize(raw, 64<<10)
	switch sc.mime {
	case "image/jpeg":
		err = stripJPEG(w, in)
	case "image/png":
		err = stripPNG(w, in)
	case "image/webp":
		err = stripWebP(w, raw, n)
	default:
		_, err = io.Copy(w, in)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return sc, &AttachmentRefusedError{Code: "attachment_corrupt", Msg: i18n.M("Le fichier est illisible ou abîmé.")}
	}
	sc.file, sc.sum = kept, hex.EncodeToString(h.Sum(nil))
	if sc.size, err = kept.Seek(0, io.SeekCurrent); err != nil {
		return sc, err
	}
	if typ.image {
		if _, err := kept.Seek(0, io.SeekStart); err != nil {
			return sc, err
		}
		sc.thumb = thumbnail(bufio.NewReaderSize(kept, 64<<10), kept)
	}
	return sc, nil
}

// thumbnail returns a JPEG of the image at most ThumbnailSize wide and
// high, or nil when it cannot be decoded or is too large to.
func thumbnail(r io.Reader, f *os.File) []byte {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxThumbnailPixels {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil
	}
	src, _, err := image.Decode(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return nil
	}
	w, h := cfg.Width, cfg.Height
	if w > ThumbnailSize || h > ThumbnailSize {
		if w >= h {
			w, h = ThumbnailSize, max(1, h*ThumbnailSize/cfg.Width)
		} else {
			w, h = max(1, w*ThumbnailSize/cfg.Height), ThumbnailSize
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil
	}
	return buf.Bytes()
}

// stripJPEG copies a JPEG without its APPn segments other than APP0
// (JFIF) and APP14 (Adobe colour): APP1 holds EXIF (GPS position, camera,
// author) and XMP, APP13 IPTC; comments (COM) go too.
func stripJPEG(w io.Writer, r *bufio.Reader) error {
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return errors.New("not a JPEG")
	}
	if _, err := w.Write(soi[:]); err != nil {
		return err
	}
	for {
		b, err := r.ReadByte()
		if err != nil {
			return err
		}
		if b != 0xFF {
			return errors.New("JPEG: marker expected")
		}
		m, err := r.ReadByte()
		for err == nil && m == 0xFF { // fill bytes
			m, err = r.ReadByte()
		}
		if err != nil {
			return err
		}
		if m == 0xD9 || (m >= 0xD0 && m <= 0xD7) || m == 0x01 { // no length
			if _, err := w.Write([]byte{0xFF, m}); err != nil {
				return err
			}
			if m == 0xD9 {
				return nil
			}
			continue
		}
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint16(l[:]))
		if n < 2 {
			return errors.New("JPEG: bad segment length")
		}
		drop := (m >= 0xE1 && m <= 0xEF && m != 0xEE) || m == 0xFE
		if drop {
			if _, err := io.CopyN(io.Discard, r, n-2); err != nil {
				return err
			}
			continue
		}
		if _, err := w.Write([]byte{0xFF, m, l[0], l[1]}); err != nil {
			return err
		}
		if _, err := io.CopyN(w, r, n-2); err != nil {
			return err
		}
		if m == 0xDA { // start of scan: the entropy-coded data and the rest follow as they are
			_, err := io.Copy(w, r)
			return err
		}
	}
}

// pngDropped are the PNG chunks that may carry personal data: text, EXIF
// and the modification time.
var pngDropped = map[string]bool{"tEXt": true, "zTXt": true, "iTXt": true, "eXIf": true, "tIME": true}

// stripPNG copies a PNG without its metadata chunks.
func stripPNG(w io.Writer, r *bufio.Reader) error {
	sig := make([]byte, 8)
	if _, err := io.ReadFull(r, sig); err != nil || string(sig) != "\x89PNG\r\n\x1a\n" {
		return errors.New("not a PNG")
	}
	if _, err := w.Write(sig); err != nil {
		return err
	}
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		if n > 1<<31 {
			return errors.New("PNG: bad chunk length")
		}
		kind := string(hdr[4:])
		if pngDropped[kind] {
			if _, err := io.CopyN(io.Discard, r, n+4); err != nil {
				return err
			}
			continue
		}
		if _, err := w.Write(hdr[:]); err != nil {
			return err
		}
		if _, err := io.CopyN(w, r, n+4); err != nil {
			return err
		}
		if kind == "IEND" {
			return nil
		}
	}
}

// safeName keeps the letters, digits and a few signs of a file's base
// name, at most 100 characters, and gives it ext.
func safeName(name, ext string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.TrimSuffix(name, filepath.Ext(name))
	var b strings.Builder
	for _, r := range name {
		if b.Len() >= 100 {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '(' || r == ')':
			b.WriteRune('_')
		}
	}
	s := strings.Trim(b.String(), "_")
	if s == "" {
		s = "fichier"
	}
	return s + ext
}

// stripWebP copies a WebP without its EXIF and XMP chunks, with the RIFF
// size and the VP8X flags made to match (two passes over f, n bytes).
func stripWebP(w io.Writer, f *os.File, n int64) error {
	var hdr [12]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil || string(hdr[:4]) != "RIFF" || string(hdr[8:]) != "WEBP" {
		return errors.New("not a WebP")
	}
	type chunk struct {
		off, size int64 // size with the 8-byte header and the padding
		kind      string
	}
	var chunks []chunk
	var kept int64 = 4 // "WEBP"
	for off := int64(12); off+8 <= n; {
		var ch [8]byte
		if _, err := f.ReadAt(ch[:], off); err != nil {
			return err
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		total := 8 + size + size%2
		if off+8+size > n {
			return errors.New("WebP: chunk past the end")
		}
		c := chunk{off: off, size: min(total, n-off), kind: string(ch[:4])}
		chunks = append(chunks, c)
		if c.kind != "EXIF" && c.kind != "XMP " {
			kept += c.size
		}
		off += total
	}
	out := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], uint32(kept))
	if _, err := w.Write(append(out, "WEBP"...)); err != nil {
		return err
	}
	for _, c := range chunks {
		if c.kind == "EXIF" || c.kind == "XMP " {
			continue
		}
		if c.kind == "VP8X" && c.size >= 9 {
			b := make([]byte, c.size)
			if _, err := f.ReadAt(b, c.off); err != nil {
				return err
			}
			b[8] &^= 0x08 | 0x04 // EXIF and XMP flags
			if _, err := w.Write(b); err != nil {
				return err
			}
			continue
		}
		if _, err := io.Copy(w, io.NewSectionReader(f, c.off, c.size)); err != nil {
			return err
		}
	}
	return nil
}
