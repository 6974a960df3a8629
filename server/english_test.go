package server_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/mail/mailtest"
	"coterforum/moderation"
)

// frenchMarkers betray French text: guillemets, French typography's
// non-breaking spaces, accented letters and short French words. The
// fixture's own content (names, titles, posts, reasons) is English, so any
// of them on an English page or in an English mail is the forum's French.
var frenchMarkers = []string{"«", "»", "\u202f", "\u00a0:", "\u00a0;", " le ", " les ", " des ", " du ", " à ", " au ", " est ",
	"é", "è", "ê", "ç", "ô", "Déjà", "supprimé", "tâche", "UTC"}

// englishExceptions are French words English pages use on purpose: the
// language switcher names French in French, and "Départements" is the
// administrative term kept in English.
//
// The queue's proposed reasons are option values in French (catalog keys,
// translated where a reason is shown); the option's text is English.
var englishExceptions = regexp.MustCompile(`<[^>]* lang="fr"[^>]*>[^<]*<|<option value="[^"]*"|Départements?|départements?`)

// checkNoFrench fails when text, an English page or mail, shows French.
func checkNoFrench(t *testing.T, what, text string) {
	t.Helper()
	text = englishExceptions.ReplaceAllString(html.UnescapeString(text), "")
	for _, m := range frenchMarkers {
		if i := strings.Index(text, m); i >= 0 {
			from, to := max(0, i-120), min(len(text), i+120)
			t.Errorf("%s: French %q in English: …%s…", what, m, text[from:to])
		}
	}
}

// englishMember creates an account whose name, authority and language are
// English, trusted or not.
func englishMember(t *testing.T, e *env, name, role string, trusted bool) (*forum.Member, string) {
	t.Helper()
	ctx := context.Background()
	pw := "a-strong-password-" + role
	m, err := e.svc.CreateMember(ctx, forum.NewMember{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.org",
		DisplayName: name, Authority: "Springfield County", AuthorityType: "region", Role: role, Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetLanguage(ctx, m, "en"); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpdateMember(ctx, m.ID, moderation.MemberChange{Trusted: &trusted}); err != nil {
		t.Fatal(err)
	}
	m.Lang, m.Trusted = "en", trusted
	return m, pw
}

// TestEnglishPagesAndMailsShowNoFrench renders in English the pages, feed,
// API answers and mails that show moderation decisions (approval,
// rejection with its reason, an already-decided conflict, an undone
// rejection, a suspension with its end date), a deleted member, a removed
// post and a task list, and finds no French in them.
func TestEnglishPagesAndMailsShowNoFrench(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnv(t, func(c *serverConfig) { c.Mail = smtp.Sender(t) })
	ctx := context.Background()
	alex, alexPW := englishMember(t, e, "Alex Reviewer", forum.RoleAdmin, true)
	kim, kimPW := englishMember(t, e, "Kim Second", forum.RoleModerator, true)
	sam, samPW := englishMember(t, e, "Sam Writer", forum.RoleMember, false)
	pat, patPW := englishMember(t, e, "Pat Leaving", forum.RoleMember, true)
	ac, kc, sc, pc := e.login(alex, alexPW), e.login(kim, kimPW), e.login(sam, samPW), e.login(pat, patPW)

	// Sam's thread, with a task list, waits for moderation; Alex approves it.
	status, out := sc.api("POST", "/api/v1/threads", map[string]any{"theme": "reseaux", "authority_types": []string{"region"},
		"title": "Network upgrade checklist", "body": "Our plan:\n\n- [x] fibre laid\n- [ ] acceptance tests\n"})
	if status != 201 {
		t.Fatalf("thread: %d %v", status, out)
	}
	threadID := out["thread"].(map[string]any)["id"].(string)
	firstID := out["post"].(map[string]any)["id"].(string)
	if status, out := ac.api("POST", "/api/v1/moderation/posts/"+firstID+"/approve", nil); status != 200 {
		t.Fatalf("approve: %d %v", status, out)
	}
	// Already decided: Kim's approval comes second.
	status, out = kc.api("POST", "/api/v1/moderation/posts/"+firstID+"/approve", nil)
	if status != 409 || errCode(out) != "already_decided" || !strings.HasPrefix(errMessage(out), "Already handled by Alex Reviewer on ") ||
		!strings.HasSuffix(errMessage(out), "(published).") {
		t.Fatalf("already decided: %d %v", status, out)
	}
	checkNoFrench(t, "already-decided message", errMessage(out))

	// A reply rejected with a reason, then a second one rejected and undone.
	reply := func(body string) string {
		status, out := sc.api("POST", "/api/v1/threads/"+threadID+"/posts", map[string]any{"body": body})
		if status != 201 {
			t.Fatalf("reply: %d %v", status, out)
		}
		return out["post"].(map[string]any)["id"].(string)
	}
	rejected := reply("Buy our routers now, best prices.")
	if status, out := ac.api("POST", "/api/v1/moderation/posts/"+rejected+"/reject", map[string]any{"reason": "Advertising is not allowed here."}); status != 200 {
		t.Fatalf("reject: %d %v", status, out)
	}
	status, out = kc.api("POST", "/api/v1/moderation/posts/"+rejected+"/reject", map[string]any{"reason": "Spam."})
	if status != 409 {
		t.Fatalf("second rejection: %d %v", status, out)
	}
	checkNoFrench(t, "already-rejected message", errMessage(out))
	undone := reply("A second thought on the cabling.")
	if status, out := ac.api("POST", "/api/v1/moderation/posts/"+undone+"/reject", map[string]any{"reason": "Too short."}); status != 200 {
		t.Fatalf("reject: %d %v", status, out)
	}
	if status, out := ac.api("POST", "/api/v1/moderation/posts/"+undone+"/undo-reject", nil); status != 200 {
		t.Fatalf("undo: %d %v", status, out)
	}
	status, out = ac.api("POST", "/api/v1/moderation/posts/"+firstID+"/undo-reject", nil)
	if status != 409 {
		t.Fatalf("undo of an approval: %d %v", status, out)
	}
	checkNoFrench(t, "undo conflict message", errMessage(out))

	// A suspension with an end date (the audit log shows it).
	if status, out := ac.api("PATCH", "/api/v1/moderation/members/"+kim.ID, map[string]any{"suspend": "7d", "reason": "Cooling off."}); status != 200 {
		t.Fatalf("suspend: %d %v", status, out)
	}

	// Pat writes a thread and a reply, then deletes the account, removing
	// the reply's text: the thread stays, signed by a deleted member.
	status, out = pc.api("POST", "/api/v1/threads", map[string]any{"theme": "reseaux", "authority_types": []string{"region"},
		"title": "Leaving the club soon", "body": "Thanks for all the help."})
	if status != 201 {
		t.Fatalf("Pat's thread: %d %v", status, out)
	}
	patThread := out["thread"].(map[string]any)["id"].(string)
	if status, out := pc.api("DELETE", "/api/v1/account", map[string]any{"password": patPW, "posts": "remove"}); status != 200 {
		t.Fatalf("delete Pat: %d %v", status, out)
	}

	// Pages, for a member and for a visitor who chose English.
	aw, sw := webLogin(t, e, alex, alexPW), webLogin(t, e, sam, samPW)
	anon := e.anon()
	anon.setLanguage("en")
	for _, p := range []struct {
		c    *client
		path string
		want []string
	}{
		{anon, "/threads/" + threadID, []string{`aria-label="task done"`, `aria-label="task to do"`, "fibre laid"}},
		{anon, "/threads/" + patThread, []string{"deleted member", "Post removed at its author"}},
		{anon, "/members/" + pat.ID, []string{"deleted member"}},
		{anon, "/", nil},
		{anon, "/feed.atom", []string{"deleted member", "Post removed at its author", "task done"}},
		{aw, "/threads/" + threadID, []string{"task done"}},
		{aw, "/moderation", nil},
		{aw, "/moderation/audit", []string{"suspended until", "active"}},
		{aw, "/moderation?notice=undone", []string{"The rejection is undone"}},
		{aw, "/members/" + kim.ID, []string{"suspended until"}},
		{sw, "/notifications", []string{"Advertising is not allowed here."}},
	} {
		status, page, _ := p.c.get(p.path)
		if status != 200 {
			t.Errorf("%s: %d", p.path, status)
			continue
		}
		for _, w := range p.want {
			if !strings.Contains(html.UnescapeString(page), w) {
				t.Errorf("%s lacks %q", p.path, w)
			}
		}
		checkNoFrench(t, p.path, page)
	}
	// The queue form's conflict, in English.
	status, page, _ := aw.post("/moderation", url.Values{"csrf_token": {aw.pageCSRF("/moderation")}, "one": {"approve:" + rejected}})
	if status != http.StatusConflict {
		t.Errorf("queue form on a decided post: %d", status)
	}
	checkNoFrench(t, "queue form conflict", page)

	// API answers (cached without a language) flag the deleted author and
	// the removed post.
	status, out = e.anon().api("GET", "/api/v1/threads/"+patThread, nil)
	posts, _ := out["posts"].([]any)
	if status != 200 || len(posts) != 1 {
		t.Fatalf("API thread: %d %v", status, out)
	}
	post := posts[0].(map[string]any)
	author := post["author"].(map[string]any)
	if author["deleted"] != true || author["display_name"] != forum.DeletedMemberLabel || post["removed"] != true {
		t.Errorf("API post of a deleted member: %v", post)
	}

	// Mails: Sam's decisions (approved, rejected with its reason), all in English.
	smtp.WaitFor(t, 2, 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	n, withReason := 0, false
	for _, m := range smtp.Messages() {
		if len(m.To) != 1 || m.To[0] != sam.Email {
			continue
		}
		n++
		mailtest.CheckLanguage(t, "decision mail "+m.Subject, m, "en", nil, nil)
		checkNoFrench(t, "mail "+m.Subject, m.Subject+"\n"+m.Text+"\n"+m.HTML)
		withReason = withReason || strings.Contains(m.Text, "Reason: Advertising is not allowed here.")
	}
	if !withReason {
		t.Error("no rejection mail with its reason")
	}
	if n < 2 {
		t.Errorf("%d decision mails to Sam, want at least 2", n)
	}
	_ = ctx
}
