package server

import (
	"net/http"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/moderation"

	"github.com/labstack/echo/v4"
)

type queueItemJSON struct {
	Kind           string       `json:"kind"`
	PostID         string       `json:"post_id"`
	ThreadID       string       `json:"thread_id"`
	ThreadTitle    string       `json:"thread_title"`
	Theme          string       `json:"theme"`
	AuthorityTypes []string     `json:"authority_types"`
	IsFirstPost    bool         `json:"is_first_post"`
	Post           postJSON     `json:"post"`
	Context        []postJSON   `json:"context"`
	AuthorHistory  historyJSON  `json:"author_history"`
	Reports        []reportJSON `json:"reports"`
	Since          time.Time    `json:"since"`
}

type historyJSON struct {
	Approved int    `json:"approved"`
	Rejected int    `json:"rejected"`
	Status   string `json:"status"`
}

type reportJSON struct {
	Reporter  memberJSON `json:"reporter"`
	Reason    string     `json:"reason"`
	CreatedAt time.Time  `json:"created_at"`
}

func (s *Server) apiQueue(c echo.Context) error {
	m := viewer(c)
	items, err := s.mod.Queue(c.Request().Context(), m, moderation.QueueFilter{Theme: c.QueryParam("theme"),
		AuthorityType: c.QueryParam("authority_type")})
	if err != nil {
		return err
	}
	out := make([]queueItemJSON, 0, len(items))
	for i := range items {
		it := &items[i]
		j := queueItemJSON{Kind: it.Kind, PostID: it.Post.ID, ThreadID: it.Thread.ID, ThreadTitle: it.Thread.Title,
			Theme: it.Thread.Theme, AuthorityTypes: it.Thread.AuthorityTypes, IsFirstPost: it.IsFirst,
			Post: s.postJSON(m, &it.Post), Context: []postJSON{}, Reports: []reportJSON{}, Since: it.Since,
			AuthorHistory: historyJSON{Approved: it.AuthorApproved, Rejected: it.AuthorRejected, Status: moderation.DescribeState(language(c), it.AuthorStatus)}}
		for k := range it.Context {
			j.Context = append(j.Context, s.postJSON(m, &it.Context[k]))
		}
		for _, r := range it.Reports {
			j.Reports = append(j.Reports, reportJSON{Reporter: authorJSON(r.Reporter), Reason: r.Reason, CreatedAt: r.CreatedAt})
		}
		out = append(out, j)
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

// decodeOptionalJSON decodes a JSON body when there is one.
func decodeOptionalJSON(c echo.Context, v any) error {
	r := c.Request()
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	return decodeJSON(c, v)
}

func (s *Server) postDecision(c echo.Context, status string) error {
	p, err := s.svc.Post(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"post": map[string]any{"id": p.ID, "status": p.Status}, "decision": status})
}

func (s *Server) apiApprove(c echo.Context) error {
	var edit moderation.QueueEdit
	if err := decodeOptionalJSON(c, &edit); err != nil {
		return err
	}
	if err := s.mod.Approve(c.Request().Context(), viewer(c), c.Param("id"), &edit); err != nil {
		return err
	}
	return s.postDecision(c, forum.DecisionApproved)
}

type reasonIn struct {
	Reason string `json:"reason"`
}

func (s *Server) apiReject(c echo.Context) error {
	var in reasonIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.mod.Reject(c.Request().Context(), viewer(c), c.Param("id"), in.Reason); err != nil {
		return err
	}
	return s.postDecision(c, forum.DecisionRejected)
}

func (s *Server) apiUndoReject(c echo.Context) error {
	if err := s.mod.UndoReject(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return err
	}
	return s.postDecision(c, forum.DecisionReopened)
}

func (s *Server) apiHide(c echo.Context) error {
	var in reasonIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.mod.Hide(c.Request().Context(), viewer(c), c.Param("id"), in.Reason); err != nil {
		return err
	}
	return s.postDecision(c, forum.DecisionHidden)
}

func (s *Server) apiRestore(c echo.Context) error {
	if err := s.mod.Restore(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return err
	}
	return s.postDecision(c, forum.DecisionRestored)
}

func (s *Server) apiDismissReports(c echo.Context) error {
	if err := s.mod.DismissReports(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return err
	}
	return s.postDecision(c, "reports_dismissed")
}

func (s *Server) apiReport(c echo.Context) error {
	var in reasonIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := s.mod.Report(c.Request().Context(), viewer(c), c.Param("id"), in.Reason); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"report": map[string]any{"post_id": c.Param("id")}})
}

func (s *Server) apiModerateThread(c echo.Context) error {
	var in moderation.ThreadInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	th, err := s.mod.UpdateThread(c.Request().Context(), viewer(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"thread": s.threadJSON(th)})
}

func (s *Server) apiModerateMember(c echo.Context) error {
	var in moderation.MemberInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.mod.UpdateMember(c.Request().Context(), viewer(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	now := s.svc.Now()
	out := map[string]any{"id": m.ID, "display_name": m.DisplayName, "suspended": m.SuspendedAt(now),
		"suspended_until": m.SuspendedUntil, "trusted": m.Trusted, "always_moderate": m.AlwaysModerate}
	return c.JSON(http.StatusOK, map[string]any{"member": out})
}

func (s *Server) apiAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	if strings.EqualFold(c.QueryParam("format"), "csv") {
		return s.auditCSV(c)
	}
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	f.Skip, f.Limit = (page-1)*moderation.MaxAuditPage, moderation.MaxAuditPage
	entries, err := s.mod.Audit(c.Request().Context(), viewer(c), f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []moderation.AuditEntry{}
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"entries": entries, "page": page, "has_more": len(entries) == moderation.MaxAuditPage})
}

func (s *Server) apiNotifications(c echo.Context) error {
	items, err := s.mod.Notifications(c.Request().Context(), viewer(c))
	if err != nil {
		return err
	}
	if items == nil {
		items = []moderation.Notification{}
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"notifications": items})
}

func (s *Server) apiNotificationsRead(c echo.Context) error {
	if err := s.mod.MarkRead(c.Request().Context(), viewer(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
