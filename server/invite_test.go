package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/mail/mailtest"
)

func TestInviteByEmail(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	admin, apw := e.member(forum.RoleAdmin, "region")
	member, mpw := e.member(forum.RoleMember, "commune")
	if status, _ := e.login(member, mpw).api("POST", "/api/v1/invites", map[string]any{"email": "x@example.org"}); status != 403 {
		t.Fatalf("member inviting: %d", status)
	}
	ac := e.login(admin, apw)
	if status, out := ac.api("POST", "/api/v1/invites", map[string]any{"email": "pas une adresse"}); status != 400 || errCode(out) != "email_invalid" {
		t.Fatalf("bad email: %d %v", status, out)
	}
	status, out := ac.api("POST", "/api/v1/invites", map[string]any{"email": "Nouvelle.DSI@Example.org", "role": "member"})
	if status != 201 {
		t.Fatalf("invite: %d %v", status, out)
	}
	msgs := smtp.WaitFor(t, 1, 10*time.Second)
	if msgs[0].To[0] != "nouvelle.dsi@example.org" || !strings.Contains(msgs[0].Subject, "Invitation") {
		t.Fatalf("mail: %+v", msgs[0])
	}
	link := regexp.MustCompile(`https?://\S+/invite/\S+`).FindString(msgs[0].Text)
	if !strings.HasPrefix(link, e.ts.URL+"/invite/") {
		t.Fatalf("no absolute link from the base URL in the mail:\n%s", msgs[0].Text)
	}
	path := strings.TrimPrefix(link, e.ts.URL)

	web := e.anon()
	status, body, _ := web.get(path)
	if status != 200 || !strings.Contains(body, "nouvelle.dsi@example.org") {
		t.Fatalf("invite page: %d", status)
	}
	token := web.pageCSRF(path)
	form := url.Values{"csrf_token": {token}, "display_name": {"Nadia Benali"}, "authority": {"Communauté urbaine de Dunkerque"},
		"authority_type": {"intercommunalite"}, "password": {"court"}}
	if status, body, _ := web.post(path, form); status != 422 || !strings.Contains(body, "10\u00a0caractères") {
		t.Fatalf("short password: %d", status)
	}
	form.Set("password", "un-mot-de-passe-robuste")
	status, _, resp := web.post(path, form)
	if status != http.StatusSeeOther {
		t.Fatalf("accept: %d", status)
	}
	sessionCookieOf(t, resp)
	if _, body, _ := web.get("/account"); !strings.Contains(body, "nouvelle.dsi@example.org") {
		t.Fatal("not logged in after accepting")
	}
	if status, _, _ := e.anon().get(path); status != http.StatusGone {
		t.Fatalf("reused invitation page: %d", status)
	}
	m, err := e.svc.Authenticate(t.Context(), "nouvelle.dsi@example.org", "un-mot-de-passe-robuste")
	if err != nil || m.Role != forum.RoleMember || m.AuthorityType != "intercommunalite" {
		t.Fatalf("account: %+v %v", m, err)
	}
}
