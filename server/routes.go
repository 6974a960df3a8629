package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the whole URL surface. Each route names the role it needs:
// public, requireMember, requireModerator or requireAdmin. Every unsafe
// method goes through checkCSRF.
func (s *Server) routes() {
	e := s.e
	e.Pre(s.observe) // request id, metrics and access log: around everything
	e.Pre(headAsGet)
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(middleware.Recover())
	e.Use(securityHeaders)
	e.Use(bodyLimit(s.cfg.BodyLimit))
	e.Use(s.loadSession)
	e.Use(s.checkCSRF)

	e.GET("/healthz", s.healthz, public)
	e.GET("/readyz", s.readyz, public)
	e.GET("/static/*", echo.WrapHandler(s.assets), public)

	// Pages.
	e.GET("/", s.homePage, public)
	e.GET("/feed.atom", s.allFeed, public)
	e.GET("/themes/:slug", s.themePage, public)
	e.GET("/themes/:slug/feed.atom", s.themeFeed, public) // ?authority_type=SLUG
	e.GET("/authority-types/:slug", s.authorityPage, public)
	e.GET("/authority-types/:slug/feed.atom", s.authorityFeed, public)
	e.GET("/threads/new", s.newThreadPage, requireMember)
	e.POST("/threads", s.createThreadForm, requireMember)
	e.GET("/threads/:id", s.threadPage, public)
	e.GET("/threads/:id/feed.atom", s.threadFeed, public)
	e.GET("/threads/:id/unread", s.firstUnread, requireMember)
	e.GET("/threads/:id/reply", s.replyPage, requireMember)
	e.POST("/threads/:id/posts", s.replyForm, requireMember)
	e.GET("/posts/:id", s.postPermalink, public)
	e.GET("/posts/:id/edit", s.editPostPage, requireMember)
	e.POST("/posts/:id/edit", s.editPostForm, requireMember)
	e.POST("/preview", s.previewFragment, requireMember)
	e.GET("/login", s.loginPage, public)
	e.POST("/login", s.loginForm, public)
	e.GET("/login/proconnect", s.oidcStart, public)             // 404 unless FORUM_OIDC_* are set
	e.GET("/login/proconnect/callback", s.oidcCallback, public) // the provider's redirect (state, nonce, PKCE)
	e.POST("/logout", s.logoutForm, requireMember)
	e.POST("/language", s.languageForm, public)
	e.GET("/account", s.accountPage, requireMember)
	e.POST("/account/profile", s.profileForm, requireMember)
	e.POST("/account/password", s.passwordForm, requireMember)
	e.POST("/account/email", s.emailForm, requireMember)
	e.GET("/account/email/confirm", s.emailConfirmPage, public)  // signed link (?token=)
	e.POST("/account/email/confirm", s.emailConfirmForm, public) // signed link (token field)
	e.GET("/password/forgot", s.forgotPage, public)
	e.POST("/password/forgot", s.forgotForm, public)
	e.GET("/password/reset", s.resetPage, public)  // signed link (?token=)
	e.POST("/password/reset", s.resetForm, public) // signed link (token field)
	e.GET("/account/export", s.accountExport, requireMember)
	e.GET("/account/delete", s.accountDeletePage, requireMember)
	e.POST("/account/delete", s.accountDeleteForm, requireMember)
	e.GET("/confidentialite", s.privacyPage, public)
	e.GET("/accessibilite", s.accessibilityPage, public)
	e.GET("/invite/:token", s.invitePage, public)
	e.POST("/invite/:token", s.inviteForm, public)
	e.GET("/admin", s.adminDashboard, requireAdmin)
	e.GET("/admin/members", s.adminMembersPage, requireAdmin)
	e.POST("/admin/members/:id/role", s.adminRoleForm, requireAdmin)
	e.POST("/admin/members/:id/suspend", s.adminSuspendForm, requireAdmin)
	e.POST("/admin/invites/:id/resend", s.adminResendInviteForm, requireAdmin)
	e.POST("/admin/invites/:id/revoke", s.adminRevokeInviteForm, requireAdmin)
	e.GET("/admin/themes", s.adminThemesPage, requireAdmin)
	e.POST("/admin/themes", s.adminAddThemeForm, requireAdmin)
	e.POST("/admin/themes/:slug", s.adminUpdateThemeForm, requireAdmin)
	e.POST("/admin/themes/:slug/move", s.adminMoveThemeForm, requireAdmin)
	e.POST("/admin/themes/:slug/archive", s.adminArchiveThemeForm, requireAdmin)
	e.GET("/admin/invites", s.adminInvitesPage, requireAdmin)
	e.POST("/admin/invites", s.adminInviteForm, requireAdmin)
	e.GET("/members/:id", s.memberPage, public)
	e.GET("/search", s.searchPage, public)
	e.GET("/posts/:id/report", s.reportPage, requireMember)
	e.POST("/posts/:id/report", s.reportForm, requireMember)
	e.GET("/notifications", s.notificationsPage, requireMember)
	e.POST("/notifications/read", s.notificationsReadForm, requireMember)
	e.GET("/subscriptions", s.subscriptionsPage, public)
	e.POST("/subscriptions", s.subscribeForm, public)
	e.POST("/subscriptions/:id/delete", s.unsubscribeMemberForm, requireMember)
	e.GET("/subscriptions/confirm", s.confirmPage, public)          // signed link
	e.POST("/subscriptions/confirm", s.confirmForm, public)         // signed link
	e.GET("/subscriptions/manage", s.managePage, public)            // signed link
	e.POST("/subscriptions/manage", s.manageForm, public)           // signed link
	e.GET("/subscriptions/unsubscribe", s.unsubscribePage, public)  // signed link
	e.POST("/subscriptions/unsubscribe", s.unsubscribeForm, public) // signed link; RFC 8058 one-click, no CSRF token
	e.POST("/subscriptions/erase", s.eraseSubscriberForm, public)   // signed link (manage or unsubscribe)
	e.GET("/admin/mail", s.adminMailPage, requireAdmin)
	e.GET("/admin/mail/:name", s.adminMailFile, requireAdmin)      // decoded
	e.GET("/admin/mail/:name/raw", s.adminMailRaw, requireAdmin)   // the .eml file, as a download
	e.GET("/admin/mail/:name/html", s.adminMailHTML, requireAdmin) // the HTML part, sandboxed (CSP sandbox)
	e.GET("/moderation", s.queuePage, requireModerator)
	e.POST("/moderation", s.queueDecide, requireModerator)
	e.POST("/moderation/posts/:id/undo", s.queueUndo, requireModerator)
	e.GET("/moderation/posts/:id/edit", s.queueEditPage, requireModerator)
	e.POST("/moderation/posts/:id/edit", s.queueEditForm, requireModerator)
	e.POST("/moderation/posts/:id", s.postModerationForm, requireModerator)
	e.POST("/moderation/threads/:id", s.threadModerationForm, requireModerator)
	e.POST("/moderation/members/:id", s.memberModerationForm, requireModerator)
	e.GET("/moderation/audit", s.auditPage, requireModerator)
	e.GET("/moderation/audit.csv", s.auditCSV, requireModerator)

	// JSON API (CONTRACT.md).
	a := e.Group("/api/v1")
	a.POST("/session", s.apiLogin, public)
	a.GET("/session", s.apiSession, requireMember)
	a.POST("/password/forgot", s.apiForgot, public) // 202 whatever the address
	a.POST("/password/reset", s.apiReset, public)   // signed token in the body
	a.DELETE("/session", s.apiLogout, requireMember)
	a.GET("/account/export", s.apiAccountExport, requireMember)
	a.DELETE("/account", s.apiDeleteAccount, requireMember)
	a.GET("/themes", s.apiThemes, public)
	a.POST("/themes", s.apiAddTheme, requireAdmin)
	a.PATCH("/themes/:slug", s.apiUpdateTheme, requireAdmin)
	a.GET("/authority-types", s.apiAuthorityTypes, public)
	a.GET("/threads", s.apiThreads, public)
	a.GET("/search", s.apiSearch, public)
	a.POST("/threads", s.apiCreateThread, requireMember)
	a.GET("/threads/:id", s.apiThread, public)
	a.POST("/threads/:id/posts", s.apiReply, requireMember)
	a.GET("/posts/:id", s.apiPost, public)
	a.PATCH("/posts/:id", s.apiEditPost, requireMember)
	a.POST("/preview", s.apiPreview, requireMember)
	a.POST("/invites", s.apiInvite, requireAdmin)
	a.POST("/subscriptions", s.apiSubscribe, public) // member: 201; with "email": 202 + confirmation mail
	a.GET("/subscriptions", s.apiSubscriptions, requireMember)
	a.DELETE("/subscriptions/:id", s.apiUnsubscribe, requireMember)
	a.POST("/posts/:id/reports", s.apiReport, requireMember)
	a.GET("/notifications", s.apiNotifications, requireMember)
	a.POST("/notifications/read", s.apiNotificationsRead, requireMember)
	a.GET("/moderation/queue", s.apiQueue, requireModerator)
	a.POST("/moderation/posts/:id/approve", s.apiApprove, requireModerator)
	a.POST("/moderation/posts/:id/reject", s.apiReject, requireModerator)
	a.POST("/moderation/posts/:id/undo-reject", s.apiUndoReject, requireModerator)
	a.POST("/moderation/posts/:id/hide", s.apiHide, requireModerator)
	a.POST("/moderation/posts/:id/restore", s.apiRestore, requireModerator)
	a.POST("/moderation/posts/:id/dismiss-reports", s.apiDismissReports, requireModerator)
	a.PATCH("/moderation/threads/:id", s.apiModerateThread, requireModerator)
	a.PATCH("/moderation/members/:id", s.apiModerateMember, requireModerator)
	a.GET("/moderation/audit", s.apiAudit, requireModerator)
	a.Any("/*", s.apiNotFound, public)
}

func (s *Server) apiNotFound(c echo.Context) error { return echo.ErrNotFound }

func (s *Server) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

func (s *Server) readyz(c echo.Context) error {
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(c.Request().Context()); err != nil {
			s.cfg.Log.Warn("not ready", "err", err)
			return c.String(http.StatusServiceUnavailable, "base de données injoignable\n")
		}
	}
	return c.String(http.StatusOK, "ok\n")
}
