package digest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail/mailtest"
)

func english(m *forum.Member) { m.Lang = "en" }

// confirmReader subscribes an email-only reader from a page in lang and
// follows the link of the confirmation mail, which it returns.
func (e *env) confirmReader(t *testing.T, addr, lang string, in digest.SubscribeInput) mailtest.Received {
	t.Helper()
	before := len(e.smtp.Messages())
	if err := e.svc.SubscribeEmail(e.ctx, addr, lang, in); err != nil {
		t.Fatal(err)
	}
	m := e.smtp.WaitFor(t, before+1, 5*time.Second)[before]
	if _, err := e.svc.Confirm(e.ctx, tokenOf(t, m.Text, "/subscriptions/confirm")); err != nil {
		t.Fatal(err)
	}
	return m
}

// Words of the French mails that must not leak into English ones.
var frenchDigestWords = []string{"Bonjour", "Voici", "sélection", "Réseaux", "Nouveau fil", "réponse", "lancé par", "mars",
	"Gérer", "désabonner", "Vous recevez", "Lire", "Région", "Commune"}

func TestDigestInSubscriberLanguage(t *testing.T) {
	e := newEnv(t)
	emma := e.member(t, "Emma English", "City of Lyon", "commune", english)
	bob := e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	for _, m := range []*forum.Member{emma, bob} {
		e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	}
	conf := e.confirmReader(t, "reader@example.org", "en", digest.SubscribeInput{Theme: "reseaux", AuthorityType: "region", Frequency: digest.Daily})
	mailtest.CheckLanguage(t, "English confirmation", conf, "en",
		[]string{"coterforum — confirm your subscription", "Hello,", "Someone, probably you, asked to receive news",
			"  - Networks × Regions (daily)\n", "To confirm, open this link (valid for 7 days):\n" + baseURL + "/subscriptions/confirm?token=",
			"If you did not ask for this, ignore this message"},
		[]string{"Bonjour", "confirmez", "Réseaux", "Régions", "quotidien", "Quelqu'un", "ouvrez"})
	frConf := e.confirmReader(t, "lecteur@example.org", "fr", digest.SubscribeInput{Theme: "reseaux", AuthorityType: "region", Frequency: digest.Daily})
	mailtest.CheckLanguage(t, "French confirmation", frConf, "fr",
		[]string{"coterforum — confirmez votre abonnement", "Bonjour,", "  - Réseaux × Régions (quotidien)\n",
			"Pour confirmer, ouvrez ce lien (valable 7 jours)\u00a0:\n"},
		[]string{"Hello", "Networks", "daily"})

	e.clock.Advance(time.Hour) // 11 March, 10:00 in Paris
	th, _ := e.thread(t, e.author, "reseaux", "Migration vers IPv6 : retours ?", "region", "commune")
	e.clock.Advance(time.Minute)
	e.reply(t, e.author, th, "Nous avons migré l'an dernier.")
	before := len(e.smtp.Messages())
	if n := e.runDaily(t, 12); n != 4 {
		t.Fatalf("run sent %d digests, want 4", n)
	}
	msgs := e.smtp.WaitFor(t, before+4, 5*time.Second)[before:]

	for _, addr := range []string{strings.ToLower(emma.Email), "reader@example.org"} {
		got := to(msgs, addr)
		if len(got) != 1 {
			t.Fatalf("%s got %d digests", addr, len(got))
		}
		mailtest.CheckLanguage(t, "English digest to "+addr, got[0], "en",
			[]string{"coterforum — your selection of 12 March 2026: 1 thread", "Hello,\n\nHere is what was published in what you follow on coterforum.",
				"== Networks ==", "* " + th.Title, "New thread, 1 reply — Region, Municipality — started by Alice Martin (Département du Nord)",
				"Alice Martin (Département du Nord), 11 March 2026 at 10:00:", "11 March 2026 at 10:01",
				"You receive this daily digest because you follow these topics on coterforum.",
				"Manage your subscriptions: " + baseURL, "Unsubscribe from everything: " + baseURL,
				">Networks</a>", "thread started by Alice Martin", ">Read</a>", ">Manage your subscriptions</a>", ">Unsubscribe from everything</a>"},
			frenchDigestWords)
	}
	for _, addr := range []string{strings.ToLower(bob.Email), "lecteur@example.org"} {
		got := to(msgs, addr)
		if len(got) != 1 {
			t.Fatalf("%s got %d digests", addr, len(got))
		}
		// French, and the title exactly as written (no typography in it).
		mailtest.CheckLanguage(t, "French digest to "+addr, got[0], "fr",
			[]string{"coterforum — votre sélection du 12 mars 2026\u00a0: 1 fil", "Bonjour,", "== Réseaux ==", "* Migration vers IPv6 : retours ?\n",
				"Nouveau fil, 1 réponse — Région, Commune — lancé par Alice Martin", "11 mars 2026 à 10 h 00\u00a0:",
				"Gérer vos abonnements\u00a0: ", ">Lire</a>"},
			[]string{"Hello", "Networks", "March", "Manage", "Municipality", "started by"})
	}
}

func TestImmediateInSubscriberLanguage(t *testing.T) {
	e := newEnv(t)
	emma := e.member(t, "Emma English", "City of Lyon", "commune", english)
	bob := e.member(t, "Bruno Réseau", "Ville de Lyon", "commune")
	th, _ := e.thread(t, e.author, "reseaux", "Migration vers IPv6", "commune")
	for _, m := range []*forum.Member{emma, bob} {
		e.subscribe(t, m, digest.SubscribeInput{Thread: th.ID, Frequency: digest.Immediate})
	}
	conf := e.confirmReader(t, "reader@example.org", "en", digest.SubscribeInput{Thread: th.ID, Frequency: digest.Immediate})
	mailtest.CheckLanguage(t, "English confirmation", conf, "en", []string{"  - Thread “Migration vers IPv6” (on every reply)\n"},
		[]string{"Fil", "«", "chaque"})
	e.clock.Advance(time.Minute)
	p := e.reply(t, e.author, th, "Une **réponse** de l'auteure.")
	if n, err := e.svc.NotifyImmediate(e.ctx, p); n != 3 || err != nil {
		t.Fatalf("NotifyImmediate: %d %v", n, err)
	}
	msgs := e.smtp.WaitFor(t, 4, 5*time.Second)
	for _, addr := range []string{strings.ToLower(emma.Email), "reader@example.org"} {
		got, want := to(msgs, addr), 1
		if addr == "reader@example.org" {
			want = 2 // the confirmation, then the notification
		}
		if len(got) != want {
			t.Fatalf("%s got %d mails, want %d", addr, len(got), want)
		}
		m := got[len(got)-1]
		mailtest.CheckLanguage(t, "English notification to "+addr, m, "en",
			[]string{"coterforum — new reply: Migration vers IPv6", "Hello,\n\nAlice Martin (Département du Nord) replied on 11 March 2026 at 09:01 in the thread “Migration vers IPv6”:",
				"Une réponse de l'auteure.", "Read: " + baseURL + "/posts/" + p.ID,
				"You receive this message because you follow this thread on every reply.", "Stop following this thread: " + baseURL,
				"Manage your subscriptions: " + baseURL, "<title>New reply: Migration vers IPv6</title>", "replied on 11 March 2026 at 09:01 in the thread <a",
				"</a>:</p>", ">Read the reply</a>", ">Stop following this thread</a>"},
			[]string{"Bonjour", "a répondu", "Lire", "Ne plus suivre", "Gérer", "mars", "Nouvelle réponse", "nouvelle réponse"})
	}
	got := to(msgs, strings.ToLower(bob.Email))
	if len(got) != 1 {
		t.Fatalf("bob got %d mails", len(got))
	}
	mailtest.CheckLanguage(t, "French notification", got[0], "fr",
		[]string{"coterforum — nouvelle réponse\u00a0: Migration vers IPv6", "a répondu le 11 mars 2026 à 9 h 01 dans le fil «\u00a0Migration vers IPv6\u00a0»\u00a0:",
			"Lire\u00a0: ", "Ne plus suivre ce fil\u00a0: ", "</a>\u00a0:</p>", ">Lire la réponse</a>"},
		[]string{"Hello", "replied", "March", "Read"})
}

// subscriberLang returns the stored language of an address's subscriber.
func subscriberLang(t *testing.T, e *env, addr string) string {
	t.Helper()
	sub, err := e.st.SubscriberByEmail(e.ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	return sub.Lang
}

func TestSubscriberLanguageFollowsItsOwner(t *testing.T) {
	e := newEnv(t)
	// A member's subscriber follows the member's setting, now and later.
	m := e.member(t, "Marie Membre", "Ville de Brest", "commune")
	addr := strings.ToLower(m.Email)
	e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily})
	if got := subscriberLang(t, e, addr); got != "fr" {
		t.Fatalf("member without a setting: subscriber lang %q", got)
	}
	if err := e.forum.SetLanguage(e.ctx, m, "en"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetMemberLanguage(e.ctx, m, "en"); err != nil {
		t.Fatal(err)
	}
	if got := subscriberLang(t, e, addr); got != "en" {
		t.Fatalf("after the member chose English: %q", got)
	}
	// Subscribing from a French page with the member's address changes nothing.
	if err := e.svc.SubscribeEmail(e.ctx, addr, "fr", digest.SubscribeInput{Theme: "sig", Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	if got := subscriberLang(t, e, addr); got != "en" {
		t.Fatalf("an anonymous subscription changed a member's language: %q", got)
	}
	// A member who never subscribed has nothing to update.
	other := e.member(t, "Otto Autre", "Ville de Caen", "commune")
	if err := e.svc.SetMemberLanguage(e.ctx, other, "en"); err != nil {
		t.Fatal(err)
	}

	// A reader's latest request sets the language until the address is
	// confirmed; then a form anyone can submit no longer changes it.
	reader := "lecteur@example.org"
	if err := e.svc.SubscribeEmail(e.ctx, reader, "en", digest.SubscribeInput{Theme: "sig", Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	if got := subscriberLang(t, e, reader); got != "en" {
		t.Fatalf("reader subscribing in English: %q", got)
	}
	if err := e.svc.SubscribeEmail(e.ctx, reader, "xx", digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	if got := subscriberLang(t, e, reader); got != "fr" {
		t.Fatalf("unknown language must mean French: %q", got)
	}
	e.clock.Advance(2 * time.Hour) // past Config.ConfirmEvery: a new confirmation mail
	if conf := e.confirmReader(t, reader, "en", digest.SubscribeInput{Theme: "portails", Frequency: digest.Daily}); !strings.Contains(conf.Subject, "confirm your") {
		t.Fatalf("confirmation subject %q", conf.Subject)
	}
	if err := e.svc.SubscribeEmail(e.ctx, reader, "fr", digest.SubscribeInput{Theme: "achats-marches", Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	if got := subscriberLang(t, e, reader); got != "en" {
		t.Fatalf("a confirmed reader's language changed by a new request: %q", got)
	}
	// The reader becomes a member: the member's setting (French) prevails.
	r := e.member(t, "Lecteur Devenu Membre", "Ville de Vannes", "commune", func(m *forum.Member) { m.Email = reader })
	e.subscribe(t, r, digest.SubscribeInput{Theme: "sig", Frequency: digest.Weekly})
	if got := subscriberLang(t, e, reader); got != "fr" {
		t.Fatalf("member's subscription kept the reader's language: %q", got)
	}
}

func TestBuildDigestEnglish(t *testing.T) {
	items, threads := fixture()
	enThemes := append([]forum.Theme(nil), themes...)
	enThemes[0].NameEN = "Networks" // SIG has no English name: French is kept
	enTypes := append([]forum.AuthorityType(nil), types...)
	enTypes[0].NameEN, enTypes[1].NameEN, enTypes[2].NameEN = "Municipality", "Department", "Region"
	content := digest.NewContent(items, threads, enThemes, enTypes, nil)
	in := digestInput([]digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", bFrom.Add(-time.Hour)),
		subOf(digest.TargetTheme, "sig", "", "", bFrom.Add(-time.Hour))}, content)
	in.Lang = i18n.EN
	msg, n, ok := digest.BuildDigest(in)
	if !ok || n != 4 {
		t.Fatalf("ok %v, %d threads", ok, n)
	}
	if want := "coterforum — your selection of 12 March 2026: 4 threads"; msg.Subject != want {
		t.Errorf("subject %q, want %q", msg.Subject, want)
	}
	if msg.Headers["Content-Language"] != "en" || msg.Headers["List-Unsubscribe-Post"] == "" {
		t.Errorf("headers %v", msg.Headers)
	}
	for _, part := range []struct{ name, body string }{{"text", msg.Text}, {"html", msg.HTML}} {
		for _, want := range []string{"Networks", "SIG", "New thread", "3 new posts", "Department, Region", "11 March 2026 at 09:00"} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q", part.name, want)
			}
		}
		for _, absent := range []string{"Réseaux", "nouveaux messages", "Département, Région", "mars"} {
			if strings.Contains(part.body, absent) {
				t.Errorf("%s part contains %q", part.name, absent)
			}
		}
	}

	// Past the limits: the counts are English too.
	var many []digest.Item
	var manyThreads []forum.Thread
	for i := range digest.MaxThreadsPerMail + 5 {
		id := fmt.Sprintf("t%03d", i)
		manyThreads = append(manyThreads, forum.Thread{ID: id, Theme: "reseaux", Title: "Fil " + id, Status: forum.ThreadPublished, FirstPostID: "x"})
		k := 1
		if i == 0 {
			k = digest.MaxPostsPerThread + 3
		}
		for j := range k {
			many = append(many, digest.Item{PostID: fmt.Sprintf("%s-%d", id, j), ThreadID: id, PublishedAt: bFrom.Add(time.Duration(i+j) * time.Second)})
		}
	}
	in = digestInput([]digest.Subscription{subOf(digest.TargetTheme, "reseaux", "", "", bFrom)}, digest.NewContent(many, manyThreads, enThemes, enTypes, nil))
	in.Lang, in.Frequency = i18n.EN, digest.Weekly
	msg, _, _ = digest.BuildDigest(in)
	for _, want := range []string{"… and 3 other posts: ", "… and 5 other threads on the forum.", "coterforum — your selection of the week, 12 March 2026: 65 threads",
		"You receive this weekly digest", "… and 3 other posts", "… and 5 other threads on the forum."} {
		if !strings.Contains(msg.Subject+msg.Text+msg.HTML, want) {
			t.Errorf("missing %q", want)
		}
	}
}
