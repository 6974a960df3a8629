package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/mail/mailtest"
)

var (
	englishInvite = []string{"Invitation to join coterforum", "Hello,", "Camille admin (Ville de Testville) invites you to join coterforum, the forum of IT directors of French local authorities.",
		"To create your account, open this link (valid for 7 days, usable once):\n", "If you were not expecting this invitation, ignore this message."}
	frenchInvite = []string{"Invitation à rejoindre coterforum", "Bonjour,", "vous invite à rejoindre coterforum",
		"Pour créer votre compte, ouvrez ce lien (valable 7 jours, utilisable une seule fois)\u00a0:\n", "ignorez ce message."}
	frenchInviteWords  = []string{"Bonjour", "vous invite", "rejoindre", "ouvrez", "ignorez"}
	englishInviteWords = []string{"Hello", "invites you", "Invitation to", "open this link"}
)

// setLanguage switches c's interface language with the page switcher.
func (c *client) setLanguage(lang string) {
	c.t.Helper()
	tok := c.pageCSRF("/")
	if status, _, _ := c.post("/language", url.Values{"csrf_token": {tok}, "lang": {lang}, "next": {"/"}}); status != http.StatusSeeOther {
		c.t.Fatalf("switch to %s: %d", lang, status)
	}
}

func TestInvitationMailLanguage(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	admin, apw := e.member(forum.RoleAdmin, "region")
	ac := e.login(admin, apw)

	// API: "lang" chooses; without it, the request's language (French here).
	if status, out := ac.api("POST", "/api/v1/invites", map[string]any{"email": "en@example.org", "lang": "en"}); status != 201 {
		t.Fatalf("invite in English: %d %v", status, out)
	}
	if status, out := ac.api("POST", "/api/v1/invites", map[string]any{"email": "fr@example.org"}); status != 201 {
		t.Fatalf("invite without lang: %d %v", status, out)
	}
	if status, out := ac.api("POST", "/api/v1/invites", map[string]any{"email": "de@example.org", "lang": "de"}); status != 400 || errCode(out) != "lang_invalid" {
		t.Fatalf("invite in German: %d %v", status, out)
	}
	msgs := smtp.WaitFor(t, 2, 10*time.Second)
	mailtest.CheckLanguage(t, "API invitation in English", msgs[0], "en", append(englishInvite, e.ts.URL+"/invite/"), frenchInviteWords)
	mailtest.CheckLanguage(t, "API invitation by default", msgs[1], "fr", frenchInvite, englishInviteWords)

	// The page: a select whose default is the admin's page language.
	web := e.anon()
	tok := web.pageCSRF("/login")
	web.post("/login", url.Values{"csrf_token": {tok}, "email": {admin.Email}, "password": {apw}})
	_, page, _ := web.get("/admin/invites")
	if !strings.Contains(page, `<select id="lang" name="lang">`) || !strings.Contains(page, `<option value="fr" lang="fr" selected>Français</option>`) ||
		!strings.Contains(page, `<option value="en" lang="en">English</option>`) {
		t.Fatalf("the invitation form has no language select defaulting to French:\n%s", page)
	}
	tok = web.pageCSRF("/admin/invites")
	if status, _, _ := web.post("/admin/invites", url.Values{"csrf_token": {tok}, "email": {"form-en@example.org"}, "role": {"member"}, "lang": {"en"}}); status != http.StatusSeeOther {
		t.Fatalf("form invite: %d", status)
	}
	if status, body, _ := web.post("/admin/invites", url.Values{"csrf_token": {tok}, "email": {"form-xx@example.org"}, "role": {"member"}, "lang": {"xx"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="lang-error"`) {
		t.Fatalf("form invite in an unknown language: %d", status)
	}
	web.setLanguage("en")
	_, page, _ = web.get("/admin/invites")
	if !strings.Contains(page, `<option value="en" lang="en" selected>English</option>`) || !strings.Contains(page, "Language of the invitation email") {
		t.Fatal("an English admin's form does not default to English")
	}
	tok = web.pageCSRF("/admin/invites")
	if status, _, _ := web.post("/admin/invites", url.Values{"csrf_token": {tok}, "email": {"form-default@example.org"}, "role": {"member"}}); status != http.StatusSeeOther {
		t.Fatalf("form invite without lang: %d", status)
	}
	if status, _, _ := web.post("/admin/invites", url.Values{"csrf_token": {tok}, "email": {"form-fr@example.org"}, "role": {"member"}, "lang": {"fr"}}); status != http.StatusSeeOther {
		t.Fatalf("form invite in French: %d", status)
	}
	msgs = smtp.WaitFor(t, 5, 10*time.Second)
	byTo := map[string]mailtest.Received{}
	for _, m := range msgs {
		byTo[m.To[0]] = m
	}
	mailtest.CheckLanguage(t, "form invitation in English", byTo["form-en@example.org"], "en", englishInvite, frenchInviteWords)
	mailtest.CheckLanguage(t, "form invitation, English admin", byTo["form-default@example.org"], "en", englishInvite, frenchInviteWords)
	mailtest.CheckLanguage(t, "form invitation in French from an English admin", byTo["form-fr@example.org"], "fr", frenchInvite, englishInviteWords)
	if _, ok := byTo["form-xx@example.org"]; ok {
		t.Error("an invitation in an unknown language was sent")
	}
}

func TestSubscriptionLanguageFromRequest(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })

	// A reader on English pages (API, language cookie): English confirmation.
	en := e.anon()
	en.setLanguage("en")
	if status, out := en.api("POST", "/api/v1/subscriptions", map[string]any{"email": "reader@example.org", "theme": "sig", "frequency": "weekly"}); status != 202 {
		t.Fatalf("reader subscribe: %d %v", status, out)
	}
	// A reader on French pages (the form, no preference): French.
	fr := e.anon()
	tok := fr.pageCSRF("/subscriptions")
	if status, _, _ := fr.post("/subscriptions", url.Values{"csrf_token": {tok}, "email": {"lecteur@example.org"}, "theme": {"sig"}, "frequency": {"weekly"}}); status != http.StatusSeeOther {
		t.Fatalf("form subscribe: %d", status)
	}
	msgs := smtp.WaitFor(t, 2, 10*time.Second)
	mailtest.CheckLanguage(t, "English confirmation", msgs[0], "en", []string{"coterforum — confirm your subscription", "  - Theme “GIS” (weekly)", "To confirm, open this link"},
		[]string{"Bonjour", "confirmez", "hebdomadaire", "Thème"})
	mailtest.CheckLanguage(t, "French confirmation", msgs[1], "fr", []string{"coterforum — confirmez votre abonnement", "  - Thème «\u00a0SIG\u00a0» (hebdomadaire)"},
		[]string{"Hello", "confirm your", "weekly"})
	if sub, err := e.st.SubscriberByEmail(t.Context(), "reader@example.org"); err != nil || sub.Lang != "en" {
		t.Fatalf("reader's subscriber: %+v %v", sub, err)
	}

	// A member's mail follows the member's switch of language.
	m, pw := e.member(forum.RoleMember, "commune")
	mc := e.login(m, pw)
	if status, out := mc.api("POST", "/api/v1/subscriptions", map[string]any{"theme": "reseaux", "frequency": "daily"}); status != 201 {
		t.Fatalf("member subscribe: %d %v", status, out)
	}
	web := e.anon()
	tok = web.pageCSRF("/login")
	web.post("/login", url.Values{"csrf_token": {tok}, "email": {m.Email}, "password": {pw}})
	for _, lang := range []string{"en", "fr", "en"} {
		web.setLanguage(lang)
		if sub, err := e.st.SubscriberByEmail(t.Context(), strings.ToLower(m.Email)); err != nil || sub.Lang != lang {
			t.Fatalf("after switching to %s: %+v %v", lang, sub, err)
		}
	}
	// The member's subscriptions are labelled in the member's language.
	if status, out := mc.api("GET", "/api/v1/subscriptions", nil); status != 200 ||
		out["subscriptions"].([]any)[0].(map[string]any)["label"] != "Theme “Networks”" {
		t.Fatalf("English member's subscriptions: %d %v", status, out)
	}
	// The profile form too (its language field: "" is French).
	tok = web.pageCSRF("/account")
	if status, _, _ := web.post("/account/profile", url.Values{"csrf_token": {tok}, "display_name": {m.DisplayName}, "authority": {m.Authority},
		"authority_type": {m.AuthorityType}, "lang": {""}}); status != http.StatusSeeOther {
		t.Fatalf("profile: %d", status)
	}
	if sub, _ := e.st.SubscriberByEmail(t.Context(), strings.ToLower(m.Email)); sub.Lang != "fr" {
		t.Fatalf("after the profile form chose French: %q", sub.Lang)
	}
	if _, out := mc.api("GET", "/api/v1/subscriptions", nil); out["subscriptions"].([]any)[0].(map[string]any)["label"] != "Thème «\u00a0Réseaux\u00a0»" {
		t.Fatalf("French member's subscriptions: %v", out)
	}
}
