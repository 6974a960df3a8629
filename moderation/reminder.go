package moderation

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/internal/periodic"
	"coterforum/mail"
)

// Reminder mails moderators about posts waiting longer than RemindAfter.
// Each post is reminded once: the mark is one conditional update, so
// several processes never send the same reminder twice.
type Reminder struct {
	Service *Service
	Every   time.Duration
	// Log receives the failed rounds (default: the service's logger).
	Log *slog.Logger
}

// Run checks now and then every period until ctx is cancelled.
func (r Reminder) Run(ctx context.Context) error {
	log := r.Log
	if log == nil {
		log = r.Service.log
	}
	return periodic.Run(ctx, r.Every, log, "moderation reminder failed", func(ctx context.Context) error {
		_, err := r.Service.RemindOnce(ctx)
		return err
	})
}

// RemindOnce sends one mail to each moderator listing the posts that wait
// too long and were not reminded yet; it returns how many posts it reminded.
func (s *Service) RemindOnce(ctx context.Context) (int, error) {
	pending, err := s.store.ListPostsByStatus(ctx, forum.PostPending, MaxQueueItems)
	if err != nil {
		return 0, err
	}
	now := s.forum.Now()
	var late []forum.Post
	for _, p := range pending {
		if now.Sub(p.CreatedAt) < s.cfg.RemindAfter {
			continue
		}
		ok, err := s.store.MarkReminded(ctx, p.ID, now)
		if err != nil {
			return 0, err
		}
		if ok {
			late = append(late, p)
		}
	}
	if len(late) == 0 || s.mail == nil {
		return len(late), nil
	}
	mods, err := s.store.ListModerators(ctx)
	if err != nil {
		return len(late), err
	}
	texts := map[i18n.Lang]string{}
	for _, m := range mods {
		if m.SuspendedAt(now) {
			continue
		}
		lang := memberLang(&m)
		if _, ok := texts[lang]; !ok {
			texts[lang] = s.reminderText(lang, late)
		}
		msg := mail.Message{To: m.Email, Subject: i18n.M("Modération : %d message(s) en attente", len(late)).In(lang),
			Text: texts[lang], Headers: languageHeader(lang)}
		if err := s.mail.Send(ctx, msg); err != nil {
			s.log.Error("reminder not sent", "moderator", m.ID, "err", err)
		}
	}
	return len(late), nil
}

// reminderText lists the late posts for a moderator reading lang.
func (s *Service) reminderText(lang i18n.Lang, late []forum.Post) string {
	var b strings.Builder
	b.WriteString(i18n.T(lang, "Bonjour,") + "\n\n")
	b.WriteString(i18n.M("%d message(s) attendent une décision depuis plus de %d heures :", len(late), int(s.cfg.RemindAfter.Hours())).In(lang) + "\n\n")
	for _, p := range late {
		b.WriteString(i18n.M("- %s, le %s", p.Author.NameArg(), p.CreatedAt).In(lang) + "\n")
	}
	b.WriteString("\n" + sprintf(lang, "La file de modération : %s", s.cfg.BaseURL+"/moderation") + "\n\n-- \ncoterforum\n")
	return b.String()
}
