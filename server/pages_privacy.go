package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/privacy"

	"github.com/labstack/echo/v4"
)

// Personal data (GDPR) and the legal pages: the member's export and account
// deletion, a reader's erasure from a signed link, the privacy page and the
// accessibility statement.

func init() {
	notices["account-deleted"] = "Votre compte est supprimé et vous êtes déconnecté. Merci d'avoir participé à coterforum."
}

// exportFileName is the name of the downloaded export of a day.
func exportFileName(t time.Time) string {
	return "coterforum-mes-donnees-" + t.In(i18n.Paris).Format("2006-01-02") + ".json"
}

func (s *Server) export(c echo.Context) (*privacy.Export, error) {
	sessID := ""
	if sess := session(c); sess != nil {
		sessID = sess.ID
	}
	return s.privacy.Export(c.Request().Context(), viewer(c), sessID)
}

// accountExport downloads everything about the member as a JSON file.
func (s *Server) accountExport(c echo.Context) error {
	x, err := s.export(c)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, exportFileName(x.GeneratedAt)))
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/json; charset=utf-8", append(b, '\n'))
}

// apiAccountExport is the same export through the API.
func (s *Server) apiAccountExport(c echo.Context) error {
	x, err := s.export(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.JSON(http.StatusOK, x)
}

type accountDeleteView struct {
	Layout
	Email     string
	Posts     string
	MayRemove bool
	Errors    fieldErrors
}

func (s *Server) accountDeleteView(m *forum.Member) *accountDeleteView {
	return &accountDeleteView{Layout: Layout{Title: "Supprimer mon compte"}, Email: m.Email, Posts: forum.DeletePostsAnonymise,
		MayRemove: s.privacy.MayRemovePosts()}
}

// accountDeletePage asks for the password and the choice for the posts.
func (s *Server) accountDeletePage(c echo.Context) error {
	return s.render(c, http.StatusOK, "account_delete.html", s.accountDeleteView(viewer(c)))
}

// deleteAccount checks the request, then the password under the login rate
// limits, deletes the account and ends the browser's session.
func (s *Server) deleteAccount(c echo.Context, in privacy.DeleteInput) error {
	m := viewer(c)
	if _, err := s.privacy.CheckDeletion(c.Request().Context(), m, in.Posts); err != nil {
		return err
	}
	at, err := s.beginLogin(c, m.Email)
	if err != nil {
		return err
	}
	if err := s.privacy.DeleteAccount(c.Request().Context(), m, in); err != nil {
		return err
	}
	s.limiter.forget(at)
	s.clearCookie(c, sessionCookie)
	s.clearCookie(c, deviceCookie)
	return nil
}

func (s *Server) accountDeleteForm(c echo.Context) error {
	in := privacy.DeleteInput{Password: c.FormValue("password"), Posts: c.FormValue("posts")}
	if err := s.deleteAccount(c, in); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		v := s.accountDeleteView(viewer(c))
		v.Errors = fe
		if in.Posts != "" {
			v.Posts = in.Posts
		}
		status, _, _, _ := classify(err)
		return s.render(c, status, "account_delete.html", v)
	}
	return seeOther(c, "/?notice=account-deleted")
}

// apiDeleteAccount is DELETE /api/v1/account {"password","posts"}.
func (s *Server) apiDeleteAccount(c echo.Context) error {
	var in privacy.DeleteInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.deleteAccount(c, in); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deleted": true})
}

type privacyView struct {
	Layout
	DPOEmail       string
	SessionDays    int
	MayRemovePosts bool
}

// privacyPage says what is stored, why, for how long, and how to exercise one's rights.
func (s *Server) privacyPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "privacy.html", &privacyView{Layout: Layout{Title: "Données personnelles"},
		DPOEmail: s.privacy.Config().DPOEmail, SessionDays: int(forum.SessionLifetime / (24 * time.Hour)),
		MayRemovePosts: s.privacy.MayRemovePosts()})
}

// accessibilityStatementDate is when the accessibility statement was written
// (update it with the statement).
var accessibilityStatementDate = time.Date(2026, time.November, 29, 12, 0, 0, 0, time.UTC)

type accessibilityView struct {
	Layout
	BaseURL   string
	Contact   string
	WrittenAt time.Time
}

// accessibilityPage is the accessibility statement (RGAA model).
func (s *Server) accessibilityPage(c echo.Context) error {
	return s.render(c, http.StatusOK, "accessibility.html", &accessibilityView{Layout: Layout{Title: "Déclaration d'accessibilité"},
		BaseURL: s.base.String(), Contact: s.privacy.Config().DPOEmail, WrittenAt: accessibilityStatementDate})
}

// eraseSubscriberForm is the « Effacer toutes mes données » button of the
// unsubscribe and manage pages: the signed link erases its subscriber.
func (s *Server) eraseSubscriberForm(c echo.Context) error {
	if _, err := s.digest.EraseByToken(c.Request().Context(), c.QueryParam("token")); err != nil {
		return s.linkProblem(c, err)
	}
	return s.render(c, http.StatusOK, "subscription_link.html", &linkView{Layout: Layout{Title: "Données effacées"}, Erased: true})
}
