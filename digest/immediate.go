package digest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
)

// immediateMark is the name of the time up to which SweepImmediate looked.
const immediateMark = "immediate"

// requestConfirmation queues the confirmation mail of a subscriber and sends
// it, unless one was queued less than Config.ConfirmEvery ago.
func (s *Service) requestConfirmation(ctx context.Context, sub *Subscriber) error {
	now := s.now()
	ok, err := s.store.StampConfirmation(ctx, sub.ID, now, now.Add(-s.cfg.ConfirmEvery))
	if err != nil || !ok {
		return err
	}
	subs, err := s.ListIn(ctx, sub.ID, subscriberLang(sub))
	if err != nil {
		return err
	}
	lang := subscriberLang(sub)
	var b strings.Builder
	b.WriteString(i18n.T(lang, "Bonjour,") + "\n\n")
	b.WriteString(i18n.T(lang, "Quelqu'un, sans doute vous, a demandé à recevoir à cette adresse des nouvelles de coterforum, le forum des DSI des collectivités territoriales :") + "\n\n")
	for _, x := range subs {
		if x.Pending {
			fmt.Fprintf(&b, "  - %s (%s)\n", x.Label, frequencyLabel(lang, x.Frequency))
		}
	}
	b.WriteString("\n" + sprintf(lang, "Pour confirmer, ouvrez ce lien (valable %d jours) :", int(s.cfg.ConfirmTTL.Hours()/24)) + "\n" + s.ConfirmURL(sub.ID) + "\n\n")
	b.WriteString(i18n.T(lang, "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : vous ne recevrez rien d'autre.") + "\n\n-- \ncoterforum\n")
	id := hashID(KindConfirm, sub.ID, now.Format(time.RFC3339Nano))
	m := s.newMessage(id, KindConfirm, sub, i18n.T(lang, "coterforum — confirmez votre abonnement"), MessageBody{Text: b.String(),
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "Content-Language": string(lang)}})
	_, err = s.enqueue(ctx, []OutboxMessage{m}, false)
	return err
}

// NotifyImmediate queues and sends one mail per confirmed subscriber
// following the post's thread "immediately" (except its author), if the
// post is published. Each (subscriber, post) is mailed once, however often
// it is called: call it when a reply is published (forum.Reply published at
// once, moderation.Approve); the Scheduler's sweep catches any missed call.
// It returns how many mails were sent now.
func (s *Service) NotifyImmediate(ctx context.Context, post *forum.Post) (int, error) {
	p, err := s.store.PostByID(ctx, post.ID)
	if err != nil {
		return 0, err
	}
	msgs, err := s.immediateMessages(ctx, p, nil)
	if err != nil {
		return 0, err
	}
	return s.enqueue(ctx, msgs, false)
}

// SweepImmediate notifies the replies published since the last sweep (and
// Config.Settle before, for publications written late). The first sweep
// only starts the clock. It returns how many mails were sent.
func (s *Service) SweepImmediate(ctx context.Context) (int, error) {
	now := s.now()
	last, err := s.store.Mark(ctx, immediateMark)
	if err != nil {
		return 0, err
	}
	if last.IsZero() {
		_, err := s.store.MoveMark(ctx, immediateMark, last, now)
		return 0, err
	}
	threads := map[string]*forum.Thread{}
	sent, after := 0, ""
	for {
		posts, err := s.store.PublishedPosts(ctx, last.Add(-s.cfg.Settle), now, after, postsPage)
		if err != nil {
			return sent, err
		}
		for i := range posts {
			msgs, err := s.immediateMessages(ctx, &posts[i], threads)
			if err != nil {
				return sent, err
			}
			n, err := s.enqueue(ctx, msgs, false)
			sent += n
			if err != nil {
				return sent, err
			}
		}
		if len(posts) < postsPage {
			break
		}
		after = posts[len(posts)-1].ID
	}
	_, err = s.store.MoveMark(ctx, immediateMark, last, now)
	return sent, err
}

// immediateMessages builds the notifications of a published reply.
func (s *Service) immediateMessages(ctx context.Context, p *forum.Post, cache map[string]*forum.Thread) ([]OutboxMessage, error) {
	if p.Status != forum.PostPublished {
		return nil, nil
	}
	th := cache[p.ThreadID]
	if th == nil {
		var err error
		if th, err = s.store.ThreadByID(ctx, p.ThreadID); err != nil {
			return nil, err
		}
		if cache != nil {
			cache[th.ID] = th
		}
	}
	if th.Status != forum.ThreadPublished || th.FirstPostID == p.ID {
		return nil, nil
	}
	subs, err := s.store.ThreadSubscriptions(ctx, th.ID, Immediate)
	if err != nil {
		return nil, err
	}
	published := PublishedAt(p)
	var msgs []OutboxMessage
	for _, x := range subs {
		if x.CreatedAt.After(published) {
			continue
		}
		sub, err := s.store.SubscriberByID(ctx, x.SubscriberID)
		if errors.Is(err, forum.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if !sub.Confirmed || (sub.MemberID != "" && sub.MemberID == p.Author.ID) {
			continue
		}
		id := hashID(KindImmediate, sub.ID, p.ID)
		lang := subscriberLang(sub)
		v := immediateView{Lang: lang, Title: oneLine(th.Title), Author: authorLine(lang, p.Author),
			When:    i18n.DateTime(lang, inZone(published, s.cfg.Location)),
			Excerpt: oneLine(forum.PlainExcerpt(p.HTML, ExcerptRunes)), URL: s.cfg.BaseURL + "/posts/" + p.ID,
			UnsubscribeURL: s.UnsubscribeURL(sub.ID, x.ID), ManageURL: s.ManageURL(sub.ID)}
		text := i18n.T(lang, "Bonjour,") + "\n\n" +
			sprintf(lang, "%s a répondu le %s dans le fil « %s » :", v.Author, v.When, v.Title) + "\n\n" +
			v.Excerpt + "\n\n" + sprintf(lang, "Lire : %s", v.URL) + "\n\n-- \n" +
			i18n.T(lang, "Vous recevez ce message parce que vous suivez ce fil à chaque réponse.") + "\n" +
			sprintf(lang, "Ne plus suivre ce fil : %s", v.UnsubscribeURL) + "\n" +
			sprintf(lang, "Gérer vos abonnements : %s", v.ManageURL) + "\n"
		var html bytes.Buffer
		if err := immediateHTML.Execute(&html, v); err != nil {
			html.Reset()
		}
		headers := unsubscribeHeaders(v.UnsubscribeURL)
		headers["Content-Language"] = string(lang)
		m := s.newMessage(id, KindImmediate, sub, sprintf(lang, "coterforum — nouvelle réponse : %s", v.Title),
			MessageBody{Text: text, HTML: html.String(), Headers: headers})
		m.Frequency = Immediate
		msgs = append(msgs, m)
	}
	return msgs, nil
}

type immediateView struct {
	Lang                                                         i18n.Lang
	Title, Author, When, Excerpt, URL, UnsubscribeURL, ManageURL string
}

// T translates a French text of the HTML template.
func (v immediateView) T(fr string) string { return i18n.T(v.Lang, fr) }

// Colon ends the sentence before the excerpt.
func (v immediateView) Colon() string { return colon(v.Lang) }

// Tf translates a French format of the HTML template and fills it.
func (v immediateView) Tf(fr string, args ...any) string { return sprintf(v.Lang, fr, args...) }

var immediateHTML = template.Must(template.New("immediate").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Tf "Nouvelle réponse : %s" .Title}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f1;color:#1f2328;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:640px;margin:0 auto;padding:16px;background:#ffffff">
<p style="margin:0 0 12px 0">{{.Tf "%s a répondu le %s dans le fil" .Author .When}} <a href="{{.URL}}" style="color:#1d4f91">{{.Title}}</a>{{.Colon}}</p>
<div style="margin:0 0 12px 12px;padding-left:10px;border-left:3px solid #d0d7de">{{.Excerpt}}</div>
<p style="margin:0 0 16px 0"><a href="{{.URL}}" style="color:#1d4f91">{{.T "Lire la réponse"}}</a></p>
<hr style="border:0;border-top:1px solid #d0d7de;margin:24px 0 12px 0">
<p style="margin:0;font-size:13px;color:#555b62">{{.T "Vous recevez ce message parce que vous suivez ce fil à chaque réponse."}}<br>
<a href="{{.UnsubscribeURL}}" style="color:#1d4f91">{{.T "Ne plus suivre ce fil"}}</a> · <a href="{{.ManageURL}}" style="color:#1d4f91">{{.T "Gérer vos abonnements"}}</a></p>
</div>
</body></html>
`))
