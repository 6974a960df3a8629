package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/internal/testclock"
	"coterforum/mail/mailtest"
	"coterforum/moderation"
	"coterforum/privacy"
	"coterforum/server"
	"coterforum/store/storetest"
)

// newEnvClock is newEnv with the forum's clock (sessions, tokens and login
// limits) given by clk, mail sent to a real in-process SMTP server.
func newEnvClock(t *testing.T, clk *testclock.Clock, opts ...envOption) (*env, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	dir := t.TempDir()
	withSMTP := func(c *serverConfig) { c.Mail = smtp.Sender(t) }
	return newEnvAtClock(t, dir, storetest.NewAt(t, dir), clk.Now, append([]envOption{withSMTP}, opts...)...), smtp
}

var resetLink = regexp.MustCompile(`https?://\S+/password/reset\?token=([A-Za-z0-9_-]+)`)
var emailLink = regexp.MustCompile(`https?://\S+/account/email/confirm\?token=([A-Za-z0-9_-]+)`)

// mailsFor returns the messages received for an address.
func mailsFor(smtp *mailtest.Server, addr string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range smtp.Messages() {
		if slices.Contains(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

// waitMail waits for the n-th mail (1-based) to an address and returns it.
func waitMail(t *testing.T, smtp *mailtest.Server, addr string, n int) mailtest.Received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ms := mailsFor(smtp, addr); len(ms) >= n {
			return ms[n-1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no mail #%d to %s", n, addr)
	return mailtest.Received{}
}

// tokenIn returns the token of the link re finds in a mail.
func tokenIn(t *testing.T, re *regexp.Regexp, m mailtest.Received) string {
	t.Helper()
	sub := re.FindStringSubmatch(m.Text)
	if sub == nil {
		t.Fatalf("no link in the mail:\n%s", m.Text)
	}
	return sub[1]
}

// forgot asks for a reset link with the API.
func forgot(t *testing.T, e *env, email string) {
	t.Helper()
	if status, out := e.anon().api("POST", "/api/v1/password/forgot", map[string]any{"email": email}); status != http.StatusAccepted {
		t.Fatalf("forgot %s: %d %v", email, status, out)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestPasswordForgotSameAnswer: the page and the API answer a known and an
// unknown address the same, in status, headers and body, and in time
// (medians of many requests less than 50 ms apart); only the known address
// gets a mail, in its member's language, with a link valid 1 hour.
func TestPasswordForgotSameAnswer(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e, smtp := newEnvClock(t, clk, func(c *serverConfig) {
		c.LoginLimits = server.LoginLimits{PerPair: 1000, PerClient: 1000, PerAccount: 1000}
	})
	m, _ := e.member(forum.RoleMember, "commune")
	en, _ := e.member(forum.RoleModerator, "region")
	if err := e.svc.SetLanguage(context.Background(), en, "en"); err != nil {
		t.Fatal(err)
	}
	unknown := "personne@example.org"

	// The login page links to the form.
	if _, page, _ := e.anon().get("/login"); !strings.Contains(page, `href="/password/forgot"`) || !strings.Contains(page, "Mot de passe oublié") {
		t.Fatal("no « Mot de passe oublié ? » link on /login")
	}
	web := e.anon()
	if status, page, _ := web.get("/password/forgot"); status != 200 || !strings.Contains(page, `action="/password/forgot"`) {
		t.Fatalf("forgot page: %d", status)
	}

	type answer struct {
		status   int
		location string
		body     string
	}
	post := func(email string) (answer, time.Duration) {
		start := time.Now()
		status, body, resp := e.anon().post("/password/forgot", url.Values{"email": {email}})
		return answer{status, resp.Header.Get("Location"), body}, time.Since(start)
	}
	api := func(email string) (answer, time.Duration) {
		start := time.Now()
		status, out := e.anon().api("POST", "/api/v1/password/forgot", map[string]any{"email": email})
		return answer{status: status, body: errCode(out)}, time.Since(start)
	}
	const rounds = 25
	var known, other []time.Duration
	for i := range rounds {
		for _, send := range []func(string) (answer, time.Duration){post, api} {
			a, d1 := send(m.Email)
			b, d2 := send(unknown)
			if a != b {
				t.Fatalf("round %d: known address answered %+v, unknown %+v", i, a, b)
			}
			if a.status != http.StatusSeeOther && a.status != http.StatusAccepted {
				t.Fatalf("round %d: answer %+v", i, a)
			}
			known, other = append(known, d1), append(other, d2)
		}
	}
	mk, mu := median(known), median(other)
	diff := mk - mu
	if diff < 0 {
		diff = -diff
	}
	t.Logf("median answer time: known address %v, unknown %v (%d requests each)", mk, mu, len(known))
	if diff >= 50*time.Millisecond {
		t.Fatalf("median answer times differ by %v (known %v, unknown %v): want < 50 ms", diff, mk, mu)
	}
	if status, page, _ := web.get("/password/forgot?sent=1"); status != 200 || !strings.Contains(page, "Si un compte actif utilise cette adresse") {
		t.Fatalf("sent page: %d", status)
	}
	// A malformed address is refused (4xx) whatever it is.
	if status, out := e.anon().api("POST", "/api/v1/password/forgot", map[string]any{"email": "pas une adresse"}); status != 400 || errCode(out) != "email_invalid" {
		t.Fatalf("malformed address: %d %v", status, out)
	}
	if status, _, _ := e.anon().post("/password/forgot", url.Values{"email": {"pas une adresse"}}); status != http.StatusUnprocessableEntity {
		t.Fatalf("malformed address in the form: %d", status)
	}

	// Mail: one per request to the known address, none to the unknown one.
	srvWait(e)
	if n := len(mailsFor(smtp, m.Email)); n != 2*rounds {
		t.Fatalf("%d mails to the member, want %d", n, 2*rounds)
	}
	if n := len(mailsFor(smtp, unknown)); n != 0 {
		t.Fatalf("%d mails to an unknown address", n)
	}
	fr := mailsFor(smtp, m.Email)[0]
	mailtest.CheckLanguage(t, "French reset mail", fr, "fr", []string{"Bonjour,", "valable 1 heure, utilisable une seule fois", e.ts.URL + "/password/reset?token="},
		[]string{"Hello", "open this link"})
	forgot(t, e, en.Email)
	enMail := waitMail(t, smtp, en.Email, 1)
	mailtest.CheckLanguage(t, "English reset mail", enMail, "en", []string{"Hello,", "coterforum — new password", "valid for 1 hour, usable once", e.ts.URL + "/password/reset?token="},
		[]string{"Bonjour", "ouvrez"})
	// Only the hash is stored: the token of the link is no id in the store.
	tok := tokenIn(t, resetLink, fr)
	ts := e.st.(forum.AccountTokenStore)
	if _, err := ts.AccountTokenByID(context.Background(), tok); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("the token itself is stored: %v", err)
	}
	if at, err := ts.AccountTokenByID(context.Background(), forum.HashToken(tok)); err != nil || !at.ExpiresAt.Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("stored hash: %+v %v", at, err)
	}
}

// srvWait waits for the mails the server sends after answering.
func srvWait(e *env) { e.srv.WaitBackground(context.Background()) }

// TestPasswordReset: a link sets a new password once; every session of the
// member ends, in other browsers too; the member's other links stop
// working; the password rules apply; the old password stops working.
func TestPasswordReset(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e, smtp := newEnvClock(t, clk)
	m, pw := e.member(forum.RoleMember, "commune")
	apiSession := e.login(m, pw)
	browser := e.anon()
	browser.post("/login", url.Values{"email": {m.Email}, "password": {pw}})
	if status, _, _ := browser.get("/account"); status != 200 {
		t.Fatalf("browser not logged in: %d", status)
	}

	forgot(t, e, m.Email)
	forgot(t, e, m.Email)
	first := tokenIn(t, resetLink, waitMail(t, smtp, m.Email, 1))
	second := tokenIn(t, resetLink, waitMail(t, smtp, m.Email, 2))

	web := e.anon()
	status, page, _ := web.get("/password/reset?token=" + first)
	if status != 200 || !strings.Contains(page, `name="token" value="`+first+`"`) || !strings.Contains(page, `autocomplete="new-password"`) {
		t.Fatalf("reset page: %d", status)
	}
	// The same rules as elsewhere: too short is a form error, and the link still works.
	if status, page, _ := web.post("/password/reset", url.Values{"token": {first}, "password": {"court"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `id="password-error"`) {
		t.Fatalf("short password: %d", status)
	}
	status, _, resp := web.post("/password/reset", url.Values{"token": {first}, "password": {"un-nouveau-mot-de-passe"}})
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/login?notice=password-reset" {
		t.Fatalf("reset: %d %s", status, resp.Header.Get("Location"))
	}
	if _, page, _ := web.get("/login?notice=password-reset"); !strings.Contains(page, "Votre mot de passe est changé") {
		t.Fatal("no confirmation on the login page")
	}
	// Every session ended.
	if status, _ := apiSession.api("GET", "/api/v1/session", nil); status != http.StatusUnauthorized {
		t.Fatalf("API session after the reset: %d", status)
	}
	if status, _, _ := browser.get("/account"); status != http.StatusSeeOther {
		t.Fatalf("other browser after the reset: %d", status)
	}
	// Single use, and the other link is dead too.
	for name, tok := range map[string]string{"used": first, "other outstanding": second} {
		if status, page, _ := e.anon().get("/password/reset?token=" + tok); status != 400 || !strings.Contains(page, "lien n&#39;est plus valable") {
			t.Fatalf("%s link: %d", name, status)
		}
		if status, out := e.anon().api("POST", "/api/v1/password/reset", map[string]any{"token": tok, "password": "encore-un-autre-mot"}); status != 400 || errCode(out) != "token_invalid" {
			t.Fatalf("%s link through the API: %d %v", name, status, out)
		}
	}
	if status, _ := e.anon().api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw}); status != http.StatusUnauthorized {
		t.Fatalf("old password: %d", status)
	}
	e.login(m, "un-nouveau-mot-de-passe")

	// The API: 204 and every session ends.
	s2 := e.login(m, "un-nouveau-mot-de-passe")
	forgot(t, e, m.Email)
	third := tokenIn(t, resetLink, waitMail(t, smtp, m.Email, 3))
	if status, out := e.anon().api("POST", "/api/v1/password/reset", map[string]any{"token": third, "password": "court"}); status != 400 || errCode(out) != "password_too_short" {
		t.Fatalf("API short password: %d %v", status, out)
	}
	// With a session cookie and no CSRF header, like the login.
	if status, out := s2.apiNoCSRF("POST", "/api/v1/password/reset", map[string]any{"token": third, "password": "le-troisieme-mot-de-passe"}); status != http.StatusNoContent {
		t.Fatalf("API reset: %d %v", status, out)
	}
	if status, _ := s2.api("GET", "/api/v1/session", nil); status != http.StatusUnauthorized {
		t.Fatalf("session after the API reset: %d", status)
	}
	e.login(m, "le-troisieme-mot-de-passe")
}

// apiNoCSRF sends an API request without the session's CSRF header.
func (c *client) apiNoCSRF(method, path string, body any) (int, map[string]any) {
	csrf := c.csrf
	c.csrf = ""
	defer func() { c.csrf = csrf }()
	return c.api(method, path, body)
}

// TestPasswordResetRefusedLinks: a forged, altered, expired or overlong
// token, or one of a suspended or deleted member, gets a clear 400 (page in
// French and English, JSON error), never a 5xx; expired tokens are pruned
// and an account's tokens go with it.
func TestPasswordResetRefusedLinks(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e, smtp := newEnvClock(t, clk)
	m, _ := e.member(forum.RoleMember, "commune")
	forgot(t, e, m.Email)
	tok := tokenIn(t, resetLink, waitMail(t, smtp, m.Email, 1))
	last := "A"
	if tok[len(tok)-1] == 'A' {
		last = "B"
	}
	altered := tok[:len(tok)-1] + last
	bad := map[string]string{
		"forged":   "dGhpcyBpcyBub3QgYSB0b2tlbiBvZiB0aGUgZm9ydW0",
		"altered":  altered,
		"empty":    "",
		"overlong": strings.Repeat("A", 5000),
		"garbage":  "%00<script>",
	}
	check := func(name, token string) {
		t.Helper()
		status, page, _ := e.anon().get("/password/reset?token=" + url.QueryEscape(token))
		if status != 400 || !strings.Contains(page, "lien n&#39;est plus valable") || !strings.Contains(page, `href="/password/forgot"`) {
			t.Fatalf("%s token, page: %d", name, status)
		}
		en := e.anon()
		en.setLanguage("en")
		if status, page, _ := en.get("/password/reset?token=" + url.QueryEscape(token)); status != 400 || !strings.Contains(page, "This link no longer works") {
			t.Fatalf("%s token, English page: %d", name, status)
		}
		if status, page, _ := e.anon().post("/password/reset", url.Values{"token": {token}, "password": {"un-mot-de-passe-neuf"}}); status != 400 || !strings.Contains(page, "lien n&#39;est plus valable") {
			t.Fatalf("%s token, form: %d", name, status)
		}
		status, out := e.anon().api("POST", "/api/v1/password/reset", map[string]any{"token": token, "password": "un-mot-de-passe-neuf"})
		if status != 400 || errCode(out) != "token_invalid" || !strings.Contains(errMessage(out), "plus valable") {
			t.Fatalf("%s token, API: %d %v", name, status, out)
		}
	}
	for name, token := range bad {
		check(name, token)
	}
	// Still valid just before the hour, refused at the hour.
	clk.Advance(time.Hour - time.Second)
	if status, _, _ := e.anon().get("/password/reset?token=" + tok); status != 200 {
		t.Fatalf("link after 59 min 59 s: %d", status)
	}
	clk.Advance(time.Second)
	check("expired", tok)
	if n, err := e.svc.SweepAccountTokens(context.Background()); err != nil || n != 1 {
		t.Fatalf("pruned %d tokens (%v), want 1", n, err)
	}

	// A suspended member gets no link, and an earlier one stops working.
	forgot(t, e, m.Email)
	tok = tokenIn(t, resetLink, waitMail(t, smtp, m.Email, 2))
	suspended := forum.MemberSuspended
	if err := e.st.UpdateMember(context.Background(), m.ID, moderation.MemberChange{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	e.svc.Invalidate(context.Background(), forum.MemberKey(m.ID))
	check("suspended member's", tok)
	forgot(t, e, m.Email)
	srvWait(e)
	if n := len(mailsFor(smtp, m.Email)); n != 2 {
		t.Fatalf("a suspended member got a reset mail (%d mails)", n)
	}

	// A deleted account's tokens are deleted with it.
	d, dpw := e.member(forum.RoleMember, "region")
	forgot(t, e, d.Email)
	dtok := tokenIn(t, resetLink, waitMail(t, smtp, d.Email, 1))
	if err := e.srv.Privacy().DeleteAccount(context.Background(), d, privacy.DeleteInput{Password: dpw, Posts: forum.DeletePostsAnonymise}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.(forum.AccountTokenStore).AccountTokenByID(context.Background(), forum.HashToken(dtok)); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("a deleted account's reset token is kept: %v", err)
	}
	check("deleted member's", dtok)
}

// TestPasswordForgotSharesLoginLimiter: forgotten-password requests count
// against the login limits of the address and of the client.
func TestPasswordForgotSharesLoginLimiter(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e, _ := newEnvClock(t, clk, func(c *serverConfig) { c.LoginLimits = server.LoginLimits{PerPair: 3, PerClient: 100} })
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.anon()
	// Two failed logins and one request: the pair's budget of 3 is spent.
	for range 2 {
		if status, _ := c.api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": "faux-mot-de-passe"}); status != 401 {
			t.Fatalf("failed login: %d", status)
		}
	}
	if status, _ := c.api("POST", "/api/v1/password/forgot", map[string]any{"email": m.Email}); status != 202 {
		t.Fatalf("forgot: %d", status)
	}
	if status, _ := c.api("POST", "/api/v1/password/forgot", map[string]any{"email": m.Email}); status != 429 {
		t.Fatalf("forgot past the login budget: %d", status)
	}
	if status, _, resp := c.post("/password/forgot", url.Values{"email": {m.Email}}); status != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("forgot form past the login budget: %d", status)
	}
	if status, _ := c.api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw}); status != 429 {
		t.Fatalf("login past the budget: %d", status)
	}
	// And the other way round: requests spend the login budget, for a
	// known address and an unknown one alike.
	for _, addr := range []string{"inconnu@example.org", m.Email} {
		clk.Advance(time.Hour) // the pair's budget is full again
		c := e.anon()
		for range 3 {
			if status, _ := c.api("POST", "/api/v1/password/forgot", map[string]any{"email": addr}); status != 202 {
				t.Fatalf("forgot %s: %d", addr, status)
			}
		}
		if status, _ := c.api("POST", "/api/v1/session", map[string]any{"email": addr, "password": pw}); status != 429 {
			t.Fatalf("login for %s after 3 requests: %d", addr, status)
		}
	}
	clk.Advance(time.Hour)
	e.login(m, pw)
}

// TestEmailChange: the current password is required; the link goes to the
// new address; the address changes only when it is followed, once; the old
// address is told; an address of another account is refused.
func TestEmailChange(t *testing.T) {
	clk := testclock.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	e, smtp := newEnvClock(t, clk)
	m, pw := e.member(forum.RoleMember, "commune")
	other, _ := e.member(forum.RoleMember, "region")
	oldEmail := m.Email
	web := e.anon()
	web.post("/login", url.Values{"email": {m.Email}, "password": {pw}})
	if _, page, _ := web.get("/account"); !strings.Contains(page, `action="/account/email"`) {
		t.Fatal("no email change form on /account")
	}
	newEmail := "nouvelle.adresse@example.org"
	if status, out := e.login(m, pw).api("POST", "/api/v1/subscriptions", map[string]any{"theme": "sig", "frequency": "daily"}); status != 201 {
		t.Fatalf("subscribe: %d %v", status, out)
	}

	// Wrong password: a form error, nothing sent, nothing stored.
	status, page, _ := web.post("/account/email", url.Values{"email": {newEmail}, "current_password": {"pas-le-bon-mot"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, `id="email_current_password-error"`) {
		t.Fatalf("wrong password: %d", status)
	}
	// Another account's address: a clear error that says no more.
	status, page, _ = web.post("/account/email", url.Values{"email": {other.Email}, "current_password": {pw}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Cette adresse ne peut pas être utilisée") {
		t.Fatalf("taken address: %d", status)
	}
	if status, _, _ := web.post("/account/email", url.Values{"email": {"pas une adresse"}, "current_password": {pw}}); status != http.StatusUnprocessableEntity {
		t.Fatalf("malformed address: %d", status)
	}
	srvWait(e)
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("%d mails sent by refused changes", n)
	}

	status, _, resp := web.post("/account/email", url.Values{"email": {newEmail}, "current_password": {pw}})
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/account?notice=email-sent" {
		t.Fatalf("change: %d %s", status, resp.Header.Get("Location"))
	}
	confirm := waitMail(t, smtp, newEmail, 1)
	mailtest.CheckLanguage(t, "confirmation mail", confirm, "fr", []string{"coterforum — confirmez votre nouvelle adresse", newEmail, "heures, utilisable une seule fois"}, []string{"Hello"})
	tok := tokenIn(t, emailLink, confirm)
	if len(mailsFor(smtp, oldEmail)) != 0 {
		t.Fatal("the old address was told before the change")
	}
	// Nothing changed yet: the old address still logs in.
	if got, _ := e.svc.Member(context.Background(), m.ID); got.Email != oldEmail {
		t.Fatalf("address changed before the link was followed: %s", got.Email)
	}
	// The link shows what it confirms; opening it changes nothing.
	status, page, _ = e.anon().get("/account/email/confirm?token=" + tok)
	if status != 200 || !strings.Contains(page, newEmail) || !strings.Contains(page, `action="/account/email/confirm"`) {
		t.Fatalf("confirm page: %d", status)
	}
	e.login(m, pw)
	// Followed from another browser, without a session.
	status, _, resp = e.anon().post("/account/email/confirm", url.Values{"token": {tok}})
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/login?notice=email-changed" {
		t.Fatalf("confirm: %d %s", status, resp.Header.Get("Location"))
	}
	if got, _ := e.svc.Member(context.Background(), m.ID); got.Email != newEmail {
		t.Fatalf("address after confirmation: %s", got.Email)
	}
	// The member's digests follow.
	if sub, err := e.st.SubscriberByEmail(context.Background(), newEmail); err != nil || sub.MemberID != m.ID {
		t.Fatalf("subscriber at the new address: %+v %v", sub, err)
	}
	notice := waitMail(t, smtp, oldEmail, 1)
	mailtest.CheckLanguage(t, "notice to the old address", notice, "fr", []string{"coterforum — votre adresse a été changée", newEmail, "contactez sans attendre un administrateur"}, []string{"Hello"})
	m.Email = newEmail
	e.login(m, pw)
	if status, _ := e.anon().api("POST", "/api/v1/session", map[string]any{"email": oldEmail, "password": pw}); status != http.StatusUnauthorized {
		t.Fatalf("old address still logs in: %d", status)
	}
	// Single use.
	if status, page, _ := e.anon().post("/account/email/confirm", url.Values{"token": {tok}}); status != 400 || !strings.Contains(page, "lien n&#39;est plus valable") {
		t.Fatalf("second use: %d", status)
	}

	// A link expires after 24 hours, and one for an address taken meanwhile is refused.
	web.post("/login", url.Values{"email": {newEmail}, "password": {pw}})
	web.post("/account/email", url.Values{"email": {"troisieme@example.org"}, "current_password": {pw}})
	late := tokenIn(t, emailLink, waitMail(t, smtp, "troisieme@example.org", 1))
	clk.Advance(24 * time.Hour)
	if status, _, _ := e.anon().get("/account/email/confirm?token=" + late); status != 400 {
		t.Fatalf("expired email link: %d", status)
	}
	web = e.anon()
	web.post("/login", url.Values{"email": {newEmail}, "password": {pw}})
	web.post("/account/email", url.Values{"email": {"quatrieme@example.org"}, "current_password": {pw}})
	taken := tokenIn(t, emailLink, waitMail(t, smtp, "quatrieme@example.org", 1))
	if _, err := e.svc.CreateMember(context.Background(), forum.NewMember{Email: "quatrieme@example.org", DisplayName: "Dominique", Authority: "Ville",
		AuthorityType: "commune", Password: "mot-de-passe-solide"}); err != nil {
		t.Fatal(err)
	}
	if status, page, _ := e.anon().post("/account/email/confirm", url.Values{"token": {taken}}); status != 400 || !strings.Contains(page, "Cette adresse ne peut pas être utilisée") {
		t.Fatalf("confirming an address taken meanwhile: %d", status)
	}
	if got, _ := e.svc.Member(context.Background(), m.ID); got.Email != newEmail {
		t.Fatalf("address after a refused confirmation: %s", got.Email)
	}
}

// TestNewPasswordCancelsPendingEmailChange: whoever knew the old password
// and asked to move the account to their address loses that link when the
// member resets or changes the password.
func TestNewPasswordCancelsPendingEmailChange(t *testing.T) {
	e, smtp := newEnvClock(t, testclock.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)))
	m, pw := e.member(forum.RoleMember, "commune")
	intruder := e.anon()
	intruder.post("/login", url.Values{"email": {m.Email}, "password": {pw}})

	// Cancelled by a reset.
	intruder.post("/account/email", url.Values{"email": {"intrus@example.org"}, "current_password": {pw}})
	stolen := tokenIn(t, emailLink, waitMail(t, smtp, "intrus@example.org", 1))
	forgot(t, e, m.Email)
	reset := tokenIn(t, resetLink, waitMail(t, smtp, m.Email, 1))
	if status, _, _ := e.anon().post("/password/reset", url.Values{"token": {reset}, "password": {"un-nouveau-mot-de-passe"}}); status != http.StatusSeeOther {
		t.Fatalf("reset: %d", status)
	}
	if status, _, _ := e.anon().post("/account/email/confirm", url.Values{"token": {stolen}}); status != http.StatusBadRequest {
		t.Fatalf("email change after a reset: %d, want 400", status)
	}

	// Cancelled by a change of password on /account.
	pw = "un-nouveau-mot-de-passe"
	intruder = e.anon()
	intruder.post("/login", url.Values{"email": {m.Email}, "password": {pw}})
	intruder.post("/account/email", url.Values{"email": {"intrus@example.org"}, "current_password": {pw}})
	stolen = tokenIn(t, emailLink, waitMail(t, smtp, "intrus@example.org", 2))
	owner := e.anon()
	owner.post("/login", url.Values{"email": {m.Email}, "password": {pw}})
	if status, _, _ := owner.post("/account/password", url.Values{"current_password": {pw}, "new_password": {"encore-un-autre-mot"}}); status != http.StatusSeeOther {
		t.Fatalf("password change: %d", status)
	}
	if status, _, _ := e.anon().post("/account/email/confirm", url.Values{"token": {stolen}}); status != http.StatusBadRequest {
		t.Fatalf("email change after a password change: %d, want 400", status)
	}
	if got, _ := e.svc.Member(context.Background(), m.ID); got.Email != m.Email {
		t.Fatalf("the address moved to %s", got.Email)
	}
}
