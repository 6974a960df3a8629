package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"coterforum/forum"
)

func TestPagesBrowseAndPost(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "intercommunalite")
	api := e.login(m, pw)
	id, _ := api.createThread("reseaux", []string{"region"}, "Fibre noire entre les sites", "Retour d'expérience.")
	api.createThread("sig", []string{"commune"}, "Cadastre et QGIS en commune", "Question.")

	anon := e.anon()
	status, body, resp := anon.get("/")
	if status != 200 || !strings.Contains(body, "Fibre noire entre les sites") || !strings.Contains(body, `<html lang="fr">`) {
		t.Fatalf("home: %d", status)
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatal("no CSP")
	}
	_, body, _ = anon.get("/themes/reseaux")
	if !strings.Contains(body, "Fibre noire") || strings.Contains(body, "Cadastre et QGIS") {
		t.Fatal("theme page does not filter by theme")
	}
	_, body, _ = anon.get("/themes/reseaux?authority_type=commune")
	if strings.Contains(body, "Fibre noire") {
		t.Fatal("theme page does not filter by authority type")
	}
	_, body, _ = anon.get("/authority-types/commune")
	if !strings.Contains(body, "Cadastre et QGIS") || strings.Contains(body, "Fibre noire") {
		t.Fatal("authority page does not filter")
	}
	if status, _, _ := anon.get("/themes/inconnu"); status != 404 {
		t.Fatalf("unknown theme: %d", status)
	}
	// Anonymous visitors are sent to login for the new-thread form.
	if status, _, resp := anon.get("/threads/new"); status != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("new thread anonymous: %d", status)
	}

	// A member logs in through the form and replies with the form.
	web := e.anon()
	token := web.pageCSRF("/login")
	status, _, resp = web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {pw}, "next": {"/threads/" + id}})
	if status != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/threads/"+id) {
		t.Fatalf("login form: %d %s", status, resp.Header.Get("Location"))
	}
	token = web.pageCSRF("/threads/" + id)
	// Preview does not store.
	status, body, _ = web.post("/threads/"+id+"/posts", url.Values{"csrf_token": {token}, "body": {"**gras** en aperçu"}, "action": {"preview"}})
	if status != 200 || !strings.Contains(body, "<strong>gras</strong>") {
		t.Fatalf("preview: %d", status)
	}
	status, _, _ = web.post("/threads/"+id+"/posts", url.Values{"csrf_token": {token}, "body": {"Réponse par le formulaire"}, "action": {"publish"}})
	if status != http.StatusSeeOther {
		t.Fatalf("reply form: %d", status)
	}
	_, body, _ = web.get("/threads/" + id)
	if !strings.Contains(body, "Réponse par le formulaire") {
		t.Fatal("reply not shown")
	}
	// From another site: refused, nothing stored.
	status, _, _ = web.postFrom("cross-site", "https://evil.example", "/threads/"+id+"/posts", url.Values{"body": {"d'ailleurs"}, "action": {"publish"}})
	if status != http.StatusForbidden {
		t.Fatalf("cross-site reply: %d", status)
	}
	// A form error keeps what was typed and names the field.
	status, body, _ = web.post("/threads", url.Values{"csrf_token": {token}, "theme": {"sig"}, "title": {"abc"}, "body": {"Texte conservé"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Texte conservé") || !strings.Contains(body, `aria-describedby="title-error"`) {
		t.Fatalf("form error: %d", status)
	}
	// New thread through the form.
	status, _, resp = web.post("/threads", url.Values{"csrf_token": {token}, "theme": {"achats-marches"},
		"authority_types": {"commune", "departement"}, "title": {"Groupement de commandes pour les PC"}, "body": {"Qui est intéressé ?"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/threads/") {
		t.Fatalf("new thread form: %d", status)
	}
	_, out := anon.api("GET", "/api/v1/threads?theme=achats-marches&authority_type=departement", nil)
	if len(out["threads"].([]any)) != 1 {
		t.Fatal("form thread not listed")
	}
	// Logout.
	token = web.pageCSRF("/account")
	if status, _, _ := web.post("/logout", url.Values{"csrf_token": {token}}); status != http.StatusSeeOther {
		t.Fatalf("logout: %d", status)
	}
	if status, _, _ := web.get("/account"); status != http.StatusSeeOther {
		t.Fatalf("account after logout: %d", status)
	}
}

func TestThreadPaginationAndPermalinks(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	id, _ := c.createThread("portails", nil, "Un long fil de discussion", "Message 0")
	var ids []string
	for i := 1; i < 25; i++ {
		_, out := c.api("POST", "/api/v1/threads/"+id+"/posts", map[string]any{"body": fmt.Sprintf("Message numéro %d", i)})
		ids = append(ids, out["post"].(map[string]any)["id"].(string))
	}
	anon := e.anon()
	_, p1, _ := anon.get("/threads/" + id)
	_, p2, _ := anon.get("/threads/" + id + "?page=2")
	if !strings.Contains(p1, "Message numéro 19<") || strings.Contains(p1, "Message numéro 20<") {
		t.Fatal("page 1 must hold posts 0..19")
	}
	if !strings.Contains(p2, "Message numéro 24<") || strings.Contains(p2, "Message numéro 19<") {
		t.Fatal("page 2 must hold posts 20..24")
	}
	if status, _, _ := anon.get("/threads/" + id + "?page=3"); status != 404 {
		t.Fatalf("page 3: %d", status)
	}
	if status, _, _ := anon.get("/threads/" + id + "?page=abc"); status != 400 {
		t.Fatalf("page abc: %d", status)
	}
	status, _, resp := anon.get("/posts/" + ids[21]) // the 23rd post
	if status != http.StatusFound || resp.Header.Get("Location") != "/threads/"+id+"?page=2#post-"+ids[21] {
		t.Fatalf("permalink: %d %s", status, resp.Header.Get("Location"))
	}
	// Quote pre-fills the reply form.
	web := e.anon()
	token := web.pageCSRF("/login")
	web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {pw}})
	_, body, _ := web.get("/threads/" + id + "/reply?quote=" + ids[0])
	if !strings.Contains(body, "&gt; Message numéro 1") {
		t.Fatal("quote not in the reply form")
	}
}

func TestLoginPageNoOpenRedirect(t *testing.T) {
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	for _, next := range []string{"//evil.example.org", "https://evil.example.org/", "/\\evil.example.org", "javascript:alert(1)"} {
		web := e.anon()
		token := web.pageCSRF("/login")
		_, _, resp := web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {pw}, "next": {next}})
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
			t.Fatalf("next=%q redirected to %q", next, loc)
		}
	}
	// Wrong password: French message on the page, 401.
	web := e.anon()
	token := web.pageCSRF("/login")
	status, body, _ := web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {"nope-nope-nope"}})
	if status != 401 || !strings.Contains(body, "mot de passe incorrect") {
		t.Fatalf("wrong password page: %d", status)
	}
}

func TestSessionCookieRenewedAndSecure(t *testing.T) {
	e := newEnv(t, func(c *serverConfig) { c.BaseURL = "https://forum.example.org" })
	m, pw := e.member(forum.RoleMember, "commune")
	web := e.anon()
	token := web.pageCSRF("/login")
	_, _, resp := web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {pw}})
	first := sessionCookieOf(t, resp)
	if !first.HttpOnly || !first.Secure || first.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie attributes: %+v", first)
	}
	if len(first.Value) < 40 {
		t.Fatalf("session id too short: %d chars", len(first.Value))
	}
	// Logging in again replaces the session: the old id no longer works.
	token = web.pageCSRF("/account")
	_, _, resp = web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {pw}})
	second := sessionCookieOf(t, resp)
	if second.Value == first.Value {
		t.Fatal("session id not renewed at login")
	}
	if _, _, err := e.svc.SessionMember(context.Background(), first.Value); err == nil {
		t.Fatal("old session still valid")
	}
}

func sessionCookieOf(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "cf_session" && c.Value != "" {
			return c
		}
	}
	t.Fatal("no session cookie set")
	return nil
}

func TestAdminThemes(t *testing.T) {
	e := newEnv(t)
	admin, apw := e.member(forum.RoleAdmin, "region")
	member, mpw := e.member(forum.RoleMember, "commune")
	web := e.anon()
	token := web.pageCSRF("/login")
	web.post("/login", url.Values{"csrf_token": {token}, "email": {member.Email}, "password": {mpw}})
	if status, _, _ := web.get("/admin/themes"); status != 403 {
		t.Fatalf("member on admin page: %d", status)
	}
	if status, _ := e.login(member, mpw).api("POST", "/api/v1/themes", map[string]any{"slug": "x", "name_fr": "X"}); status != 403 {
		t.Fatalf("member adding theme via API: %d", status)
	}
	web = e.anon()
	token = web.pageCSRF("/login")
	web.post("/login", url.Values{"csrf_token": {token}, "email": {admin.Email}, "password": {apw}})
	token = web.pageCSRF("/admin/themes")
	if status, _, _ := web.post("/admin/themes", url.Values{"csrf_token": {token}, "slug": {"cybersecurite"}, "name_fr": {"Cybersécurité"}, "moderation": {"all"}}); status != http.StatusSeeOther {
		t.Fatalf("add theme: %d", status)
	}
	if status, body, _ := web.post("/admin/themes", url.Values{"csrf_token": {token}, "slug": {"Pas Bon!"}, "name_fr": {"X"}}); status != 422 || !strings.Contains(body, "identifiant") {
		t.Fatalf("bad slug: %d", status)
	}
	web.post("/admin/themes/cybersecurite", url.Values{"csrf_token": {token}, "name_fr": {"Cybersécurité et résilience"}, "moderation": {"all"}})
	web.post("/admin/themes/cybersecurite/move", url.Values{"csrf_token": {token}, "direction": {"up"}})
	web.post("/admin/themes/reseaux/archive", url.Values{"csrf_token": {token}, "archived": {"true"}})
	_, out := e.anon().api("GET", "/api/v1/themes", nil)
	var slugs []string
	for _, th := range out["themes"].([]any) {
		slugs = append(slugs, th.(map[string]any)["slug"].(string))
	}
	want := "portails,centres-appel-citoyens,sig,etat-civil-elections,cybersecurite,achats-marches"
	if strings.Join(slugs, ",") != want {
		t.Fatalf("themes = %v, want %s", slugs, want)
	}
	th, _ := e.svc.Theme(context.Background(), "cybersecurite")
	if th.NameFR != "Cybersécurité et résilience" || th.Moderation != "all" {
		t.Fatalf("theme = %+v", th)
	}
	// An archived theme takes no new threads.
	if status, out := e.login(member, mpw).api("POST", "/api/v1/threads", map[string]any{"theme": "reseaux", "title": "Un titre correct", "body": "x"}); status != 400 || errCode(out) != "theme_unknown" {
		t.Fatalf("thread in archived theme: %d %v", status, out)
	}
}
