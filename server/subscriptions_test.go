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

func TestSubscriptionsAPIAndPages(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	id, _ := c.createThread("reseaux", []string{"region"}, "Fibre entre les sites", "Retour d'expérience.")

	// A member subscribes: 201, listed on "Mes abonnements".
	status, out := c.api("POST", "/api/v1/subscriptions", map[string]any{"theme": "reseaux", "authority_type": "departement", "frequency": "daily"})
	if status != 201 || out["subscription"] == nil || out["subscription"].(map[string]any)["label"] != "Réseaux × Départements" {
		t.Fatalf("member subscribe: %d %v", status, out)
	}
	if status, out := c.api("POST", "/api/v1/subscriptions", map[string]any{"thread": id, "frequency": "immediate"}); status != 201 {
		t.Fatalf("thread subscribe: %d %v", status, out)
	}
	for _, bad := range []map[string]any{
		{"theme": "inconnu", "frequency": "daily"},
		{"theme": "sig", "frequency": "hourly"},
		{"frequency": "daily"},
	} {
		if status, out := c.api("POST", "/api/v1/subscriptions", bad); status != 400 || errMessage(out) == "" {
			t.Fatalf("bad subscription %v: %d %v", bad, status, out)
		}
	}
	if status, _ := c.api("POST", "/api/v1/subscriptions", `{"theme": {"$ne": null}, "frequency": "daily"}`); status != 400 {
		t.Fatalf("operator injection: %d", status)
	}
	status, out = c.api("GET", "/api/v1/subscriptions", nil)
	if status != 200 || len(out["subscriptions"].([]any)) != 2 {
		t.Fatalf("list: %d %v", status, out)
	}
	web := e.anon()
	token := web.pageCSRF("/login")
	web.post("/login", url.Values{"csrf_token": {token}, "email": {m.Email}, "password": {pw}})
	_, page, _ := web.get("/subscriptions")
	if !strings.Contains(page, "Réseaux × Départements") || !strings.Contains(page, "Fibre entre les sites") {
		t.Fatal("subscriptions page does not list the subscriptions")
	}
	if len(smtp.Messages()) != 0 {
		t.Fatal("a member got a confirmation mail")
	}

	// A reader without an account: 202, one confirmation mail, nothing else.
	anon := e.anon()
	status, out = anon.api("POST", "/api/v1/subscriptions", map[string]any{"email": "Lecteur@Example.org", "theme": "sig", "frequency": "weekly"})
	if status != 202 {
		t.Fatalf("reader subscribe: %d %v", status, out)
	}
	msgs := smtp.WaitFor(t, 1, 10*time.Second)
	link := regexp.MustCompile(`https?://\S+/subscriptions/confirm\?token=[\w.-]+`).FindString(msgs[0].Text)
	if msgs[0].To[0] != "lecteur@example.org" || !strings.HasPrefix(link, e.ts.URL) {
		t.Fatalf("confirmation mail to %v with link %q:\n%s", msgs[0].To, link, msgs[0].Text)
	}
	path := strings.TrimPrefix(link, e.ts.URL)
	// The link opens a page; only its button confirms (mail scanners GET links).
	status, page, _ = anon.get(path)
	if status != 200 || !strings.Contains(page, "Confirmer mon abonnement") {
		t.Fatalf("confirm page: %d", status)
	}
	if status, _, _ := anon.get(path[:len(path)-1] + "x"); status != 404 {
		t.Fatalf("altered confirm link: %d", status)
	}
	status, _, resp := anon.post(path, url.Values{"csrf_token": {anon.pageCSRF(path)}})
	if status != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "/subscriptions/manage?token=") {
		t.Fatalf("confirm: %d %s", status, resp.Header.Get("Location"))
	}
	manage := resp.Header.Get("Location")
	_, page, _ = anon.get(manage)
	if !strings.Contains(page, "lecteur@example.org") || !strings.Contains(page, "SIG") {
		t.Fatal("manage page does not list the reader's subscription")
	}
	// Stop everything from the manage page.
	manageURL, _ := url.Parse(manage)
	status, _, _ = anon.post("/subscriptions/manage?token="+url.QueryEscape(manageURL.Query().Get("token")), url.Values{"csrf_token": {anon.pageCSRF(manage)}})
	if status != http.StatusSeeOther {
		t.Fatalf("unsubscribe all: %d", status)
	}
	_, page, _ = anon.get(manage)
	if !strings.Contains(page, "Aucun abonnement") {
		t.Fatal("subscriptions remain after stopping all")
	}
}

// TestDigestOneClickUnsubscribe: a digest carries RFC 8058 headers; the
// one-click POST stops the subscription, an altered token does nothing.
func TestDigestOneClickUnsubscribe(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	reader, rpw := e.member(forum.RoleMember, "region")
	author, apw := e.member(forum.RoleMember, "commune")
	rc := e.login(reader, rpw)
	if status, out := rc.api("POST", "/api/v1/subscriptions", map[string]any{"theme": "sig", "frequency": "daily"}); status != 201 {
		t.Fatalf("subscribe: %d %v", status, out)
	}
	time.Sleep(10 * time.Millisecond)
	e.login(author, apw).createThread("sig", nil, "QGIS en commune\r\nBcc: evil@example.org", "Retour d'expérience sur QGIS.")
	sent, err := e.digest.RunOnce(t.Context(), "daily", time.Now().Add(24*time.Hour))
	if err != nil || sent != 1 {
		t.Fatalf("RunOnce: %d %v", sent, err)
	}
	msgs := smtp.WaitFor(t, 1, 10*time.Second)
	d := msgs[0]
	if len(d.To) != 1 || d.To[0] != strings.ToLower(reader.Email) || d.Header.Get("Bcc") != "" {
		t.Fatalf("digest envelope %v, Bcc %q", d.To, d.Header.Get("Bcc"))
	}
	if !strings.Contains(d.Text, "QGIS en commune") || d.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("digest text or headers wrong: %q\n%v", d.Text, d.Header)
	}
	link := regexp.MustCompile(`<(https?://[^>]+/subscriptions/unsubscribe\?token=[^>]+)>`).FindStringSubmatch(d.Header.Get("List-Unsubscribe"))
	if link == nil || !strings.HasPrefix(link[1], e.ts.URL) {
		t.Fatalf("List-Unsubscribe = %q", d.Header.Get("List-Unsubscribe"))
	}
	oneClick := func(u string) int {
		resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := oneClick(link[1][:len(link[1])-2] + "AA"); status != 404 {
		t.Fatalf("altered token: %d", status)
	}
	if _, out := rc.api("GET", "/api/v1/subscriptions", nil); len(out["subscriptions"].([]any)) != 1 {
		t.Fatal("an altered token removed the subscription")
	}
	if status := oneClick(link[1]); status != 200 {
		t.Fatalf("one-click unsubscribe: %d", status)
	}
	if _, out := rc.api("GET", "/api/v1/subscriptions", nil); len(out["subscriptions"].([]any)) != 0 {
		t.Fatal("one-click did not unsubscribe")
	}
}
