package server_test

// Browser tests of the moderation pages (issue 3): axe-core audits of every
// moderation page with content on it, and a keyboard-only approval.

import (
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

func TestModerationPagesHaveNoAxeViolations(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	start := time.Now()
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "region")
	author, apw := e.member(forum.RoleMember, "commune")
	reporter, rpw := e.member(forum.RoleMember, "departement")
	nc, npw := e.newcomer("intercommunalite")
	mc, ac, rc, ncc := e.login(mod, mpw), e.login(author, apw), e.login(reporter, rpw), e.login(nc, npw)

	// A published thread whose reply is reported (a reported item)…
	s := browserSeedThread(t, ac, ac)
	if code, out := rc.api("POST", "/api/v1/posts/"+s.replyID+"/reports", map[string]any{"reason": "Publicité déguisée pour un opérateur."}); code != 201 {
		t.Fatalf("report: %d %v", code, out)
	}
	// …a newcomer's posts: one approved, one rejected (notifications and
	// audit entries), one left pending (a pending item, with context).
	_, approved, _ := ncc.modNewThread("sig", []string{"intercommunalite"}, "Cadastre solaire intercommunal", "Qui a un **cadastre solaire** ?")
	rejected, _ := ncc.modReply(s.threadID, "Nous cherchons aussi un opérateur.")
	pendingTitle := "Hébergement des données de santé du CCAS"
	pendingThread, pending, _ := ncc.modNewThread("portails", []string{"commune", "intercommunalite"}, pendingTitle, "Quel hébergeur **certifié HDS** ?\n\n- critère 1\n- critère 2")
	pendingReply, _ := ncc.modReply(s.threadID, "Une réponse encore en attente, avec du `code`.")
	mc.modDecide(approved, "")
	mc.modDecide(rejected, "Message en doublon d'un fil existant.")
	if code, out := mc.api("PATCH", "/api/v1/moderation/threads/"+s.threadID, map[string]any{"pinned": true, "reason": "Fil de référence."}); code != 200 {
		t.Fatalf("pin: %d %v", code, out)
	}

	base := e.ts.URL
	b := browsertest.New(t)
	ctx := b.Ctx()
	browserLogin(t, ctx, base, mod, mpw)
	for _, p := range []struct{ name, path, h1, check string }{
		{"file de modération", "/moderation", "File de modération",
			`document.querySelectorAll(".queue-item").length === 3 && !!document.querySelector(".queue-item .badge-warn") && !!document.querySelector("button[value='approve:` + pending + `']") && !!document.querySelector("details.context")`},
		{"modifier avant d'approuver", "/moderation/posts/" + pending + "/edit", "Modifier avant d'approuver",
			`document.getElementById("title").value === "` + pendingTitle + `" && document.getElementById("body").value.includes("HDS")`},
		{"journal de modération", "/moderation/audit", "Journal de modération",
			`document.querySelectorAll("table.audit tbody tr").length >= 3`},
		{"fiche d'un membre (modérateur)", "/members/" + nc.ID, nc.DisplayName,
			`!!document.querySelector("form[action='/moderation/members/` + nc.ID + `'] select#suspend")`},
		{"signaler un message", "/posts/" + s.firstPostID + "/report", "Signaler un message",
			`!!document.querySelector("form textarea#reason")`},
		{"fil (modérateur)", "/threads/" + s.threadID, s.title,
			`!!document.querySelector("section.mod-thread form") && document.querySelectorAll("form.mod-tools").length >= 2 && !!document.querySelector("#post-` + pendingReply + ` .banner-pending")`},
		{"fil en attente (modérateur)", "/threads/" + pendingThread, pendingTitle,
			`!!document.querySelector(".banner-pending") && !!document.querySelector("form.mod-tools a[href='/moderation']")`},
	} {
		brVisit(t, ctx, base+p.path, 200)
		if !brEval[bool](t, ctx, p.check) {
			t.Fatalf("%s: the page is not in the expected state (%s)", p.path, p.check)
		}
		brAudit(t, b, ctx, p.name, p.h1)
	}
	if got := brText(t, ctx, `nav[aria-label="Compte"] a[href="/moderation"]`); !strings.HasPrefix(got, "Modération (3") {
		t.Errorf("header link: %q, want the pending count 3", got)
	}

	// The queue after a failed submission (nothing checked), errors shown.
	brVisit(t, ctx, base+"/moderation", 200)
	brSubmit(t, ctx, "bulk approve with nothing checked", 422, chromedp.Click(chromedp.CSS(`button[name="bulk"][value="approve"]`)))
	brAudit(t, b, ctx, "file de modération avec erreur", "File de modération")

	// The author's notifications, in a fresh tab (the cookies are shared).
	tab := b.NewTab(t)
	brVisit(t, tab, base+"/", 200)
	browserLogout(t, tab)
	browserLogin(t, tab, base, nc, npw)
	brVisit(t, tab, base+"/notifications", 200)
	if n := brEval[int](t, tab, `document.querySelectorAll("ul.notifications li").length`); n != 2 {
		t.Fatalf("the notifications page lists %d notifications, want 2", n)
	}
	if got := brText(t, tab, "ul.notifications"); !strings.Contains(got, "Message en doublon d'un fil existant.") {
		t.Errorf("the rejection reason is not shown: %q", got)
	}
	brAudit(t, b, tab, "notifications", "Notifications")
	t.Logf("10 audits in %v", time.Since(start).Round(time.Millisecond))
}

func TestModerationKeyboardApproval(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	mod, mpw := e.member(forum.RoleModerator, "departement")
	nc, npw := e.newcomer("commune")
	title := "Sauvegarde des postes des écoles"
	_, postID, st := e.login(nc, npw).modNewThread("reseaux", []string{"commune"}, title, "Quelle solution de **sauvegarde** ?")
	if st != "pending" {
		t.Fatalf("status %q, want pending", st)
	}
	anon := e.anon()
	base := e.ts.URL
	b := browsertest.New(t)
	ctx := b.Ctx()
	browserLogin(t, ctx, base, mod, mpw)
	brVisit(t, ctx, base+"/moderation", 200)

	// Enter in a reason field must not submit the form with its first
	// button ("Approuver la sélection"): check the item, type a reason, press Enter.
	if !brEval[bool](t, ctx, `getComputedStyle(document.querySelector("#queue-form > button[disabled]")).display === "none"`) {
		t.Error("the queue form's disabled default button is displayed")
	}
	brDo(t, ctx, "check the item", chromedp.Focus(chromedp.CSS(`input[name="post"][value="`+postID+`"]`)))
	brKeys(t, ctx, " ")
	brDo(t, ctx, "focus the bulk reason", chromedp.Focus(chromedp.CSS("#bulk-reason")))
	brKeys(t, ctx, "doublon")
	brKeys(t, ctx, kb.Enter)
	time.Sleep(time.Second) // a submission would have landed by now
	if v := brEval[string](t, ctx, `(document.getElementById("bulk-reason") || {}).value || ""`); v != "doublon" {
		t.Errorf("Enter in the reason field left the page (the field holds %q)", v)
	}
	if code, out := anon.api("GET", "/api/v1/posts/"+postID, nil); code != 404 {
		t.Fatalf("Enter in the reason field published the checked post: %d %v", code, out)
	}

	// Tab, as a keyboard user, from the top of the page to the item's button.
	brVisit(t, ctx, base+"/moderation", 200)
	want := "approve:" + postID
	var f brFocus
	for i := 0; ; i++ {
		if i == 80 {
			t.Fatalf("80 Tabs did not reach the item's Approuver button (last: %s %q)", f.Tag, f.Text)
		}
		f = brTab(t, b, ctx)
		if f.Tag == "button" && f.Value == want {
			break
		}
	}
	if !strings.HasPrefix(f.Text, "Approuver") || !strings.Contains(f.Text, title) {
		t.Errorf("the focused button reads %q, want Approuver and the thread's title", f.Text)
	}
	brAssertFocusVisible(t, f)
	brSubmit(t, ctx, "approve with Enter", 200, chromedp.KeyEvent(kb.Enter))

	if got := brText(t, ctx, "main .empty"); !strings.Contains(got, "La file est vide") {
		t.Errorf("after the approval the queue shows %q, want the empty-queue text", got)
	}
	if got := brText(t, ctx, `main [role="status"]`); !strings.Contains(got, "La décision est enregistrée") {
		t.Errorf("after the approval the notice is %q", got)
	}
	if got := brText(t, ctx, `nav[aria-label="Compte"] a[href="/moderation"]`); !strings.HasPrefix(got, "Modération (0") {
		t.Errorf("header link after the approval: %q", got)
	}
	if code, out := anon.api("GET", "/api/v1/posts/"+postID, nil); code != 200 || obj(out, "post")["status"] != "published" {
		t.Fatalf("the approved post is not published: %d %v", code, out)
	}
	if !modHas(anon.modThreadTitles("?theme=reseaux"), title) {
		t.Error("the approved thread is not listed")
	}
}
