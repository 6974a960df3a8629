package digest

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail"
)

// DigestInput is everything BuildDigest needs; BuildDigest does no I/O.
type DigestInput struct {
	// To is the subscriber's address.
	To        string
	Frequency string
	// Subscriptions are the subscriber's subscriptions of that frequency.
	Subscriptions []Subscription
	Content       *Content
	// From and Until bound the run: [From, Until).
	From, Until time.Time
	// Location gives the dates of the subject and of the posts.
	Location *time.Location
	// BaseURL, ManageURL and UnsubscribeURL are absolute; UnsubscribeURL
	// also goes in the List-Unsubscribe header.
	BaseURL        string
	ManageURL      string
	UnsubscribeURL string
	MessageID      string
	// Lang is the subscriber's language (French when empty).
	Lang i18n.Lang
}

// BuildDigest returns the digest mail of one subscriber and how many threads
// it presents; ok is false, and there is no mail, when nothing is new.
func BuildDigest(in DigestInput) (msg mail.Message, threads int, ok bool) {
	groups := in.Content.Select(in.Subscriptions, in.From, in.Until)
	if len(groups) == 0 {
		return mail.Message{}, 0, false
	}
	lang := mailLang(in.Lang)
	v := digestView{Lang: lang, Intro: i18n.T(lang, "Voici ce qui a été publié dans ce que vous suivez sur coterforum."),
		ManageURL: in.ManageURL, UnsubscribeURL: in.UnsubscribeURL}
	if in.Frequency == Weekly {
		v.Why = i18n.T(lang, "Vous recevez ce résumé hebdomadaire parce que vous suivez ces sujets sur coterforum.")
	} else {
		v.Why = i18n.T(lang, "Vous recevez ce résumé quotidien parce que vous suivez ces sujets sur coterforum.")
	}
	for _, g := range groups {
		gv := groupView{Name: oneLine(in.Content.names.theme(g.Slug, lang)), URL: in.BaseURL + "/themes/" + g.Slug}
		for _, tn := range g.Threads {
			if threads == MaxThreadsPerMail {
				v.MoreThreads++
				continue
			}
			threads++
			gv.Threads = append(gv.Threads, threadView(in, lang, tn))
		}
		if len(gv.Threads) > 0 {
			v.Groups = append(v.Groups, gv)
		}
	}
	total := threads + v.MoreThreads
	date := i18n.Date(lang, inZone(in.Until, in.Location))
	if in.Frequency == Weekly {
		v.Subject = sprintf(lang, "coterforum — votre sélection de la semaine, %s : %s", date, plural(lang, total, "fil", "fils"))
	} else {
		v.Subject = sprintf(lang, "coterforum — votre sélection du %s : %s", date, plural(lang, total, "fil", "fils"))
	}
	var html bytes.Buffer
	if err := digestHTML.Execute(&html, v); err != nil {
		// The template is fixed and its data plain strings: this cannot
		// happen, and a digest without its HTML part is still readable.
		html.Reset()
	}
	headers := unsubscribeHeaders(in.UnsubscribeURL)
	headers["Content-Language"] = string(lang)
	return mail.Message{To: in.To, Subject: v.Subject, Text: digestText(v), HTML: html.String(),
		Headers: headers, MessageID: in.MessageID}, total, true
}

// unsubscribeHeaders are the RFC 2369 and RFC 8058 headers of a mail.
func unsubscribeHeaders(unsubscribeURL string) map[string]string {
	return map[string]string{
		"List-Unsubscribe":      "<" + unsubscribeURL + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Auto-Submitted":        "auto-generated",
	}
}

type digestView struct {
	Lang                      i18n.Lang
	Subject, Intro, Why       string
	Groups                    []groupView
	MoreThreads               int
	ManageURL, UnsubscribeURL string
}

type groupView struct {
	Name, URL string
	Threads   []threadItemView
}

type threadItemView struct {
	Title, URL, Types, Author, Status string
	Posts                             []postView
	MorePosts                         int
}

type postView struct {
	Author, When, Excerpt, URL string
}

func threadView(in DigestInput, lang i18n.Lang, tn ThreadNews) threadItemView {
	th := tn.Thread
	types := make([]string, 0, len(th.AuthorityTypes))
	for _, a := range th.AuthorityTypes {
		types = append(types, in.Content.names.authorityType(a, false, lang))
	}
	tv := threadItemView{Title: oneLine(th.Title), URL: in.BaseURL + "/threads/" + th.ID,
		Types: strings.Join(types, ", "), Author: authorLine(lang, th.Author)}
	n := len(tn.Posts)
	switch {
	case tn.New && n == 1:
		tv.Status = i18n.T(lang, "Nouveau fil")
	case tn.New:
		tv.Status = sprintf(lang, "Nouveau fil, %s", plural(lang, n-1, "réponse", "réponses"))
	default:
		tv.Status = plural(lang, n, "nouveau message", "nouveaux messages")
	}
	for i, p := range tn.Posts {
		if i == MaxPostsPerThread {
			tv.MorePosts = n - i
			break
		}
		tv.Posts = append(tv.Posts, postView{Author: authorLine(lang, p.Author), When: i18n.DateTime(lang, inZone(p.PublishedAt, in.Location)),
			Excerpt: oneLine(p.Excerpt), URL: in.BaseURL + "/posts/" + p.PostID})
	}
	return tv
}

// authorLine is "Name (Authority)", a deleted member's label in lang.
func authorLine(lang i18n.Lang, a forum.AuthorRef) string {
	name := oneLine(a.NameIn(lang))
	if auth := oneLine(a.Authority); auth != "" {
		return name + " (" + auth + ")"
	}
	return name
}

func digestText(v digestView) string {
	lang := v.Lang
	var b strings.Builder
	b.WriteString(i18n.T(lang, "Bonjour,") + "\n\n" + v.Intro + "\n")
	for _, g := range v.Groups {
		fmt.Fprintf(&b, "\n== %s ==\n", g.Name)
		for _, t := range g.Threads {
			fmt.Fprintf(&b, "\n* %s\n  %s — %s — %s\n  %s\n", t.Title, t.Status, t.Types, sprintf(lang, "lancé par %s", t.Author), t.URL)
			for _, p := range t.Posts {
				fmt.Fprintf(&b, "\n  - %s, %s%s\n    %s\n    %s\n", p.Author, p.When, colon(lang), p.Excerpt, p.URL)
			}
			if t.MorePosts > 0 {
				fmt.Fprintf(&b, "\n  %s\n", sprintf(lang, "… et %s : %s", plural(lang, t.MorePosts, "autre message", "autres messages"), t.URL))
			}
		}
	}
	if v.MoreThreads > 0 {
		fmt.Fprintf(&b, "\n%s\n", sprintf(lang, "… et %s sur le forum.", plural(lang, v.MoreThreads, "autre fil", "autres fils")))
	}
	fmt.Fprintf(&b, "\n-- \n%s\n%s\n%s\n", v.Why, sprintf(lang, "Gérer vos abonnements : %s", v.ManageURL),
		sprintf(lang, "Vous désabonner de tout : %s", v.UnsubscribeURL))
	return b.String()
}

// T translates a French text of the HTML template.
func (v digestView) T(fr string) string { return i18n.T(v.Lang, fr) }

// Tf translates a French format of the HTML template and fills it.
func (v digestView) Tf(fr string, args ...any) string { return i18n.M(fr, args...).In(v.Lang) }

// digestHTML is the HTML part: inline styles only, no images, no scripts;
// html/template escapes every value.
var digestHTML = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f1;color:#1f2328;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:640px;margin:0 auto;padding:16px;background:#ffffff">
<p style="margin:0 0 16px 0">{{.T "Bonjour,"}}</p>
<p style="margin:0 0 16px 0">{{.Intro}}</p>
{{range .Groups}}<h2 style="font-size:20px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #1d4f91"><a href="{{.URL}}" style="color:#1d4f91;text-decoration:none">{{.Name}}</a></h2>
{{range .Threads}}<div style="margin:0 0 20px 0">
<h3 style="font-size:17px;margin:12px 0 2px 0"><a href="{{.URL}}" style="color:#1d4f91">{{.Title}}</a></h3>
<p style="margin:0 0 8px 0;color:#555b62;font-size:14px">{{.Status}} — {{.Types}} — {{$.Tf "fil lancé par %s" .Author}}</p>
{{range .Posts}}<div style="margin:0 0 10px 12px;padding-left:10px;border-left:3px solid #d0d7de">
<p style="margin:0;font-size:14px;color:#555b62">{{.Author}}, {{.When}}</p>
<p style="margin:2px 0 0 0">{{.Excerpt}} <a href="{{.URL}}" style="color:#1d4f91">{{$.T "Lire"}}</a></p>
</div>
{{end}}{{if .MorePosts}}<p style="margin:0 0 0 12px;font-size:14px"><a href="{{.URL}}" style="color:#1d4f91">{{$.Tf "… et %d autre(s) message(s)" .MorePosts}}</a></p>
{{end}}</div>
{{end}}{{end}}{{if .MoreThreads}}<p>{{.Tf "… et %d autre(s) fil(s) sur le forum." .MoreThreads}}</p>
{{end}}<hr style="border:0;border-top:1px solid #d0d7de;margin:24px 0 12px 0">
<p style="margin:0;font-size:13px;color:#555b62">{{.Why}}<br>
<a href="{{.ManageURL}}" style="color:#1d4f91">{{.T "Gérer vos abonnements"}}</a> · <a href="{{.UnsubscribeURL}}" style="color:#1d4f91">{{.T "Vous désabonner de tout"}}</a></p>
</div>
</body></html>
`))

// mailLang is lang, French when empty or unknown.
func mailLang(lang i18n.Lang) i18n.Lang {
	if l, ok := i18n.Parse(string(lang)); ok {
		return l
	}
	return i18n.FR
}

// subscriberLang is the language a subscriber reads mail in.
func subscriberLang(sub *Subscriber) i18n.Lang { return mailLang(i18n.Lang(sub.Lang)) }

// inZone returns t such that i18n's dates (always written in Europe/Paris)
// show the wall clock of loc: t itself for Europe/Paris (the default), else
// loc's wall clock re-read as a Paris time.
func inZone(t time.Time, loc *time.Location) time.Time {
	if loc == nil || loc.String() == i18n.Paris.String() {
		return t
	}
	w := t.In(loc)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), i18n.Paris)
}

// plural is "1 fil", "5 fils" in French, "1 thread", "5 threads" in English.
// The words, not formats, are the catalog's keys (as in the page templates):
// a format like "%d fils" would also match unrelated filled texts.
func plural(lang i18n.Lang, n int, one, many string) string {
	if n == 1 {
		return "1 " + i18n.T(lang, one)
	}
	return fmt.Sprintf("%d %s", n, i18n.T(lang, many))
}

// colon ends a sentence before what it announces: " :" with a non-breaking
// space in French, ":" in English.
func colon(lang i18n.Lang) string {
	if lang == i18n.EN {
		return ":"
	}
	return i18n.Typo(" :")
}

// sprintf fills the translation of a French format. Unlike i18n.Tf, the
// French typography applies to the format only, never to the arguments
// (titles, names, excerpts are repeated exactly).
func sprintf(lang i18n.Lang, format string, args ...any) string {
	return fmt.Sprintf(i18n.T(lang, format), args...)
}
