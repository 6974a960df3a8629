package server

import (
	"net/http"

	"coterforum/forum"

	"github.com/labstack/echo/v4"
)

// firstUnread sends a member to the first published post of the thread they
// have not read, or to its last post when they have read everything.
func (s *Server) firstUnread(c echo.Context) error {
	id := c.Param("id")
	postID, err := s.svc.FirstUnreadPost(c.Request().Context(), viewer(c), id)
	if err != nil {
		return err
	}
	if postID == "" {
		return c.Redirect(http.StatusSeeOther, "/threads/"+id)
	}
	return c.Redirect(http.StatusSeeOther, "/posts/"+postID)
}

// unreadMarks returns which listed threads have posts the viewer has not
// read (nil for anonymous readers). It is per-viewer data, kept apart from
// the shared list. A failure only loses the marks: it is logged, and the
// listing is still shown.
func (s *Server) unreadMarks(c echo.Context, list *forum.ThreadList) map[string]bool {
	m := viewer(c)
	if m == nil || list == nil {
		return nil
	}
	marks, err := s.svc.UnreadThreads(c.Request().Context(), m, list.Threads)
	if err != nil {
		s.cfg.Log.Warn("unread marks not computed", "member", m.ID, "err", err)
		return nil
	}
	return marks
}

// markRead records what the viewer was shown of a thread; a failure is
// logged and the page is still shown.
func (s *Server) markRead(c echo.Context, th *forum.Thread, posts []forum.Post, lastPage bool) {
	m := viewer(c)
	if m == nil {
		return
	}
	if err := s.svc.MarkRead(c.Request().Context(), m, th, posts, lastPage); err != nil {
		s.cfg.Log.Warn("read marker not recorded", "member", m.ID, "thread", th.ID, "err", err)
	}
}

// readsKeys are the keys of a member's unread marks, part of their listings'
// ETags (none for anonymous readers).
func (s *Server) readsKeys(c echo.Context) []forum.Key {
	if m := viewer(c); m != nil {
		return []forum.Key{forum.ReadsKey(m.ID)}
	}
	return nil
}
