package server

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

// multipartOverhead is what a multipart body adds around its files: part
// headers, boundaries and the form's text fields.
const multipartOverhead = 64 << 10

// uploadLimit returns the body limit of the route of c when its body is
// multipart: the upload API takes one file, the post forms up to
// MaxAttachmentsPerPost files and the text of the post; 0 for the other
// routes (the default limit applies).
func (s *Server) uploadLimit(c echo.Context) int64 {
	r := c.Request()
	if r.Method != http.MethodPost || !isMultipart(r) {
		return 0
	}
	switch c.Path() {
	case "/api/v1/attachments":
		return s.svc.AttachmentMax() + multipartOverhead
	case "/threads", "/threads/:id/posts", "/posts/:id/edit":
		return forum.MaxAttachmentsPerPost*s.svc.AttachmentMax() + s.cfg.BodyLimit + multipartOverhead
	}
	return 0
}

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// bodyLimits applies the upload limit to the upload routes (their bodies
// are streamed, never held: a chunked body is cut by the MaxBytesReader)
// and bodyLimit's to every other request.
func (s *Server) bodyLimits(next echo.HandlerFunc) echo.HandlerFunc {
	small := bodyLimit(s.cfg.BodyLimit)(next)
	return func(c echo.Context) error {
		limit := s.uploadLimit(c)
		if limit == 0 {
			return small(c)
		}
		r := c.Request()
		if r.ContentLength > limit {
			return s.uploadTooLarge()
		}
		r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, limit)
		return next(c)
	}
}

func (s *Server) uploadTooLarge() error {
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge, i18n.M("Fichier trop volumineux : %d Mo au plus par fichier, %d fichiers par message.",
		s.svc.AttachmentMax()>>20, forum.MaxAttachmentsPerPost))
}

// uploadError turns what UploadAttachment refused into the HTTP error.
func (s *Server) uploadError(err error) error {
	var mbe *http.MaxBytesError
	var re *forum.AttachmentRefusedError
	var ure *forum.UploadReadError
	switch {
	case errors.As(err, &mbe):
		return s.uploadTooLarge()
	case errors.As(err, &ure):
		return forum.Invalid("file", "upload_incomplete", "Le fichier n'est pas arrivé en entier : envoyez-le à nouveau.")
	case errors.As(err, &re) && re.TooLarge:
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, re.Msg)
	case errors.As(err, &re):
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, re.Msg)
	}
	return err
}

// attachmentJSON is an attachment as the API shows it.
type attachmentJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Size int64  `json:"size"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

func (s *Server) attachmentJSON(a *forum.Attachment) attachmentJSON {
	return attachmentJSON{ID: a.ID, Name: a.Name, Size: a.Size, Type: a.Type, URL: s.base.String() + a.URL()}
}

// apiUploadAttachment stores the multipart field "file" as a pending
// attachment of the member: 201, 413 when too large, 415 for a refused type.
func (s *Server) apiUploadAttachment(c echo.Context) error {
	r := c.Request()
	if !isMultipart(r) {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, i18n.M("Envoyez le fichier en multipart/form-data, dans le champ « file »."))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return forum.Invalid("file", "multipart_invalid", "Le corps multipart est illisible.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return forum.Invalid("file", "file_missing", "Aucun fichier dans le champ « file ».")
		}
		if err != nil {
			if e := s.uploadError(err); e != err {
				return e
			}
			return forum.Invalid("file", "multipart_invalid", "Le corps multipart est illisible.")
		}
		if part.FormName() != "file" || part.FileName() == "" {
			continue
		}
		a, err := s.svc.UploadAttachment(r.Context(), viewer(c), part.FileName(), part)
		if err != nil {
			return s.uploadError(err)
		}
		return c.JSON(http.StatusCreated, map[string]any{"attachment": s.attachmentJSON(a)})
	}
}

// readMultipartPostForm reads a post form sent as multipart/form-data: its
// text fields (at most the body limit in all) and its files, each streamed
// into a pending attachment of the member as it arrives. The ids of the
// files, and of the earlier uploads the form carried, are in
// f.AttachmentIDs; a refused file is the form's error (uploadErr).
func (s *Server) readMultipartPostForm(c echo.Context) (postForm, error, error) {
	var ids []string
	f, uploadErr, err := s.readMultipartParts(c, &ids)
	if err != nil {
		// A form refused as a whole (too large, unreadable) keeps none of
		// the files it brought.
		if derr := s.svc.DiscardUploads(context.WithoutCancel(c.Request().Context()), viewer(c), ids); derr != nil {
			s.cfg.Log.Warn("uploads of a refused form not deleted", "err", derr)
		}
	}
	return f, uploadErr, err
}

// readMultipartParts does the work of readMultipartPostForm; the ids of
// the files stored so far are in *ids, whatever the outcome.
func (s *Server) readMultipartParts(c echo.Context, idsOut *[]string) (postForm, error, error) {
	r := c.Request()
	mr, err := r.MultipartReader()
	if err != nil {
		return postForm{}, nil, forum.Invalid("", "form_invalid", "Le formulaire envoyé est illisible : rechargez la page et réessayez.")
	}
	values := url.Values{}
	budget := s.cfg.BodyLimit
	var ids []string
	defer func() { *idsOut = ids }()
	var uploadErr error
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) && n > 0 {
			break
		}
		if err != nil {
			if e := s.uploadError(err); e != err {
				return postForm{}, nil, e
			}
			return postForm{}, nil, forum.Invalid("", "form_invalid", "Le formulaire envoyé est illisible : rechargez la page et réessayez.")
		}
		if part.FileName() != "" || part.FormName() == "files" {
			if part.FormName() != "files" || part.FileName() == "" || uploadErr != nil {
				continue
			}
			if len(ids) >= forum.MaxAttachmentsPerPost {
				uploadErr = forum.Invalidf("attachments", "too_many_attachments", "Un message porte %d pièces jointes au plus.", forum.MaxAttachmentsPerPost)
				continue
			}
			a, err := s.svc.UploadAttachment(r.Context(), viewer(c), part.FileName(), part)
			var mbe *http.MaxBytesError
			var ure *forum.UploadReadError
			if errors.As(err, &mbe) || errors.As(err, &ure) {
				return postForm{}, nil, s.uploadError(err)
			}
			if err != nil {
				var re *forum.AttachmentRefusedError
				var ve *forum.ValidationError
				if errors.As(err, &ve) { // too many pending uploads: the form comes back with it
					uploadErr = err
					continue
				}
				if !errors.As(err, &re) {
					return postForm{}, nil, err
				}
				uploadErr = s.uploadError(err)
				continue
			}
			ids = append(ids, a.ID)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, budget+1))
		if err != nil {
			if e := s.uploadError(err); e != err {
				return postForm{}, nil, e
			}
			return postForm{}, nil, forum.Invalid("", "form_invalid", "Le formulaire envoyé est illisible : rechargez la page et réessayez.")
		}
		if budget -= int64(len(b)); budget < 0 {
			return postForm{}, nil, errTooLarge
		}
		values.Add(part.FormName(), string(b))
	}
	r.PostForm = values
	r.Form = url.Values{}
	for k, v := range r.URL.Query() {
		r.Form[k] = v
	}
	for k, v := range values {
		r.Form[k] = append(r.Form[k], v...)
	}
	f := postForm{
		Theme:          values.Get("theme"),
		AuthorityTypes: values["authority_types"],
		Title:          values.Get("title"),
		Body:           strings.ReplaceAll(values.Get("body"), "\r\n", "\n"),
		IdempotencyKey: values.Get("idempotency_key"),
		AttachmentIDs:  append(values["attachments"], ids...),
	}
	return f, uploadErr, nil
}

// uploadFormError shows the form again, with what was typed and the files
// kept so far, for a refused file (413, 415) or any form error.
func (s *Server) uploadFormError(c echo.Context, name string, v *postFormView, err error) error {
	v.Form.Attachments = s.svc.PendingAttachments(c.Request().Context(), viewer(c), v.Form.AttachmentIDs)
	var he *echo.HTTPError
	if !errors.As(err, &he) {
		return s.formFailure(c, name, v, err)
	}
	m, _ := he.Message.(i18n.Msg)
	fe, _ := formError(&forum.ValidationError{Field: "attachments", Code: httpCode(he.Code), Msg: m})
	v.Form.Errors = fe
	return s.render(c, he.Code, name, v)
}

// attachmentFile serves an attachment (or its thumbnail) to whoever may
// see its post; 404 for the others. Only images are shown inline; every
// file is served with nosniff and a sandboxing CSP.
func (s *Server) attachmentFile(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	a, p, err := s.svc.Attachment(ctx, m, c.Param("id"))
	if err != nil {
		return err
	}
	// The thumbnail's name has no extension: no attachment can have it
	// (safeName always gives one).
	thumb := c.Param("name") == forum.ThumbnailName
	if thumb && len(a.Thumbnail) == 0 {
		return forum.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	etag := `"` + a.SHA256[:32] + `"`
	if thumb {
		etag = `"t` + a.SHA256[:31] + `"`
	}
	h.Set("ETag", etag)
	// A published post's files are the same for every reader and never
	// change (an id is never reused), but the post may be hidden: shared
	// caches keep them a few minutes; the others are private to a few.
	if p != nil && p.Status == forum.PostPublished && m == nil {
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if match := c.Request().Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	if thumb {
		h.Set("Content-Disposition", "inline; filename=\"thumbnail.jpg\"")
		return c.Blob(http.StatusOK, "image/jpeg", a.Thumbnail)
	}
	disposition := "attachment"
	if a.IsImage() {
		disposition = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	rc, err := s.svc.OpenAttachment(ctx, a.ID)
	if err != nil {
		return err
	}
	defer rc.Close()
	return c.Stream(http.StatusOK, a.Type, rc)
}

// readPostFormFiles reads a post form, multipart (with files) or not.
func (s *Server) readPostFormFiles(c echo.Context) (postForm, error, error) {
	if isMultipart(c.Request()) {
		return s.readMultipartPostForm(c)
	}
	f, err := readPostForm(c)
	f.AttachmentIDs = c.Request().PostForm["attachments"]
	return f, nil, err
}

// fileSize writes a size for a person: "2,4 Mo" in French, "2.4 MB" in English.
func fileSize(lang i18n.Lang, n int64) string {
	unit, v := "Ko", float64(n)/1000
	if n >= 1_000_000 {
		unit, v = "Mo", float64(n)/1_000_000
	}
	if lang == i18n.EN {
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + strings.ReplaceAll(unit, "o", "B")
	}
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1) + "\u00a0" + unit
}

// attachmentKind names a file type shortly: PDF, DOCX, PNG…
func attachmentKind(mimeType string) string {
	t, ok := forum.AttachmentTypes[mimeType]
	if !ok {
		return mimeType
	}
	return strings.ToUpper(strings.TrimPrefix(t.Ext(), "."))
}

// AcceptsFiles reports whether the form takes attachments (thread, reply
// and edit forms do).
func (v *postFormView) AcceptsFiles() bool { return true }

// AcceptsFiles reports whether the form takes attachments: the
// moderator's edit before approval does not.
func (v *queueEditView) AcceptsFiles() bool { return false }

// MaxAttachments is how many files a post may carry.
func (v *postFormView) MaxAttachments() int { return forum.MaxAttachmentsPerPost }

// AttachmentsOf returns the attachments of a post shown on the page.
func (v *threadView) AttachmentsOf(postID string) []forum.Attachment { return v.Attachments[postID] }

func postIDs(posts []forum.Post) []string {
	ids := make([]string, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	return ids
}

// AcceptsFiles reports whether the form takes attachments: the reply form
// under a thread does.
func (v *threadView) AcceptsFiles() bool { return true }

// MaxAttachments is how many files a post may carry.
func (v *threadView) MaxAttachments() int { return forum.MaxAttachmentsPerPost }

// Existing is empty: a reply has no attachments yet.
func (v *threadView) Existing() []forum.Attachment { return nil }

// AttachmentsOf returns the attachments of a queued post.
func (v *queueView) AttachmentsOf(postID string) []forum.Attachment { return v.Attachments[postID] }
