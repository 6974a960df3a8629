package digest

import (
	"context"
	"errors"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"coterforum/forum"
	"coterforum/i18n"
)

// SubscribeInput is what someone asks to follow, at which frequency: a
// Thread, a Theme, an AuthorityType, or a Theme with an AuthorityType (the
// pair). Frequency is "daily", "weekly", or "immediate" for a thread.
type SubscribeInput struct {
	Theme         string `json:"theme" form:"theme"`
	AuthorityType string `json:"authority_type" form:"authority_type"`
	Thread        string `json:"thread" form:"thread"`
	Frequency     string `json:"frequency" form:"frequency"`
}

// validate checks the input against the forum and returns the target.
func (s *Service) validate(ctx context.Context, in SubscribeInput) (Target, error) {
	theme, at, thread := strings.TrimSpace(in.Theme), strings.TrimSpace(in.AuthorityType), strings.TrimSpace(in.Thread)
	var t Target
	switch {
	case thread != "" && (theme != "" || at != ""):
		return t, forum.Invalid("target", "target_ambiguous", "Un abonnement suit une seule chose : un fil, ou bien un thème et/ou un type de collectivité.")
	case thread != "":
		t = Target{Kind: TargetThread, ThreadID: thread}
	case theme != "" && at != "":
		t = Target{Kind: TargetThemeAuthority, Theme: theme, AuthorityType: at}
	case theme != "":
		t = Target{Kind: TargetTheme, Theme: theme}
	case at != "":
		t = Target{Kind: TargetAuthorityType, AuthorityType: at}
	default:
		return t, forum.Invalid("target", "target_missing", "Choisissez ce que vous voulez suivre : un thème, un type de collectivité, les deux, ou un fil.")
	}
	switch in.Frequency {
	case Daily, Weekly:
	case Immediate:
		if t.Kind != TargetThread {
			return t, forum.Invalid("frequency", "frequency_immediate_thread_only", "L'envoi immédiat n'existe que pour le suivi d'un fil.")
		}
	default:
		return t, forum.Invalid("frequency", "frequency_invalid", "Fréquence inconnue : choisissez « daily » (quotidienne) ou « weekly » (hebdomadaire), ou « immediate » pour un fil.")
	}
	if t.Theme != "" {
		th, err := s.forum.Theme(ctx, t.Theme)
		if errors.Is(err, forum.ErrNotFound) || (err == nil && th.Archived) {
			return t, forum.Invalidf("theme", "theme_unknown", "Thème inconnu : « %s ».", quote(t.Theme))
		} else if err != nil {
			return t, err
		}
	}
	if t.AuthorityType != "" {
		if _, err := s.forum.AuthorityType(ctx, t.AuthorityType); errors.Is(err, forum.ErrNotFound) {
			return t, forum.Invalidf("authority_type", "authority_type_unknown", "Type de collectivité inconnu : « %s ».", quote(t.AuthorityType))
		} else if err != nil {
			return t, err
		}
	}
	if t.ThreadID != "" {
		if _, err := s.forum.Thread(ctx, nil, t.ThreadID); errors.Is(err, forum.ErrNotFound) {
			return t, forum.Invalid("thread", "thread_unknown", "Ce fil n'existe pas ou n'est pas publié.")
		} else if err != nil {
			return t, err
		}
	}
	return t, nil
}

// quote makes user input safe to repeat in a message: no control
// characters, at most 40 runes.
func quote(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return s
}

// Subscribe makes a member follow something; it is active at once (the
// member's address is known). Subscribing twice returns the existing
// subscription.
func (s *Service) Subscribe(ctx context.Context, m *forum.Member, in SubscribeInput) (*Subscription, error) {
	if m == nil {
		return nil, forum.ErrUnauthenticated
	}
	t, err := s.validate(ctx, in)
	if err != nil {
		return nil, err
	}
	sub, err := s.subscriberFor(ctx, strings.ToLower(m.Email), m, "")
	if err != nil {
		return nil, err
	}
	if !sub.Confirmed || sub.MemberID != m.ID {
		if _, err := s.store.ConfirmSubscriber(ctx, sub.ID, m.ID, s.now()); err != nil {
			return nil, err
		}
	}
	// A member's mail follows the member's setting, whatever language the
	// address subscribed in before.
	if lang := string(memberLang(m)); sub.Lang != lang {
		if err := s.store.SetSubscriberLang(ctx, sub.ID, lang); err != nil {
			return nil, err
		}
	}
	return s.addSubscription(ctx, sub.ID, t, in.Frequency, false)
}

// SubscribeEmail records a subscription for a reader without an account. It
// stays pending until the reader follows the link of the confirmation mail,
// sent at most once per Config.ConfirmEvery to one address; nothing else is
// ever sent to an unconfirmed subscription. The result does not tell whether
// the address was known, so the caller answers 202 in every valid case.
// lang ("fr" or "en", French when empty or unknown) is the language of the
// request: a new or still unconfirmed reader's mail is written in it from
// then on; a member's address keeps the member's setting.
func (s *Service) SubscribeEmail(ctx context.Context, email, lang string, in SubscribeInput) error {
	email, err := forum.NormalizeEmail(email)
	if err != nil {
		return err
	}
	t, err := s.validate(ctx, in)
	if err != nil {
		return err
	}
	l := string(mailLang(i18n.Lang(lang)))
	sub, err := s.subscriberFor(ctx, email, nil, l)
	if err != nil {
		return err
	}
	// An unconfirmed reader's latest request sets the language. A confirmed
	// reader's is not changed by a form anyone can submit with that address.
	if sub.MemberID == "" && !sub.Confirmed && sub.Lang != l {
		if err := s.store.SetSubscriberLang(ctx, sub.ID, l); err != nil {
			return err
		}
		sub.Lang = l
	}
	added, err := s.addSubscription(ctx, sub.ID, t, in.Frequency, true)
	if err != nil || !added.Pending {
		return err
	}
	return s.requestConfirmation(ctx, sub)
}

// subscriberFor returns the subscriber of the address, creating it (for
// member m, confirmed and in the member's language; else unconfirmed, in
// lang) when there is none.
func (s *Service) subscriberFor(ctx context.Context, email string, m *forum.Member, lang string) (*Subscriber, error) {
	for range 2 {
		sub, err := s.store.SubscriberByEmail(ctx, email)
		if !errors.Is(err, forum.ErrNotFound) {
			return sub, err
		}
		now := s.now()
		sub = &Subscriber{ID: forum.NewID(), Email: email, CreatedAt: now, Lang: string(mailLang(i18n.Lang(lang)))}
		if m != nil {
			sub.MemberID, sub.Confirmed, sub.ConfirmedAt = m.ID, true, &now
			sub.Lang = string(memberLang(m))
		}
		err = s.store.InsertSubscriber(ctx, sub)
		if !errors.Is(err, forum.ErrDuplicate) {
			return sub, err
		}
		// Another request created it first: read it again.
	}
	return nil, forum.ErrConflict
}

// addSubscription inserts the subscription, or returns the existing one. A
// member subscribing to what was pending makes it active.
func (s *Service) addSubscription(ctx context.Context, subscriberID string, t Target, freq string, pending bool) (*Subscription, error) {
	sub := &Subscription{ID: SubscriptionID(subscriberID, t, freq), SubscriberID: subscriberID, Target: t,
		Frequency: freq, Pending: pending, CreatedAt: s.now()}
	err := s.store.InsertSubscription(ctx, sub)
	if !errors.Is(err, forum.ErrDuplicate) {
		return sub, err
	}
	subs, err := s.store.SubscriptionsOf(ctx, subscriberID)
	if err != nil {
		return nil, err
	}
	for i := range subs {
		if subs[i].ID != sub.ID {
			continue
		}
		if subs[i].Pending && !pending {
			if _, err := s.store.DeleteSubscription(ctx, subscriberID, sub.ID); err != nil {
				return nil, err
			}
			return sub, s.store.InsertSubscription(ctx, sub)
		}
		return &subs[i], nil
	}
	return nil, forum.ErrConflict
}

// Confirm follows the link of a confirmation mail: the subscriber and its
// pending subscriptions become active. Confirming twice is harmless.
func (s *Service) Confirm(ctx context.Context, token string) (*Subscriber, error) {
	id, purpose, err := s.parseToken(token)
	if err != nil {
		return nil, err
	}
	if purpose != PurposeConfirm {
		return nil, errBadToken
	}
	if _, err := s.store.ConfirmSubscriber(ctx, id, "", s.now()); err != nil {
		return nil, err
	}
	if err := s.store.ActivateSubscriptions(ctx, id); err != nil {
		return nil, err
	}
	return s.store.SubscriberByID(ctx, id)
}

// SubscriberOf returns the member's subscriber (forum.ErrNotFound when the
// member never subscribed).
func (s *Service) SubscriberOf(ctx context.Context, m *forum.Member) (*Subscriber, error) {
	if m == nil {
		return nil, forum.ErrUnauthenticated
	}
	return s.store.SubscriberByEmail(ctx, strings.ToLower(m.Email))
}

// List returns the subscriptions of a subscriber, oldest first, with their
// Label filled in (in French).
func (s *Service) List(ctx context.Context, subscriberID string) ([]Subscription, error) {
	return s.ListIn(ctx, subscriberID, i18n.FR)
}

// ListIn is List with the labels in lang.
func (s *Service) ListIn(ctx context.Context, subscriberID string, lang i18n.Lang) ([]Subscription, error) {
	subs, err := s.store.SubscriptionsOf(ctx, subscriberID)
	if err != nil || len(subs) == 0 {
		return subs, err
	}
	names, err := s.loadNames(ctx)
	if err != nil {
		return nil, err
	}
	for i := range subs {
		title := ""
		if subs[i].Target.Kind == TargetThread {
			if th, err := s.store.ThreadByID(ctx, subs[i].Target.ThreadID); err == nil {
				title = th.Title
			}
		}
		subs[i].Label = names.label(subs[i].Target, title, lang)
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].CreatedAt.Before(subs[j].CreatedAt) })
	return subs, nil
}

// Unsubscribe removes one subscription of the subscriber (forum.ErrNotFound
// when it has no such subscription).
func (s *Service) Unsubscribe(ctx context.Context, subscriberID, subscriptionID string) error {
	ok, err := s.store.DeleteSubscription(ctx, subscriberID, subscriptionID)
	if err == nil && !ok {
		err = forum.ErrNotFound
	}
	return err
}

// UnsubscribeAll removes every subscription of the subscriber and cancels
// the messages not yet sent to it. It returns how many subscriptions stopped.
func (s *Service) UnsubscribeAll(ctx context.Context, subscriberID string) (int, error) {
	n, err := s.store.DeleteSubscriptions(ctx, subscriberID)
	if err != nil {
		return 0, err
	}
	if _, err := s.store.CancelMessages(ctx, subscriberID, s.now()); err != nil {
		return int(n), err
	}
	return int(n), nil
}

// UnsubscribeByToken does what an unsubscribe link says: it serves the POST
// of the unsubscribe page and the RFC 8058 one-click POST. It is idempotent:
// a subscription already removed is not an error. Other tokens, forged or
// altered ones change nothing and give an error wrapping forum.ErrNotFound.
func (s *Service) UnsubscribeByToken(ctx context.Context, token string) (*Grant, error) {
	g, err := s.Resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	switch g.Purpose {
	case PurposeUnsubscribe:
		if g.Subscription != nil {
			_, err = s.store.DeleteSubscription(ctx, g.Subscriber.ID, g.SubscriptionID)
		}
	case PurposeUnsubscribeAll:
		_, err = s.UnsubscribeAll(ctx, g.Subscriber.ID)
	default:
		err = errBadToken
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

// FrequencyLabel names a frequency in French.
func FrequencyLabel(f string) string {
	switch f {
	case Daily:
		return "quotidien"
	case Weekly:
		return "hebdomadaire"
	case Immediate:
		return "à chaque réponse"
	}
	return f
}

// frequencyLabel names a frequency in lang.
func frequencyLabel(lang i18n.Lang, f string) string {
	return i18n.T(lang, FrequencyLabel(f))
}

// memberLang is the language of a member's mail: their setting, French by
// default.
func memberLang(m *forum.Member) i18n.Lang { return mailLang(i18n.Lang(m.Lang)) }

// SetMemberLanguage makes the mail of the member's subscriber follow a
// change of the member's language setting (call it after
// forum.Service.SetLanguage or UpdateProfile). A member who never
// subscribed has no subscriber: nothing to do.
func (s *Service) SetMemberLanguage(ctx context.Context, m *forum.Member, lang string) error {
	if m == nil {
		return forum.ErrUnauthenticated
	}
	sub, err := s.store.SubscriberByEmail(ctx, strings.ToLower(m.Email))
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	l := string(mailLang(i18n.Lang(lang)))
	if sub.Lang == l {
		return nil
	}
	return s.store.SetSubscriberLang(ctx, sub.ID, l)
}
