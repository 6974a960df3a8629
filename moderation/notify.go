package moderation

import (
	"context"
	"fmt"

	"coterforum/forum"
	"coterforum/mail"
)

// Notification kinds.
const (
	KindApproved = "post_approved"
	KindRejected = "post_rejected"
	KindHidden   = "post_hidden"
)

// notifyAuthor tells the author of a post about a decision, in the forum and
// by mail. Failures are logged: the decision stands.
func (s *Service) notifyAuthor(ctx context.Context, p *forum.Post, th *forum.Thread, kind, reason string) {
	n := &Notification{ID: forum.NewID(), MemberID: p.Author.ID, Kind: kind, PostID: p.ID, ThreadID: th.ID,
		Title: th.Title, Reason: reason, CreatedAt: s.forum.Now()}
	if err := s.store.InsertNotification(ctx, n); err != nil {
		s.log.Error("notification not stored", "member", p.Author.ID, "err", err)
	}
	s.forum.Invalidate(ctx, forum.NotificationsKey(p.Author.ID))
	if s.mail == nil {
		return
	}
	m, err := s.store.MemberByID(ctx, p.Author.ID)
	if err != nil {
		s.log.Error("author not found for notification", "member", p.Author.ID, "err", err)
		return
	}
	subject, text := s.decisionMail(m, th, p, kind, reason)
	if err := s.mail.Send(ctx, mail.Message{To: m.Email, Subject: subject, Text: text}); err != nil {
		s.log.Error("decision mail not sent", "member", m.ID, "err", err)
	}
}

// decisionMail writes the French mail telling an author about a decision.
func (s *Service) decisionMail(m *forum.Member, th *forum.Thread, p *forum.Post, kind, reason string) (string, string) {
	link := s.cfg.BaseURL + "/posts/" + p.ID
	what := "Votre message"
	if th.FirstPostID == p.ID {
		what = "Votre nouveau fil"
	}
	var subject, body string
	switch kind {
	case KindApproved:
		subject = fmt.Sprintf("Publié : %s", th.Title)
		body = fmt.Sprintf("%s dans « %s » a été approuvé par la modération et est maintenant publié :\n%s\n", what, th.Title, link)
	case KindRejected:
		subject = fmt.Sprintf("Non publié : %s", th.Title)
		body = fmt.Sprintf("%s dans « %s » n'a pas été publié par la modération.\n\nRaison : %s\n\nVous pouvez le reprendre et le proposer à nouveau. Votre texte :\n\n%s\n", what, th.Title, reason, p.Source)
	case KindHidden:
		subject = fmt.Sprintf("Masqué : %s", th.Title)
		body = fmt.Sprintf("%s dans « %s » a été masqué par la modération.\n\nRaison : %s\n", what, th.Title, reason)
	}
	text := fmt.Sprintf("Bonjour %s,\n\n%s\n-- \ncoterforum\nVos notifications : %s/notifications\n", m.DisplayName, body, s.cfg.BaseURL)
	return subject, text
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
			return v.(*countEntry).n, nil
		}
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
	defer s.forum.Invalidate(ctx, forum.NotificationsKey(m.ID))
	return s.store.MarkNotificationsRead(ctx, m.ID)
}
