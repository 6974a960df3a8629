package server_test

import (
	"strings"
	"testing"

	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/chromedp"
)

// TestUnreadMarksAreAccessible audits, in both languages, a member's home
// page with an unread thread (its mark is text, never colour alone) and the
// feed links, then follows the unread link to the first unread post.
func TestUnreadMarksAreAccessible(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	author, apw := e.member(forum.RoleMember, "commune")
	reader, rpw := e.member(forum.RoleMember, "commune")
	tid, first := e.login(author, apw).createThread("reseaux", []string{"commune"}, "Sauvegardes externalisées", "Quelle solution ?")

	b := browsertest.New(t)
	tab := b.Ctx()
	base := e.ts.URL
	brVisit(t, tab, base+"/login", 200)
	brDo(t, tab, "fill the login form", chromedp.SendKeys(chromedp.CSS("#email"), reader.Email), chromedp.SendKeys(chromedp.CSS("#password"), rpw))
	brSubmit(t, tab, "log in", 200, chromedp.Submit(chromedp.CSS("#password")))
	for _, lang := range []struct{ code, mark string }{{"fr", "nouveau (messages non lus)"}, {"en", "new (unread posts)"}} {
		brEval[string](t, tab, `document.cookie = "cf_lang=`+lang.code+`; path=/"`)
		brVisit(t, tab, base+"/", 200)
		link := `a[href="/threads/` + tid + `/unread"]`
		if got := brEval[string](t, tab, `document.querySelector('`+link+` .badge-unread').textContent`); got != lang.mark {
			t.Fatalf("%s: unread mark text %q, want %q", lang.code, got, lang.mark)
		}
		if !brEval[bool](t, tab, `!!document.querySelector('head link[rel=alternate][type="application/atom+xml"][href="/feed.atom"]')`) {
			t.Fatalf("%s: no feed link in <head>", lang.code)
		}
		browsertest.AssertNoViolations(t, "accueil avec un fil non lu ("+lang.code+")", b.Axe(t, tab))
	}
	brSubmit(t, tab, "open the unread thread", 200, chromedp.Click(chromedp.CSS(`a[href="/threads/`+tid+`/unread"]`)))
	if url := brEval[string](t, tab, "location.href"); !strings.HasSuffix(url, "/threads/"+tid+"#post-"+first) {
		t.Fatalf("the unread link landed on %s", url)
	}
	browsertest.AssertNoViolations(t, "fil avec lien de flux", b.Axe(t, tab))
}
