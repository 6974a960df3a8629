package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
)

// Hide takes a published post out of sight, with a reason sent to its author.
func (s *Service) Hide(ctx context.Context, actor *forum.Member, postID, reason string) error {
	if err := s.requireModerator(actor); err != nil {
		return err
	}
	reason, err := cleanReason(reason, true)
	if err != nil {
		return err
	}
	p, err := s.forum.Post(ctx, actor, postID)
	if err != nil {
		return err
	}
	th, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return err
	}
	d := forum.Decision{Action: forum.DecisionHidden, By: actor.Ref(), At: s.forum.Now(), Reason: reason}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		ok, err := s.store.DecidePost(ctx, p.ID, PostCondition{Statuses: []string{forum.PostPublished}}, forum.PostHidden, d)
		if err != nil {
			return err
		}
		if !ok {
			return errLost
		}
		keys := forum.ThreadKeys(th) // as it was: the listings it leaves
		if th, err = s.recount(ctx, th.ID); err != nil {
			return err
		}
		keys = append(keys, forum.ThreadKeys(th)...)
		if err := s.audit(ctx, actor.Ref(), "post.hide", "post", p.ID, th.ID, forum.PostPublished, forum.PostHidden, reason); err != nil {
			return err
		}
		if err := s.notifyAuthor(ctx, p, th, KindHidden, reason); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, append(keys, forum.KeyQueue)...)
		return nil
	})
	if errors.Is(err, errLost) {
		return s.alreadyDecided(ctx, p.ID)
	}
	return err
}

// Restore publishes a hidden post again and closes its reports.
func (s *Service) Restore(ctx context.Context, actor *forum.Member, postID string) error {
	if err := s.requireModerator(actor); err != nil {
		return err
	}
	p, err := s.forum.Post(ctx, actor, postID)
	if err != nil {
		return err
	}
	th, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return err
	}
	d := forum.Decision{Action: forum.DecisionRestored, By: actor.Ref(), At: s.forum.Now()}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		ok, err := s.store.DecidePost(ctx, p.ID, PostCondition{Statuses: []string{forum.PostHidden}}, forum.PostPublished, d)
		if err != nil {
			return err
		}
		if !ok {
			return errLost
		}
		keys := forum.ThreadKeys(th)
		if th, err = s.recount(ctx, th.ID); err != nil {
			return err
		}
		keys = append(keys, forum.ThreadKeys(th)...)
		if err := s.store.ResolveReports(ctx, p.ID, actor.ID, d.At); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.Ref(), "post.restore", "post", p.ID, th.ID, forum.PostHidden, forum.PostPublished, ""); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, append(keys, forum.KeyQueue)...)
		return nil
	})
	if errors.Is(err, errLost) {
		return s.alreadyDecided(ctx, p.ID)
	}
	return err
}

// ThreadInput is a moderator's change to a thread; nil fields are unchanged.
type ThreadInput struct {
	Title          *string  `json:"title"`
	Theme          *string  `json:"theme"`
	AuthorityTypes []string `json:"authority_types"`
	Locked         *bool    `json:"locked"`
	Pinned         *bool    `json:"pinned"`
	Reason         string   `json:"reason"`
}

// UpdateThread locks, unlocks, pins, moves or retypes a thread.
func (s *Service) UpdateThread(ctx context.Context, actor *forum.Member, threadID string, in ThreadInput) (*forum.Thread, error) {
	if err := s.requireModerator(actor); err != nil {
		return nil, err
	}
	reason, err := cleanReason(in.Reason, false)
	if err != nil {
		return nil, err
	}
	th, err := s.forum.Thread(ctx, actor, threadID)
	if err != nil {
		return nil, err
	}
	c := ThreadChange{Locked: in.Locked, Pinned: in.Pinned}
	if in.Title != nil {
		t, err := forum.NormalizeTitle(*in.Title)
		if err != nil {
			return nil, err
		}
		c.Title = &t
	}
	if in.Theme != nil {
		t, err := s.forum.Theme(ctx, *in.Theme)
		if err != nil || t.Archived {
			return nil, forum.Invalid("theme", "theme_unknown", "Thème inconnu.")
		}
		c.Theme = &t.Slug
	}
	if in.AuthorityTypes != nil {
		if c.AuthorityTypes, err = s.forum.ValidateAuthorityTypes(ctx, nil, in.AuthorityTypes); err != nil {
			return nil, err
		}
	}
	before := describeThread(th)
	keys := forum.ThreadKeys(th)
	after := *th
	applyThreadChange(&after, c)
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateThread(ctx, th.ID, c); err != nil {
			return err
		}
		for _, a := range threadActions(c) {
			if err := s.audit(ctx, actor.Ref(), a, "thread", th.ID, th.ID, before, describeThread(&after), reason); err != nil {
				return err
			}
		}
		// The thread as it was (old theme, old types) and as it is.
		s.forum.Invalidate(ctx, append(keys, forum.ThreadKeys(&after)...)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &after, nil
}

// threadActions names the audit actions of a change.
func threadActions(c ThreadChange) []string {
	var out []string
	if c.Locked != nil {
		out = append(out, map[bool]string{true: "thread.lock", false: "thread.unlock"}[*c.Locked])
	}
	if c.Pinned != nil {
		out = append(out, map[bool]string{true: "thread.pin", false: "thread.unpin"}[*c.Pinned])
	}
	if c.Theme != nil {
		out = append(out, "thread.move")
	}
	if c.AuthorityTypes != nil {
		out = append(out, "thread.authority_types")
	}
	if c.Title != nil {
		out = append(out, "thread.rename")
	}
	return out
}

// MemberInput is a moderator's change to a member; nil fields are unchanged.
type MemberInput struct {
	// Suspend: "" leaves it, "indefinite", "none" (lift), or a duration in days as "7d".
	Suspend        string `json:"suspend"`
	Trusted        *bool  `json:"trusted"`
	AlwaysModerate *bool  `json:"always_moderate"`
	Reason         string `json:"reason"`
}

// MaxSuspendDays bounds a suspension given as a number of days.
const MaxSuspendDays = 3650

// UpdateMember suspends or reinstates a member and sets their trust flags.
func (s *Service) UpdateMember(ctx context.Context, actor *forum.Member, memberID string, in MemberInput) (*forum.Member, error) {
	if err := s.requireModerator(actor); err != nil {
		return nil, err
	}
	reason, err := cleanReason(in.Reason, in.Suspend != "" && in.Suspend != "none")
	if err != nil {
		return nil, err
	}
	m, err := s.forum.Member(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if m.IsModerator() && !actor.IsAdmin() {
		return nil, forum.ErrForbidden
	}
	if m.ID == actor.ID && in.Suspend != "" {
		return nil, forum.Invalid("suspend", "self_suspend", "Vous ne pouvez pas vous suspendre vous-même.")
	}
	var c MemberChange
	now := s.forum.Now()
	var actions []string
	switch in.Suspend {
	case "":
	case "none":
		st := forum.MemberActive
		c.Status, c.ClearUntil = &st, true
		empty := ""
		c.SuspendReason = &empty
		actions = append(actions, "member.unsuspend")
	case "indefinite":
		st := forum.MemberSuspended
		c.Status, c.ClearUntil, c.SuspendReason = &st, true, &reason
		actions = append(actions, "member.suspend")
	default:
		var days int
		if _, err := fmt.Sscanf(in.Suspend, "%dd", &days); err != nil || days < 1 || days > MaxSuspendDays || fmt.Sprintf("%dd", days) != in.Suspend {
			return nil, forum.Invalid("suspend", "suspend_invalid", "La durée de suspension s'écrit en jours, par exemple « 7d » (1 à 3650), ou « indefinite », ou « none » pour lever la suspension.")
		}
		st := forum.MemberSuspended
		until := now.Add(time.Duration(days) * 24 * time.Hour)
		c.Status, c.SuspendedUntil, c.SuspendReason = &st, &until, &reason
		actions = append(actions, "member.suspend")
	}
	if in.Trusted != nil {
		c.Trusted = in.Trusted
		actions = append(actions, map[bool]string{true: "member.trust", false: "member.untrust"}[*in.Trusted])
	}
	if in.AlwaysModerate != nil {
		c.AlwaysModerate = in.AlwaysModerate
		actions = append(actions, map[bool]string{true: "member.always_moderate", false: "member.normal_moderation"}[*in.AlwaysModerate])
	}
	if len(actions) == 0 {
		return m, nil
	}
	before := describeMember(m, now)
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.UpdateMember(ctx, m.ID, c); err != nil {
			return err
		}
		if m, err = s.store.MemberByID(ctx, m.ID); err != nil {
			return err
		}
		for _, a := range actions {
			if err := s.audit(ctx, actor.Ref(), a, "member", m.ID, "", before, describeMember(m, now), reason); err != nil {
				return err
			}
		}
		s.forum.Invalidate(ctx, forum.MemberKey(m.ID))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// describeMember writes a member's moderation state without words of any
// language, for the audit log and the queue: "active" or "suspended" (with
// ":" and the end, RFC 3339, when it has one), then ",trusted" and
// ",always_moderated". DescribeState renders it for a reader.
func describeMember(m *forum.Member, now time.Time) string {
	s := "active"
	if m.SuspendedAt(now) {
		s = "suspended"
		if m.SuspendedUntil != nil {
			s += ":" + m.SuspendedUntil.UTC().Format(time.RFC3339)
		}
	}
	if m.Trusted {
		s += ",trusted"
	}
	if m.AlwaysModerate {
		s += ",always_moderated"
	}
	return s
}

// DescribeState renders a member state written by describeMember in lang,
// e.g. "suspendu jusqu'au 19 mars 2026 à 10 h 00, de confiance". Older
// entries, written in French before states were neutral, are shown as
// stored, translated when the catalog has them.
func DescribeState(lang i18n.Lang, state string) string {
	if state == "" {
		return ""
	}
	var parts []string
	for i, tok := range strings.Split(state, ",") {
		head, until, _ := strings.Cut(tok, ":")
		var m i18n.Msg
		switch {
		case i == 0 && head == "active" && until == "":
			m = i18n.M("actif")
		case i == 0 && head == "suspended" && until == "":
			m = i18n.M("suspendu sans limite")
		case i == 0 && head == "suspended":
			t, err := time.Parse(time.RFC3339, until)
			if err != nil {
				return i18n.T(lang, state)
			}
			m = i18n.M("suspendu jusqu'au %s", t)
		case i > 0 && tok == "trusted":
			m = i18n.M("de confiance")
		case i > 0 && tok == "always_moderated":
			m = i18n.M("toujours modéré")
		default:
			return i18n.T(lang, state)
		}
		parts = append(parts, m.In(lang))
	}
	return strings.Join(parts, ", ")
}
