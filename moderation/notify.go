package moderation

import (
	"context"
	"errors"
	"fmt"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail"
)

// Notification kinds.
const (
	KindApproved = "post_approved"
	KindRejected = "post_rejected"
	KindHidden   = "post_hidden"
	// KindReopened: a rejection was undone, the post is back in the queue.
	KindReopened = "post_reopened"
)

// notifyAuthor tells the author of a post about a decision, in the forum
// and by mail. Call it inside the decision's Atomically: the notification
// is stored with the decision, and the mail leaves once it is committed (a
// mail that fails is logged: the decision stands). The author of a deleted
// account is not told (there is nobody, and no address, left).
func (s *Service) notifyAuthor(ctx context.Context, p *forum.Post, th *forum.Thread, kind, reason string) error {
	m, err := s.store.MemberByID(ctx, p.Author.ID)
	if err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			return nil
		}
		return err
	}
	if m.Deleting() {
		return nil
	}
	n := &Notification{ID: forum.NewID(), MemberID: p.Author.ID, Kind: kind, PostID: p.ID, ThreadID: th.ID,
		Title: th.Title, Reason: reason, CreatedAt: s.forum.Now()}
	if err := s.store.InsertNotification(ctx, n); err != nil {
		return err
	}
	s.forum.Invalidate(ctx, forum.NotificationsKey(p.Author.ID))
	if s.mail == nil {
		return nil
	}
	subject, text := s.decisionMail(m, th, p, kind, reason)
	msg := mail.Message{To: m.Email, Subject: subject, Text: text, Headers: languageHeader(memberLang(m))}
	mctx := context.WithoutCancel(ctx)
	forum.AfterCommit(ctx, func() {
		if err := s.mail.Send(mctx, msg); err != nil {
			s.log.Error("decision mail not sent", "member", m.ID, "err", err)
		}
	})
	return nil
}

// decisionMail writes the mail telling an author about a decision, in the
// author's language.
func (s *Service) decisionMail(m *forum.Member, th *forum.Thread, p *forum.Post, kind, reason string) (string, string) {
	lang := memberLang(m)
	link := s.cfg.BaseURL + "/posts/" + p.ID
	first := th.FirstPostID == p.ID
	// One whole sentence per case, so that each translates as a whole.
	pick := func(post, thread string) string {
		if first {
			return thread
		}
		return post
	}
	var subject, body string
	switch kind {
	case KindApproved:
		subject = sprintf(lang, "Publié : %s", th.Title)
		body = sprintf(lang, pick("Votre message dans « %s » a été approuvé par la modération et est maintenant publié :",
			"Votre nouveau fil dans « %s » a été approuvé par la modération et est maintenant publié :"), th.Title) + "\n" + link + "\n"
	case KindRejected:
		subject = sprintf(lang, "Non publié : %s", th.Title)
		body = sprintf(lang, pick("Votre message dans « %s » n'a pas été publié par la modération.",
			"Votre nouveau fil dans « %s » n'a pas été publié par la modération."), th.Title) + "\n\n" +
			sprintf(lang, "Raison : %s", Reason(lang, reason)) + "\n\n" +
			i18n.T(lang, "Vous pouvez le reprendre et le proposer à nouveau. Votre texte :") + "\n\n" + p.Source + "\n"
	case KindHidden:
		subject = sprintf(lang, "Masqué : %s", th.Title)
		body = sprintf(lang, pick("Votre message dans « %s » a été masqué par la modération.",
			"Votre nouveau fil dans « %s » a été masqué par la modération."), th.Title) + "\n\n" +
			sprintf(lang, "Raison : %s", Reason(lang, reason)) + "\n"
	case KindReopened:
		subject = sprintf(lang, "De nouveau en attente : %s", th.Title)
		body = sprintf(lang, pick("Le refus de votre message dans « %s » a été annulé : il attend de nouveau la décision de la modération.",
			"Le refus de votre nouveau fil dans « %s » a été annulé : il attend de nouveau la décision de la modération."), th.Title) + "\n" + link + "\n"
	}
	text := sprintf(lang, "Bonjour %s,", m.DisplayName) + "\n\n" + body + "\n-- \ncoterforum\n" +
		sprintf(lang, "Vos notifications : %s", s.cfg.BaseURL+"/notifications") + "\n"
	return subject, text
}

// Reason is a decision's reason for a reader of lang: a reason proposed by
// the queue (a key of the catalog, stored in French) is translated; a
// reason a moderator typed is shown as typed.
func Reason(lang i18n.Lang, reason string) string {
	if lang != i18n.FR && i18n.Has(reason) {
		return i18n.T(lang, reason)
	}
	return reason
}

// memberLang is the language a member reads mail in: their setting, French
// by default.
func memberLang(m *forum.Member) i18n.Lang {
	if l, ok := i18n.Parse(m.Lang); ok {
		return l
	}
	return i18n.FR
}

// sprintf fills the translation of a French format. Unlike i18n.Tf, the
// French typography applies to the format only, never to the arguments
// (titles, reasons, a post's source are repeated exactly).
func sprintf(lang i18n.Lang, format string, args ...any) string {
	return fmt.Sprintf(i18n.T(lang, format), args...)
}

// languageHeader is the Content-Language header of a mail in lang.
func languageHeader(lang i18n.Lang) map[string]string {
	return map[string]string{"Content-Language": string(lang)}
}

// Notifications returns the member's latest notifications.
func (s *Service) Notifications(ctx context.Context, m *forum.Member) ([]Notification, error) {
	if m == nil {
		return nil, forum.ErrUnauthenticated
	}
	return s.store.ListNotifications(ctx, m.ID, 50)
}

// countEntry is a count read under a stamp.
type countEntry struct {
	stamp uint64
	n     int64
}

// cachedCount returns the count cached under key's stamp, or reads it.
func (s *Service) cachedCount(ctx context.Context, ck string, key forum.Key, read func() (int64, error)) (int64, error) {
	stamp := s.forum.Stamp(key)
	fresh := s.forum.CacheFresh()
	if fresh {
		if v, ok := s.forum.Cache().Get(ck); ok && v.(*countEntry).stamp == stamp {
			s.forum.ObserveCache("counts", true)
			return v.(*countEntry).n, nil
		}
		s.forum.ObserveCache("counts", false)
	}
	n, err := read()
	if err != nil {
		return 0, err
	}
	if fresh {
		s.forum.Cache().Add(ck, &countEntry{stamp: stamp, n: n}, 64)
	}
	return n, nil
}

// UnreadCount returns how many notifications the member has not read (from
// the read cache, valid until a notification is added or read).
func (s *Service) UnreadCount(ctx context.Context, m *forum.Member) (int64, error) {
	if m == nil {
		return 0, nil
	}
	return s.cachedCount(ctx, "moderation:unread:"+m.ID, forum.NotificationsKey(m.ID), func() (int64, error) {
		return s.store.CountUnreadNotifications(ctx, m.ID)
	})
}

// MarkRead marks all the member's notifications read.
func (s *Service) MarkRead(ctx context.Context, m *forum.Member) error {
	if m == nil {
		return forum.ErrUnauthenticated
	}
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.MarkNotificationsRead(ctx, m.ID); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, forum.NotificationsKey(m.ID))
		return nil
	})
}
