package server

import (
	"net/http"

	"coterforum/mail"

	"github.com/labstack/echo/v4"
)

type mailView struct {
	Layout
	Files   []mail.EmlFile
	Enabled bool
}

// adminMailPage lists the mail written as .eml files when no SMTP server is
// configured, so that a new forum's admin can see what would be sent.
func (s *Server) adminMailPage(c echo.Context) error {
	v := &mailView{Layout: Layout{Title: "Courriels envoyés"}, Enabled: s.cfg.MailFiles != nil}
	if v.Enabled {
		files, err := s.cfg.MailFiles.List()
		if err != nil {
			return err
		}
		if len(files) > 200 {
			files = files[:200]
		}
		v.Files = files
	}
	return s.render(c, http.StatusOK, "admin_mail.html", v)
}

type mailMessageView struct {
	Layout
	Name    string
	Msg     *mail.Decoded
	Size    int
	Problem string
}

// mailFile reads one .eml file; a name the sender did not write is a 404.
func (s *Server) mailFile(c echo.Context) ([]byte, error) {
	if s.cfg.MailFiles == nil {
		return nil, echo.ErrNotFound
	}
	b, err := s.cfg.MailFiles.Open(c.Param("name"))
	if err != nil {
		return nil, echo.ErrNotFound
	}
	return b, nil
}

// adminMailFile shows one message decoded: its headers, its text, and its
// HTML in a sandboxed frame (adminMailHTML), with a link to the raw file.
func (s *Server) adminMailFile(c echo.Context) error {
	b, err := s.mailFile(c)
	if err != nil {
		return err
	}
	v := &mailMessageView{Layout: Layout{Title: "Courriel envoyé"}, Name: c.Param("name"), Size: len(b)}
	if v.Msg, err = mail.Decode(b); err != nil {
		v.Problem = err.Error()
		v.Msg = &mail.Decoded{}
	}
	return s.render(c, http.StatusOK, "admin_mail_message.html", v)
}

// adminMailRaw sends the .eml file as it was written, as a download.
func (s *Server) adminMailRaw(c echo.Context) error {
	b, err := s.mailFile(c)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Disposition", `attachment; filename="`+c.Param("name")+`"`)
	return c.Blob(http.StatusOK, "message/rfc822", b)
}

// mailHTMLPolicy sandboxes a message's HTML: no script, no form, no
// request anywhere (images only from data: URLs), framed by this site only.
const mailHTMLPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

// adminMailHTML serves the HTML part of a message for the viewer's frame,
// under a sandboxing CSP (the frame also carries the sandbox attribute).
func (s *Server) adminMailHTML(c echo.Context) error {
	b, err := s.mailFile(c)
	if err != nil {
		return err
	}
	d, err := mail.Decode(b)
	if err != nil || d.HTML == "" {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", mailHTMLPolicy)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "text/html; charset=utf-8", []byte(d.HTML))
}
