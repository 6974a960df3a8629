package server_test

import (
	"context"
	"net/url"
	"testing"

	"coterforum/forum"
	"coterforum/internal/browsertest"
	"coterforum/mail"
	"coterforum/moderation"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestAdminPagesHaveNoAxeViolations audits the admin pages with content on
// them (dashboard, members with a suspended member, pending invitations,
// themes, sent mail and a decoded message with its sandboxed HTML frame),
// in French then in English.
func TestAdminPagesHaveNoAxeViolations(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	fs := mail.NewFileSender(t.TempDir(), "Forum des DSI <forum@example.org>")
	e := newEnv(t, func(c *serverConfig) { c.Mail, c.MailFiles = fs, fs })
	admin, apw := e.member(forum.RoleAdmin, "region")
	e.member(forum.RoleModerator, "departement")
	nc, npw := e.newcomer("commune")
	e.login(nc, npw).createThread("reseaux", []string{"commune"}, "Fibre noire en zone rurale", "Qui a déployé de la fibre noire ?")
	ctx := context.Background()
	if _, err := e.mod.UpdateMember(ctx, admin, nc.ID, moderation.MemberInput{Suspend: "7d", Reason: "Propos hors charte"}); err != nil {
		t.Fatal(err)
	}
	ac := e.login(admin, apw)
	if status, _, _ := ac.post("/admin/invites", url.Values{"email": {"helene.lefevre@example.org"}, "role": {"moderator"}, "lang": {"fr"}}); status != 303 {
		t.Fatalf("invite: %d", status)
	}
	if err := fs.Send(ctx, mail.Message{To: "Amélie Dupré <amelie@example.org>", Subject: "Résumé quotidien : 2 nouveaux messages",
		Text: "Bonjour,\n\nDeux nouveaux messages dans « Réseaux ».", HTML: `<p>Bonjour,</p><p>Deux nouveaux messages dans « Réseaux ».</p>`,
		Headers: map[string]string{"List-Unsubscribe": "<" + e.ts.URL + "/subscriptions/unsubscribe?t=x>"}}); err != nil {
		t.Fatal(err)
	}
	files, err := fs.List()
	if err != nil || len(files) != 2 {
		t.Fatal(files, err)
	}
	base := e.ts.URL
	b := browsertest.New(t)
	bctx := b.Ctx()
	browserLogin(t, bctx, base, admin, apw)
	pages := []struct{ name, path, fr, en, check string }{
		{"tableau de bord", "/admin", "Administration", "Administration", `document.querySelectorAll(".admin-card").length === 3`},
		{"membres", "/admin/members", "membres", "members", `document.querySelectorAll(".admin-table tbody tr").length === 3`},
		{"invitations en attente", "/admin/members?status=invited", "membres", "members", `document.querySelectorAll("form[action$='/resend']").length === 1`},
		{"thèmes", "/admin/themes", "thèmes", "themes", `document.querySelectorAll(".admin-theme-form").length >= 7`},
		{"courriels envoyés", "/admin/mail", "courriels", "mail", `document.querySelectorAll("tbody tr").length === 2`},
		{"courriel décodé", "/admin/mail/" + files[0].Name, "Résumé quotidien", "Résumé quotidien",
			`!!document.querySelector("iframe.mail-html[sandbox='']") && document.querySelector(".mail-text").textContent.includes("« Réseaux »")`},
	}
	for _, lang := range []string{"fr", "en"} {
		if lang == "en" {
			brEnglish(t, bctx, base)
		}
		for _, p := range pages {
			brVisit(t, bctx, base+p.path, 200)
			if !brEval[bool](t, bctx, p.check) {
				t.Fatalf("%s (%s): the page is not in the expected state (%s)", p.path, lang, p.check)
			}
			if got := brEval[string](t, bctx, `document.documentElement.lang`); got != lang {
				t.Fatalf("%s: <html lang=%q>, want %s", p.path, got, lang)
			}
			h1 := map[string]string{"fr": p.fr, "en": p.en}[lang]
			brAudit(t, b, bctx, p.name+" ("+lang+")", h1)
		}
	}
	// On a phone, no admin page is wider than the screen (the members
	// table scrolls in its own region).
	if _, err := chromedp.Call(bctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 375, Height: 667, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		brVisit(t, bctx, base+p.path, 200)
		if w := brEval[int](t, bctx, `document.documentElement.scrollWidth`); w > 375 {
			t.Errorf("%s at 375 px: the page is %d px wide", p.path, w)
		}
	}
}
