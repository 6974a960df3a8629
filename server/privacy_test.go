package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/mail"
	"coterforum/mail/mailtest"
)

// mailsTo counts the messages the SMTP server received for addr.
func mailsTo(smtp *mailtest.Server, addr string) int {
	n := 0
	for _, m := range smtp.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				n++
			}
		}
	}
	return n
}

// queuePending puts a pending digest message for the subscriber in the
// outbox, due tomorrow: the kind of mail an erasure must cancel.
func queuePending(t *testing.T, e *env, sub *digest.Subscriber) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	msg := digest.OutboxMessage{ID: forum.NewID(), Kind: digest.KindDigest, SubscriberID: sub.ID, To: sub.Email, Subject: "Résumé en attente",
		Status: digest.StatusPending, NextAttemptAt: now.Add(24 * time.Hour), CreatedAt: now,
		Body: &digest.MessageBody{Text: "corps", MessageID: "m@example.org"}}
	msg.Body.ID = msg.ID
	if ids, err := e.st.EnqueueMessages(context.Background(), []digest.OutboxMessage{msg}, false); err != nil || len(ids) != 1 {
		t.Fatalf("enqueue: %v %v", ids, err)
	}
}

// outboxOf returns the outbox messages of a subscriber.
func outboxOf(t *testing.T, e *env, subscriberID string) []digest.OutboxMessage {
	t.Helper()
	all, err := e.st.OutboxMessages(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []digest.OutboxMessage
	for _, m := range all {
		if m.SubscriberID == subscriberID {
			out = append(out, m)
		}
	}
	return out
}

func TestAccountExport(t *testing.T) {
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "region")
	other, opw := e.member(forum.RoleMember, "commune")
	m, pw := e.newcomer("departement")
	mc, oc, modc := e.login(m, pw), e.login(other, opw), e.login(mod, mpw)

	// A thread of the member's, pending; a reply to someone else's thread, rejected.
	threadID, firstID := mc.createThread("sig", nil, "Cartographie des réseaux d'eau", "Quel **SIG** pour l'eau ?")
	otherThread, _ := oc.createThread("reseaux", nil, "Fibre entre les écoles", "Retour d'expérience.")
	status, out := mc.api("POST", "/api/v1/threads/"+otherThread+"/posts", map[string]any{"body": "Publicité : achetez notre fibre"})
	if status != 201 {
		t.Fatalf("reply: %d %v", status, out)
	}
	replyID := out["post"].(map[string]any)["id"].(string)
	if status, out := modc.api("POST", "/api/v1/moderation/posts/"+replyID+"/reject", map[string]any{"reason": "Contenu commercial."}); status != 200 {
		t.Fatalf("reject: %d %v", status, out)
	}
	if status, out := mc.api("POST", "/api/v1/subscriptions", map[string]any{"theme": "sig", "frequency": "weekly"}); status != 201 {
		t.Fatalf("subscribe: %d %v", status, out)
	}
	if status, _, _ := mc.get("/threads/" + otherThread); status != 200 { // a read marker
		t.Fatalf("thread page: %d", status)
	}

	// The page download: a dated JSON attachment, never cached.
	resp, err := mc.http.Get(e.ts.URL + "/account/export")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantName := `attachment; filename="coterforum-mes-donnees-` + time.Now().In(time.FixedZone("", 0)).Format("2006-01") // the day may differ in Paris
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), wantName) ||
		!strings.HasSuffix(resp.Header.Get("Content-Disposition"), `.json"`) || resp.Header.Get("Cache-Control") != "private, no-store" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
	}
	var x struct {
		Profile struct {
			Email, DisplayName, Role string
			CreatedAt                time.Time `json:"created_at"`
		} `json:"profile"`
		Posts []struct {
			ID              string `json:"id"`
			ThreadID        string `json:"thread_id"`
			ThreadTitle     string `json:"thread_title"`
			Status          string `json:"status"`
			Source          string `json:"source_markdown"`
			RejectionReason string `json:"rejection_reason"`
		} `json:"posts"`
		Threads []struct {
			ID, Title, Status string
		} `json:"threads_started"`
		Subscriptions []struct {
			Label     string `json:"label"`
			Frequency string `json:"frequency"`
		} `json:"subscriptions"`
		Notifications []struct {
			Kind   string `json:"kind"`
			Reason string `json:"reason"`
		} `json:"notifications"`
		Sessions   []map[string]any `json:"sessions"`
		Moderation []struct {
			Action   string `json:"action"`
			TargetID string `json:"target_id"`
			Reason   string `json:"reason"`
		} `json:"moderation_decisions"`
		ThreadsRead []struct {
			ThreadID string `json:"thread_id"`
		} `json:"threads_read"`
	}
	if err := json.Unmarshal(raw, &x); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, raw)
	}
	if x.Profile.Email != m.Email || x.Profile.Role != "member" || x.Profile.CreatedAt.IsZero() {
		t.Fatalf("profile: %+v", x.Profile)
	}
	if len(x.Posts) != 2 || x.Posts[0].ID != firstID || x.Posts[0].Status != "pending" || x.Posts[0].Source != "Quel **SIG** pour l'eau ?" ||
		x.Posts[0].ThreadTitle != "Cartographie des réseaux d'eau" {
		t.Fatalf("posts: %+v", x.Posts)
	}
	if x.Posts[1].ID != replyID || x.Posts[1].Status != "rejected" || x.Posts[1].RejectionReason != "Contenu commercial." || x.Posts[1].ThreadTitle != "Fibre entre les écoles" {
		t.Fatalf("rejected reply: %+v", x.Posts[1])
	}
	if len(x.Threads) != 1 || x.Threads[0].ID != threadID || x.Threads[0].Status != "pending" {
		t.Fatalf("threads: %+v", x.Threads)
	}
	if len(x.Subscriptions) != 1 || !strings.Contains(x.Subscriptions[0].Label, "SIG") || x.Subscriptions[0].Frequency != "weekly" {
		t.Fatalf("subscriptions: %+v", x.Subscriptions)
	}
	if len(x.Notifications) != 1 || x.Notifications[0].Reason != "Contenu commercial." {
		t.Fatalf("notifications: %+v", x.Notifications)
	}
	if len(x.Sessions) != 1 || x.Sessions[0]["current"] != true || x.Sessions[0]["id"] != nil {
		t.Fatalf("sessions: %+v", x.Sessions)
	}
	if len(x.Moderation) != 1 || x.Moderation[0].Action != "post.reject" || x.Moderation[0].TargetID != replyID {
		t.Fatalf("moderation decisions: %+v", x.Moderation)
	}
	if len(x.ThreadsRead) != 1 || x.ThreadsRead[0].ThreadID != otherThread {
		t.Fatalf("threads read: %+v", x.ThreadsRead)
	}
	for _, secret := range []string{mod.DisplayName, "password", "csrf", "token"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the export contains %q", secret)
		}
	}

	// The API gives the same data; others cannot have it.
	status, api := mc.api("GET", "/api/v1/account/export", nil)
	if status != 200 || api["profile"].(map[string]any)["email"] != m.Email || len(api["posts"].([]any)) != 2 {
		t.Fatalf("API export: %d %v", status, api)
	}
	if status, _ := e.anon().api("GET", "/api/v1/account/export", nil); status != 401 {
		t.Fatalf("anonymous export: %d", status)
	}
	if status, _, resp := e.anon().get("/account/export"); status != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous export page: %d", status)
	}
	// The account page links to the export and to the deletion.
	if _, page, _ := webLogin(t, e, m, pw).get("/account"); !strings.Contains(page, `href="/account/export"`) || !strings.Contains(page, `href="/account/delete"`) {
		t.Fatal("the account page does not link to the export and the deletion")
	}
}

// rename gives a test member a name of its own (test members share names),
// before it writes anything.
func rename(t *testing.T, e *env, m *forum.Member, name string) {
	t.Helper()
	p := forum.ProfileInput{DisplayName: name, Authority: "Département de l'Essonne", AuthorityType: m.AuthorityType}
	if err := e.svc.UpdateProfile(context.Background(), m, p); err != nil {
		t.Fatal(err)
	}
	m.DisplayName, m.Authority = p.DisplayName, p.Authority
}

// webLogin logs in through the login form, as a browser does.
func webLogin(t *testing.T, e *env, m *forum.Member, pw string) *client {
	t.Helper()
	c := e.anon()
	status, _, _ := c.post("/login", url.Values{"csrf_token": {c.pageCSRF("/login")}, "email": {m.Email}, "password": {pw}})
	if status != http.StatusSeeOther {
		t.Fatalf("login form: %d", status)
	}
	return c
}

// TestAccountDeleteAnonymise deletes an account through the API, keeping its
// posts: every effect of a deletion is checked.
func TestAccountDeleteAnonymise(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	ctx := context.Background()
	mod, mpw := e.member(forum.RoleModerator, "region")
	other, opw := e.member(forum.RoleMember, "commune")
	watcher, wpw := e.member(forum.RoleMember, "region")
	m, pw := e.newcomer("departement")
	rename(t, e, m, "Dominique Leclerc")
	mc, oc, modc, wc := e.login(m, pw), e.login(other, opw), e.login(mod, mpw), e.login(watcher, wpw)
	second := e.login(m, pw) // another device

	threadID, firstID := mc.createThread("reseaux", nil, "Supervision des liens WAN", "Nous utilisons **Zabbix**.")
	if status, out := modc.api("POST", "/api/v1/moderation/posts/"+firstID+"/approve", nil); status != 200 {
		t.Fatalf("approve: %d %v", status, out)
	}
	status, out := oc.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": "Merci, nous aussi."})
	if status != 201 {
		t.Fatalf("reply: %d %v", status, out)
	}
	replyID := out["post"].(map[string]any)["id"].(string)
	if status, _, _ := mc.get("/threads/" + threadID); status != 200 { // leaves a read marker
		t.Fatalf("thread page: %d", status)
	}
	if rm, _ := e.st.ReadMarkers(ctx, m.ID, []string{threadID}); len(rm) != 1 {
		t.Fatalf("reading the thread left %d read markers, want 1", len(rm))
	}
	if status, out := mc.api("POST", "/api/v1/posts/"+replyID+"/reports", map[string]any{"reason": "Hors sujet"}); status != 201 {
		t.Fatalf("report: %d %v", status, out)
	}
	for _, c := range []*client{mc, wc} {
		if status, out := c.api("POST", "/api/v1/subscriptions", map[string]any{"theme": "sig", "frequency": "daily"}); status != 201 {
			t.Fatalf("subscribe: %d %v", status, out)
		}
	}
	sub, err := e.st.SubscriberByEmail(ctx, m.Email)
	if err != nil {
		t.Fatal(err)
	}
	queuePending(t, e, sub)

	// Wrong password: 400 on the password field, nothing changes.
	status, out = mc.api("DELETE", "/api/v1/account", map[string]any{"password": "pas-le-bon-mot-de-passe", "posts": "anonymise"})
	if status != 400 || errCode(out) != "password_wrong" || out["error"].(map[string]any)["field"] != "password" {
		t.Fatalf("wrong password: %d %v", status, out)
	}
	for _, bad := range []map[string]any{{"password": pw}, {"password": pw, "posts": "burn"}} {
		if status, out := mc.api("DELETE", "/api/v1/account", bad); status != 400 || errCode(out) != "posts_choice" {
			t.Fatalf("posts %v: %d %v", bad["posts"], status, out)
		}
	}
	// Without the CSRF header, a session cookie cannot delete.
	noCSRF := *mc
	noCSRF.csrf = ""
	if status, _ := noCSRF.api("DELETE", "/api/v1/account", map[string]any{"password": pw, "posts": "anonymise"}); status != 403 {
		t.Fatalf("no CSRF token: %d", status)
	}
	if st, _ := mc.api("GET", "/api/v1/session", nil); st != 200 {
		t.Fatal("a refused deletion ended the session")
	}
	if got, _ := e.st.MemberByID(ctx, m.ID); got.Email != m.Email || got.Deleting() || len(outboxOf(t, e, sub.ID)) != 1 {
		t.Fatal("a refused deletion changed the account")
	}

	status, out = mc.api("DELETE", "/api/v1/account", map[string]any{"password": pw, "posts": "anonymise"})
	if status != 200 || out["deleted"] != true {
		t.Fatalf("delete: %d %v", status, out)
	}

	// Logged out everywhere; the old password no longer opens anything.
	for _, c := range []*client{mc, second} {
		if st, _ := c.api("GET", "/api/v1/session", nil); st != 401 {
			t.Fatalf("a session survived the deletion: %d", st)
		}
	}
	if st, _ := e.anon().api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw}); st != 401 {
		t.Fatalf("login after deletion: %d", st)
	}
	if sessions, _ := e.st.SessionsOf(ctx, m.ID); len(sessions) != 0 {
		t.Fatalf("%d sessions left", len(sessions))
	}
	// The record is a tombstone.
	got, err := e.st.MemberByID(ctx, m.ID)
	if err != nil || got.Email != forum.TombstoneEmail(m.ID) || got.DisplayName != forum.DeletedMemberName || got.Authority != "" ||
		got.PasswordHash != "" || got.DeletedAt == nil {
		t.Fatalf("member after deletion: %+v %v", got, err)
	}
	if _, err := e.st.MemberByEmail(ctx, m.Email); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("the address is still on a member: %v", err)
	}
	// Subscriptions, the subscriber and its queued mail are gone.
	if _, err := e.st.SubscriberByEmail(ctx, m.Email); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("subscriber left: %v", err)
	}
	if subs, _ := e.st.SubscriptionsOf(ctx, sub.ID); len(subs) != 0 || len(outboxOf(t, e, sub.ID)) != 0 {
		t.Fatalf("%d subscriptions, %d queued messages left", len(subs), len(outboxOf(t, e, sub.ID)))
	}
	// Notifications and read markers gone; the report stays, anonymised.
	if n, _ := e.st.ListNotifications(ctx, m.ID, 100); len(n) != 0 {
		t.Fatalf("%d notifications left", len(n))
	}
	if rm, _ := e.st.ReadMarkers(ctx, m.ID, []string{threadID}); len(rm) != 0 {
		t.Fatalf("%d read markers left", len(rm))
	}
	if r, _ := e.st.ReportsBy(ctx, m.ID); len(r) != 1 || r[0].Reporter.DisplayName != forum.DeletedMemberName || r[0].Reporter.Authority != "" {
		t.Fatalf("reports: %+v", r)
	}

	// Posts kept, signed « membre supprimé »; the other member's reply intact.
	p, _ := e.st.PostByID(ctx, firstID)
	if p.Author.DisplayName != forum.DeletedMemberName || p.Author.Authority != "" || p.Source != "Nous utilisons **Zabbix**." {
		t.Fatalf("post after deletion: %+v", p)
	}
	if r, _ := e.st.PostByID(ctx, replyID); r.Source != "Merci, nous aussi." || r.Author.DisplayName != other.DisplayName {
		t.Fatalf("another member's reply changed: %+v", r)
	}
	th, _ := e.st.ThreadByID(ctx, threadID)
	if th.Author.DisplayName != forum.DeletedMemberName {
		t.Fatalf("thread author: %+v", th.Author)
	}
	status, list := e.anon().api("GET", "/api/v1/threads", nil)
	if status != 200 || len(list["threads"].([]any)) != 1 {
		t.Fatalf("thread listing after deletion: %d %v", status, list)
	}
	for _, path := range []string{"/", "/threads/" + threadID, "/members/" + m.ID} {
		status, page, _ := e.anon().get(path)
		if status != 200 || !strings.Contains(page, forum.DeletedMemberName) || strings.Contains(page, m.DisplayName) {
			t.Fatalf("%s after deletion: %d (shows the name: %v)", path, status, strings.Contains(page, m.DisplayName))
		}
	}
	for _, path := range []string{"/", "/threads/" + threadID} {
		if _, page, _ := e.anon().getWithHeader(path, "Accept-Language", "en"); !strings.Contains(page, "deleted member") {
			t.Errorf("%s in English does not name the deleted member in English", path)
		}
	}

	// No digest goes to the old address; the other subscriber still gets one.
	time.Sleep(10 * time.Millisecond)
	oc.createThread("sig", nil, "QGIS et cadastre", "Retour d'expérience sur QGIS.")
	sent, err := e.digest.RunOnce(t.Context(), "daily", time.Now().Add(24*time.Hour))
	if err != nil || sent != 1 {
		t.Fatalf("digest run: %d %v", sent, err)
	}
	smtp.WaitFor(t, 2, 10*time.Second) // the approval notice, then the digest
	time.Sleep(100 * time.Millisecond)
	if n := mailsTo(smtp, watcher.Email); n != 1 {
		t.Fatalf("the other subscriber got %d digests", n)
	}
	if n := mailsTo(smtp, m.Email); n != 1 { // the approval notice, before the deletion
		t.Fatalf("%d messages to the deleted address, want only the approval notice", n)
	}
}

// TestAccountDeleteRemovePosts deletes an account from the page, removing
// its posts; a moderator deletes their own account; the last admin cannot.
func TestAccountDeleteRemovePosts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin, apw := e.member(forum.RoleAdmin, "region")
	mod, mpw := e.member(forum.RoleModerator, "commune")
	m, pw := e.member(forum.RoleMember, "departement")
	rename(t, e, m, "Dominique Leclerc")
	ac, mc := e.login(admin, apw), e.login(m, pw)
	threadID, firstID := mc.createThread("portails", nil, "Refonte du portail citoyen", "Nous passons à **Drupal**.")
	status, out := ac.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": "> Nous passons à Drupal.\n\nBon choix."})
	if status != 201 {
		t.Fatalf("reply: %d %v", status, out)
	}
	replyID := out["post"].(map[string]any)["id"].(string)
	if status, out := mc.api("PATCH", "/api/v1/posts/"+firstID, map[string]any{"body": "Nous passons à **Drupal 11**."}); status != 200 {
		t.Fatalf("edit: %d %v", status, out)
	}

	web := webLogin(t, e, m, pw)
	status, page, _ := web.get("/account/delete")
	if status != 200 || !strings.Contains(page, `value="remove"`) || !strings.Contains(page, m.Email) {
		t.Fatalf("delete page: %d", status)
	}
	token := web.pageCSRF("/account/delete")
	// Refused from another site.
	if status, _, _ := web.postFrom("cross-site", "https://evil.example", "/account/delete", url.Values{"password": {pw}, "posts": {"remove"}}); status != 403 {
		t.Fatalf("cross-site deletion: %d", status)
	}
	// Wrong password: 400, the error tied to its field, nothing changed.
	status, page, _ = web.post("/account/delete", url.Values{"csrf_token": {token}, "password": {"mauvais-mot-de-passe"}, "posts": {"remove"}})
	if status != 400 || !strings.Contains(page, `aria-describedby="password-error"`) || !strings.Contains(page, "Le mot de passe est incorrect.") {
		t.Fatalf("wrong password: %d", status)
	}
	if got, _ := e.st.MemberByID(ctx, m.ID); got.Deleting() {
		t.Fatal("a wrong password started the deletion")
	}
	status, _, resp := web.post("/account/delete", url.Values{"csrf_token": {token}, "password": {pw}, "posts": {"remove"}})
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/?notice=account-deleted" {
		t.Fatalf("delete: %d %s", status, resp.Header.Get("Location"))
	}
	_, page, _ = web.get("/?notice=account-deleted")
	if !strings.Contains(page, "Votre compte est supprimé") || !strings.Contains(page, "Se connecter") {
		t.Fatal("after deletion: no notice, or still logged in")
	}

	p, _ := e.st.PostByID(ctx, firstID)
	// Nothing in a language is stored: the placeholder is rendered at display.
	if p.Source != forum.RemovedPostSource || p.HTML != "" || !p.Removed() || len(p.Revisions) != 0 ||
		p.Author.DisplayName != forum.DeletedMemberName || !p.Author.Erased() {
		t.Fatalf("removed post: %+v", p)
	}
	if r, _ := e.st.PostByID(ctx, replyID); !strings.Contains(r.Source, "Bon choix.") || r.Author.ID != admin.ID {
		t.Fatalf("another member's reply changed: %+v", r)
	}
	status, page, _ = e.anon().get("/threads/" + threadID)
	if status != 200 || !strings.Contains(page, "Message supprimé à la demande de son auteur") || !strings.Contains(page, "Bon choix.") ||
		strings.Contains(page, "Drupal 11") {
		t.Fatalf("thread page after removal: %d", status)
	}
	// The erased words are no longer found; the reply, which quotes them, is.
	status, out = e.anon().api("GET", "/api/v1/search?q=drupal", nil)
	if status != 200 {
		t.Fatalf("search: %d %v", status, out)
	}
	results, _ := out["results"].([]any)
	if len(results) != 1 || results[0].(map[string]any)["post_id"] != replyID {
		t.Fatalf("search for an erased word: %v, want only the reply %s", results, replyID)
	}

	// A moderator deletes their own account: the audit log keeps the
	// action, without the name.
	modc := e.login(mod, mpw)
	if status, out := modc.api("PATCH", "/api/v1/moderation/threads/"+threadID, map[string]any{"locked": true}); status != 200 {
		t.Fatalf("lock: %d %v", status, out)
	}
	if status, out := modc.api("DELETE", "/api/v1/account", map[string]any{"password": mpw, "posts": "anonymise"}); status != 200 {
		t.Fatalf("moderator deletes own account: %d %v", status, out)
	}
	entries, _ := e.st.AuditForTargets(ctx, []string{threadID})
	if len(entries) == 0 || entries[0].Actor.ID != mod.ID || entries[0].Actor.DisplayName != forum.DeletedMemberName {
		t.Fatalf("audit after the moderator's deletion: %+v", entries)
	}

	// The last admin cannot delete their account.
	status, out = ac.api("DELETE", "/api/v1/account", map[string]any{"password": apw, "posts": "anonymise"})
	if status != 400 || errCode(out) != "last_admin" || !strings.Contains(errMessage(out), "dernier administrateur") {
		t.Fatalf("last admin: %d %v", status, out)
	}
	if st, _ := ac.api("GET", "/api/v1/session", nil); st != 200 {
		t.Fatal("the last admin was logged out")
	}
	// With a second admin, the first may go.
	admin2, a2pw := e.member(forum.RoleAdmin, "commune")
	if status, out := ac.api("DELETE", "/api/v1/account", map[string]any{"password": apw, "posts": "anonymise"}); status != 200 {
		t.Fatalf("admin with another admin: %d %v", status, out)
	}
	if status, out := e.login(admin2, a2pw).api("DELETE", "/api/v1/account", map[string]any{"password": a2pw, "posts": "anonymise"}); status != 400 || errCode(out) != "last_admin" {
		t.Fatalf("the remaining admin is now the last: %d %v", status, out)
	}
}

// TestAccountDeletePolicyAnonymise: a club may keep every post.
func TestAccountDeletePolicyAnonymise(t *testing.T) {
	e := newEnv(t, func(c *serverConfig) { c.Privacy.DeletePostsPolicy = "anonymise" })
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	_, postID := c.createThread("sig", nil, "Données cadastrales", "Texte à garder.")
	_, page, _ := webLogin(t, e, m, pw).get("/account/delete")
	if strings.Contains(page, `value="remove"`) || !strings.Contains(page, "Le club conserve les messages") {
		t.Fatal("the delete page offers to remove posts against the policy")
	}
	if status, out := c.api("DELETE", "/api/v1/account", map[string]any{"password": pw, "posts": "remove"}); status != 400 || errCode(out) != "posts_policy" {
		t.Fatalf("remove against the policy: %d %v", status, out)
	}
	if status, out := c.api("DELETE", "/api/v1/account", map[string]any{"password": pw}); status != 200 {
		t.Fatalf("delete with the default: %d %v", status, out)
	}
	if p, _ := e.st.PostByID(context.Background(), postID); p.Source != "Texte à garder." || p.Author.DisplayName != forum.DeletedMemberName {
		t.Fatalf("post: %+v", p)
	}
}

// TestAccountDeleteResumes: a deletion interrupted after its first write
// (login already refused) is completed by Resume.
func TestAccountDeleteResumes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, pw := e.member(forum.RoleMember, "commune")
	c := e.login(m, pw)
	_, postID := c.createThread("sig", nil, "Migration du SIG", "Texte.")
	if err := e.st.BeginMemberDeletion(ctx, m.ID, forum.DeletePostsRemove, time.Now()); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.api("GET", "/api/v1/session", nil); st != 401 {
		t.Fatalf("session of a member being deleted: %d", st)
	}
	if st, _ := e.anon().api("POST", "/api/v1/session", map[string]any{"email": m.Email, "password": pw}); st != 401 {
		t.Fatalf("login of a member being deleted: %d", st)
	}
	n, err := e.srv.Privacy().Resume(ctx)
	if err != nil || n != 1 {
		t.Fatalf("resume: %d %v", n, err)
	}
	got, _ := e.st.MemberByID(ctx, m.ID)
	if p, _ := e.st.PostByID(ctx, postID); got.DeletedAt == nil || got.Email != forum.TombstoneEmail(m.ID) || p.Source != forum.RemovedPostSource {
		t.Fatalf("after resume: %+v %+v", got, p)
	}
	if n, err := e.srv.Privacy().Resume(ctx); err != nil || n != 0 {
		t.Fatalf("second resume: %d %v", n, err)
	}
}

// TestReaderErasesData: a reader without an account erases everything from
// the unsubscribe link; no digest goes to the address and the links 404.
func TestReaderErasesData(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	ctx := context.Background()
	const addr = "lecteur.effacer@example.org"
	if err := e.digest.SubscribeEmail(ctx, addr, "fr", digest.SubscribeInput{Theme: "sig", Frequency: "daily"}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.st.SubscriberByEmail(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.digest.Confirm(ctx, tokenOf(e.digest.ConfirmURL(sub.ID))); err != nil {
		t.Fatal(err)
	}
	queuePending(t, e, sub)
	unsub := "/subscriptions/unsubscribe?token=" + url.QueryEscape(tokenOf(e.digest.UnsubscribeURL(sub.ID, "")))
	manage := "/subscriptions/manage?token=" + url.QueryEscape(tokenOf(e.digest.ManageURL(sub.ID)))

	a := e.anon()
	status, page, _ := a.get(unsub)
	if status != 200 || !strings.Contains(page, "Effacer toutes mes données") || !strings.Contains(page, "tous les abonnements") {
		t.Fatalf("unsubscribe page: %d, no erase form\n%s", status, page)
	}
	erase := "/subscriptions/erase?token=" + url.QueryEscape(tokenOf(e.digest.UnsubscribeURL(sub.ID, "")))
	if status, _, _ := a.postFrom("cross-site", "https://evil.example", erase, nil); status != 403 {
		t.Fatalf("cross-site erase: %d", status)
	}
	if status, _, _ := a.post("/subscriptions/erase?token=faux", url.Values{"csrf_token": {a.pageCSRF(unsub)}}); status != 404 {
		t.Fatalf("erase with a forged token: %d", status)
	}
	status, page, _ = a.post(erase, url.Values{"csrf_token": {a.pageCSRF(unsub)}})
	if status != 200 || !strings.Contains(page, "Vos données sont effacées") {
		t.Fatalf("erase: %d", status)
	}
	if _, err := e.st.SubscriberByID(ctx, sub.ID); !errors.Is(err, forum.ErrNotFound) {
		t.Fatalf("subscriber left: %v", err)
	}
	if subs, _ := e.st.SubscriptionsOf(ctx, sub.ID); len(subs) != 0 || len(outboxOf(t, e, sub.ID)) != 0 {
		t.Fatal("subscriptions or queued mail left")
	}
	log, _ := e.st.DeliveriesTo(ctx, sub.ID)
	for _, l := range log {
		if strings.Contains(l.To, addr) {
			t.Fatalf("the delivery log keeps the address: %+v", l)
		}
	}
	for _, link := range []string{unsub, manage} {
		if status, _, _ := a.get(link); status != 404 {
			t.Fatalf("%s after erasure: %d", link, status)
		}
	}

	author, apw := e.member(forum.RoleMember, "commune")
	time.Sleep(10 * time.Millisecond)
	e.login(author, apw).createThread("sig", nil, "Plan cadastral informatisé", "Retour d'expérience.")
	if sent, err := e.digest.RunOnce(t.Context(), "daily", time.Now().Add(24*time.Hour)); err != nil || sent != 0 {
		t.Fatalf("digest run after erasure: %d %v", sent, err)
	}
	if n := mailsTo(smtp, addr); n != 1 { // the confirmation mail only
		t.Fatalf("%d messages to the erased address, want only the confirmation", n)
	}
}

// tokenOf extracts the token of a signed link.
func tokenOf(link string) string {
	u, _ := url.Parse(link)
	return u.Query().Get("token")
}

func TestPrivacyAndAccessibilityPages(t *testing.T) {
	e := newEnv(t)
	a := e.anon()
	for _, p := range []struct{ path, fr, en string }{
		{"/confidentialite", "Durées de conservation", "Retention periods"},
		{"/accessibilite", "non conforme avec le référentiel général", "not compliant with the French accessibility framework"},
	} {
		status, page, _ := a.get(p.path)
		if status != 200 || !strings.Contains(page, `<html lang="fr">`) || !strings.Contains(page, p.fr) {
			t.Fatalf("%s in French: %d", p.path, status)
		}
		status, page, _ = a.getWithHeader(p.path, "Accept-Language", "en")
		if status != 200 || !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, p.en) {
			t.Fatalf("%s in English: %d", p.path, status)
		}
	}
	_, page, _ := a.get("/confidentialite")
	for _, want := range []string{"cf_session", "cf_device", "cf_lang", "30\u00a0jours", "FORUM_DPO_EMAIL", `href="/account/export"`} {
		if !strings.Contains(page, want) {
			t.Errorf("privacy page lacks %q", want)
		}
	}
	_, page, _ = a.get("/accessibilite")
	for _, want := range []string{"Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07", "https://www.defenseurdesdroits.fr/", "axe-core", "chromedp", "HTML5"} {
		if !strings.Contains(page, want) {
			t.Errorf("accessibility statement lacks %q", want)
		}
	}
	_, page, _ = a.get("/")
	if !strings.Contains(page, `href="/confidentialite"`) || !strings.Contains(page, `href="/accessibilite"`) {
		t.Fatal("the footer does not link to the privacy page and the accessibility statement")
	}

	// The club's DPO address, when set.
	e2 := newEnv(t, func(c *serverConfig) { c.Privacy.DPOEmail = "dpo@club.example.org" })
	if _, page, _ := e2.anon().get("/confidentialite"); !strings.Contains(page, `href="mailto:dpo@club.example.org"`) || strings.Contains(page, "FORUM_DPO_EMAIL") {
		t.Fatal("privacy page: the DPO address is not shown")
	}
}

// TestDeletedAuthorNotNotified: a pending post kept after its author's
// deletion can still be moderated; nobody is notified or mailed.
func TestDeletedAuthorNotNotified(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	mod, mpw := e.member(forum.RoleModerator, "region")
	m, pw := e.newcomer("commune")
	c := e.login(m, pw)
	thID, postID := c.createThread("sig", nil, "Référentiel d'adresses", "Quel outil pour la BAN ?")
	mc := e.login(mod, mpw)
	if status, out := mc.api("GET", "/api/v1/moderation/queue", nil); status != 200 || len(out["items"].([]any)) != 1 {
		t.Fatalf("queue before deletion: %d %v", status, out)
	}
	if status, out := c.api("DELETE", "/api/v1/account", map[string]any{"password": pw, "posts": "anonymise"}); status != 200 {
		t.Fatalf("delete: %d %v", status, out)
	}
	// The deleted member's pending post left the queue, and cannot be
	// approved any more: nobody is told of a decision.
	if status, out := mc.api("GET", "/api/v1/moderation/queue", nil); status != 200 || len(out["items"].([]any)) != 0 {
		t.Fatalf("queue after deletion: %d %v", status, out)
	}
	ctx := context.Background()
	if n, err := e.st.CountPostsByStatus(ctx, forum.PostPending); err != nil || n != 0 {
		t.Fatalf("%d pending posts after deletion (%v)", n, err)
	}
	if status, out := mc.api("POST", "/api/v1/moderation/posts/"+postID+"/approve", nil); status != 409 {
		t.Fatalf("approve after deletion: %d %v", status, out)
	}
	if th, err := e.st.ThreadByID(ctx, thID); err != nil || th.Status != forum.ThreadRejected {
		t.Fatalf("thread after deletion: %+v %v", th, err)
	}
	if es, err := e.st.AuditForTargets(ctx, []string{postID}); err != nil || len(es) != 1 || es[0].Action != "post.withdraw" || es[0].Actor.ID != m.ID {
		t.Fatalf("audit of the withdrawal: %+v %v", es, err)
	}
	if n, _ := e.st.ListNotifications(ctx, m.ID, 10); len(n) != 0 {
		t.Fatalf("%d notifications for a deleted member", len(n))
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("%d messages sent about a deleted member's post", n)
	}
}

// TestAccountDeleteErasesMailFiles checks that the .eml copies of the mail
// sent to a member go with the account, and nobody else's.
func TestAccountDeleteErasesMailFiles(t *testing.T) {
	files := mail.NewFileSender(filepath.Join(t.TempDir(), "mail"), "coterforum <forum@example.org>")
	e := newEnv(t, func(c *serverConfig) { c.Mail = files })
	mod, mpw := e.member(forum.RoleModerator, "region")
	m, pw := e.newcomer("commune")
	c := e.login(m, pw)
	_, postID := c.createThread("sig", nil, "Référentiel d'adresses", "Quel outil pour la BAN ?")
	if status, out := e.login(mod, mpw).api("POST", "/api/v1/moderation/posts/"+postID+"/approve", nil); status != 200 {
		t.Fatalf("approve: %d %v", status, out)
	}
	ctx := context.Background()
	if err := files.Send(ctx, mail.Message{To: strings.ToUpper(m.Email), Subject: "Autre", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	if err := files.Send(ctx, mail.Message{To: mod.Email, Subject: "Pour le modérateur", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	count := func(addr string) int {
		list, err := files.List()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range list {
			if strings.Contains(strings.ToLower(f.To), strings.ToLower(addr)) {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(5 * time.Second)
	for count(m.Email) < 2 && time.Now().Before(deadline) { // the approval mail leaves after the commit
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(m.Email); n != 2 {
		t.Fatalf("%d mail files to the member before deletion, want 2", n)
	}
	if status, out := c.api("DELETE", "/api/v1/account", map[string]any{"password": pw, "posts": "anonymise"}); status != 200 {
		t.Fatalf("delete: %d %v", status, out)
	}
	if n := count(m.Email); n != 0 {
		t.Fatalf("%d mail files to the deleted member left", n)
	}
	if n := count(mod.Email); n != 1 {
		t.Fatalf("%d mail files to the moderator, want 1", n)
	}
}
