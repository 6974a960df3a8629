package server_test

// Moderation from outside (issue 3): the pre-moderation queue, exactly-once
// decisions, trust, reports, moderator actions, the audit log, and the
// moderation pages, through the JSON API and the HTML forms.

import (
	"encoding/json"
	"fmt"
	stdhtml "html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail/mailtest"
	"coterforum/moderation"
)

// modMailEnv starts a forum whose mail goes to an in-process SMTP server.
func modMailEnv(t *testing.T) (*env, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	return e, smtp
}

// obj returns out[key] as a JSON object (nil when absent).
func obj(out map[string]any, key string) map[string]any {
	m, _ := out[key].(map[string]any)
	return m
}

// objs returns out[key] as a list of JSON objects.
func objs(out map[string]any, key string) []map[string]any {
	list, _ := out[key].([]any)
	res := make([]map[string]any, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			res = append(res, m)
		}
	}
	return res
}

// modNewThread creates a thread and returns its id, its first post id and the post's status.
func (c *client) modNewThread(theme string, types []string, title, body string) (threadID, postID, status string) {
	c.t.Helper()
	code, out := c.api("POST", "/api/v1/threads", map[string]any{"theme": theme, "authority_types": types, "title": title, "body": body})
	if code != 201 {
		c.t.Fatalf("create thread %q: %d %v", title, code, out)
	}
	p := obj(out, "post")
	return obj(out, "thread")["id"].(string), p["id"].(string), p["status"].(string)
}

// modReply posts a reply and returns its id and status.
func (c *client) modReply(threadID, body string) (postID, status string) {
	c.t.Helper()
	code, out := c.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": body})
	if code != 201 {
		c.t.Fatalf("reply to %s: %d %v", threadID, code, out)
	}
	p := obj(out, "post")
	return p["id"].(string), p["status"].(string)
}

// modDecide approves (reason "") or rejects a post and wants a 200.
func (c *client) modDecide(postID, reason string) {
	c.t.Helper()
	path, body := "/api/v1/moderation/posts/"+postID+"/approve", any(nil)
	if reason != "" {
		path, body = "/api/v1/moderation/posts/"+postID+"/reject", map[string]any{"reason": reason}
	}
	if code, out := c.api("POST", path, body); code != 200 {
		c.t.Fatalf("POST %s: %d %v", path, code, out)
	}
}

// modQueue returns the moderation queue's items.
func (c *client) modQueue() []map[string]any {
	c.t.Helper()
	code, out := c.api("GET", "/api/v1/moderation/queue", nil)
	if code != 200 {
		c.t.Fatalf("queue: %d %v", code, out)
	}
	return objs(out, "items")
}

// modAudit returns the audit log entries matching the query string q.
func (c *client) modAudit(q string) []map[string]any {
	c.t.Helper()
	code, out := c.api("GET", "/api/v1/moderation/audit"+q, nil)
	if code != 200 {
		c.t.Fatalf("audit%s: %d %v", q, code, out)
	}
	return objs(out, "entries")
}

// modThreadTitles lists the titles of GET /api/v1/threads?q.
func (c *client) modThreadTitles(q string) []string {
	c.t.Helper()
	code, out := c.api("GET", "/api/v1/threads"+q, nil)
	if code != 200 {
		c.t.Fatalf("threads%s: %d %v", q, code, out)
	}
	var titles []string
	for _, th := range objs(out, "threads") {
		titles = append(titles, th["title"].(string))
	}
	return titles
}

// modThread returns the thread and its posts as the client sees them.
func (c *client) modThread(id string) (map[string]any, []map[string]any) {
	c.t.Helper()
	code, out := c.api("GET", "/api/v1/threads/"+id, nil)
	if code != 200 {
		c.t.Fatalf("thread %s: %d %v", id, code, out)
	}
	return obj(out, "thread"), objs(out, "posts")
}

func modHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// modFind returns the first item whose key equals value.
func modFind(items []map[string]any, key, value string) map[string]any {
	for _, it := range items {
		if it[key] == value {
			return it
		}
	}
	return nil
}

var modTags = regexp.MustCompile(`<[^>]*>`)

// modText is the text of an HTML page, tags removed and white space collapsed.
func modText(html string) string {
	return strings.Join(strings.Fields(stdhtml.UnescapeString(modTags.ReplaceAllString(html, ""))), " ")
}

// modAuditEntry fails unless the log has an entry for action on target by
// actor (a display name) with the reason (when want is not empty).
func modAuditEntry(t *testing.T, entries []map[string]any, action, target, actor, reason string) {
	t.Helper()
	for _, en := range entries {
		if en["action"] != action || (target != "" && en["target_id"] != target) {
			continue
		}
		a, _ := en["actor"].(map[string]any)
		if a["display_name"] != actor {
			t.Errorf("audit %s on %s: actor %v, want %q", action, target, a["display_name"], actor)
		}
		if reason != "" && en["reason"] != reason {
			t.Errorf("audit %s on %s: reason %q, want %q", action, target, en["reason"], reason)
		}
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(en["at"])); err != nil {
			t.Errorf("audit %s on %s: bad time %v", action, target, en["at"])
		}
		return
	}
	t.Errorf("no audit entry %s on %s in %d entries", action, target, len(entries))
}

func TestModerationQueueApproveReject(t *testing.T) {
	e, smtp := modMailEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "departement")
	other, opw := e.member(forum.RoleMember, "region")
	nc, npw := e.newcomer("commune")
	mc, oc, ncc, anon := e.login(mod, mpw), e.login(other, opw), e.login(nc, npw), e.anon()

	openID, _, _ := oc.modNewThread("reseaux", []string{"region"}, "Supervision du réseau des écoles", "Quel outil utilisez-vous ?")

	// A newcomer's thread and reply are queued.
	pTitle := "Numérisation du cadastre napoléonien"
	pThread, pPost, st := ncc.modNewThread("sig", []string{"commune"}, pTitle, "Nous cherchons un prestataire pour les planches.")
	if st != "pending" {
		t.Fatalf("newcomer's thread: status %q, want pending", st)
	}
	reply, st := ncc.modReply(openID, "Nous utilisons Zabbix depuis deux ans.")
	if st != "pending" {
		t.Fatalf("newcomer's reply: status %q, want pending", st)
	}

	// Nobody else sees them.
	for who, c := range map[string]*client{"anonymous": anon, "other member": oc} {
		for _, path := range []string{"/api/v1/posts/" + pPost, "/api/v1/posts/" + reply, "/api/v1/threads/" + pThread} {
			if code, out := c.api("GET", path, nil); code != 404 || errCode(out) != "not_found" {
				t.Errorf("%s GET %s: %d %v, want 404 not_found", who, path, code, out)
			}
		}
		if titles := c.modThreadTitles(""); modHas(titles, pTitle) || len(titles) != 1 {
			t.Errorf("%s: thread list %q shows the pending thread", who, titles)
		}
		if titles := c.modThreadTitles("?theme=sig"); len(titles) != 0 {
			t.Errorf("%s: theme list %q shows the pending thread", who, titles)
		}
		th, posts := c.modThread(openID)
		if th["post_count"] != float64(1) || len(posts) != 1 {
			t.Errorf("%s: open thread has post_count %v and %d posts, want 1 and 1", who, th["post_count"], len(posts))
		}
		if _, home, _ := c.get("/"); strings.Contains(home, pTitle) {
			t.Errorf("%s: the home page shows the pending thread", who)
		}
		if _, page, _ := c.get("/members/" + nc.ID); strings.Contains(page, pTitle) {
			t.Errorf("%s: the author's member page shows the pending thread", who)
		}
		if code, _, _ := c.get("/threads/" + pThread); code != 404 {
			t.Errorf("%s: pending thread page: %d, want 404", who, code)
		}
		if _, page, _ := c.get("/threads/" + openID); strings.Contains(page, "Zabbix") {
			t.Errorf("%s: the thread page shows the pending reply", who)
		}
	}
	// The author sees them, with the banner; the thread list still hides them.
	if code, out := ncc.api("GET", "/api/v1/posts/"+reply, nil); code != 200 || obj(out, "post")["status"] != "pending" {
		t.Fatalf("author reads the pending reply: %d %v", code, out)
	}
	if code, out := ncc.api("GET", "/api/v1/threads/"+pThread, nil); code != 200 || obj(out, "thread")["status"] != "pending" {
		t.Fatalf("author reads the pending thread: %d %v", code, out)
	}
	for _, path := range []string{"/threads/" + openID, "/threads/" + pThread} {
		code, page, _ := ncc.get(path)
		if code != 200 || !strings.Contains(page, `class="banner-pending"`) || !strings.Contains(page, "En attente de modération") {
			t.Errorf("author's %s: %d, no pending banner", path, code)
		}
	}
	if _, page, _ := ncc.get("/threads/" + openID); !strings.Contains(page, "Zabbix") {
		t.Error("the author does not see the pending reply on the thread page")
	}
	if titles := ncc.modThreadTitles(""); modHas(titles, pTitle) {
		t.Error("the thread list shows the pending thread to its author")
	}

	// Only moderators read the queue and decide.
	for who, c := range map[string]*client{"member": oc, "author": ncc} {
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/moderation/queue", nil},
			{"POST", "/api/v1/moderation/posts/" + reply + "/approve", nil},
			{"POST", "/api/v1/moderation/posts/" + reply + "/reject", map[string]any{"reason": "non"}},
		} {
			if code, out := c.api(r.method, r.path, r.body); code != 403 || errCode(out) != "forbidden" {
				t.Errorf("%s %s %s: %d %v, want 403 forbidden", who, r.method, r.path, code, out)
			}
		}
	}
	for _, path := range []string{"/approve", "/reject"} {
		if code, out := anon.api("POST", "/api/v1/moderation/posts/"+reply+path, map[string]any{"reason": "non"}); code != 401 || errCode(out) != "unauthenticated" {
			t.Errorf("anonymous %s: %d %v, want 401", path, code, out)
		}
	}
	if code, out := anon.api("GET", "/api/v1/moderation/queue", nil); code != 401 {
		t.Errorf("anonymous queue: %d %v, want 401", code, out)
	}

	// The queue, oldest first.
	items := mc.modQueue()
	if len(items) != 2 {
		t.Fatalf("queue has %d items, want 2: %v", len(items), items)
	}
	if items[0]["post_id"] != pPost || items[0]["thread_id"] != pThread || items[1]["post_id"] != reply || items[1]["thread_id"] != openID {
		t.Fatalf("queue order/ids: %v / %v, want %s then %s", items[0]["post_id"], items[1]["post_id"], pPost, reply)
	}
	if items[0]["kind"] != "pending" || items[0]["is_first_post"] != true || items[1]["is_first_post"] != false {
		t.Errorf("queue items: %v", items)
	}
	if ctx := objs(items[1], "context"); len(ctx) != 1 {
		t.Errorf("the reply's item shows %d previous posts, want 1", len(ctx))
	}

	// Reject needs a reason; nonexistent posts are 404.
	for _, body := range []any{map[string]any{}, map[string]any{"reason": "   "}} {
		if code, out := mc.api("POST", "/api/v1/moderation/posts/"+reply+"/reject", body); code != 400 || errCode(out) != "reason_required" {
			t.Errorf("reject %v: %d %v, want 400 reason_required", body, code, out)
		}
	}
	if code, _ := mc.api("POST", "/api/v1/moderation/posts/"+forum.NewID()+"/approve", nil); code != 404 {
		t.Errorf("approve of an unknown post: %d, want 404", code)
	}
	if len(mc.modQueue()) != 2 {
		t.Fatal("refused calls changed the queue")
	}

	// Approve: visible to all, the author gets a mail with the link.
	code, out := mc.api("POST", "/api/v1/moderation/posts/"+pPost+"/approve", nil)
	if code != 200 || obj(out, "post")["status"] != "published" {
		t.Fatalf("approve: %d %v", code, out)
	}
	for who, c := range map[string]*client{"anonymous": anon, "other member": oc} {
		if code, out := c.api("GET", "/api/v1/posts/"+pPost, nil); code != 200 || obj(out, "post")["status"] != "published" {
			t.Errorf("%s reads the approved post: %d %v", who, code, out)
		}
		if !modHas(c.modThreadTitles("?theme=sig"), pTitle) {
			t.Errorf("%s: the approved thread is not listed", who)
		}
		if _, home, _ := c.get("/"); !strings.Contains(home, "cadastre napoléonien") {
			t.Errorf("%s: the approved thread is not on the home page", who)
		}
	}
	msgs := smtp.WaitFor(t, 1, 10*time.Second)
	if m := msgs[0]; len(m.To) != 1 || m.To[0] != nc.Email || !strings.Contains(m.Subject, pTitle) ||
		!strings.Contains(m.Text, e.ts.URL+"/posts/"+pPost) || !strings.Contains(m.Text, "approuvé") {
		t.Errorf("approval mail: to %v, subject %q, text:\n%s", m.To, m.Subject, m.Text)
	}

	// A second decision on it is a 409 naming the moderator.
	for _, path := range []string{"/approve", "/reject"} {
		code, out := mc.api("POST", "/api/v1/moderation/posts/"+pPost+path, map[string]any{"reason": "doublon"})
		if code != 409 || errCode(out) != "already_decided" || !strings.Contains(errMessage(out), "Déjà traité par "+mod.DisplayName) {
			t.Errorf("second decision %s: %d %v, want 409 already_decided naming %s", path, code, out, mod.DisplayName)
		}
	}

	// Reject: the author gets a mail with the reason; the reply stays hidden.
	reason := "Merci de préciser la version de Zabbix et le nombre d'écoles supervisées."
	code, out = mc.api("POST", "/api/v1/moderation/posts/"+reply+"/reject", map[string]any{"reason": reason})
	if code != 200 || obj(out, "post")["status"] != "rejected" {
		t.Fatalf("reject: %d %v", code, out)
	}
	msgs = smtp.WaitFor(t, 2, 10*time.Second)
	if m := msgs[1]; len(m.To) != 1 || m.To[0] != nc.Email || !strings.Contains(m.Subject, "Supervision du réseau des écoles") ||
		!strings.Contains(m.Text, reason) {
		t.Errorf("rejection mail: to %v, subject %q, text:\n%s", m.To, m.Subject, m.Text)
	}
	if code, _ := anon.api("GET", "/api/v1/posts/"+reply, nil); code != 404 {
		t.Errorf("anonymous reads the rejected reply: %d", code)
	}
	if th, _ := anon.modThread(openID); th["post_count"] != float64(1) {
		t.Errorf("post_count after a rejection: %v, want 1", th["post_count"])
	}
	if code, out := mc.api("POST", "/api/v1/moderation/posts/"+reply+"/approve", nil); code != 409 || errCode(out) != "already_decided" ||
		!strings.Contains(errMessage(out), mod.DisplayName) || !strings.Contains(errMessage(out), "refusé") {
		t.Errorf("approve after reject: %d %v", code, out)
	}
	if n := len(mc.modQueue()); n != 0 {
		t.Errorf("queue has %d items after the decisions", n)
	}
	// In-app notifications too.
	code, out = ncc.api("GET", "/api/v1/notifications", nil)
	notes := objs(out, "notifications")
	if code != 200 || len(notes) != 2 || modFind(notes, "kind", "post_rejected")["reason"] != reason || modFind(notes, "kind", "post_approved") == nil {
		t.Errorf("notifications: %d %v", code, out)
	}

	// After 3 approvals (the default) the member publishes at once.
	r2, st := ncc.modReply(pThread, "Précision : 48 planches au format grand aigle.")
	if st != "pending" {
		t.Fatalf("after 1 approval: %q, want pending", st)
	}
	mc.modDecide(r2, "")
	r3, st := ncc.modReply(pThread, "Le devis est arrivé.")
	if st != "pending" {
		t.Fatalf("after 2 approvals: %q, want pending", st)
	}
	mc.modDecide(r3, "")
	r4, st := ncc.modReply(pThread, "Merci à tous pour vos conseils.")
	if st != "published" {
		t.Fatalf("after 3 approvals: %q, want published", st)
	}
	if code, _ := anon.api("GET", "/api/v1/posts/"+r4, nil); code != 200 {
		t.Errorf("anonymous reads the trusted member's reply: %d", code)
	}
	if _, _, st := ncc.modNewThread("portails", nil, "Refonte du portail famille", "Retour d'expérience."); st != "published" {
		t.Errorf("new thread after 3 approvals: %q, want published", st)
	}
	if th, _ := anon.modThread(pThread); th["post_count"] != float64(4) {
		t.Errorf("post_count = %v, want 4", th["post_count"])
	}

	// The audit log names the moderator and the reason.
	entries := mc.modAudit("")
	for _, id := range []string{pPost, r2, r3} {
		modAuditEntry(t, entries, "post.approve", id, mod.DisplayName, "")
	}
	modAuditEntry(t, entries, "post.reject", reply, mod.DisplayName, reason)
	if rej := mc.modAudit("?action=post.reject"); len(rej) != 1 || rej[0]["target_id"] != reply {
		t.Errorf("audit filtered on post.reject: %v", rej)
	}
	if n := len(smtp.Messages()); n != 4 {
		t.Errorf("%d mails sent, want 4 (one per decision)", n)
	}
}

// modRaw sends an API request without the testing.T, for goroutines.
func modRaw(c *client, method, path string) (int, map[string]any, error) {
	req, err := http.NewRequest(method, c.e.ts.URL+path, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("bad JSON %q: %w", raw, err)
	}
	return resp.StatusCode, out, nil
}

func TestModerationConcurrentApprovals(t *testing.T) {
	e := newEnv(t)
	mod1, pw1 := e.member(forum.RoleModerator, "region")
	mod2, pw2 := e.member(forum.RoleAdmin, "departement")
	author, apw := e.member(forum.RoleMember, "commune")
	nc, npw := e.newcomer("intercommunalite")
	mods := []*client{e.login(mod1, pw1), e.login(mod2, pw2)}
	threadID, _, _ := e.login(author, apw).modNewThread("portails", nil, "Prise de rendez-vous en ligne", "Quel outil ?")
	ncc := e.login(nc, npw)
	postID, st := ncc.modReply(threadID, "Nous avons choisi un logiciel libre.")
	if st != "pending" {
		t.Fatalf("reply: %q, want pending", st)
	}

	const n = 20
	type result struct {
		status int
		out    map[string]any
		err    error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var r result
			r.status, r.out, r.err = modRaw(mods[i%2], "POST", "/api/v1/moderation/posts/"+postID+"/approve")
			results[i] = r
		}()
	}
	begin := time.Now()
	close(start)
	wg.Wait()
	t.Logf("%d concurrent approvals in %v", n, time.Since(begin).Round(time.Millisecond))
	ok, conflicts := 0, 0
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("approval %d: %v", i, r.err)
		case r.status == 200:
			ok++
		case r.status == 409 && errCode(r.out) == "already_decided" && strings.HasPrefix(errMessage(r.out), "Déjà traité par "):
			conflicts++
		default:
			t.Errorf("approval %d: %d %v", i, r.status, r.out)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Fatalf("%d approvals succeeded and %d got 409, want 1 and %d", ok, conflicts, n-1)
	}
	// The 409 names the moderator who won.
	var winner string
	for _, en := range mods[0].modAudit("?action=post.approve") {
		if en["target_id"] == postID {
			if winner != "" {
				t.Fatal("two post.approve audit entries for one post")
			}
			winner, _ = obj(en, "actor")["display_name"].(string)
		}
	}
	if winner == "" {
		t.Fatal("no post.approve audit entry for the post")
	}
	for i, r := range results {
		if r.status == 409 && !strings.Contains(errMessage(r.out), winner) {
			t.Errorf("approval %d: message %q does not name %s", i, errMessage(r.out), winner)
		}
	}
	// The side effects happened once.
	if th, posts := e.anon().modThread(threadID); th["post_count"] != float64(2) || len(posts) != 2 {
		t.Errorf("post_count %v with %d posts, want 2 and 2", th["post_count"], len(posts))
	}
	_, out := ncc.api("GET", "/api/v1/notifications", nil)
	if notes := objs(out, "notifications"); len(notes) != 1 {
		t.Errorf("the author got %d notifications, want 1", len(notes))
	}
	if items := mods[1].modQueue(); len(items) != 0 {
		t.Errorf("queue still has %d items", len(items))
	}
}

func TestModerationReportsSuspensionAndThreadActions(t *testing.T) {
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "region")
	author, apw := e.member(forum.RoleMember, "commune")
	var reporters []*client
	for _, typ := range []string{"departement", "intercommunalite", "region"} {
		m, pw := e.member(forum.RoleMember, typ)
		reporters = append(reporters, e.login(m, pw))
	}
	r1 := reporters[0]
	mc, ac, anon := e.login(mod, mpw), e.login(author, apw), e.anon()
	title := "Téléphonie IP pour les mairies annexes"
	threadID, _, _ := ac.modNewThread("reseaux", []string{"commune"}, title, "Quel opérateur ?")
	postID, _ := ac.modReply(threadID, "Nous avons tout migré vers le SIP trunk.")

	// Reports need a reason, once per member, never on one's own post.
	if code, out := r1.api("POST", "/api/v1/posts/"+postID+"/reports", map[string]any{"reason": " "}); code != 400 || errCode(out) != "reason_required" {
		t.Errorf("report without reason: %d %v", code, out)
	}
	if code, out := ac.api("POST", "/api/v1/posts/"+postID+"/reports", map[string]any{"reason": "test"}); code != 400 || errCode(out) != "own_post" {
		t.Errorf("report of one's own post: %d %v", code, out)
	}
	if code, out := anon.api("POST", "/api/v1/posts/"+postID+"/reports", map[string]any{"reason": "test"}); code != 401 {
		t.Errorf("anonymous report: %d %v", code, out)
	}
	reasons := []string{"Publicité pour un opérateur.", "Hors sujet.", "Contenu promotionnel."}
	for i, c := range reporters {
		if code, out := c.api("POST", "/api/v1/posts/"+postID+"/reports", map[string]any{"reason": reasons[i]}); code != 201 {
			t.Fatalf("report %d: %d %v", i, code, out)
		}
		if i == 0 {
			if code, out := c.api("POST", "/api/v1/posts/"+postID+"/reports", map[string]any{"reason": "encore"}); code != 400 || errCode(out) != "already_reported" {
				t.Errorf("second report by the same member: %d %v", code, out)
			}
			// One report does not hide the post.
			if code, _ := anon.api("GET", "/api/v1/posts/"+postID, nil); code != 200 {
				t.Errorf("after one report: %d", code)
			}
		}
	}
	// Three distinct reporters hide it pending review.
	if code, _ := anon.api("GET", "/api/v1/posts/"+postID, nil); code != 404 {
		t.Errorf("anonymous reads the post hidden by reports: %d, want 404", code)
	}
	if th, posts := anon.modThread(threadID); th["post_count"] != float64(1) || len(posts) != 1 {
		t.Errorf("after the hiding: post_count %v, %d posts, want 1 and 1", th["post_count"], len(posts))
	}
	it := modFind(mc.modQueue(), "post_id", postID)
	if it == nil || it["kind"] != "reported" || len(objs(it, "reports")) != 3 || obj(it, "post")["status"] != "hidden" {
		t.Fatalf("queue item of the reported post: %v", it)
	}
	_, page, _ := mc.get("/moderation")
	if !strings.Contains(page, "Signalé (3)") || !strings.Contains(page, reasons[1]) || !strings.Contains(modText(page), "Modération (1") {
		t.Error("the queue page does not show the reported post with its reports and count")
	}
	// A moderator dismisses the reports: the post is back.
	if code, out := r1.api("POST", "/api/v1/moderation/posts/"+postID+"/dismiss-reports", nil); code != 403 {
		t.Errorf("member dismisses reports: %d %v", code, out)
	}
	if code, out := mc.api("POST", "/api/v1/moderation/posts/"+postID+"/dismiss-reports", nil); code != 200 || obj(out, "post")["status"] != "published" {
		t.Fatalf("dismiss reports: %d %v", code, out)
	}
	if th, _ := anon.modThread(threadID); th["post_count"] != float64(2) {
		t.Errorf("after restoring: post_count %v, want 2", th["post_count"])
	}
	if modFind(mc.modQueue(), "post_id", postID) != nil {
		t.Error("the dismissed post is still in the queue")
	}
	// Hide and restore by hand, with a reason.
	hideReason := "Coordonnées personnelles d'un agent."
	if code, out := mc.api("POST", "/api/v1/moderation/posts/"+postID+"/hide", map[string]any{}); code != 400 || errCode(out) != "reason_required" {
		t.Errorf("hide without reason: %d %v", code, out)
	}
	if code, out := mc.api("POST", "/api/v1/moderation/posts/"+postID+"/hide", map[string]any{"reason": hideReason}); code != 200 || obj(out, "post")["status"] != "hidden" {
		t.Fatalf("hide: %d %v", code, out)
	}
	if code, _ := anon.api("GET", "/api/v1/posts/"+postID, nil); code != 404 {
		t.Errorf("hidden post: %d, want 404", code)
	}
	if code, out := mc.api("POST", "/api/v1/moderation/posts/"+postID+"/restore", nil); code != 200 || obj(out, "post")["status"] != "published" {
		t.Fatalf("restore: %d %v", code, out)
	}

	// Suspension: a reason is required; then the member reads but cannot write.
	memberPath := "/api/v1/moderation/members/" + author.ID
	if code, out := mc.api("PATCH", memberPath, map[string]any{"suspend": "7d"}); code != 400 || errCode(out) != "reason_required" {
		t.Errorf("suspension without reason: %d %v", code, out)
	}
	if code, out := mc.api("PATCH", memberPath, map[string]any{"suspend": "7 jours", "reason": "x"}); code != 400 || errCode(out) != "suspend_invalid" {
		t.Errorf("suspension with a bad duration: %d %v", code, out)
	}
	if code, out := r1.api("PATCH", memberPath, map[string]any{"suspend": "7d", "reason": "x"}); code != 403 {
		t.Errorf("member suspends a member: %d %v", code, out)
	}
	if code, out := anon.api("PATCH", memberPath, map[string]any{"suspend": "7d", "reason": "x"}); code != 401 {
		t.Errorf("anonymous suspends a member: %d %v", code, out)
	}
	suspendReason := "Propos injurieux répétés envers un collègue."
	code, out := mc.api("PATCH", memberPath, map[string]any{"suspend": "7d", "reason": suspendReason})
	if code != 200 || obj(out, "member")["suspended"] != true || obj(out, "member")["suspended_until"] == nil {
		t.Fatalf("suspension: %d %v", code, out)
	}
	for what, r := range map[string]struct {
		path string
		body map[string]any
	}{
		"new thread": {"/api/v1/threads", map[string]any{"theme": "sig", "title": "Un titre correct", "body": "x"}},
		"reply":      {"/api/v1/threads/" + threadID + "/posts", map[string]any{"body": "Je réponds quand même."}},
		"report":     {"/api/v1/posts/" + postID + "/reports", map[string]any{"reason": "x"}},
	} {
		code, out := ac.api("POST", r.path, r.body)
		if code != 403 || errCode(out) != "suspended" || !strings.Contains(errMessage(out), "suspendu") {
			t.Errorf("suspended member's %s: %d %v, want 403 suspended with a French message", what, code, out)
		}
	}
	if code, _ := ac.api("GET", "/api/v1/threads/"+threadID, nil); code != 200 {
		t.Errorf("a suspended member cannot read: %d", code)
	}
	if code, _ := mc.api("PATCH", memberPath, map[string]any{"suspend": "none"}); code != 200 {
		t.Errorf("lifting the suspension: %d", code)
	}
	if _, st := ac.modReply(threadID, "Merci pour la levée."); st != "published" {
		t.Errorf("after the suspension: %q", st)
	}

	// Thread actions: role checks first.
	threadPath := "/api/v1/moderation/threads/" + threadID
	if code, out := r1.api("PATCH", threadPath, map[string]any{"locked": true}); code != 403 || errCode(out) != "forbidden" {
		t.Errorf("member locks: %d %v", code, out)
	}
	if code, out := anon.api("PATCH", threadPath, map[string]any{"locked": true}); code != 401 {
		t.Errorf("anonymous locks: %d %v", code, out)
	}
	lockReason := "Sujet clos : la réponse est dans le fil."
	code, out = mc.api("PATCH", threadPath, map[string]any{"locked": true, "reason": lockReason})
	if code != 200 || obj(out, "thread")["locked"] != true {
		t.Fatalf("lock: %d %v", code, out)
	}
	code, out = r1.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": "Une dernière chose."})
	if code != 403 || errCode(out) != "thread_locked" || !strings.Contains(errMessage(out), "verrouillé") {
		t.Errorf("reply to a locked thread: %d %v", code, out)
	}
	// Pin: the thread comes first although another one is more recent.
	r1.modNewThread("reseaux", []string{"commune"}, "Un fil plus récent sur les réseaux", "Bonjour.")
	pinReason := "Fil de référence."
	if code, out := mc.api("PATCH", threadPath, map[string]any{"pinned": true, "reason": pinReason}); code != 200 || obj(out, "thread")["pinned"] != true {
		t.Fatalf("pin: %d %v", code, out)
	}
	if titles := anon.modThreadTitles("?theme=reseaux"); len(titles) != 2 || titles[0] != title {
		t.Errorf("after pinning: %q, want %q first", titles, title)
	}
	// Move to another theme.
	if code, out := mc.api("PATCH", threadPath, map[string]any{"theme": "inconnu"}); code != 400 || errCode(out) != "theme_unknown" {
		t.Errorf("move to an unknown theme: %d %v", code, out)
	}
	moveReason := "Relève de la téléphonie des centres d'appels."
	if code, out := mc.api("PATCH", threadPath, map[string]any{"theme": "centres-appel-citoyens", "reason": moveReason}); code != 200 || obj(out, "thread")["theme"] != "centres-appel-citoyens" {
		t.Fatalf("move: %d %v", code, out)
	}
	if titles := anon.modThreadTitles("?theme=centres-appel-citoyens"); !modHas(titles, title) {
		t.Errorf("the moved thread is not in its new theme: %q", titles)
	}
	if titles := anon.modThreadTitles("?theme=reseaux"); modHas(titles, title) {
		t.Errorf("the moved thread is still in its old theme: %q", titles)
	}
	// Change the authority types.
	typesReason := "Concerne aussi les départements."
	if code, out := mc.api("PATCH", threadPath, map[string]any{"authority_types": []string{"departement", "region"}, "reason": typesReason}); code != 200 {
		t.Fatalf("authority types: %d %v", code, out)
	}
	if titles := anon.modThreadTitles("?authority_type=departement"); !modHas(titles, title) {
		t.Errorf("not listed under its new authority type: %q", titles)
	}
	if titles := anon.modThreadTitles("?authority_type=commune"); modHas(titles, title) {
		t.Errorf("still listed under its old authority type: %q", titles)
	}

	// Everything is in the audit log, with its author and reason.
	entries := mc.modAudit("")
	modAuditEntry(t, entries, "post.auto_hide", postID, "Système (signalements)", "")
	modAuditEntry(t, entries, "reports.dismiss", postID, mod.DisplayName, "")
	modAuditEntry(t, entries, "post.hide", postID, mod.DisplayName, hideReason)
	modAuditEntry(t, entries, "post.restore", postID, mod.DisplayName, "")
	modAuditEntry(t, entries, "member.suspend", author.ID, mod.DisplayName, suspendReason)
	modAuditEntry(t, entries, "member.unsuspend", author.ID, mod.DisplayName, "")
	modAuditEntry(t, entries, "thread.lock", threadID, mod.DisplayName, lockReason)
	modAuditEntry(t, entries, "thread.pin", threadID, mod.DisplayName, pinReason)
	modAuditEntry(t, entries, "thread.move", threadID, mod.DisplayName, moveReason)
	modAuditEntry(t, entries, "thread.authority_types", threadID, mod.DisplayName, typesReason)
	if en := mc.modAudit("?action=thread.move"); len(en) != 1 || !strings.Contains(fmt.Sprint(en[0]["before"]), "reseaux") ||
		!strings.Contains(fmt.Sprint(en[0]["after"]), "centres-appel-citoyens") {
		t.Errorf("thread.move entry's before/after: %v", en)
	}
	for i := 1; i < len(entries); i++ {
		prev, _ := time.Parse(time.RFC3339, fmt.Sprint(entries[i-1]["at"]))
		cur, _ := time.Parse(time.RFC3339, fmt.Sprint(entries[i]["at"]))
		if prev.Before(cur) {
			t.Errorf("audit entries are not newest first at %d", i)
			break
		}
	}
	// As CSV, for moderators only.
	code, csv, resp := mc.get("/api/v1/moderation/audit?format=csv")
	if code != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("audit CSV: %d %s", code, resp.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimPrefix(csv, "\ufeff"), "\n")
	if lines[0] != "date;moderateur;action;cible;identifiant;fil;avant;apres;raison" {
		t.Errorf("CSV header row: %q", lines[0])
	}
	if len(lines) < len(entries)+1 || !strings.Contains(csv, "thread.lock") || !strings.Contains(csv, lockReason) || !strings.Contains(csv, mod.DisplayName) {
		t.Errorf("CSV lacks entries (%d lines for %d entries):\n%s", len(lines), len(entries), csv)
	}
	for _, path := range []string{"/api/v1/moderation/audit", "/api/v1/moderation/audit?format=csv"} {
		if code, out := r1.api("GET", path, nil); code != 403 || errCode(out) != "forbidden" {
			t.Errorf("member GET %s: %d %v", path, code, out)
		}
		if code, _ := anon.api("GET", path, nil); code != 401 {
			t.Errorf("anonymous GET %s: %d", path, code)
		}
	}
}

// modForm posts a form with the client's CSRF token.
func (c *client) modForm(path string, form url.Values) (int, string, *http.Response) {
	c.t.Helper()
	form.Set("csrf_token", c.csrf)
	return c.post(path, form)
}

func TestModerationPages(t *testing.T) {
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "region")
	other, opw := e.member(forum.RoleMember, "departement")
	nc, npw := e.newcomer("commune")
	mc, oc, ncc, anon := e.login(mod, mpw), e.login(other, opw), e.login(nc, npw), e.anon()

	openID, _, _ := oc.modNewThread("reseaux", nil, "Wi-Fi public dans les médiathèques", "Quel portail captif ?")
	t1, p1, _ := ncc.modNewThread("reseaux", []string{"commune"}, "Sauvegardes externalisées des mairies", "Qui externalise ses sauvegardes ?")
	p2, _ := ncc.modReply(openID, "Nous utilisons un portail libre.")
	t3, p3, _ := ncc.modNewThread("portails", []string{"commune"}, "Messagerie collaborative en commune", "Premier jet du message.")

	// The queue page lists the items and the count is in the header of every page.
	code, page, _ := mc.get("/moderation")
	if code != 200 {
		t.Fatalf("GET /moderation: %d", code)
	}
	text := modText(page)
	for _, want := range []string{"Modération (3", "Sauvegardes externalisées des mairies", "Wi-Fi public dans les médiathèques",
		"Messagerie collaborative en commune", "Nous utilisons un portail libre.", `value="approve:` + p1 + `"`} {
		if !strings.Contains(text, want) && !strings.Contains(page, want) {
			t.Errorf("the queue page lacks %q", want)
		}
	}
	if i1, i3 := strings.Index(page, `id="item-`+p1+`"`), strings.Index(page, `id="item-`+p3+`"`); i1 < 0 || i3 < 0 || i1 > i3 {
		t.Error("the queue page is not oldest first")
	}
	if _, home, _ := mc.get("/"); !strings.Contains(modText(home), "Modération (3") {
		t.Error("the pending count is not in the header of the home page")
	}
	if _, home, _ := oc.get("/"); strings.Contains(home, `href="/moderation"`) {
		t.Error("a member sees the moderation link")
	}

	// Members and anonymous visitors do not get in.
	if code, page, _ := oc.get("/moderation"); code != 403 || !strings.Contains(modText(page), "Vous n'avez pas le droit") {
		t.Errorf("member GET /moderation: %d", code)
	}
	if code, _, _ := oc.modForm("/moderation", url.Values{"post": {p1}, "bulk": {"approve"}}); code != 403 {
		t.Errorf("member POST /moderation: %d", code)
	}
	if code, _, resp := anon.get("/moderation"); code != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("anonymous GET /moderation: %d %s", code, resp.Header.Get("Location"))
	}
	for _, path := range []string{"/moderation/audit", "/moderation/audit.csv", "/moderation/posts/" + p3 + "/edit"} {
		if code, _, _ := oc.get(path); code != 403 {
			t.Errorf("member GET %s: %d", path, code)
		}
	}

	// Bulk approval through the form.
	if code, page, _ := mc.modForm("/moderation", url.Values{"bulk": {"approve"}}); code != 422 || !strings.Contains(page, "Cochez au moins un élément") {
		t.Errorf("bulk approval with nothing checked: %d", code)
	}
	code, _, resp := mc.modForm("/moderation", url.Values{"post": {p1, p2}, "bulk": {"approve"}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/moderation?notice=decided" {
		t.Fatalf("bulk approve: %d %s", code, resp.Header.Get("Location"))
	}
	for _, id := range []string{p1, p2} {
		if code, out := anon.api("GET", "/api/v1/posts/"+id, nil); code != 200 || obj(out, "post")["status"] != "published" {
			t.Errorf("bulk-approved %s: %d %v", id, code, out)
		}
	}
	if !modHas(anon.modThreadTitles(""), "Sauvegardes externalisées des mairies") {
		t.Error("the bulk-approved thread is not listed")
	}
	_, page, _ = mc.get("/moderation?notice=decided")
	if text := modText(page); !strings.Contains(text, "Modération (1") || !strings.Contains(text, "La décision est enregistrée") || strings.Contains(page, `id="item-`+p1+`"`) {
		t.Error("after the bulk approval the queue page is wrong")
	}

	// A single rejection with a canned reason and free text, then undo.
	canned := moderation.CannedReasons[0]
	free := "Le thème « Réseaux » convient mieux."
	if code, page, _ := mc.modForm("/moderation", url.Values{"one": {"reject:" + p3}}); code != http.StatusUnprocessableEntity || !strings.Contains(page, "Indiquez la raison") {
		t.Errorf("reject without a reason through the form: %d", code)
	}
	code, _, resp = mc.modForm("/moderation", url.Values{"one": {"reject:" + p3}, "canned-" + p3: {canned}, "reason-" + p3: {free}})
	loc := resp.Header.Get("Location")
	if code != http.StatusSeeOther || !strings.Contains(loc, "undo="+p3) {
		t.Fatalf("single reject: %d %s", code, loc)
	}
	_, page, _ = mc.get(loc)
	if !strings.Contains(page, `action="/moderation/posts/`+p3+`/undo"`) || !strings.Contains(page, "Annuler ce refus") || !strings.Contains(page, "La file est vide") {
		t.Error("after the rejection the queue page offers no undo button")
	}
	if code, out := ncc.api("GET", "/api/v1/notifications", nil); code != 200 || modFind(objs(out, "notifications"), "kind", "post_rejected")["reason"] != canned+" "+free {
		t.Errorf("the rejection notification does not carry the canned reason and the free text: %v", out)
	}
	_, page, _ = ncc.get("/notifications")
	if text := modText(page); !strings.Contains(text, "Raison : "+canned+" "+free) || !strings.Contains(text, "Sauvegardes externalisées des mairies » est publié") {
		t.Errorf("the author's notifications page does not list the decisions:\n%s", text)
	}
	code, _, resp = mc.modForm("/moderation/posts/"+p3+"/undo", url.Values{})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/moderation?notice=undone" {
		t.Fatalf("undo: %d %s", code, resp.Header.Get("Location"))
	}
	if it := modFind(mc.modQueue(), "post_id", p3); it == nil || obj(it, "post")["status"] != "pending" {
		t.Fatal("after the undo the post is not back in the queue")
	}
	if code, out := ncc.api("GET", "/api/v1/threads/"+t3, nil); code != 200 || obj(out, "thread")["status"] != "pending" {
		t.Errorf("after the undo the author sees the thread as %d %v", code, out)
	}
	if code, _, _ := mc.modForm("/moderation/posts/"+p3+"/undo", url.Values{}); code != 409 {
		t.Errorf("undo of a pending post: %d, want 409", code)
	}

	// Edit, then approve.
	code, page, _ = mc.get("/moderation/posts/" + p3 + "/edit")
	if code != 200 || !strings.Contains(page, `value="Messagerie collaborative en commune"`) || !strings.Contains(page, "Premier jet du message.") {
		t.Fatalf("edit page: %d", code)
	}
	newTitle, newBody := "Messagerie collaborative : quel outil en commune ?", "Message **reformulé** par la modération."
	code, _, resp = mc.modForm("/moderation/posts/"+p3+"/edit", url.Values{"title": {newTitle}, "theme": {"reseaux"},
		"authority_types": {"commune", "intercommunalite"}, "body": {newBody}, "action": {"publish"}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/moderation?notice=decided" {
		t.Fatalf("edit and approve: %d %s", code, resp.Header.Get("Location"))
	}
	th, posts := anon.modThread(t3)
	if th["title"] != newTitle || th["theme"] != "reseaux" || len(th["authority_types"].([]any)) != 2 || th["status"] != "published" ||
		len(posts) != 1 || !strings.Contains(posts[0]["body_html"].(string), "<strong>reformulé</strong>") {
		t.Errorf("after edit-then-approve: %v %v", th, posts)
	}
	if code, _, _ := mc.modForm("/moderation/posts/"+p3+"/edit", url.Values{"title": {newTitle}, "theme": {"reseaux"}, "body": {"x"}, "action": {"publish"}}); code != 409 {
		t.Errorf("edit-then-approve of a decided post: %d, want 409", code)
	}

	// The report form.
	code, page, _ = oc.get("/posts/" + p1 + "/report")
	if code != 200 || !strings.Contains(page, `action="/posts/`+p1+`/report"`) {
		t.Fatalf("report page: %d", code)
	}
	if code, page, _ := oc.modForm("/posts/"+p1+"/report", url.Values{"reason": {""}}); code != 422 || !strings.Contains(page, `id="reason-error"`) {
		t.Errorf("empty report: %d", code)
	}
	code, _, resp = oc.modForm("/posts/"+p1+"/report", url.Values{"reason": {"Contient l'adresse IP du serveur."}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/posts/"+p1+"?notice=reported" {
		t.Fatalf("report form: %d %s", code, resp.Header.Get("Location"))
	}
	if it := modFind(mc.modQueue(), "post_id", p1); it == nil || it["kind"] != "reported" {
		t.Errorf("the reported post is not in the queue: %v", it)
	}
	if _, page, _ := mc.get("/moderation"); !strings.Contains(page, "Signalé (1)") || !strings.Contains(modText(page), "Contient l'adresse IP du serveur.") {
		t.Error("the queue page does not show the report")
	}

	// Thread tools on the thread page.
	_, page, _ = mc.get("/threads/" + t1)
	if !strings.Contains(page, `action="/moderation/threads/`+t1+`"`) || !strings.Contains(page, `action="/moderation/posts/`+p1+`"`) {
		t.Error("the thread page shows no moderator tools")
	}
	code, _, _ = mc.modForm("/moderation/threads/"+t1, url.Values{"action": {"lock"}, "reason": {"Sujet clos."}})
	if code != http.StatusSeeOther {
		t.Fatalf("lock form: %d", code)
	}
	if _, page, _ := oc.get("/threads/" + t1); !strings.Contains(page, "Ce fil est verrouillé") {
		t.Error("the locked thread does not say so")
	}

	// The member page's moderation form.
	code, page, _ = mc.get("/members/" + nc.ID)
	if code != 200 || !strings.Contains(page, `action="/moderation/members/`+nc.ID+`"`) {
		t.Fatalf("member page: %d", code)
	}
	if _, page, _ := oc.get("/members/" + nc.ID); strings.Contains(page, `action="/moderation/members/`) {
		t.Error("a member sees the moderation form of another member")
	}
	if code, page, _ := mc.modForm("/moderation/members/"+nc.ID, url.Values{"suspend": {"7d"}, "reason": {""}}); code != 422 || !strings.Contains(page, `id="reason-error"`) {
		t.Errorf("suspension without reason through the form: %d", code)
	}
	code, _, resp = mc.modForm("/moderation/members/"+nc.ID, url.Values{"suspend": {"7d"}, "reason": {"Messages hors charte."}})
	if code != http.StatusSeeOther || resp.Header.Get("Location") != "/members/"+nc.ID+"?notice=moderated" {
		t.Fatalf("suspension form: %d %s", code, resp.Header.Get("Location"))
	}
	if _, page, _ := mc.get("/members/" + nc.ID); !strings.Contains(stdhtml.UnescapeString(page), "Compte suspendu jusqu'au") {
		t.Error("the member page does not show the suspension")
	}
	if code, out := ncc.api("POST", "/api/v1/threads/"+openID+"/posts", map[string]any{"body": "Encore moi."}); code != 403 || errCode(out) != "suspended" {
		t.Errorf("suspended through the form, then posting: %d %v", code, out)
	}

	// The audit page and its CSV download.
	code, page, _ = mc.get("/moderation/audit")
	if code != 200 || !strings.Contains(page, `<table class="audit">`) {
		t.Fatalf("audit page: %d", code)
	}
	page = page[strings.Index(page, `<table class="audit">`):]
	for _, want := range []string{"post.approve", "post.reject", "post.undo_reject", "post.edit", "thread.edit", "thread.lock", "member.suspend", i18n.TypoText(canned), "Messages hors charte."} {
		if !strings.Contains(page, want) {
			t.Errorf("the audit page lacks %q", want)
		}
	}
	code, csv, resp := mc.get("/moderation/audit.csv")
	if code != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("audit.csv: %d %q %q", code, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(strings.TrimPrefix(csv, "\ufeff"), "date;moderateur;action;") || !strings.Contains(csv, "post.undo_reject") || !strings.Contains(csv, "Messages hors charte.") {
		t.Errorf("audit.csv:\n%s", csv)
	}
	if _, csv, _ := mc.get("/moderation/audit.csv?action=member.suspend"); strings.Count(strings.TrimSpace(csv), "\n") != 1 {
		t.Errorf("filtered audit.csv has not one entry:\n%s", csv)
	}
}
