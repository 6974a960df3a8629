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

// adminMailFile shows one .eml file as plain text.
func (s *Server) adminMailFile(c echo.Context) error {
	if s.cfg.MailFiles == nil {
		return echo.ErrNotFound
	}
	b, err := s.cfg.MailFiles.Open(c.Param("name"))
	if err != nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	c.Response().Header().Set("Content-Disposition", "inline")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", b)
}
