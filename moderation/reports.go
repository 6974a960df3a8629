package moderation

import (
	"context"
	"errors"

	"coterforum/forum"
)

// Report records a member's report of a published post. When distinct
// reporters reach the threshold the post is hidden pending review.
func (s *Service) Report(ctx context.Context, reporter *forum.Member, postID, reason string) error {
	if err := s.forum.CanWrite(reporter); err != nil {
		return err
	}
	reason, err := cleanReason(reason, true)
	if err != nil {
		return err
	}
	p, err := s.forum.Post(ctx, reporter, postID)
	if err != nil {
		return err
	}
	if p.Status != forum.PostPublished {
		return forum.Invalid("post", "not_published", "Seul un message publié peut être signalé.")
	}
	if p.Author.ID == reporter.ID {
		return forum.Invalid("post", "own_post", "Vous ne pouvez pas signaler votre propre message : modifiez-le.")
	}
	r := &Report{ID: p.ID + ":" + reporter.ID, PostID: p.ID, ThreadID: p.ThreadID, Reporter: reporter.Ref(),
		Reason: reason, CreatedAt: s.forum.Now(), Open: true}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.InsertReport(ctx, r); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, forum.KeyQueue)
		n, err := s.store.CountOpenReports(ctx, p.ID)
		if err != nil {
			return err
		}
		if int(n) < s.cfg.ReportsToHide {
			return nil
		}
		d := forum.Decision{Action: forum.DecisionHidden, By: systemActor, At: s.forum.Now(), Reason: "Masqué après signalements, en attente d'examen."}
		ok, err := s.store.DecidePost(ctx, p.ID, PostCondition{Statuses: []string{forum.PostPublished}}, forum.PostHidden, d)
		if err != nil || !ok {
			return err
		}
		before, err := s.store.ThreadByID(ctx, p.ThreadID)
		if err != nil {
			return err
		}
		th, err := s.recount(ctx, p.ThreadID)
		if err != nil {
			return err
		}
		s.forum.Invalidate(ctx, append(forum.ThreadKeys(before), forum.ThreadKeys(th)...)...)
		return s.audit(ctx, systemActor, "post.auto_hide", "post", p.ID, p.ThreadID, forum.PostPublished, forum.PostHidden, d.Reason)
	})
	if errors.Is(err, forum.ErrDuplicate) {
		return forum.Invalid("post", "already_reported", "Vous avez déjà signalé ce message ; la modération va l'examiner.")
	}
	return err
}

// DismissReports closes a post's reports; a post hidden by them is published again.
func (s *Service) DismissReports(ctx context.Context, actor *forum.Member, postID string) error {
	if err := s.requireModerator(actor); err != nil {
		return err
	}
	p, err := s.forum.Post(ctx, actor, postID)
	if err != nil {
		return err
	}
	return s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.ResolveReports(ctx, p.ID, actor.ID, s.forum.Now()); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, forum.KeyQueue)
		if err := s.audit(ctx, actor.Ref(), "reports.dismiss", "post", p.ID, p.ThreadID, "", "", ""); err != nil {
			return err
		}
		if p.Status == forum.PostHidden && p.Decision != nil && p.Decision.By.ID == systemActor.ID {
			return s.Restore(ctx, actor, p.ID)
		}
		return nil
	})
}
