package server

import (
	"html/template"
	"net/http"
	"strings"

	"coterforum/forum"

	"github.com/labstack/echo/v4"
)

// postForm is the state of a thread, reply or edit form.
type postForm struct {
	Theme          string
	AuthorityTypes []string
	Title          string
	Body           string
	// IdempotencyKey is the key the rendered form carried (a fresh one is
	// rendered each time).
	IdempotencyKey string
	Preview        template.HTML
	Previewed      bool
	Errors         fieldErrors
	// AttachmentIDs are the member's pending uploads the form carries;
	// Attachments the same, loaded to be shown (attachments.go).
	AttachmentIDs []string
	Attachments   []forum.Attachment
}

type postFormView struct {
	Layout
	Thread *forum.Thread
	Post   *forum.Post
	Form   postForm
	Action string
	// Existing are the attachments the edited post has.
	Existing []forum.Attachment
}

func (s *Server) newThreadPage(c echo.Context) error {
	m := viewer(c)
	f := postForm{Theme: c.QueryParam("theme"), AuthorityTypes: []string{m.AuthorityType}}
	return s.render(c, http.StatusOK, "thread_new.html", &postFormView{Layout: Layout{Title: "Nouveau fil"}, Form: f, Action: "/threads"})
}

// readPostForm reads the fields of a post form. Browsers send CRLF in textareas.
func readPostForm(c echo.Context) (postForm, error) {
	if err := formParams(c); err != nil {
		return postForm{}, err
	}
	r := c.Request()
	return postForm{
		Theme:          r.PostForm.Get("theme"),
		AuthorityTypes: r.PostForm["authority_types"],
		Title:          r.PostForm.Get("title"),
		Body:           strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n"),
		IdempotencyKey: r.PostForm.Get("idempotency_key"),
	}, nil
}

// preview fills the form's preview; it reports whether the request asked for one.
func (s *Server) preview(c echo.Context, f *postForm) bool {
	if c.FormValue("action") != "preview" {
		return false
	}
	f.Previewed = true
	html, err := s.svc.Preview(f.Body)
	if err != nil {
		f.Errors, _ = formError(err)
		return true
	}
	f.Preview = template.HTML(html) // sanitised by the Markdown pipeline
	return true
}

// formFailure re-renders a form with its error, keeping what was typed.
func (s *Server) formFailure(c echo.Context, name string, v *postFormView, err error) error {
	fe, ok := formError(err)
	if !ok {
		return err
	}
	v.Form.Errors = fe
	return s.render(c, http.StatusUnprocessableEntity, name, v)
}

func (s *Server) createThreadForm(c echo.Context) error {
	f, uploadErr, err := s.readPostFormFiles(c)
	if err != nil {
		return err
	}
	v := &postFormView{Layout: Layout{Title: "Nouveau fil"}, Form: f, Action: "/threads"}
	if uploadErr != nil {
		return s.uploadFormError(c, "thread_new.html", v, uploadErr)
	}
	if s.preview(c, &v.Form) {
		v.Form.Attachments = s.svc.PendingAttachments(c.Request().Context(), viewer(c), f.AttachmentIDs)
		return s.render(c, http.StatusOK, "thread_new.html", v)
	}
	th, p, err := s.svc.CreateThread(c.Request().Context(), viewer(c), forum.NewThreadInput{
		Theme: f.Theme, AuthorityTypes: f.AuthorityTypes, Title: f.Title, Body: f.Body, IdempotencyKey: f.IdempotencyKey,
		Attachments: f.AttachmentIDs})
	if err != nil {
		return s.uploadFormError(c, "thread_new.html", v, err)
	}
	return seeOther(c, "/threads/"+th.ID+"?notice="+noticeFor(p)+"#post-"+p.ID)
}

func noticeFor(p *forum.Post) string {
	if p.Status == forum.PostPending {
		return "pending"
	}
	return "posted"
}

func (s *Server) replyPage(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	th, err := s.svc.Thread(ctx, m, c.Param("id"))
	if err != nil {
		return err
	}
	var f postForm
	if q := c.QueryParam("quote"); q != "" {
		if f.Body, err = s.svc.QuoteSource(ctx, m, q); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "reply.html", &postFormView{Layout: Layout{Title: "Répondre : " + th.Title},
		Thread: th, Form: f, Action: "/threads/" + th.ID + "/posts"})
}

func (s *Server) replyForm(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	th, err := s.svc.Thread(ctx, m, c.Param("id"))
	if err != nil {
		return err
	}
	f, uploadErr, err := s.readPostFormFiles(c)
	if err != nil {
		return err
	}
	v := &postFormView{Layout: Layout{Title: "Répondre : " + th.Title}, Thread: th, Form: f, Action: "/threads/" + th.ID + "/posts"}
	if uploadErr != nil {
		return s.uploadFormError(c, "reply.html", v, uploadErr)
	}
	if s.preview(c, &v.Form) {
		v.Form.Attachments = s.svc.PendingAttachments(ctx, m, f.AttachmentIDs)
		return s.render(c, http.StatusOK, "reply.html", v)
	}
	p, err := s.svc.ReplyAttached(ctx, m, th.ID, f.Body, f.IdempotencyKey, f.AttachmentIDs)
	if err != nil {
		return s.uploadFormError(c, "reply.html", v, err)
	}
	return seeOther(c, "/posts/"+p.ID+"?notice="+noticeFor(p))
}

func (s *Server) editPostPage(c echo.Context) error {
	m := viewer(c)
	p, th, err := s.viewerPost(c)
	if err != nil {
		return err
	}
	if p.Author.ID != m.ID && !m.IsModerator() {
		return forum.ErrForbidden
	}
	existing, err := s.svc.PostAttachments(c.Request().Context(), []string{p.ID})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "edit.html", &postFormView{Layout: Layout{Title: "Modifier le message"},
		Thread: th, Post: p, Form: postForm{Body: p.Source}, Action: "/posts/" + p.ID + "/edit", Existing: existing[p.ID]})
}

func (s *Server) editPostForm(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	p, th, err := s.viewerPost(c)
	if err != nil {
		return err
	}
	f, uploadErr, err := s.readPostFormFiles(c)
	if err != nil {
		return err
	}
	v := &postFormView{Layout: Layout{Title: "Modifier le message"}, Thread: th, Post: p, Form: f, Action: "/posts/" + p.ID + "/edit"}
	if uploadErr != nil {
		return s.uploadFormError(c, "edit.html", v, uploadErr)
	}
	if s.preview(c, &v.Form) {
		v.Form.Attachments = s.svc.PendingAttachments(ctx, m, f.AttachmentIDs)
		return s.render(c, http.StatusOK, "edit.html", v)
	}
	if _, err := s.svc.EditPostAttached(ctx, m, p.ID, f.Body, f.AttachmentIDs); err != nil {
		return s.uploadFormError(c, "edit.html", v, err)
	}
	return seeOther(c, "/posts/"+p.ID+"?notice=edited")
}

// previewFragment renders Markdown for the live preview of the forms.
func (s *Server) previewFragment(c echo.Context) error {
	body := strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	html, err := s.svc.Preview(body)
	c.Response().Header().Set("Cache-Control", "no-store")
	if err != nil {
		if fe, ok := formError(err); ok {
			return c.HTML(http.StatusUnprocessableEntity, `<p class="form-error">`+template.HTMLEscapeString(fe.Any().In(language(c)))+`</p>`)
		}
		return err
	}
	return c.HTML(http.StatusOK, html)
}

// SubmitLabel is the text of the form's main button.
func (v *postFormView) SubmitLabel() string {
	switch {
	case v.Post != nil:
		return "Enregistrer"
	case v.Thread != nil:
		return "Répondre"
	}
	return "Publier le fil"
}

// viewerPost loads the post named in the path and its thread, as the viewer may see them.
func (s *Server) viewerPost(c echo.Context) (*forum.Post, *forum.Thread, error) {
	ctx := c.Request().Context()
	p, err := s.svc.Post(ctx, viewer(c), c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	th, err := s.svc.Thread(ctx, viewer(c), p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	return p, th, nil
}
