package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail"
	"coterforum/moderation"
)

// auditOf returns the audit entries of an action.
func auditOf(t *testing.T, e *env, admin *forum.Member, action string) []moderation.AuditEntry {
	t.Helper()
	entries, err := e.mod.Audit(context.Background(), admin, moderation.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// inLang fetches a page with an Accept-Language.
func (c *client) inLang(lang, path string) (int, string) {
	c.t.Helper()
	status, body, _ := c.send(http.MethodGet, path, "", "", map[string]string{"Accept-Language": lang})
	return status, body
}

// TestAdminRoutesNeedAdmin: members and moderators get 403 on every admin
// page and action, and nothing changes.
func TestAdminRoutesNeedAdmin(t *testing.T) {
	e := newEnv(t)
	admin, _ := e.member(forum.RoleAdmin, "region")
	for _, role := range []string{forum.RoleMember, forum.RoleModerator} {
		m, pw := e.member(role, "commune")
		c := e.login(m, pw)
		for _, p := range []string{"/admin", "/admin/members", "/admin/members?status=invited", "/admin/themes", "/admin/invites", "/admin/mail",
			"/admin/mail/x.eml", "/admin/mail/x.eml/raw", "/admin/mail/x.eml/html"} {
			if status, _, _ := c.get(p); status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", role, p, status)
			}
		}
		for _, p := range []string{"/admin/members/" + m.ID + "/role", "/admin/members/" + admin.ID + "/role", "/admin/members/" + admin.ID + "/suspend",
			"/admin/invites/abc/resend", "/admin/invites/abc/revoke"} {
			if status, _, _ := c.post(p, url.Values{"role": {"admin"}, "suspend": {"indefinite"}, "reason": {"x"}}); status != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", role, p, status)
			}
		}
		if got, _ := e.svc.Member(context.Background(), m.ID); got.Role != role {
			t.Errorf("%s changed its own role to %s", role, got.Role)
		}
	}
	if got, _ := e.svc.Member(context.Background(), admin.ID); got.Status != forum.MemberActive {
		t.Error("admin suspended by a non-admin")
	}
	if n := len(auditOf(t, e, admin, "")); n != 0 {
		t.Errorf("%d audit entries written by refused requests", n)
	}
}

// TestAdminDashboard shows the queue, members by role and status, posts
// of the week, the outbox, and links to every admin page, in French and
// English, with the navigation marking the current page.
func TestAdminDashboard(t *testing.T) {
	e := newEnv(t)
	admin, apw := e.member(forum.RoleAdmin, "region")
	mod, _ := e.member(forum.RoleModerator, "commune")
	author, pw := e.newcomer("commune")
	member, mpw := e.member(forum.RoleMember, "commune")
	e.login(author, pw).createThread("reseaux", []string{"commune"}, "Fibre noire en zone rurale", "Qui a déployé de la fibre noire ?")
	e.login(member, mpw).createThread("reseaux", []string{"commune"}, "Pare-feu mutualisé", "Retours sur un pare-feu mutualisé ?")
	ctx := context.Background()
	if _, err := e.mod.UpdateMember(ctx, admin, mod.ID, moderation.MemberInput{Suspend: "indefinite", Reason: "essai"}); err != nil {
		t.Fatal(err)
	}
	c := e.login(admin, apw)
	status, body := c.inLang("fr", "/admin")
	if status != http.StatusOK {
		t.Fatalf("GET /admin: %d", status)
	}
	for _, want := range []string{
		`<a href="/moderation">1</a>`,                // the newcomer's post waits
		`<a href="/admin/members?role=member">2</a>`, // author and member
		`<a href="/admin/members?role=moderator">1</a>`,
		`<a href="/admin/members?role=admin">1</a>`,
		`<a href="/admin/members?status=suspended">1</a>`,
		`<a href="/admin/members?status=active">3</a>`,
		`Messages publiés ces 7 derniers jours</dt><dd>1</dd>`, // the trusted member's thread
		`<a href="/admin" aria-current="page">Tableau de bord</a>`,
		`href="/admin/members"`, `href="/admin/invites"`, `href="/admin/themes"`, `href="/admin/mail"`, `href="/moderation/audit"`,
		`Échecs d&#39;envoi (7 derniers jours)`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if _, en := c.inLang("en", "/admin"); !strings.Contains(en, `aria-current="page">Dashboard</a>`) || !strings.Contains(en, "Posts published in the last 7 days") {
		t.Error("dashboard not in English")
	}
	// Every admin page shows the same navigation, its own link current.
	for _, p := range []string{"/admin/members", "/admin/themes", "/admin/invites", "/admin/mail", "/moderation", "/moderation/audit"} {
		_, page, _ := c.get(p)
		nav := regexp.MustCompile(`(?s)<nav aria-label="Administration et modération" class="admin-nav">.*?</nav>`).FindString(page)
		if nav == "" || !strings.Contains(nav, `href="`+p+`" aria-current="page"`) || strings.Count(nav, "aria-current") != 1 || strings.Count(nav, "<li>") != 7 {
			t.Errorf("%s: navigation %q", p, nav)
		}
	}
}

// TestAdminMembersList filters members by role, status and text, pages
// them, lists pending invitations, and refuses a bad filter with a 400 in
// French and English.
func TestAdminMembersList(t *testing.T) {
	e := newEnv(t)
	admin, apw := e.member(forum.RoleAdmin, "region")
	mod, _ := e.member(forum.RoleModerator, "commune")
	ctx := context.Background()
	var members []*forum.Member
	for _, n := range []string{"Zoé Lefèvre", "Yves Martin", "Xavier Petit"} {
		m, err := e.svc.CreateMember(ctx, forum.NewMember{Email: strings.ToLower(strings.Fields(n)[1]) + "@mairie.example.org", DisplayName: n,
			Authority: "Ville", AuthorityType: "commune", Password: "un-mot-de-passe-solide"})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
	}
	if _, err := e.mod.UpdateMember(ctx, admin, members[1].ID, moderation.MemberInput{Suspend: "7d", Reason: "essai"}); err != nil {
		t.Fatal(err)
	}
	c := e.login(admin, apw)
	if status, _ := c.api("POST", "/api/v1/invites", map[string]any{"email": "nouvelle.dsi@agglo.example.org", "role": "moderator"}); status != 201 {
		t.Fatalf("invite: %d", status)
	}
	list := func(query string) string {
		t.Helper()
		status, body, _ := c.get("/admin/members" + query)
		if status != http.StatusOK {
			t.Fatalf("GET /admin/members%s: %d", query, status)
		}
		return body
	}
	has := func(body string, names ...string) []string {
		var got []string
		for _, n := range []string{"Zoé Lefèvre", "Yves Martin", "Xavier Petit", mod.DisplayName + "</a>", "nouvelle.dsi@agglo.example.org"} {
			if strings.Contains(body, n) {
				got = append(got, n)
			}
		}
		return got
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Zoé Lefèvre", "Yves Martin", "Xavier Petit", mod.DisplayName + "</a>"}},
		{"?role=moderator", []string{mod.DisplayName + "</a>"}},
		{"?status=suspended", []string{"Yves Martin"}},
		{"?role=member&status=active", []string{"Zoé Lefèvre", "Xavier Petit"}},
		{"?q=petit%40mairie", []string{"Xavier Petit"}},
		{"?q=Zo%C3%A9", []string{"Zoé Lefèvre"}},
		{"?status=invited", []string{"nouvelle.dsi@agglo.example.org"}},
		{"?status=invited&role=member", nil},
	} {
		if got := has(list(c.query)); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	if body := list("?status=suspended"); !strings.Contains(body, "suspendu jusqu&#39;au") || !strings.Contains(body, "Lever la suspension") {
		t.Error("suspended member without its state and action")
	}
	// Pages of 50: 55 members in all.
	for i := range 50 {
		if _, err := e.svc.CreateMember(ctx, forum.NewMember{Email: "m" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + "@x.example.org",
			DisplayName: "Membre de masse", Authority: "Ville", AuthorityType: "commune", Password: "un-mot-de-passe-solide"}); err != nil {
			t.Fatal(err)
		}
	}
	p1 := list("?role=member")
	if strings.Count(p1, `<tr id="member-`) != 50 || !strings.Contains(p1, `href="/admin/members?page=2&amp;role=member" rel="next"`) {
		t.Errorf("page 1: %d rows", strings.Count(p1, `<tr id="member-`))
	}
	if p2 := list("?role=member&page=2"); strings.Count(p2, `<tr id="member-`) != 3 || strings.Contains(p2, `rel="next"`) || !strings.Contains(p2, `rel="prev"`) {
		t.Errorf("page 2: %d rows", strings.Count(p2, `<tr id="member-`))
	}
	for _, bad := range []struct{ query, fr, en string }{
		{"?role=chef", "Le rôle est member, moderator ou admin.", "The role is member, moderator or admin."},
		{"?status=banni", "L&#39;état est active, suspended, invited ou deleted.", "The status is active, suspended, invited or deleted."},
		{"?page=zéro", "Numéro de page invalide.", "Invalid page number."},
		{"?q=" + strings.Repeat("a", 101), "La recherche compte 100 caractères au plus.", "The search is at most 100 characters long."},
	} {
		status, fr := c.inLang("fr", "/admin/members"+bad.query)
		_, en := c.inLang("en", "/admin/members"+bad.query)
		// French pages get French typography (a no-break space in "100 caractères").
		frWant := i18n.TypoText(bad.fr)
		if status != http.StatusBadRequest || !strings.Contains(fr, frWant) || !strings.Contains(en, bad.en) {
			t.Errorf("%s: %d, French %v, English %v", bad.query, status, strings.Contains(fr, frWant), strings.Contains(en, bad.en))
		}
	}
}

// TestAdminMemberActions changes roles, suspends and reinstates from the
// members page: each action writes its audit entry; bad input gets a 4xx
// and writes nothing; the last admin stays; a cross-site post is refused.
func TestAdminMemberActions(t *testing.T) {
	e := newEnv(t)
	admin, apw := e.member(forum.RoleAdmin, "region")
	m, mpw := e.member(forum.RoleMember, "commune")
	c := e.login(admin, apw)
	ctx := context.Background()
	role := func(id string) string {
		got, err := e.svc.Member(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return got.Role
	}
	entries := func() int { return len(auditOf(t, e, admin, "")) }

	status, _, resp := c.post("/admin/members/"+m.ID+"/role", url.Values{"role": {"moderator"}, "back": {"role=member&q=x&page=2&next=https://evil.example"}})
	if status != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/members?page=2&q=x&role=member&notice=role-changed" || role(m.ID) != forum.RoleModerator {
		t.Fatalf("role change: %d %q %s", status, resp.Header.Get("Location"), role(m.ID))
	}
	au := auditOf(t, e, admin, "member.role")
	if len(au) != 1 || au[0].TargetID != m.ID || au[0].Before != "member" || au[0].After != "moderator" || au[0].Actor.ID != admin.ID {
		t.Fatalf("audit: %+v", au)
	}
	before := entries()
	for _, bad := range []struct {
		path   string
		form   url.Values
		status int
		fr, en string
	}{
		{"/admin/members/" + m.ID + "/role", url.Values{"role": {"chef"}}, 400, "Le rôle est member, moderator ou admin.", "The role is member, moderator or admin."},
		{"/admin/members/" + forum.NewID() + "/role", url.Values{"role": {"admin"}}, 404, "", ""},
		{"/admin/members/" + admin.ID + "/role", url.Values{"role": {"member"}}, 400, "Le forum doit garder au moins un administrateur", "The forum must keep at least one admin"},
		{"/admin/members/" + m.ID + "/suspend", url.Values{"suspend": {"indefinite"}}, 400, "Indiquez la raison", "reason"},
		{"/admin/members/" + m.ID + "/suspend", url.Values{"suspend": {"forever"}, "reason": {"x"}}, 400, "La durée de suspension", "suspension"},
		{"/admin/members/" + m.ID + "/suspend", url.Values{}, 400, "La durée de suspension", "suspension"},
		{"/admin/members/" + admin.ID + "/suspend", url.Values{"suspend": {"7d"}, "reason": {"x"}}, 400, "Vous ne pouvez pas vous suspendre vous-même.", "yourself"},
	} {
		for _, lang := range []string{"fr", "en"} {
			status, body, _ := c.send(http.MethodPost, bad.path, "application/x-www-form-urlencoded", bad.form.Encode(),
				map[string]string{"Origin": e.ts.URL, "Sec-Fetch-Site": "same-origin", "Accept-Language": lang})
			want := map[string]string{"fr": bad.fr, "en": bad.en}[lang]
			if status != bad.status || !strings.Contains(body, want) {
				t.Errorf("%s %v (%s): %d, want %d with %q", bad.path, bad.form, lang, status, bad.status, want)
			}
		}
	}
	if role(admin.ID) != forum.RoleAdmin || role(m.ID) != forum.RoleModerator || entries() != before {
		t.Fatalf("a refused action wrote: admin %s, member %s, %d audit entries (was %d)", role(admin.ID), role(m.ID), entries(), before)
	}
	if status, _, _ := c.postFrom("cross-site", "https://evil.example", "/admin/members/"+m.ID+"/role", url.Values{"role": {"admin"}}); status != http.StatusForbidden || role(m.ID) != forum.RoleModerator {
		t.Fatalf("cross-site role change: %d", status)
	}
	// Suspend and reinstate, each with its audit entry.
	if status, _, _ := c.post("/admin/members/"+m.ID+"/suspend", url.Values{"suspend": {"30d"}, "reason": {"Propos hors charte"}}); status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", status)
	}
	if got, _ := e.svc.Member(ctx, m.ID); !got.SuspendedAt(e.svc.Now()) {
		t.Fatal("not suspended")
	}
	if au := auditOf(t, e, admin, "member.suspend"); len(au) != 1 || au[0].Reason != "Propos hors charte" || au[0].TargetID != m.ID {
		t.Fatalf("suspend audit: %+v", au)
	}
	if status, _, _ := c.post("/admin/members/"+m.ID+"/suspend", url.Values{"suspend": {"none"}}); status != http.StatusSeeOther {
		t.Fatalf("unsuspend: %d", status)
	}
	if got, _ := e.svc.Member(ctx, m.ID); got.SuspendedAt(e.svc.Now()) {
		t.Fatal("still suspended")
	}
	if au := auditOf(t, e, admin, "member.unsuspend"); len(au) != 1 {
		t.Fatalf("unsuspend audit: %+v", au)
	}
	// With a second admin, the first may step down.
	if status, _, _ := c.post("/admin/members/"+m.ID+"/role", url.Values{"role": {"admin"}}); status != http.StatusSeeOther {
		t.Fatal(status)
	}
	if status, _, _ := c.post("/admin/members/"+admin.ID+"/role", url.Values{"role": {"member"}}); status != http.StatusSeeOther || role(admin.ID) != forum.RoleMember {
		t.Fatalf("step down: %d %s", status, role(admin.ID))
	}
	if status, _, _ := c.get("/admin"); status != http.StatusForbidden {
		t.Fatalf("former admin on /admin: %d", status)
	}
	if _, body, _ := e.login(m, mpw).get("/moderation/audit?action=member.role"); strings.Count(body, "<td>member.role</td>") != 3 {
		t.Errorf("audit page: %d role changes", strings.Count(body, "<td>member.role</td>"))
	}
}

// TestAdminInviteResendRevoke sends an invitation again (new link, old one
// dead) and revokes one, each with an audit entry.
func TestAdminInviteResendRevoke(t *testing.T) {
	fs := mail.NewFileSender(t.TempDir(), "forum@example.org")
	e := newEnv(t, func(c *serverConfig) { c.Mail, c.MailFiles = fs, fs })
	admin, apw := e.member(forum.RoleAdmin, "region")
	c := e.login(admin, apw)
	ctx := context.Background()
	links := func() []string {
		t.Helper()
		files, err := fs.List()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range files {
			raw, _ := fs.Open(f.Name)
			d, err := mail.Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimPrefix(regexp.MustCompile(`https?://\S+/invite/\S+`).FindString(d.Text), e.ts.URL))
		}
		return out // newest first
	}
	for _, addr := range []string{"a.dsi@example.org", "b.dsi@example.org"} {
		if status, _ := c.api("POST", "/api/v1/invites", map[string]any{"email": addr, "lang": "en"}); status != 201 {
			t.Fatal(status)
		}
	}
	invs, err := e.svc.UnusedInvitations(ctx, admin)
	if err != nil || len(invs) != 2 {
		t.Fatal(invs, err)
	}
	byEmail := map[string]forum.Invite{}
	for _, inv := range invs {
		byEmail[inv.Email] = inv
	}
	first := links()
	oldA := first[1] // a.dsi was invited first
	if status, _, _ := c.post("/admin/invites/"+byEmail["a.dsi@example.org"].ID+"/resend", url.Values{"back": {"status=invited"}}); status != http.StatusSeeOther {
		t.Fatalf("resend: %d", status)
	}
	now := links()
	if len(now) != 3 || now[0] == oldA {
		t.Fatalf("mails after resend: %v", now)
	}
	if status, _, _ := e.anon().get(oldA); status != http.StatusGone {
		t.Errorf("old link after resend: %d", status)
	}
	if status, body, _ := e.anon().get(now[0]); status != http.StatusOK || !strings.Contains(body, "a.dsi@example.org") {
		t.Errorf("new link: %d", status)
	}
	files, _ := fs.List()
	raw, _ := fs.Open(files[0].Name)
	if d, _ := mail.Decode(raw); d.Header("Subject") != "Invitation to join coterforum" || d.Header("Content-Language") != "en" {
		t.Errorf("resent mail not in the invitation's language: %q", d.Header("Subject"))
	}
	if au := auditOf(t, e, admin, "invite.resend"); len(au) != 1 || au[0].Before != byEmail["a.dsi@example.org"].ID {
		t.Fatalf("resend audit: %+v", au)
	}
	// Revoke b: its link dies.
	bID := byEmail["b.dsi@example.org"].ID
	if status, _, _ := c.post("/admin/invites/"+bID+"/revoke", nil); status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", status)
	}
	if status, _, _ := e.anon().get(first[0]); status != http.StatusGone {
		t.Errorf("revoked link: %d", status)
	}
	if au := auditOf(t, e, admin, "invite.revoke"); len(au) != 1 || au[0].TargetID != bID {
		t.Fatalf("revoke audit: %+v", au)
	}
	before := len(auditOf(t, e, admin, ""))
	for _, p := range []string{"/admin/invites/" + bID + "/revoke", "/admin/invites/" + bID + "/resend", "/admin/invites/" + byEmail["a.dsi@example.org"].ID + "/resend"} {
		if status, _, _ := c.post(p, nil); status != http.StatusNotFound {
			t.Errorf("%s on a gone invitation: %d", p, status)
		}
	}
	if n := len(auditOf(t, e, admin, "")); n != before || len(links()) != 3 {
		t.Errorf("refused actions wrote: %d audit entries (was %d), %d mails", n, before, len(links()))
	}
	_, body, _ := c.get("/admin/members?status=invited")
	if !strings.Contains(body, "a.dsi@example.org") || strings.Contains(body, "b.dsi@example.org") {
		t.Error("pending invitations list")
	}
}

// TestAdminMailViewer sends a real invitation with accents through the
// admin form and reads it decoded in the viewer: headers, text, no
// quoted-printable left; the raw file downloads; an HTML part is served
// under a sandboxing CSP into a sandboxed frame.
func TestAdminMailViewer(t *testing.T) {
	fs := mail.NewFileSender(t.TempDir(), "Forum des DSI <forum@example.org>")
	e := newEnv(t, func(c *serverConfig) { c.Mail, c.MailFiles = fs, fs })
	admin, apw := e.member(forum.RoleAdmin, "region")
	c := e.login(admin, apw)
	if status, _, _ := c.post("/admin/invites", url.Values{"email": {"helene.lefevre@example.org"}, "role": {"member"}, "lang": {"fr"}}); status != http.StatusSeeOther {
		t.Fatalf("invite: %d", status)
	}
	files, err := fs.List()
	if err != nil || len(files) != 1 {
		t.Fatal(files, err)
	}
	name := files[0].Name
	raw, _ := fs.Open(name)
	if !strings.Contains(string(raw), "=?") || !strings.Contains(string(raw), "=C3=A8") {
		t.Fatalf("the mail is not encoded, the test proves nothing:\n%s", raw)
	}
	_, list, _ := c.get("/admin/mail")
	if !strings.Contains(list, `href="/admin/mail/`+name+`"`) || !strings.Contains(list, "Invitation à rejoindre coterforum") {
		t.Fatal("mail list")
	}
	status, page, _ := c.get("/admin/mail/" + name)
	if status != http.StatusOK {
		t.Fatalf("viewer: %d", status)
	}
	for _, want := range []string{"<h1>Invitation à rejoindre coterforum</h1>", "<dt>Subject</dt><dd>Invitation à rejoindre coterforum</dd>",
		"<dt>From</dt><dd>", "Forum des DSI", "<dt>To</dt><dd>", "<dt>Date</dt>", "<dt>Message-ID</dt>",
		"directeurs des systèmes d&#39;information des collectivités territoriales", "/invite/", `href="/admin/mail/` + name + `/raw"`} {
		if !strings.Contains(page, want) {
			t.Errorf("viewer lacks %q", want)
		}
	}
	if strings.Contains(page, "=C3") || strings.Contains(page, "=?utf-8?") || strings.Contains(page, "=?UTF-8?") {
		t.Error("viewer shows encoded text")
	}
	if strings.Contains(page, "<iframe") {
		t.Error("a frame for a message without HTML")
	}
	status, rawBody, resp := c.get("/admin/mail/" + name + "/raw")
	if status != http.StatusOK || rawBody != string(raw) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("raw: %d %q", status, resp.Header.Get("Content-Disposition"))
	}
	// A message with an HTML part and a script.
	if err := fs.Send(context.Background(), mail.Message{To: "x@example.org", Subject: "Résumé quotidien", Text: "Voir la version HTML.",
		HTML: `<p>Réponses reçues</p><script>document.title="pwned"</script>`}); err != nil {
		t.Fatal(err)
	}
	files, _ = fs.List()
	name = files[0].Name
	_, page, _ = c.get("/admin/mail/" + name)
	if !strings.Contains(page, `<iframe class="mail-html" sandbox="" src="/admin/mail/`+name+`/html"`) || strings.Contains(page, "pwned") {
		t.Errorf("HTML part not framed in a sandbox")
	}
	status, html, resp := c.get("/admin/mail/" + name + "/html")
	csp := resp.Header.Get("Content-Security-Policy")
	if status != http.StatusOK || !strings.Contains(html, "<p>Réponses reçues</p>") || !strings.HasPrefix(csp, "sandbox;") || strings.Contains(csp, "script-src") ||
		!strings.Contains(csp, "default-src 'none'") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("HTML part: %d %q", status, csp)
	}
	for _, p := range []string{"/admin/mail/../../etc/passwd", "/admin/mail/nope.eml", "/admin/mail/nope.eml/raw", "/admin/mail/" + files[1].Name + "/html"} {
		if status, _, _ := c.get(p); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, status)
		}
	}
}
