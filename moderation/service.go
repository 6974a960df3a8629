package moderation

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/mail"
)

// Config holds the moderation rules.
type Config struct {
	// TrustAfter is how many approved posts take a member out of the queue (default 3).
	TrustAfter int
	// ReportsToHide is how many distinct reporters hide a post pending review (default 3).
	ReportsToHide int
	// UndoRejectFor is how long a rejection can be undone (default 15 minutes).
	UndoRejectFor time.Duration
	// RemindAfter is how long an item waits before moderators get a reminder (default 24 hours).
	RemindAfter time.Duration
	// BaseURL makes absolute links in mail.
	BaseURL string
}

// Limits of moderation inputs.
const (
	MaxReasonChars = 1000
	MaxQueueItems  = 500
)

// CannedReasons are the rejection reasons offered on the queue page.
var CannedReasons = []string{
	"Hors sujet pour ce thème : merci de choisir le thème adapté.",
	"Message en doublon d'un fil existant.",
	"Contenu commercial ou promotionnel.",
	"Propos non conformes à la charte du club (courtoisie, respect des personnes).",
	"Informations sensibles (données personnelles, détails de sécurité) à retirer.",
}

// ErrAlreadyDecided is wrapped by the error returned when another moderator decided first.
var ErrAlreadyDecided = errors.New("déjà traité")

// Service applies the moderation rules.
type Service struct {
	forum *forum.Service
	store Store
	mail  mail.Sender
	cfg   Config
	log   *slog.Logger
}

// New returns the moderation service and installs its publication rules
// into the forum service.
func New(f *forum.Service, st Store, sender mail.Sender, cfg Config, log *slog.Logger) *Service {
	if cfg.TrustAfter <= 0 {
		cfg.TrustAfter = 3
	}
	if cfg.ReportsToHide <= 0 {
		cfg.ReportsToHide = 3
	}
	if cfg.UndoRejectFor <= 0 {
		cfg.UndoRejectFor = 15 * time.Minute
	}
	if cfg.RemindAfter <= 0 {
		cfg.RemindAfter = 24 * time.Hour
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{forum: f, store: st, mail: sender, cfg: cfg, log: log}
	f.SetPolicy(s)
	return s
}

// Config returns the rules in force.
func (s *Service) Config() Config { return s.cfg }

// InitialStatus decides whether a new post is queued (forum.PublishPolicy).
func (s *Service) InitialStatus(author *forum.Member, theme *forum.Theme) string {
	switch {
	case author.IsModerator():
		return forum.PostPublished
	case author.AlwaysModerate:
		return forum.PostPending
	case theme != nil && theme.Moderation == forum.ModerationAll:
		return forum.PostPending
	case author.Trusted:
		return forum.PostPublished
	case author.ApprovedPosts < s.cfg.TrustAfter:
		return forum.PostPending
	}
	return forum.PostPublished
}

func (s *Service) requireModerator(actor *forum.Member) error {
	if actor == nil {
		return forum.ErrUnauthenticated
	}
	if !actor.IsModerator() {
		return forum.ErrForbidden
	}
	// A suspended moderator reads but no longer acts.
	return s.forum.CanWrite(actor)
}

func cleanReason(reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	if required && reason == "" {
		return "", forum.Invalid("reason", "reason_required", "Indiquez la raison : elle est transmise à l'auteur.")
	}
	if utf8.RuneCountInString(reason) > MaxReasonChars {
		return "", forum.Invalidf("reason", "reason_too_long", "La raison compte %d caractères au plus.", MaxReasonChars)
	}
	return reason, nil
}

// AlreadyDecidedError is the 409 answered when another moderator decided
// first; errors.Is(err, ErrAlreadyDecided) holds.
type AlreadyDecidedError struct{ Msg i18n.Msg }

// Error is the message in French.
func (e *AlreadyDecidedError) Error() string { return e.Msg.String() }

// Is makes errors.Is(err, ErrAlreadyDecided) true.
func (e *AlreadyDecidedError) Is(target error) bool { return target == ErrAlreadyDecided }

// alreadyDecided builds the 409 error naming who decided, when, and the
// post's status, translated where it is shown.
func (s *Service) alreadyDecided(ctx context.Context, postID string) error {
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return err
	}
	if p.Decision == nil {
		return &AlreadyDecidedError{Msg: i18n.M("Déjà traité : ce message est %s.", statusName(p.Status))}
	}
	return &AlreadyDecidedError{Msg: i18n.M("Déjà traité par %s le %s (%s).", p.Decision.By.NameArg(),
		p.Decision.At, statusName(p.Status))}
}

// statusName is a post status as a word translated where it is shown.
func statusName(status string) any {
	switch status {
	case forum.PostPublished:
		return i18n.Word("publié")
	case forum.PostRejected:
		return i18n.Word("refusé")
	case forum.PostHidden:
		return i18n.Word("masqué")
	case forum.PostPending:
		return i18n.Word("en attente")
	}
	return status
}

// audit appends an entry to the log. Call it inside the Atomically of the
// action it records: an action is never without its entry.
func (s *Service) audit(ctx context.Context, actor forum.AuthorRef, action, targetType, targetID, threadID, before, after, reason string) error {
	e := &AuditEntry{ID: forum.NewID(), At: s.forum.Now(), Actor: actor, Action: action, TargetType: targetType,
		TargetID: targetID, ThreadID: threadID, Before: before, After: after, Reason: reason}
	return s.store.InsertAudit(ctx, e)
}

// errLost ends an Atomically whose conditional update matched nothing
// (another moderator decided first): nothing was written.
var errLost = errors.New("decision lost")

// systemActor is the author of automatic actions (reports past the threshold).
var systemActor = forum.AuthorRef{ID: "system", DisplayName: "Système (signalements)"}
