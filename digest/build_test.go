package digest_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

var (
	bFrom  = time.Date(2026, 3, 11, 6, 0, 0, 0, time.UTC) // 11 March, 7:00 in Paris
	bUntil = bFrom.Add(24 * time.Hour)
	themes = []forum.Theme{{Slug: "reseaux", NameFR: "Réseaux", Position: 10}, {Slug: "sig", NameFR: "SIG", Position: 40},
		{Slug: "portails", NameFR: "Portails internet", Position: 20}}
	types = []forum.AuthorityType{{Slug: "commune", NameFR: "Commune", Plural: "Communes"},
		{Slug: "departement", NameFR: "Département", Plural: "Départements"}, {Slug: "region", NameFR: "Région", Plural: "Régions"}}
	alice = forum.AuthorRef{ID: "a", DisplayName: "Alice Martin", Authority: "Département du Nord", AuthorityType: "departement"}
)

// fixture is a small published content: threads named by id.
func fixture() ([]digest.Item, []forum.Thread) {
	th := func(id, theme, status string, ts ...string) forum.Thread {
		return forum.Thread{ID: id, Theme: theme, AuthorityTypes: ts, Title: "Fil " + id, Author: alice, Status: status, FirstPostID: id + "-1"}
	}
	threads := []forum.Thread{
		th("net1", "reseaux", forum.ThreadPublished, "commune"),
		th("net2", "reseaux", forum.ThreadPublished, "departement", "region"),
		th("gis1", "sig", forum.ThreadPublished, "region"),
		th("web1", "portails", forum.ThreadPublished, "departement"),
		th("hid1", "reseaux", forum.ThreadHidden, "commune"),
		th("pen1", "reseaux", forum.ThreadPending, "commune"),
	}
	at := func(h int) time.Time { return bFrom.Add(time.Duration(h) * time.Hour) }
	it := func(post, thread string, when time.Time) digest.Item {
		return digest.Item{PostID: post, ThreadID: thread, Author: alice, Excerpt: "Texte de " + post, PublishedAt: when}
	}
	items := []digest.Item{
		it("net1-2", "net1", at(2)), it("net1-3", "net1", at(3)), it("net1-4", "net1", at(4)), // old thread, 3 replies
		it("net2-1", "net2", at(1)),                               // new thread
		it("gis1-1", "gis1", at(-1)), it("gis1-2", "gis1", at(5)), // first post before the window
		it("web1-1", "web1", at(24)), // published at Until: next run
		it("hid1-2", "hid1", at(2)),  // hidden thread
		it("pen1-1", "pen1", at(2)),  // first post of a thread whose publication is being written
		it("pen1-2", "pen1", at(3)),  // a reply in a pending thread cannot be public
		it("gone-1", "gone", at(2)),  // thread missing
	}
	return items, threads
}

func subOf(kind, theme, at, thread string, created time.Time) digest.Subscription {
	return digest.Subscription{ID: kind + theme + at + thread, Target: digest.Target{Kind: kind, Theme: theme, AuthorityType: at, ThreadID: thread},
		Frequency: digest.Daily, CreatedAt: created}
}

func TestSelect(t *testing.T) {
	old := bFrom.Add(-30 * 24 * time.Hour)
	pending := subOf(digest.TargetTheme, "sig", "", "", old)
	pending.Pending = true
	cases := []struct {
		name    string
		subs    []digest.Subscription
		exclude []string
		want    string // theme: thread(posts) …, most active first
	}{
		{"theme", []digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", old)},
			nil, "reseaux: net1(net1-2 net1-3 net1-4) pen1(pen1-1) net2(net2-1)"},
		{"authority type across themes", []digest.Subscription{subOf(digest.TargetAuthorityType, "", "region", "", old)},
			nil, "reseaux: net2(net2-1) | sig: gis1(gis1-2)"},
		{"theme × authority type", []digest.Subscription{subOf(digest.TargetThemeAuthority, "reseaux", "departement", "", old)},
			nil, "reseaux: net2(net2-1)"},
		{"thread", []digest.Subscription{subOf(digest.TargetThread, "", "", "gis1", old)}, nil, "sig: gis1(gis1-2)"},
		{"subscribed during the window", []digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", bFrom.Add(3*time.Hour))},
			nil, "reseaux: net1(net1-3 net1-4)"},
		{"overlapping subscriptions: the earliest start wins", []digest.Subscription{
			subOf(digest.TargetTheme, "reseaux", "", "", bFrom.Add(3*time.Hour)), subOf(digest.TargetThread, "", "", "net1", old)},
			nil, "reseaux: net1(net1-2 net1-3 net1-4)"},
		{"themes ordered by activity", []digest.Subscription{subOf(digest.TargetTheme, "sig", "", "", old), subOf(digest.TargetTheme, "reseaux", "", "", old)},
			nil, "reseaux: net1(net1-2 net1-3 net1-4) pen1(pen1-1) net2(net2-1) | sig: gis1(gis1-2)"},
		{"excluded posts (previous run's tail)", []digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", old)},
			[]string{"net1-2", "net2-1"}, "reseaux: net1(net1-3 net1-4) pen1(pen1-1)"},
		{"pending subscription", []digest.Subscription{pending}, nil, ""},
		{"nothing followed", []digest.Subscription{subOf(digest.TargetTheme, "portails", "", "", old)}, nil, ""},
		{"no subscription", nil, nil, ""},
	}
	items, threads := fixture()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			content := digest.NewContent(items, threads, themes, types, c.exclude)
			var groups []string
			for _, g := range content.Select(c.subs, bFrom, bUntil) {
				var ths []string
				for _, tn := range g.Threads {
					var posts []string
					for _, p := range tn.Posts {
						posts = append(posts, p.PostID)
					}
					ths = append(ths, fmt.Sprintf("%s(%s)", tn.Thread.ID, strings.Join(posts, " ")))
				}
				groups = append(groups, g.Slug+": "+strings.Join(ths, " "))
			}
			if got := strings.Join(groups, " | "); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

func digestInput(subs []digest.Subscription, content *digest.Content) digest.DigestInput {
	return digest.DigestInput{To: "lecteur@example.org", Frequency: digest.Daily, Subscriptions: subs, Content: content,
		From: bFrom, Until: bUntil, Location: paris, BaseURL: baseURL, ManageURL: baseURL + "/subscriptions/manage?token=M",
		UnsubscribeURL: baseURL + "/subscriptions/unsubscribe?token=U", MessageID: "id@forum.example.org"}
}

func TestBuildDigest(t *testing.T) {
	items, threads := fixture()
	threads[0].Title = "Wi-Fi <script>alert(1)</script> & \"fibre\"\r\nBcc: evil@example.org"
	items[0].Excerpt = "Un extrait <img src=x onerror=alert(1)> qui parle de fibre."
	content := digest.NewContent(items, threads, themes, types, nil)
	subs := []digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", bFrom.Add(-time.Hour)), subOf(digest.TargetTheme, "sig", "", "", bFrom.Add(-time.Hour))}
	msg, n, ok := digest.BuildDigest(digestInput(subs, content))
	if !ok || n != 4 {
		t.Fatalf("ok %v, %d threads; want 4", ok, n)
	}
	if want := "coterforum — votre sélection du 12 mars 2026\u00a0: 4 fils"; msg.Subject != want {
		t.Errorf("subject %q, want %q", msg.Subject, want)
	}
	if msg.To != "lecteur@example.org" || msg.MessageID != "id@forum.example.org" {
		t.Errorf("to %q, message id %q", msg.To, msg.MessageID)
	}
	wantHeaders := map[string]string{"List-Unsubscribe": "<" + baseURL + "/subscriptions/unsubscribe?token=U>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated"}
	for k, v := range wantHeaders {
		if msg.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, msg.Headers[k], v)
		}
	}
	for _, part := range []struct{ name, body string }{{"text", msg.Text}, {"html", msg.HTML}} {
		for _, want := range []string{"Réseaux", "SIG", "Alice Martin (Département du Nord)", "Fil net2", "Nouveau fil",
			"3 nouveaux messages", baseURL + "/threads/net1", baseURL + "/posts/net1-3", baseURL + "/posts/gis1-2",
			"11 mars 2026 à 9 h 00", "Gérer vos abonnements", "Département, Région"} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q", part.name, want)
			}
		}
		if strings.Contains(part.body, "\r") || strings.Contains(part.body, "\nBcc:") {
			t.Errorf("%s part: the title's CR/LF went through", part.name)
		}
		for _, absent := range []string{"Fil web1", "Fil hid1", "pen1-2", "gone"} {
			if strings.Contains(part.body, absent) {
				t.Errorf("%s part contains %q", part.name, absent)
			}
		}
		// Most active first: Réseaux (5 posts) before SIG (1).
		if strings.Index(part.body, "Réseaux") > strings.Index(part.body, "SIG") {
			t.Errorf("%s part: themes not ordered by activity", part.name)
		}
	}
	for _, bad := range []string{"<script", "<img", "http://"} {
		if strings.Contains(msg.HTML, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if !strings.Contains(msg.HTML, "&lt;script&gt;") || !strings.Contains(msg.HTML, "style=") {
		t.Error("HTML part not escaped or without inline styles")
	}
	if _, _, ok := digest.BuildDigest(digestInput(subs[:0], content)); ok {
		t.Error("a digest without subscriptions")
	}
	if _, _, ok := digest.BuildDigest(digestInput([]digest.Subscription{subOf(digest.TargetTheme, "portails", "", "", bFrom)}, content)); ok {
		t.Error("a digest with nothing new")
	}
}

func TestBuildDigestLimits(t *testing.T) {
	var items []digest.Item
	var threads []forum.Thread
	for i := range digest.MaxThreadsPerMail + 5 {
		id := fmt.Sprintf("t%03d", i)
		threads = append(threads, forum.Thread{ID: id, Theme: "reseaux", Title: "Fil " + id, Status: forum.ThreadPublished, FirstPostID: "x"})
		n := 1
		if i == 0 {
			n = digest.MaxPostsPerThread + 3
		}
		for j := range n {
			items = append(items, digest.Item{PostID: fmt.Sprintf("%s-%d", id, j), ThreadID: id, PublishedAt: bFrom.Add(time.Duration(i+j) * time.Second)})
		}
	}
	msg, n, ok := digest.BuildDigest(digestInput([]digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", bFrom)},
		digest.NewContent(items, threads, themes, types, nil)))
	if !ok || n != digest.MaxThreadsPerMail+5 {
		t.Fatalf("%v %d", ok, n)
	}
	for _, want := range []string{"… et 3 autres messages", "… et 5 autres fils", ": 65 fils"} {
		if !strings.Contains(msg.Text+msg.Subject, want) {
			t.Errorf("missing %q", want)
		}
	}
	// Weekly subject; the first of the month is "1er".
	in := digestInput([]digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", bFrom)}, digest.NewContent(items[:1], threads[:1], themes, types, nil))
	in.Frequency, in.Until = digest.Weekly, time.Date(2026, 4, 1, 7, 0, 0, 0, paris)
	msg, _, _ = digest.BuildDigest(in)
	if want := "coterforum — votre sélection de la semaine, 1er avril 2026\u00a0: 1 fil"; msg.Subject != want {
		t.Errorf("weekly subject %q, want %q", msg.Subject, want)
	}
	if !strings.Contains(msg.Text, "résumé hebdomadaire") {
		t.Error("weekly digest does not say so")
	}
}

func TestSelectOrdersThreadsByActivity(t *testing.T) {
	items, threads := fixture()
	content := digest.NewContent(items, threads, themes, types, nil)
	groups := content.Select([]digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", bFrom.Add(-time.Hour))}, bFrom, bUntil)
	got := []int{}
	for _, tn := range groups[0].Threads {
		got = append(got, len(tn.Posts))
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i] > got[j] }) {
		t.Errorf("threads not by activity: %v", got)
	}
}
