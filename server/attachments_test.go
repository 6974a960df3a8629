package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/webp"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/server"
)

// attachment returns the "attachment" object of an upload answer.
func attachmentOf(t *testing.T, status int, out map[string]any) map[string]any {
	t.Helper()
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %v", status, out)
	}
	a, ok := out["attachment"].(map[string]any)
	if !ok {
		t.Fatalf("upload answer without attachment: %v", out)
	}
	for _, k := range []string{"id", "name", "size", "type", "url"} {
		if _, ok := a[k]; !ok {
			t.Fatalf("attachment without %q: %v", k, a)
		}
	}
	return a
}

// mustUpload uploads a file that must be accepted.
func (c *client) mustUpload(name string, data []byte) map[string]any {
	c.t.Helper()
	status, out := c.upload(name, data)
	return attachmentOf(c.t, status, out)
}

func countUploads(t *testing.T, e *env, m *forum.Member) int {
	t.Helper()
	all, err := e.st.AttachmentsOfUploader(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// TestAttachmentTypesByContent: the type comes from the content, not the
// name; the stored name gets the extension of the detected type; a renamed
// .exe, an SVG, HTML and an empty file are refused (415, 400) in French or
// English, and nothing is stored for them.
func TestAttachmentTypesByContent(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	accepted := []struct {
		name, want, typ string
		data            []byte
	}{
		{"Cahier des charges.docx", "Cahier_des_charges.pdf", "application/pdf", pdfFile()},
		{"bordereau.pdf", "bordereau.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docxFile(t)},
		{"rapport.docx", "rapport.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docxLateFile(t)},
		{"prix.xlsx", "prix.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsxFile(t)},
		{"note.odt", "note.odt", "application/vnd.oasis.opendocument.text", odfFile(t, "application/vnd.oasis.opendocument.text")},
		{"tableau", "tableau.ods", "application/vnd.oasis.opendocument.spreadsheet", odfFile(t, "application/vnd.oasis.opendocument.spreadsheet")},
		{"schéma réseau.png", "schéma_réseau.png", "image/png", pngWithText(t)},
		{"photo.jpeg", "photo.jpg", "image/jpeg", jpegWithExif(t)},
		{"../../etc/plan.webp", "plan.webp", "image/webp", webpFile(t)},
	}
	for _, tt := range accepted {
		a := c.mustUpload(tt.name, tt.data)
		if a["name"] != tt.want || a["type"] != tt.typ {
			t.Errorf("%s: stored as %v (%v), want %s (%s)", tt.name, a["name"], a["type"], tt.want, tt.typ)
		}
		if !strings.HasPrefix(a["url"].(string), e.ts.URL+"/attachments/"+a["id"].(string)+"/") {
			t.Errorf("url %v", a["url"])
		}
	}
	stored := countUploads(t, e, m)
	if stored != len(accepted) {
		t.Fatalf("%d stored, want %d", stored, len(accepted))
	}
	refused := []struct {
		name   string
		data   []byte
		status int
	}{
		{"devis.pdf", exeFile(), http.StatusUnsupportedMediaType},
		{"setup.exe", exeFile(), http.StatusUnsupportedMediaType},
		{"logo.png", svgFile(), http.StatusUnsupportedMediaType},
		{"logo.svg", svgFile(), http.StatusUnsupportedMediaType},
		{"page.pdf", htmlFile(), http.StatusUnsupportedMediaType},
		{"vide.pdf", nil, http.StatusUnsupportedMediaType},
	}
	for _, tt := range refused {
		status, out := c.upload(tt.name, tt.data)
		if status != tt.status || !strings.Contains(errMessage(out), "fichier") {
			t.Errorf("%s: %d %v, want %d with a French message", tt.name, status, out, tt.status)
		}
	}
	if n := countUploads(t, e, m); n != stored {
		t.Fatalf("refused files were stored: %d, want %d", n, stored)
	}
	// English for an English reader.
	ct, body := multipartBody(t, nil, fileField{"file", "x.pdf", exeFile()})
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/attachments", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	// The member's own setting wins over the cookie: use an anonymous-like
	// language check through Accept-Language on a member without one.
	req.Header.Set("Accept-Language", "en")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(raw), "File type refused") {
		t.Fatalf("English refusal: %d %s", resp.StatusCode, raw)
	}
	// Anonymous: 401; not multipart: 415.
	if status, _ := e.anon().upload("a.pdf", pdfFile()); status != http.StatusUnauthorized {
		t.Fatalf("anonymous upload: %d", status)
	}
	if status, _ := c.api("POST", "/api/v1/attachments", map[string]any{"file": "x"}); status != http.StatusUnsupportedMediaType {
		t.Fatalf("JSON upload: %d", status)
	}
}

// countingReader produces n bytes of a PDF-looking body and counts what was read.
// The transport's goroutine reads it while the test looks at the count.
type countingReader struct {
	n    int64
	read atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	done := r.read.Load()
	if done >= r.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n-done)
	for i := range p[:k] {
		p[i] = 'a'
	}
	r.read.Add(k)
	return int(k), nil
}

// TestAttachmentSizeLimits: a 200 MB upload is refused with 413 at once
// (its body is not read), one over FORUM_ATTACHMENT_MAX too, chunked or
// not; nothing is stored.
func TestAttachmentSizeLimits(t *testing.T) {
	e := newEnv(t)
	e.svc.SetAttachmentMax(1 << 20)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)

	big := &countingReader{n: 200 << 20}
	status, out := c.rawAPI("POST", "/api/v1/attachments", "multipart/form-data; boundary=xyz", big, big.n)
	if status != http.StatusRequestEntityTooLarge || errCode(out) != "body_too_large" {
		t.Fatalf("200 MB upload: %d %v", status, out)
	}
	if n := big.read.Load(); n > 8<<20 {
		t.Fatalf("the server read %d bytes of a body it refuses", n)
	}
	// Over the limit by one byte, within the multipart allowance.
	over := append(pdfFile(), bytes.Repeat([]byte("x"), 1<<20)...)[:1<<20+1]
	if status, out := c.upload("gros.pdf", over); status != http.StatusRequestEntityTooLarge || !strings.Contains(errMessage(out), "1 Mo") {
		t.Fatalf("1 MiB + 1: %d %v", status, out)
	}
	// Exactly the limit is accepted.
	c.mustUpload("juste.pdf", over[:1<<20])
	// Chunked (no Content-Length), too large: cut by the limit.
	ct, body := multipartBody(t, nil, fileField{"file", "gros.pdf", append(pdfFile(), bytes.Repeat([]byte("x"), 3<<20)...)})
	if status, _ := c.rawAPI("POST", "/api/v1/attachments", ct, io.MultiReader(bytes.NewReader(body)), -1); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked too large: %d", status)
	}
	// A post form with a file over the limit: 413, the form shown again.
	th, _ := c.createThread("reseaux", []string{"commune"}, "Fil pour les limites", "Premier message")
	status, page, _ := c.postMultipart("/threads/"+th+"/posts", url.Values{"body": {"Voici le devis"}}, fileField{"files", "gros.pdf", over})
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "Fichier trop volumineux") || !strings.Contains(page, "Voici le devis") {
		t.Fatalf("form with a large file: %d", status)
	}
	if n := countUploads(t, e, m); n != 1 {
		t.Fatalf("%d attachments stored, want only the one at the limit", n)
	}
}

// TestAttachmentsPerPost: five files a post at most, through the API and
// the form; only the author's own pending uploads can be joined.
func TestAttachmentsPerPost(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	other, opw := e.member(forum.RoleMember, "commune")
	oc := e.login(other, opw)
	var ids []any
	for range 6 {
		a := c.mustUpload("devis.pdf", pdfFile())
		ids = append(ids, a["id"])
	}
	thread := map[string]any{"theme": "reseaux", "authority_types": []string{"commune"}, "title": "Six pièces jointes", "body": "Voir les devis"}
	thread["attachments"] = ids
	if status, out := c.api("POST", "/api/v1/threads", thread); status != http.StatusBadRequest || errCode(out) != "too_many_attachments" {
		t.Fatalf("6 attachments: %d %v", status, out)
	}
	// Someone else's upload.
	if status, out := oc.api("POST", "/api/v1/threads", map[string]any{"theme": "reseaux", "authority_types": []string{"commune"},
		"title": "Pas mes fichiers", "body": "x", "attachments": ids[:1]}); status != http.StatusBadRequest || errCode(out) != "attachment_unknown" {
		t.Fatalf("another member's attachment: %d %v", status, out)
	}
	thread["attachments"] = ids[:5]
	status, out := c.api("POST", "/api/v1/threads", thread)
	if status != http.StatusCreated {
		t.Fatalf("5 attachments: %d %v", status, out)
	}
	threadID := out["thread"].(map[string]any)["id"].(string)
	// An id already joined to a post cannot be joined again.
	if status, out := c.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": "encore", "attachments": ids[:1]}); status != http.StatusBadRequest || errCode(out) != "attachment_unknown" {
		t.Fatalf("reused attachment: %d %v", status, out)
	}
	if status, out := c.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": "le sixième", "attachments": ids[5:]}); status != http.StatusCreated {
		t.Fatalf("reply with an attachment: %d %v", status, out)
	}
	// The form: six files are refused, the text is kept.
	files := make([]fileField, 6)
	for i := range files {
		files[i] = fileField{"files", "plan.pdf", pdfFile()}
	}
	before := countUploads(t, e, m)
	status, page, _ := c.postMultipart("/threads/"+threadID+"/posts", url.Values{"body": {"Six plans"}}, files...)
	if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity || !strings.Contains(page, "5 pièces jointes au plus") {
		t.Fatalf("form with 6 files: %d", status)
	}
	if n := countUploads(t, e, m); n > before+5 {
		t.Fatalf("%d files stored for a refused form", n-before)
	}
	// The API answer of the thread shows the files of each post.
	status, out = e.anon().api("GET", "/api/v1/threads/"+threadID, nil)
	posts, _ := out["posts"].([]any)
	if status != http.StatusOK || len(posts) != 2 {
		t.Fatalf("thread: %d %v", status, out)
	}
	first, _ := posts[0].(map[string]any)["attachments"].([]any)
	if len(first) != 5 || first[0].(map[string]any)["url"] == nil {
		t.Fatalf("attachments of the first post in the API: %v", posts[0])
	}
	// So does the page.
	_, body, _ := c.get("/threads/" + threadID)
	if got := strings.Count(body, `class="attachment-link"`); got != 6 {
		t.Fatalf("thread page shows %d attachments, want 6", got)
	}
}

// TestAttachmentImagesCleaned: EXIF (GPS, author), IPTC and comments are
// gone from a JPEG, text chunks from a PNG; both keep decoding and get a
// thumbnail at most 320 px, served as JPEG.
func TestAttachmentImagesCleaned(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	for _, tt := range []struct {
		name string
		data []byte
		w, h int
	}{{"photo.jpg", jpegWithExif(t), 320, 240}, {"schema.png", pngWithText(t), 320, 160}} {
		if !bytes.Contains(tt.data, []byte("Camille Secret")) {
			t.Fatal("fixture without metadata")
		}
		a := c.mustUpload(tt.name, tt.data)
		status, got, resp := c.download(a["url"].(string))
		if status != http.StatusOK {
			t.Fatalf("%s: %d", tt.name, status)
		}
		if bytes.Contains(got, []byte("Camille Secret")) || bytes.Contains(got, []byte("GPS")) || bytes.Contains(got, []byte("Exif")) {
			t.Fatalf("%s: metadata kept", tt.name)
		}
		if _, _, err := image.Decode(bytes.NewReader(got)); err != nil {
			t.Fatalf("%s no longer decodes: %v", tt.name, err)
		}
		sum := sha256.Sum256(got)
		if int64(len(got)) != int64(a["size"].(float64)) || resp.Header.Get("ETag") != `"`+hex.EncodeToString(sum[:])[:32]+`"` {
			t.Fatalf("%s: size %d vs %v, etag %s", tt.name, len(got), a["size"], resp.Header.Get("ETag"))
		}
		status, thumb, resp := c.download("/attachments/" + a["id"].(string) + "/thumbnail")
		if status != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("%s thumbnail: %d %s", tt.name, status, resp.Header.Get("Content-Type"))
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(thumb))
		if err != nil || format != "jpeg" || cfg.Width != tt.w || cfg.Height != tt.h {
			t.Fatalf("%s thumbnail: %v %s %dx%d", tt.name, err, format, cfg.Width, cfg.Height)
		}
	}
	// A WebP loses its EXIF chunk and gets a thumbnail too (decoded by
	// golang.org/x/image/webp).
	in := webpWithExif(t)
	if _, _, err := image.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("WebP fixture: %v", err)
	}
	a := c.mustUpload("p.webp", in)
	_, got, _ := c.download(a["url"].(string))
	if bytes.Contains(got, []byte("Camille Secret")) || bytes.Contains(got, []byte("EXIF")) {
		t.Fatal("WebP: metadata kept")
	}
	if _, _, err := image.Decode(bytes.NewReader(got)); err != nil {
		t.Fatalf("stripped WebP no longer decodes: %v", err)
	}
	if status, _, _ := c.download("/attachments/" + a["id"].(string) + "/thumbnail"); status != http.StatusOK {
		t.Fatalf("webp thumbnail: %d", status)
	}
	// A PDF has none: its thumbnail address is a 404, never the file inline.
	p := c.mustUpload("d.pdf", pdfFile())
	if status, _, _ := c.download("/attachments/" + p["id"].(string) + "/thumbnail"); status != http.StatusNotFound {
		t.Fatalf("pdf thumbnail: %d", status)
	}
	// A file named like the thumbnail is served as itself.
	named := c.mustUpload("thumbnail.jpg", jpegWithExif(t))
	if _, body, _ := c.download(named["url"].(string)); int64(len(body)) != int64(named["size"].(float64)) {
		t.Fatalf("a file named thumbnail.jpg: %d bytes, want %v", len(body), named["size"])
	}
}

// TestAttachmentHeaders: documents are downloads, images inline; every
// file has nosniff, a sandboxing CSP, its type and an ETag (304 again).
func TestAttachmentHeaders(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	pdf := c.mustUpload("Devis n°3.pdf", pdfFile())
	img := c.mustUpload("plan.png", pngWithText(t))
	c.createThread2(t, pdf["id"], img["id"])
	anon := e.anon()
	for _, tt := range []struct {
		a           map[string]any
		typ, disp   string
		publicCache bool
	}{{pdf, "application/pdf", "attachment", true}, {img, "image/png", "inline", true}} {
		status, body, resp := anon.download(tt.a["url"].(string))
		h := resp.Header
		if status != http.StatusOK || h.Get("Content-Type") != tt.typ || !strings.HasPrefix(h.Get("Content-Disposition"), tt.disp+";") ||
			!strings.Contains(h.Get("Content-Disposition"), "filename") || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("%s: %d %v", tt.typ, status, h)
		}
		if !strings.HasPrefix(h.Get("Cache-Control"), "public") || h.Get("ETag") == "" || len(body) == 0 {
			t.Fatalf("%s cache headers: %v", tt.typ, h)
		}
		req, _ := http.NewRequest("GET", tt.a["url"].(string), nil)
		req.Header.Set("If-None-Match", h.Get("ETag"))
		resp2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		if resp2.StatusCode != http.StatusNotModified {
			t.Fatalf("conditional GET: %d", resp2.StatusCode)
		}
	}
	// A member's view is private to them.
	if _, _, resp := c.download(pdf["url"].(string)); !strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") {
		t.Fatalf("member cache: %s", resp.Header.Get("Cache-Control"))
	}
}

// createThread2 starts a thread through the API with attachments.
func (c *client) createThread2(t *testing.T, ids ...any) (string, string) {
	t.Helper()
	status, out := c.api("POST", "/api/v1/threads", map[string]any{"theme": "reseaux", "authority_types": []string{"commune"},
		"title": "Devis et plans du réseau", "body": "Ci-joint.", "attachments": ids})
	if status != http.StatusCreated {
		t.Fatalf("create thread: %d %v", status, out)
	}
	return out["thread"].(map[string]any)["id"].(string), out["post"].(map[string]any)["id"].(string)
}

// TestAttachmentVisibility: the file of a pending post is a 404 for
// anonymous readers and other members, served to its author and to
// moderators (also shown in the queue), and to everyone once approved; a
// pending upload is its uploader's only; a hidden post's files are 404 again.
func TestAttachmentVisibility(t *testing.T) {
	e := newEnv(t)
	author, apw := e.member(forum.RoleMember, "commune")
	ac := e.login(author, apw)
	threadID, _ := ac.createThread("reseaux", []string{"commune"}, "Fil des devis", "Premier message")
	newbie, npw := e.newcomer("commune")
	nc := e.login(newbie, npw)
	mod, mpw := e.member(forum.RoleModerator, "commune")
	mc := e.login(mod, mpw)
	other, opw := e.member(forum.RoleMember, "commune")
	oc := e.login(other, opw)

	// A form reply with a file, no JavaScript: multipart.
	status, _, resp := nc.postMultipart("/threads/"+threadID+"/posts", url.Values{"body": {"Mon devis en pièce jointe"}},
		fileField{"files", "devis.pdf", pdfFile()}, fileField{"files", "", nil})
	if status != http.StatusSeeOther {
		t.Fatalf("reply form: %d", status)
	}
	postID := regexp.MustCompile(`/posts/([0-9a-f]{24})`).FindStringSubmatch(resp.Header.Get("Location"))
	if postID == nil {
		t.Fatalf("redirect %s", resp.Header.Get("Location"))
	}
	p, err := e.st.PostByID(context.Background(), postID[1])
	if err != nil || p.Status != forum.PostPending {
		t.Fatalf("post %v %v", p, err)
	}
	atts, err := e.st.AttachmentsOfPosts(context.Background(), []string{p.ID})
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments of the post: %v %v", atts, err)
	}
	u := atts[0].URL()
	for who, c := range map[string]*client{"anonymous": e.anon(), "other member": oc} {
		if status, _, _ := c.download(u); status != http.StatusNotFound {
			t.Fatalf("%s sees a pending post's file: %d", who, status)
		}
	}
	for who, c := range map[string]*client{"author": nc, "moderator": mc} {
		if status, body, _ := c.download(u); status != http.StatusOK || !bytes.Equal(body, pdfFile()) {
			t.Fatalf("%s: %d", who, status)
		}
	}
	if _, page, _ := mc.get("/moderation"); !strings.Contains(page, atts[0].URL()) {
		t.Fatal("the moderation queue does not show the attachment")
	}
	if status, _ := mc.api("POST", "/api/v1/moderation/posts/"+p.ID+"/approve", map[string]any{}); status != http.StatusOK {
		t.Fatalf("approve: %d", status)
	}
	if status, _, _ := e.anon().download(u); status != http.StatusOK {
		t.Fatalf("approved post's file: %d", status)
	}
	if status, _ := mc.api("POST", "/api/v1/moderation/posts/"+p.ID+"/hide", map[string]any{"reason": "hors sujet"}); status != http.StatusOK {
		t.Fatalf("hide: %d", status)
	}
	if status, _, _ := oc.download(u); status != http.StatusNotFound {
		t.Fatalf("hidden post's file: %d", status)
	}
	// A pending upload is its uploader's only.
	a := ac.mustUpload("brouillon.pdf", pdfFile())
	if status, _, _ := oc.download(a["url"].(string)); status != http.StatusNotFound {
		t.Fatalf("someone else's pending upload: %d", status)
	}
	if status, _, _ := ac.download(a["url"].(string)); status != http.StatusOK {
		t.Fatalf("own pending upload: %d", status)
	}
	if status, _, _ := ac.download("/attachments/nope/x.pdf"); status != http.StatusNotFound {
		t.Fatalf("bad id: %d", status)
	}
}

// TestAttachmentFormFlow: a new thread with a file through the form, the
// thread page shows it with its thumbnail; a form sent back for an error
// keeps the uploaded files; an edit adds one.
func TestAttachmentFormFlow(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	if _, page, _ := c.get("/threads/new"); !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `type="file"`) {
		t.Fatal("the new-thread form has no file input")
	}
	// Missing title: the form comes back, with the file kept as a hidden id.
	fields := url.Values{"theme": {"reseaux"}, "authority_types": {"commune"}, "title": {""}, "body": {"Schéma joint"}}
	status, page, _ := c.postMultipart("/threads", fields, fileField{"files", "schema.png", pngWithText(t)})
	kept := regexp.MustCompile(`name="attachments" value="([0-9a-f]{24})"`).FindStringSubmatch(page)
	if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity || kept == nil {
		t.Fatalf("form error: %d, kept %v", status, kept)
	}
	fields.Set("title", "Schéma du réseau départemental")
	fields.Set("attachments", kept[1])
	status, _, resp := c.postMultipart("/threads", fields, fileField{"files", "devis.pdf", pdfFile()})
	if status != http.StatusSeeOther {
		t.Fatalf("new thread: %d", status)
	}
	loc := resp.Header.Get("Location")
	_, page, _ = c.get(strings.Split(loc, "#")[0])
	if !strings.Contains(page, "schema.png") || !strings.Contains(page, "devis.pdf") || !strings.Contains(page, "/thumbnail") {
		t.Fatal("the thread page does not show the attachments")
	}
	postID := regexp.MustCompile(`#post-([0-9a-f]{24})`).FindStringSubmatch(loc)[1]
	status, _, _ = c.postMultipart("/posts/"+postID+"/edit", url.Values{"body": {"Schéma joint, et le tableau"}},
		fileField{"files", "prix.ods", odfFile(t, "application/vnd.oasis.opendocument.spreadsheet")})
	if status != http.StatusSeeOther {
		t.Fatalf("edit: %d", status)
	}
	atts, _ := e.st.AttachmentsOfPosts(context.Background(), []string{postID})
	if len(atts) != 3 {
		t.Fatalf("%d attachments after the edit, want 3", len(atts))
	}
	// A refused type in the form: 415, the form shown again with the message.
	status, page, _ = c.postMultipart("/threads", url.Values{"theme": {"reseaux"}, "authority_types": {"commune"}, "title": {"Logo vectoriel"}, "body": {"Voici"}},
		fileField{"files", "logo.png", svgFile()})
	if status != http.StatusUnsupportedMediaType || !strings.Contains(page, "Type de fichier refusé") || !strings.Contains(page, "Logo vectoriel") {
		t.Fatalf("SVG in the form: %d", status)
	}
	// Forms without files still work urlencoded.
	if status, _, _ := c.post("/posts/"+postID+"/edit", url.Values{"body": {"Sans fichier"}}); status != http.StatusSeeOther {
		t.Fatalf("urlencoded edit: %d", status)
	}

	// Files follow the rules of the edit: in a locked thread, neither the
	// text nor the file goes in.
	mod, mpw := e.member(forum.RoleModerator, "region")
	threadID := strings.TrimPrefix(strings.Split(loc, "#")[0], "/threads/")
	if code, out := e.login(mod, mpw).api("PATCH", "/api/v1/moderation/threads/"+threadID, map[string]any{"locked": true, "reason": "Sujet clos."}); code != 200 {
		t.Fatalf("lock: %d %v", code, out)
	}
	status, _, _ = c.postMultipart("/posts/"+postID+"/edit", url.Values{"body": {"Un ajout après verrouillage"}},
		fileField{"files", "tard.pdf", pdfFile()})
	if status < 400 || status >= 500 {
		t.Fatalf("edit with a file in a locked thread: %d, want 4xx", status)
	}
	if atts, _ := e.st.AttachmentsOfPosts(context.Background(), []string{postID}); len(atts) != 3 {
		t.Fatalf("%d attachments after a refused edit, want 3", len(atts))
	}
	if p, _ := e.svc.Post(context.Background(), m, postID); p == nil || p.Source != "Sans fichier" {
		t.Fatalf("the refused edit changed the post: %+v", p)
	}
}

// TestAttachmentPruning: pending uploads older than a day are deleted,
// recent ones and attached ones kept.
func TestAttachmentPruning(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	ctx := context.Background()
	old := &forum.Attachment{ID: forum.NewID(), UploaderID: m.ID, Name: "vieux.pdf", Size: int64(len(pdfFile())), Type: "application/pdf",
		SHA256: strings.Repeat("0", 64), CreatedAt: time.Now().Add(-25 * time.Hour)}
	if err := e.st.InsertAttachment(ctx, old, bytes.NewReader(pdfFile())); err != nil {
		t.Fatal(err)
	}
	fresh := c.mustUpload("neuf.pdf", pdfFile())
	used := c.mustUpload("joint.pdf", pdfFile())
	c.createThread2(t, used["id"])
	n, err := e.svc.PrunePendingAttachments(ctx)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d %v", n, err)
	}
	if _, err := e.st.AttachmentByID(ctx, old.ID); err == nil {
		t.Fatal("old pending upload kept")
	}
	for _, id := range []any{fresh["id"], used["id"]} {
		if _, err := e.st.AttachmentByID(ctx, id.(string)); err != nil {
			t.Fatalf("%v: %v", id, err)
		}
	}
}

// TestAttachmentExportAndDeletion: the account export lists the member's
// files with a download link; deleting the account deletes them, content
// included.
func TestAttachmentExportAndDeletion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	joined := c.mustUpload("devis.pdf", pdfFile())
	pending := c.mustUpload("photo.jpg", jpegWithExif(t))
	c.createThread2(t, joined["id"])
	status, out := c.api("GET", "/api/v1/account/export", nil)
	if status != http.StatusOK {
		t.Fatalf("export: %d", status)
	}
	list, _ := out["attachments"].([]any)
	if len(list) != 2 {
		t.Fatalf("export attachments: %v", out["attachments"])
	}
	for _, it := range list {
		a := it.(map[string]any)
		if a["name"] == nil || a["sha256"] == nil || a["type"] == nil {
			t.Fatalf("export entry %v", a)
		}
		if status, _, _ := c.download(a["url"].(string)); status != http.StatusOK {
			t.Fatalf("download of %v from the export: %d", a["name"], status)
		}
	}
	if status, out := c.api("DELETE", "/api/v1/account", map[string]any{"password": pw, "posts": "anonymise"}); status != http.StatusOK {
		t.Fatalf("delete: %d %v", status, out)
	}
	if n := countUploads(t, e, m); n != 0 {
		t.Fatalf("%d attachments left after the deletion", n)
	}
	for _, a := range []map[string]any{joined, pending} {
		if _, err := e.st.AttachmentByID(ctx, a["id"].(string)); err == nil {
			t.Fatalf("%v kept", a["name"])
		}
		if rc, err := e.st.OpenAttachment(ctx, a["id"].(string)); err == nil {
			n, _ := io.Copy(io.Discard, rc)
			rc.Close()
			if n > 0 {
				t.Fatalf("content of %v kept", a["name"])
			}
		}
		if status, _, _ := e.anon().download(a["url"].(string)); status != http.StatusNotFound {
			t.Fatalf("%v still served: %d", a["name"], status)
		}
	}
}

// TestRefusedUploadsKeepNothing: a form refused as a whole after its files
// were stored (its text over the limit) keeps none of them, and an upload
// cut short is the sender's error (4xx), with nothing stored either.
func TestRefusedUploadsKeepNothing(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)

	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range []fileField{{"files", "devis.pdf", pdfFile()}, {"files", "schema.png", pngWithText(t)}} {
		part, _ := w.CreateFormFile(f.field, f.name)
		part.Write(f.data)
	}
	w.WriteField("theme", "reseaux")
	w.WriteField("title", "Un fil trop long")
	w.WriteField("body", strings.Repeat("texte ", server.DefaultBodyLimit/5))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/threads", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", e.ts.URL)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("form with too much text: %d, want 413", resp.StatusCode)
	}
	if n := countUploads(t, e, m); n != 0 {
		t.Fatalf("%d files kept from a refused form", n)
	}

	// An upload whose body ends in the middle of the file.
	ct, body := multipartBody(t, nil, fileField{"file", "devis.pdf", pdfFile()})
	cut := body[:len(body)-60]
	status, out := c.rawAPI("POST", "/api/v1/attachments", ct, bytes.NewReader(cut), int64(len(cut)))
	if status < 400 || status >= 500 {
		t.Fatalf("upload cut short: %d %v, want 4xx", status, out)
	}
	if n := countUploads(t, e, m); n != 0 {
		t.Fatalf("%d files kept from an upload cut short", n)
	}
}

// TestPendingUploadsAreCapped: a member may keep at most
// forum.MaxPendingUploads files joined to no post; the next upload is
// refused with a clear 4xx and stores nothing, and publishing frees room.
func TestPendingUploadsAreCapped(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	var ids []any
	for range forum.MaxPendingUploads {
		ids = append(ids, c.mustUpload("devis.pdf", pdfFile())["id"])
	}
	status, out := c.upload("un-de-trop.pdf", pdfFile())
	if status < 400 || status >= 500 || errCode(out) != "too_many_pending_uploads" || !strings.Contains(errMessage(out), "publiez-les") {
		t.Fatalf("upload past the cap: %d %v", status, out)
	}
	if n := countUploads(t, e, m); n != forum.MaxPendingUploads {
		t.Fatalf("%d uploads stored, want %d", n, forum.MaxPendingUploads)
	}
	// Joined to a post, files no longer count.
	if status, out := c.api("POST", "/api/v1/threads", map[string]any{"theme": "reseaux", "authority_types": []string{"commune"},
		"title": "Devis des opérateurs", "body": "Les devis reçus.", "attachments": ids[:forum.MaxAttachmentsPerPost]}); status != http.StatusCreated {
		t.Fatalf("thread with attachments: %d %v", status, out)
	}
	if status, out := c.upload("enfin.pdf", pdfFile()); status != http.StatusCreated {
		t.Fatalf("upload after publishing: %d %v", status, out)
	}
}
