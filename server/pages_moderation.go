package server

import (
	"net/http"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/moderation"

	"github.com/labstack/echo/v4"
)

type queueView struct {
	Layout
	Items         []moderation.QueueItem
	FilterTheme   string
	FilterType    string
	CannedReasons []string
	Errors        fieldErrors
	// Undo is a post just rejected, whose rejection can still be undone.
	Undo string
}

func (s *Server) queuePage(c echo.Context) error {
	return s.renderQueue(c, http.StatusOK, nil)
}

func (s *Server) renderQueue(c echo.Context, status int, fe fieldErrors) error {
	f := moderation.QueueFilter{Theme: c.QueryParam("theme"), AuthorityType: c.QueryParam("authority_type")}
	items, err := s.mod.Queue(c.Request().Context(), viewer(c), f)
	if err != nil {
		return err
	}
	v := &queueView{Layout: Layout{Title: "File de modération"}, Items: items, FilterTheme: f.Theme, FilterType: f.AuthorityType,
		CannedReasons: moderation.CannedReasons, Errors: fe}
	if u := c.QueryParam("undo"); forum.ValidID(u) {
		v.Undo = u
	}
	return s.render(c, status, "moderation.html", v)
}

// reasonFor builds the reason of a rejection from the canned choice and the free text.
func reasonFor(c echo.Context, suffix string) string {
	canned := strings.TrimSpace(c.FormValue("canned" + suffix))
	free := strings.TrimSpace(c.FormValue("reason" + suffix))
	switch {
	case canned != "" && free != "":
		return canned + " " + free
	case canned != "":
		return canned
	}
	return free
}

// queueDecide handles the queue form: one item's buttons ("approve:ID",
// "reject:ID") or the bulk buttons on the checked items.
func (s *Server) queueDecide(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	if err := formParams(c); err != nil {
		return err
	}
	var action string
	var ids []string
	reasonSuffix := ""
	if one := c.FormValue("one"); one != "" {
		a, id, _ := strings.Cut(one, ":")
		action, ids, reasonSuffix = a, []string{id}, "-"+id
	} else {
		action, ids = c.FormValue("bulk"), c.Request().PostForm["post"]
	}
	if len(ids) == 0 {
		return s.renderQueue(c, http.StatusUnprocessableEntity, fieldErrors{"form": i18n.M("Cochez au moins un élément de la file.")})
	}
	if len(ids) > moderation.MaxQueueItems {
		return s.renderQueue(c, http.StatusUnprocessableEntity, fieldErrors{"form": i18n.M("Trop d'éléments sélectionnés.")})
	}
	reason := reasonFor(c, reasonSuffix)
	var done []string
	var failed []i18n.Msg
	status := http.StatusUnprocessableEntity
	for _, id := range ids {
		var err error
		switch action {
		case "approve":
			err = s.mod.Approve(ctx, m, id, nil)
		case "reject":
			err = s.mod.Reject(ctx, m, id, reason)
		case "dismiss":
			err = s.mod.DismissReports(ctx, m, id)
		case "hide":
			err = s.mod.Hide(ctx, m, id, reason)
		default:
			return forum.Invalid("action", "action_invalid", "Action inconnue.")
		}
		if err != nil {
			code, _, msg, _ := classify(err)
			if code >= 500 {
				return err
			}
			if code == http.StatusConflict {
				status = code
			}
			failed = append(failed, msg)
			continue
		}
		done = append(done, id)
	}
	if len(failed) > 0 {
		return s.renderQueue(c, status, fieldErrors{"form": i18n.M("Éléments traités : %d ; non traités : %d. %s",
			len(done), len(failed), failed)})
	}
	q := "?notice=decided"
	if action == "reject" && len(done) == 1 {
		q += "&undo=" + done[0]
	}
	return seeOther(c, "/moderation"+q)
}

func (s *Server) queueUndo(c echo.Context) error {
	if err := s.mod.UndoReject(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return err
	}
	return seeOther(c, "/moderation?notice=undone")
}

type queueEditView struct {
	Layout
	Post    *forum.Post
	Thread  *forum.Thread
	IsFirst bool
	Form    postForm
}

// SubmitLabel is the text of the edit form's main button.
func (v *queueEditView) SubmitLabel() string { return "Enregistrer et approuver" }

func (s *Server) queueEditPage(c echo.Context) error {
	p, th, err := s.viewerPost(c)
	if err != nil {
		return err
	}
	f := postForm{Title: th.Title, Theme: th.Theme, AuthorityTypes: th.AuthorityTypes, Body: p.Source}
	return s.render(c, http.StatusOK, "moderation_edit.html", &queueEditView{Layout: Layout{Title: "Modifier avant approbation"},
		Post: p, Thread: th, IsFirst: th.FirstPostID == p.ID, Form: f})
}

func (s *Server) queueEditForm(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	p, th, err := s.viewerPost(c)
	if err != nil {
		return err
	}
	f, err := readPostForm(c)
	if err != nil {
		return err
	}
	v := &queueEditView{Layout: Layout{Title: "Modifier avant approbation"}, Post: p, Thread: th, IsFirst: th.FirstPostID == p.ID, Form: f}
	if s.preview(c, &v.Form) {
		return s.render(c, http.StatusOK, "moderation_edit.html", v)
	}
	edit := &moderation.QueueEdit{Body: &f.Body}
	if v.IsFirst {
		edit.Title, edit.Theme, edit.AuthorityTypes = &f.Title, &f.Theme, f.AuthorityTypes
		if edit.AuthorityTypes == nil {
			edit.AuthorityTypes = []string{}
		}
	}
	if err := s.mod.Approve(ctx, m, p.ID, edit); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		v.Form.Errors = fe
		return s.render(c, http.StatusUnprocessableEntity, "moderation_edit.html", v)
	}
	return seeOther(c, "/moderation?notice=decided")
}

// postModerationForm handles a moderator's hide/restore buttons on a thread page.
func (s *Server) postModerationForm(c echo.Context) error {
	ctx := c.Request().Context()
	m := viewer(c)
	id := c.Param("id")
	var err error
	switch c.FormValue("action") {
	case "hide":
		err = s.mod.Hide(ctx, m, id, reasonFor(c, ""))
	case "restore":
		err = s.mod.Restore(ctx, m, id)
	default:
		return forum.Invalid("action", "action_invalid", "Action inconnue.")
	}
	if err != nil {
		return err
	}
	return seeOther(c, "/posts/"+id+"?notice=moderated")
}

// threadModerationForm handles the moderator tools of a thread page.
func (s *Server) threadModerationForm(c echo.Context) error {
	in := moderation.ThreadInput{Reason: c.FormValue("reason")}
	t, f := true, false
	switch c.FormValue("action") {
	case "lock":
		in.Locked = &t
	case "unlock":
		in.Locked = &f
	case "pin":
		in.Pinned = &t
	case "unpin":
		in.Pinned = &f
	case "move":
		theme := c.FormValue("theme")
		in.Theme = &theme
		if err := formParams(c); err != nil {
			return err
		}
		in.AuthorityTypes = c.Request().PostForm["authority_types"]
		if in.AuthorityTypes == nil {
			in.AuthorityTypes = []string{}
		}
	default:
		return forum.Invalid("action", "action_invalid", "Action inconnue.")
	}
	th, err := s.mod.UpdateThread(c.Request().Context(), viewer(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return seeOther(c, "/threads/"+th.ID+"?notice=moderated")
}

type reportView struct {
	Layout
	Post   *forum.Post
	Reason string
	Errors fieldErrors
}

func (s *Server) reportPage(c echo.Context) error {
	p, err := s.svc.Post(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "report.html", &reportView{Layout: Layout{Title: "Signaler un message"}, Post: p})
}

func (s *Server) reportForm(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.svc.Post(ctx, viewer(c), c.Param("id"))
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	if err := s.mod.Report(ctx, viewer(c), p.ID, reason); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "report.html", &reportView{Layout: Layout{Title: "Signaler un message"},
			Post: p, Reason: reason, Errors: fe})
	}
	return seeOther(c, "/posts/"+p.ID+"?notice=reported")
}

type memberView struct {
	Layout
	Member  *forum.Member
	Threads []forum.Thread
	Errors  fieldErrors
	Now     time.Time
	// SIREN is the member's authority verified by ProConnect ("" if not).
	SIREN string
}

// SuspendedNow reports whether the shown member is suspended.
func (v *memberView) SuspendedNow() bool { return v.Member.SuspendedAt(v.Now) }

func (s *Server) memberPage(c echo.Context) error {
	return s.renderMember(c, http.StatusOK, nil)
}

func (s *Server) renderMember(c echo.Context, status int, fe fieldErrors) error {
	ctx := c.Request().Context()
	m, err := s.svc.Member(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	threads, err := s.svc.Store().ListThreads(ctx, forum.ThreadFilter{AuthorID: m.ID, Limit: 20})
	if err != nil {
		return err
	}
	siren, err := s.svc.VerifiedSIREN(ctx, m.ID)
	if err != nil {
		return err
	}
	return s.render(c, status, "member.html", &memberView{Layout: Layout{Title: m.Ref().NameIn(language(c))}, Member: m, Threads: threads,
		Errors: fe, Now: s.svc.Now(), SIREN: siren})
}

func (s *Server) memberModerationForm(c echo.Context) error {
	in := moderation.MemberInput{Suspend: c.FormValue("suspend"), Reason: c.FormValue("reason")}
	t, f := true, false
	switch c.FormValue("flag") {
	case "trust":
		in.Trusted = &t
	case "untrust":
		in.Trusted = &f
	case "always":
		in.AlwaysModerate = &t
	case "normal":
		in.AlwaysModerate = &f
	}
	if _, err := s.mod.UpdateMember(c.Request().Context(), viewer(c), c.Param("id"), in); err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		return s.renderMember(c, http.StatusUnprocessableEntity, fe)
	}
	return seeOther(c, "/members/"+c.Param("id")+"?notice=moderated")
}

type auditView struct {
	Layout
	Entries []moderation.AuditEntry
	Filter  moderation.AuditFilter
	Page    int
	HasMore bool
	Query   string
}

func auditFilter(c echo.Context) (moderation.AuditFilter, error) {
	f := moderation.AuditFilter{ActorID: c.QueryParam("actor"), Action: c.QueryParam("action"), TargetID: c.QueryParam("target")}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := c.QueryParam(p.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, i18n.Paris)
			if err != nil {
				return f, forum.Invalid(p.name, "date_invalid", "La date s'écrit AAAA-MM-JJ.")
			}
			if p.name == "until" {
				t = t.Add(24 * time.Hour)
			}
			*p.dst = t
		}
	}
	return f, nil
}

func (s *Server) auditPage(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	const per = 50
	f.Skip, f.Limit = (page-1)*per, per+1
	entries, err := s.mod.Audit(c.Request().Context(), viewer(c), f)
	if err != nil {
		return err
	}
	v := &auditView{Layout: Layout{Title: "Journal de modération"}, Entries: entries, Filter: f, Page: page, Query: c.QueryString()}
	if len(entries) > per {
		v.Entries, v.HasMore = entries[:per], true
	}
	return s.render(c, http.StatusOK, "audit.html", v)
}

func (s *Server) auditCSV(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := s.mod.WriteAuditCSV(c.Request().Context(), viewer(c), f, &b); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="journal-moderation.csv"`)
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

type notificationsView struct {
	Layout
	Items []moderation.Notification
}

func (s *Server) notificationsPage(c echo.Context) error {
	items, err := s.mod.Notifications(c.Request().Context(), viewer(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "notifications.html", &notificationsView{Layout: Layout{Title: "Notifications"}, Items: items})
}

func (s *Server) notificationsReadForm(c echo.Context) error {
	if err := s.mod.MarkRead(c.Request().Context(), viewer(c)); err != nil {
		return err
	}
	return seeOther(c, "/notifications")
}
