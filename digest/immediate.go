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
	subs, err := s.List(ctx, sub.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("Bonjour,\n\nQuelqu'un, sans doute vous, a demandé à recevoir à cette adresse des nouvelles de coterforum, le forum des DSI des collectivités territoriales :\n\n")
	for _, x := range subs {
		if x.Pending {
			fmt.Fprintf(&b, "  - %s (%s)\n", x.Label, FrequencyLabel(x.Frequency))
		}
	}
	fmt.Fprintf(&b, "\nPour confirmer, ouvrez ce lien (valable %d jours) :\n%s\n\n", int(s.cfg.ConfirmTTL.Hours()/24), s.ConfirmURL(sub.ID))
	b.WriteString("Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : vous ne recevrez rien d'autre.\n\n-- \ncoterforum\n")
	id := hashID(KindConfirm, sub.ID, now.Format(time.RFC3339Nano))
	m := s.newMessage(id, KindConfirm, sub, "coterforum — confirmez votre abonnement", MessageBody{Text: b.String(),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
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
		v := immediateView{Title: oneLine(th.Title), Author: authorLine(p.Author),
			When:    frenchDateTime(published.In(s.cfg.Location)),
			Excerpt: oneLine(forum.PlainExcerpt(p.HTML, ExcerptRunes)), URL: s.cfg.BaseURL + "/posts/" + p.ID,
			UnsubscribeURL: s.UnsubscribeURL(sub.ID, x.ID), ManageURL: s.ManageURL(sub.ID)}
		text := fmt.Sprintf("Bonjour,\n\n%s a répondu le %s dans le fil « %s » :\n\n%s\n\nLire : %s\n\n-- \nVous recevez ce message parce que vous suivez ce fil à chaque réponse.\nNe plus suivre ce fil : %s\nGérer vos abonnements : %s\n",
			v.Author, v.When, v.Title, v.Excerpt, v.URL, v.UnsubscribeURL, v.ManageURL)
		var html bytes.Buffer
		if err := immediateHTML.Execute(&html, v); err != nil {
			html.Reset()
		}
		m := s.newMessage(id, KindImmediate, sub, "coterforum — nouvelle réponse : "+v.Title,
			MessageBody{Text: text, HTML: html.String(), Headers: unsubscribeHeaders(v.UnsubscribeURL)})
		m.Frequency = Immediate
		msgs = append(msgs, m)
	}
	return msgs, nil
}

type immediateView struct {
	Title, Author, When, Excerpt, URL, UnsubscribeURL, ManageURL string
}

var immediateHTML = template.Must(template.New("immediate").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Nouvelle réponse : {{.Title}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f1;color:#1f2328;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:640px;margin:0 auto;padding:16px;background:#ffffff">
<p style="margin:0 0 12px 0">{{.Author}} a répondu le {{.When}} dans le fil <a href="{{.URL}}" style="color:#1d4f91">{{.Title}}</a> :</p>
<div style="margin:0 0 12px 12px;padding-left:10px;border-left:3px solid #d0d7de">{{.Excerpt}}</div>
<p style="margin:0 0 16px 0"><a href="{{.URL}}" style="color:#1d4f91">Lire la réponse</a></p>
<hr style="border:0;border-top:1px solid #d0d7de;margin:24px 0 12px 0">
<p style="margin:0;font-size:13px;color:#555b62">Vous recevez ce message parce que vous suivez ce fil à chaque réponse.<br>
<a href="{{.UnsubscribeURL}}" style="color:#1d4f91">Ne plus suivre ce fil</a> · <a href="{{.ManageURL}}" style="color:#1d4f91">Gérer vos abonnements</a></p>
</div>
</body></html>
`))
