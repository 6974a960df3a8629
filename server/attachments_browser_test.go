package server_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"coterforum/forum"
	"coterforum/internal/browsertest"

	"github.com/chromedp/chromedp"
)

// TestAttachmentBrowserUploadDownload: a member replies with two files
// chosen in the form's file input (no script needed: the form is
// multipart), the thread page shows them (a thumbnail for the image), and
// the files download with the right headers and bytes. axe-core finds no
// violation on the reply form and on the thread page, in French and
// English.
func TestAttachmentBrowserUploadDownload(t *testing.T) {
	t.Parallel() // a browser test waits on chromium much of the time: two run at once
	e := newEnv(t)
	m, pw := e.member(forum.RoleMember, "commune")
	threadID, _ := e.login(m, pw).createThread("reseaux", []string{"commune"}, "Schémas du réseau départemental", "Qui a un modèle de schéma ?")
	dir := t.TempDir()
	pngPath, pdfPath := filepath.Join(dir, "schéma réseau.png"), filepath.Join(dir, "devis fibre.pdf")
	if err := os.WriteFile(pngPath, pngWithText(t), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pdfPath, pdfFile(), 0o600); err != nil {
		t.Fatal(err)
	}
	base := e.ts.URL
	b := browsertest.New(t)
	tab := b.Ctx()
	browserLogin(t, tab, base, m, pw)
	if brEval[string](t, tab, `document.documentElement.lang`) != "fr" {
		brSubmit(t, tab, "switch to French", 200, chromedp.Click(chromedp.CSS(`form.lang-switch button`)))
	}
	brVisit(t, tab, base+"/threads/"+threadID+"/reply", 200)
	brAudit(t, b, tab, "réponse avec pièces jointes", "Répondre")
	brDo(t, tab, "fill the reply with two files",
		chromedp.SendKeys(chromedp.CSS("#body"), "Voici notre schéma et le devis."),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{pngPath, pdfPath}),
	)
	brSubmit(t, tab, "publish the reply", 200, chromedp.Click(chromedp.CSS(`button[value="publish"]`)))
	if n := brEval[int](t, tab, `document.querySelectorAll("a.attachment-link").length`); n != 2 {
		t.Fatalf("the thread page shows %d attachments, want 2", n)
	}
	// The thumbnail loads lazily: scrolled into view, it loads.
	thumb, err := chromedp.Run(tab, chromedp.Evaluate[string](`(async () => {
		const i = document.querySelector("ul.attachments img");
		if (!i) { return "no image"; }
		i.scrollIntoView();
		for (let k = 0; k < 50 && !(i.complete && i.naturalWidth); k++) { await new Promise(r => setTimeout(r, 100)); }
		return i.naturalWidth + " " + i.alt;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || thumb != "320 schéma_réseau.png" {
		t.Fatalf("the image's thumbnail: %q %v", thumb, err)
	}
	brAudit(t, b, tab, "fil avec pièces jointes", "Schémas du réseau")
	// Download both, as the page links them.
	got, err := chromedp.Run(tab, chromedp.Evaluate[string](`(async () => {
		const out = [];
		for (const a of document.querySelectorAll("a.attachment-link")) {
			const r = await fetch(a.href, {credentials: "same-origin"});
			const body = new Uint8Array(await r.arrayBuffer());
			out.push([r.status, r.headers.get("content-type"), r.headers.get("content-disposition").split(";")[0],
				r.headers.get("x-content-type-options"), body.length, String.fromCharCode(...body.slice(0, 4))].join(" "));
		}
		return out.join("\n");
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	want := []string{"200 image/png inline nosniff", "200 application/pdf attachment nosniff " + itoa(len(pdfFile())) + " %PDF"}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("downloads:\n%s\nwant a line with %q", got, w)
		}
	}

	// English.
	brSubmit(t, tab, "switch to English", 200, chromedp.Click(chromedp.CSS(`form.lang-switch button`)))
	brVisit(t, tab, base+"/threads/"+threadID+"/reply", 200)
	if !strings.Contains(brText(t, tab, `label[for="files"]`), "Attachments") {
		t.Fatal("the file field is not in English")
	}
	brAudit(t, b, tab, "reply with attachments (English)", "Reply")
	brVisit(t, tab, base+"/threads/"+threadID, 200)
	brAudit(t, b, tab, "thread with attachments (English)", "Schémas du réseau")
}

func itoa(n int) string { return strconv.Itoa(n) }
