package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail"
	"coterforum/moderation"

	"github.com/labstack/echo/v4"
)

// The admin area: the dashboard and the members page. The other admin
// pages (themes, invitations, sent mail) are in pages_admin.go and
// pages_mail.go; every admin page shows the admin_nav partial.

func init() {
	for k, v := range map[string]string{
		"role-changed":    "Le rôle est changé.",
		"member-updated":  "La suspension est enregistrée.",
		"invite-resent":   "L'invitation est renvoyée avec un nouveau lien ; l'ancien ne fonctionne plus.",
		"invite-revoked":  "L'invitation est révoquée : son lien ne fonctionne plus.",
		"member-resumed":  "La suspension est levée.",
		"member-suspends": "Le membre est suspendu.",
	} {
		notices[k] = v
	}
}

// outboxCounter is the digest store's count of its outbox.
type outboxCounter interface {
	OutboxCounts(ctx context.Context, failedSince time.Time) (digest.OutboxCounts, error)
}

type adminDashboardView struct {
	Layout
	Counts    forum.MemberCounts
	PostsWeek int64
	Outbox    digest.OutboxCounts
	// MailFiles counts the .eml files kept (-1 when mail goes by SMTP).
	MailFiles int
	Invites   int
}

// adminDashboard shows the forum's figures and links to every admin page.
func (s *Server) adminDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	as, err := s.svc.AdminStore()
	if err != nil {
		return err
	}
	v := &adminDashboardView{Layout: Layout{Title: "Administration"}, MailFiles: -1}
	if v.Counts, err = as.CountMembersByRoleStatus(ctx); err != nil {
		return err
	}
	now := s.svc.Now()
	if v.PostsWeek, err = as.CountPublishedSince(ctx, now.Add(-7*24*time.Hour)); err != nil {
		return err
	}
	if oc, ok := s.svc.Store().(outboxCounter); ok {
		if v.Outbox, err = oc.OutboxCounts(ctx, now.Add(-7*24*time.Hour)); err != nil {
			return err
		}
	}
	if s.cfg.MailFiles != nil {
		files, err := s.cfg.MailFiles.List()
		if err != nil {
			return err
		}
		v.MailFiles = len(files)
	}
	invs, err := s.svc.UnusedInvitations(ctx, viewer(c))
	if err != nil {
		return err
	}
	v.Invites = len(invs)
	return s.render(c, http.StatusOK, "admin.html", v)
}

type adminMembersView struct {
	Layout
	Members []forum.Member
	Invites []forum.Invite
	Filter  forum.MemberFilter
	Page    int
	HasMore bool
	// Back is the query of this page, for the actions to come back to.
	Back string
	Now  time.Time
}

// PageURL is the address of another page of the same list.
func (v *adminMembersView) PageURL(page int) string {
	return "/admin/members?" + membersQuery(v.Filter, page)
}

// membersQuery encodes a filter and page.
func membersQuery(f forum.MemberFilter, page int) string {
	q := url.Values{}
	for k, v := range map[string]string{"q": f.Query, "role": f.Role, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q.Encode()
}

// membersFilter reads the filter and page of the members page from query values.
func membersFilter(q url.Values) (forum.MemberFilter, int, error) {
	page := 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1000 {
			return forum.MemberFilter{}, 0, forum.Invalid("page", "page_invalid", "Numéro de page invalide.")
		}
		page = n
	}
	f, err := forum.CleanMemberFilter(forum.MemberFilter{Query: q.Get("q"), Role: q.Get("role"), Status: q.Get("status"),
		Skip: (page - 1) * forum.MembersPageSize, Limit: forum.MembersPageSize + 1})
	return f, page, err
}

// adminMembersPage lists members (or, filtered by "invited", the unused
// invitations) with their actions.
func (s *Server) adminMembersPage(c echo.Context) error {
	ctx := c.Request().Context()
	f, page, err := membersFilter(c.QueryParams())
	if err != nil {
		return err
	}
	v := &adminMembersView{Layout: Layout{Title: "Membres"}, Filter: f, Page: page, Back: membersQuery(f, page), Now: s.svc.Now()}
	if f.Status == forum.MemberFilterInvited {
		if v.Invites, err = s.svc.UnusedInvitations(ctx, viewer(c)); err != nil {
			return err
		}
		if f.Query != "" || f.Role != "" {
			v.Invites = filterInvites(v.Invites, f)
		}
		return s.render(c, http.StatusOK, "admin_members.html", v)
	}
	ms, err := s.svc.ListMembers(ctx, viewer(c), f)
	if err != nil {
		return err
	}
	if len(ms) > forum.MembersPageSize {
		ms, v.HasMore = ms[:forum.MembersPageSize], true
	}
	v.Members = ms
	return s.render(c, http.StatusOK, "admin_members.html", v)
}

// filterInvites keeps the invitations of a role whose address holds the search.
func filterInvites(invs []forum.Invite, f forum.MemberFilter) []forum.Invite {
	out := []forum.Invite{}
	for _, inv := range invs {
		if (f.Role == "" || inv.Role == f.Role) && (f.Query == "" || containsFold(inv.Email, f.Query)) {
			out = append(out, inv)
		}
	}
	return out
}

// backToMembers redirects to the members page the form came from: only its
// filter and page are kept from the "back" field (never another address).
func backToMembers(c echo.Context, notice string) error {
	q, _ := url.ParseQuery(c.FormValue("back"))
	f, page, err := membersFilter(q)
	query := "notice=" + notice
	if err == nil {
		if mq := membersQuery(f, page); mq != "" {
			query = mq + "&" + query
		}
	}
	return seeOther(c, "/admin/members?"+query)
}

// adminRoleForm changes a member's role.
func (s *Server) adminRoleForm(c echo.Context) error {
	if _, err := s.mod.ChangeRole(c.Request().Context(), viewer(c), c.Param("id"), c.FormValue("role")); err != nil {
		return err
	}
	return backToMembers(c, "role-changed")
}

// adminSuspendForm suspends or reinstates a member with the moderators'
// rules (moderation.UpdateMember: reason required, no self-suspension).
func (s *Server) adminSuspendForm(c echo.Context) error {
	in := moderation.MemberInput{Suspend: c.FormValue("suspend"), Reason: c.FormValue("reason")}
	if in.Suspend == "" {
		return forum.Invalid("suspend", "suspend_invalid", "La durée de suspension s'écrit en jours, par exemple « 7d » (1 à 3650), ou « indefinite », ou « none » pour lever la suspension.")
	}
	if _, err := s.mod.UpdateMember(c.Request().Context(), viewer(c), c.Param("id"), in); err != nil {
		return err
	}
	if in.Suspend == "none" {
		return backToMembers(c, "member-resumed")
	}
	return backToMembers(c, "member-suspends")
}

// adminResendInviteForm sends an invitation again with a new link.
func (s *Server) adminResendInviteForm(c echo.Context) error {
	ctx := c.Request().Context()
	token, inv, err := s.mod.ResendInvite(ctx, viewer(c), c.Param("id"))
	if err != nil {
		return err
	}
	l, ok := i18n.Parse(inv.Lang)
	if !ok || inv.Lang == "" {
		l = i18n.FR
	}
	if err := s.mailInvite(ctx, viewer(c), token, inv, l); err != nil {
		return err
	}
	return backToMembers(c, "invite-resent")
}

// adminRevokeInviteForm deletes an unused invitation.
func (s *Server) adminRevokeInviteForm(c echo.Context) error {
	if err := s.mod.RevokeInvite(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return err
	}
	return backToMembers(c, "invite-revoked")
}

// mailInvite sends the invitation mail of token in language l, for a new
// invitation (sendInvite) and a resent one.
func (s *Server) mailInvite(ctx context.Context, actor *forum.Member, token string, inv *forum.Invite, l i18n.Lang) error {
	link := s.absURL("/invite/" + token)
	text := i18n.T(l, "Bonjour,") + "\n\n" +
		fmt.Sprintf(i18n.T(l, "%s (%s) vous invite à rejoindre coterforum, le forum des directeurs des systèmes d'information des collectivités territoriales."), actor.DisplayName, actor.Authority) + "\n\n" +
		i18n.T(l, "Pour créer votre compte, ouvrez ce lien (valable 7 jours, utilisable une seule fois) :") + "\n" + link + "\n\n" +
		i18n.T(l, "Si vous ne vous attendiez pas à cette invitation, ignorez ce message.") + "\n\n-- \ncoterforum\n"
	err := s.cfg.Mail.Send(ctx, mail.Message{To: inv.Email, Subject: i18n.T(l, "Invitation à rejoindre coterforum"), Text: text,
		Headers: map[string]string{"Content-Language": string(l)}})
	if err != nil {
		return fmt.Errorf("envoi de l'invitation : %w", err)
	}
	return nil
}

// containsFold reports whether s holds sub, ignoring case.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
