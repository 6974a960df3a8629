package digest

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"coterforum/forum"
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
}

// BuildDigest returns the digest mail of one subscriber and how many threads
// it presents; ok is false, and there is no mail, when nothing is new.
func BuildDigest(in DigestInput) (msg mail.Message, threads int, ok bool) {
	groups := in.Content.Select(in.Subscriptions, in.From, in.Until)
	if len(groups) == 0 {
		return mail.Message{}, 0, false
	}
	v := digestView{Intro: "Voici ce qui a été publié dans ce que vous suivez sur coterforum.",
		ManageURL: in.ManageURL, UnsubscribeURL: in.UnsubscribeURL}
	if in.Frequency == Weekly {
		v.Why = "Vous recevez ce résumé hebdomadaire parce que vous suivez ces sujets sur coterforum."
	} else {
		v.Why = "Vous recevez ce résumé quotidien parce que vous suivez ces sujets sur coterforum."
	}
	for _, g := range groups {
		gv := groupView{Name: oneLine(g.Name), URL: in.BaseURL + "/themes/" + g.Slug}
		for _, tn := range g.Threads {
			if threads == MaxThreadsPerMail {
				v.MoreThreads++
				continue
			}
			threads++
			gv.Threads = append(gv.Threads, threadView(in, tn))
		}
		if len(gv.Threads) > 0 {
			v.Groups = append(v.Groups, gv)
		}
	}
	total := threads + v.MoreThreads
	date := frenchDate(in.Until.In(in.Location))
	if in.Frequency == Weekly {
		v.Subject = fmt.Sprintf("coterforum — votre sélection de la semaine, %s : %s", date, plural(total, "fil", "fils"))
	} else {
		v.Subject = fmt.Sprintf("coterforum — votre sélection du %s : %s", date, plural(total, "fil", "fils"))
	}
	var html bytes.Buffer
	if err := digestHTML.Execute(&html, v); err != nil {
		// The template is fixed and its data plain strings: this cannot
		// happen, and a digest without its HTML part is still readable.
		html.Reset()
	}
	return mail.Message{To: in.To, Subject: v.Subject, Text: digestText(v), HTML: html.String(),
		Headers: unsubscribeHeaders(in.UnsubscribeURL), MessageID: in.MessageID}, total, true
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

func threadView(in DigestInput, tn ThreadNews) threadItemView {
	th := tn.Thread
	types := make([]string, 0, len(th.AuthorityTypes))
	for _, a := range th.AuthorityTypes {
		types = append(types, in.Content.names.authorityType(a, false))
	}
	tv := threadItemView{Title: oneLine(th.Title), URL: in.BaseURL + "/threads/" + th.ID,
		Types: strings.Join(types, ", "), Author: authorLine(th.Author)}
	n := len(tn.Posts)
	switch {
	case tn.New && n == 1:
		tv.Status = "Nouveau fil"
	case tn.New:
		tv.Status = "Nouveau fil, " + plural(n-1, "réponse", "réponses")
	default:
		tv.Status = plural(n, "nouveau message", "nouveaux messages")
	}
	for i, p := range tn.Posts {
		if i == MaxPostsPerThread {
			tv.MorePosts = n - i
			break
		}
		tv.Posts = append(tv.Posts, postView{Author: authorLine(p.Author), When: frenchDateTime(p.PublishedAt.In(in.Location)),
			Excerpt: oneLine(p.Excerpt), URL: in.BaseURL + "/posts/" + p.PostID})
	}
	return tv
}

// authorLine is "Name (Authority)".
func authorLine(a forum.AuthorRef) string {
	name := oneLine(a.DisplayName)
	if auth := oneLine(a.Authority); auth != "" {
		return name + " (" + auth + ")"
	}
	return name
}

func digestText(v digestView) string {
	var b strings.Builder
	b.WriteString("Bonjour,\n\n" + v.Intro + "\n")
	for _, g := range v.Groups {
		fmt.Fprintf(&b, "\n== %s ==\n", g.Name)
		for _, t := range g.Threads {
			fmt.Fprintf(&b, "\n* %s\n  %s — %s — lancé par %s\n  %s\n", t.Title, t.Status, t.Types, t.Author, t.URL)
			for _, p := range t.Posts {
				fmt.Fprintf(&b, "\n  - %s, %s :\n    %s\n    %s\n", p.Author, p.When, p.Excerpt, p.URL)
			}
			if t.MorePosts > 0 {
				fmt.Fprintf(&b, "\n  … et %s : %s\n", plural(t.MorePosts, "autre message", "autres messages"), t.URL)
			}
		}
	}
	if v.MoreThreads > 0 {
		fmt.Fprintf(&b, "\n… et %s sur le forum.\n", plural(v.MoreThreads, "autre fil", "autres fils"))
	}
	fmt.Fprintf(&b, "\n-- \n%s\nGérer vos abonnements : %s\nVous désabonner de tout : %s\n", v.Why, v.ManageURL, v.UnsubscribeURL)
	return b.String()
}

// digestHTML is the HTML part: inline styles only, no images, no scripts;
// html/template escapes every value.
var digestHTML = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f1;color:#1f2328;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:640px;margin:0 auto;padding:16px;background:#ffffff">
<p style="margin:0 0 16px 0">Bonjour,</p>
<p style="margin:0 0 16px 0">{{.Intro}}</p>
{{range .Groups}}<h2 style="font-size:20px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #1d4f91"><a href="{{.URL}}" style="color:#1d4f91;text-decoration:none">{{.Name}}</a></h2>
{{range .Threads}}<div style="margin:0 0 20px 0">
<h3 style="font-size:17px;margin:12px 0 2px 0"><a href="{{.URL}}" style="color:#1d4f91">{{.Title}}</a></h3>
<p style="margin:0 0 8px 0;color:#555b62;font-size:14px">{{.Status}} — {{.Types}} — fil lancé par {{.Author}}</p>
{{range .Posts}}<div style="margin:0 0 10px 12px;padding-left:10px;border-left:3px solid #d0d7de">
<p style="margin:0;font-size:14px;color:#555b62">{{.Author}}, {{.When}}</p>
<p style="margin:2px 0 0 0">{{.Excerpt}} <a href="{{.URL}}" style="color:#1d4f91">Lire</a></p>
</div>
{{end}}{{if .MorePosts}}<p style="margin:0 0 0 12px;font-size:14px"><a href="{{.URL}}" style="color:#1d4f91">… et {{.MorePosts}} autre(s) message(s)</a></p>
{{end}}</div>
{{end}}{{end}}{{if .MoreThreads}}<p>… et {{.MoreThreads}} autre(s) fil(s) sur le forum.</p>
{{end}}<hr style="border:0;border-top:1px solid #d0d7de;margin:24px 0 12px 0">
<p style="margin:0;font-size:13px;color:#555b62">{{.Why}}<br>
<a href="{{.ManageURL}}" style="color:#1d4f91">Gérer vos abonnements</a> · <a href="{{.UnsubscribeURL}}" style="color:#1d4f91">Vous désabonner de tout</a></p>
</div>
</body></html>
`))

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// frenchDate is "12 mars 2026" (1er for the first day of a month).
func frenchDate(t time.Time) string {
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[t.Month()-1], t.Year())
}

// frenchDateTime is "12 mars 2026 à 14 h 05".
func frenchDateTime(t time.Time) string {
	return fmt.Sprintf("%s à %d h %02d", frenchDate(t), t.Hour(), t.Minute())
}

// plural is "1 fil", "5 fils".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
