package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"coterforum/forum"
)

// QueueEdit is what a moderator may change before approving.
type QueueEdit struct {
	Title          *string  `json:"title"`
	Theme          *string  `json:"theme"`
	AuthorityTypes []string `json:"authority_types"`
	Body           *string  `json:"body"`
}

func (e *QueueEdit) empty() bool {
	return e == nil || (e.Title == nil && e.Theme == nil && e.AuthorityTypes == nil && e.Body == nil)
}

// pendingPost loads a post for a decision; anything else than pending is a conflict.
func (s *Service) pendingPost(ctx context.Context, postID string) (*forum.Post, *forum.Thread, error) {
	if !forum.ValidID(postID) {
		return nil, nil, forum.ErrNotFound
	}
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	th, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	if p.Status != forum.PostPending {
		return nil, nil, s.alreadyDecided(ctx, postID)
	}
	return p, th, nil
}

// preparedEdit is a validated QueueEdit, not yet written.
type preparedEdit struct {
	thread ThreadChange
	post   *forum.PostEdit
}

func (e preparedEdit) threadChanged() bool {
	return e.thread.Title != nil || e.thread.Theme != nil || e.thread.AuthorityTypes != nil
}

// prepareEdit validates a moderator's edit of a pending post and, for a first
// post, of its thread, without writing anything: a bad edit changes nothing,
// and only the moderator whose decision wins has their edit written.
func (s *Service) prepareEdit(ctx context.Context, actor *forum.Member, p *forum.Post, th *forum.Thread, e *QueueEdit) (preparedEdit, error) {
	var pe preparedEdit
	if e.empty() {
		return pe, nil
	}
	first := th.FirstPostID == p.ID
	if !first && (e.Title != nil || e.Theme != nil || e.AuthorityTypes != nil) {
		return pe, forum.Invalid("title", "not_first_post", "Le titre, le thème et les types de collectivité se modifient sur le premier message du fil.")
	}
	if e.Title != nil {
		t, err := forum.NormalizeTitle(*e.Title)
		if err != nil {
			return pe, err
		}
		pe.thread.Title = &t
	}
	if e.Theme != nil {
		t, err := s.forum.Theme(ctx, *e.Theme)
		if err != nil || t.Archived {
			return pe, forum.Invalid("theme", "theme_unknown", "Thème inconnu.")
		}
		pe.thread.Theme = &t.Slug
	}
	if e.AuthorityTypes != nil {
		types, err := s.forum.ValidateAuthorityTypes(ctx, nil, e.AuthorityTypes)
		if err != nil {
			return pe, err
		}
		pe.thread.AuthorityTypes = types
	}
	if e.Body != nil {
		if err := s.forum.CanWrite(actor); err != nil {
			return pe, err
		}
		html, err := forum.RenderMarkdown(*e.Body)
		if err != nil {
			return pe, err
		}
		if src := forum.NormalizeSource(*e.Body); src != p.Source {
			now := s.forum.Now()
			pe.post = &forum.PostEdit{Current: p.Source, Source: src, HTML: html, EditedAt: now,
				Previous: forum.Revision{Source: p.Source, EditedAt: now, EditorID: actor.ID}}
		}
	}
	return pe, nil
}

// Approve publishes a pending post, exactly once, after optional edits. The
// edited body is written by the same conditional update as the decision, so
// a moderator who loses the race never changes the post.
func (s *Service) Approve(ctx context.Context, actor *forum.Member, postID string, edit *QueueEdit) error {
	if err := s.requireModerator(actor); err != nil {
		return err
	}
	p, th, err := s.pendingPost(ctx, postID)
	if err != nil {
		return err
	}
	pe, err := s.prepareEdit(ctx, actor, p, th, edit)
	if err != nil {
		return err
	}
	now := s.forum.Now()
	d := forum.Decision{Action: forum.DecisionApproved, By: actor.Ref(), At: now}
	cond := PostCondition{Statuses: []string{forum.PostPending}}
	// The decision and everything it changes commit together: the thread
	// changes before the recount publishes the thread, the counts, the
	// audit entry, the notification, and the caches of the thread as it
	// was and as it is. After the decision (the conditional update that
	// wins or loses), every write is repeatable or recomputed, and on
	// MongoDB runs to its end even if the request is cancelled.
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		var ok bool
		var err error
		if pe.post != nil {
			ok, err = s.store.DecidePostEdited(ctx, p.ID, cond, forum.PostPublished, d, *pe.post)
		} else {
			ok, err = s.store.DecidePost(ctx, p.ID, cond, forum.PostPublished, d)
		}
		if err != nil {
			return err
		}
		if !ok {
			return errLost
		}
		// The thread as it is now, not as read before the decision.
		if th, err = s.store.ThreadByID(ctx, th.ID); err != nil {
			return err
		}
		keys := append(forum.ThreadKeys(th), forum.KeyQueue, forum.MemberKey(p.Author.ID))
		if pe.threadChanged() {
			before := describeThread(th)
			if err := s.store.UpdateThread(ctx, th.ID, pe.thread); err != nil {
				return err
			}
			applyThreadChange(th, pe.thread)
			if err := s.audit(ctx, actor.Ref(), "thread.edit", "thread", th.ID, th.ID, before, describeThread(th), "modifié avant approbation"); err != nil {
				return err
			}
		}
		if pe.post != nil {
			p.Source, p.HTML = pe.post.Source, pe.post.HTML
			if err := s.audit(ctx, actor.Ref(), "post.edit", "post", p.ID, th.ID, "", "", "modifié avant approbation"); err != nil {
				return err
			}
		}
		if th, err = s.recount(ctx, th.ID); err != nil {
			return err
		}
		// Their count decides their next post's moderation.
		if err := s.store.IncMemberApprovedPosts(ctx, p.Author.ID, 1); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.Ref(), "post.approve", "post", p.ID, th.ID, forum.PostPending, forum.PostPublished, ""); err != nil {
			return err
		}
		if err := s.notifyAuthor(ctx, p, th, KindApproved, ""); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, append(keys, forum.ThreadKeys(th)...)...)
		return nil
	})
	if errors.Is(err, errLost) {
		if cur, err := s.store.PostByID(ctx, p.ID); err == nil && cur.Status == forum.PostPending {
			return forum.Conflict("Le message a été modifié pendant votre relecture ; rechargez-le avant de décider.")
		}
		return s.alreadyDecided(ctx, p.ID)
	}
	return err
}

// recount brings the thread of a decided post back in line with its posts
// (forum.RecountThread: status, published count, last activity and last
// post, recomputed, so that doing it again changes nothing), re-reading the
// thread inside the change. It returns the thread as it is now.
func (s *Service) recount(ctx context.Context, threadID string) (*forum.Thread, error) {
	return s.forum.RecountThread(ctx, threadID)
}

// Reject refuses a pending post with a reason sent to its author, exactly once.
func (s *Service) Reject(ctx context.Context, actor *forum.Member, postID, reason string) error {
	if err := s.requireModerator(actor); err != nil {
		return err
	}
	reason, err := cleanReason(reason, true)
	if err != nil {
		return err
	}
	p, th, err := s.pendingPost(ctx, postID)
	if err != nil {
		return err
	}
	d := forum.Decision{Action: forum.DecisionRejected, By: actor.Ref(), At: s.forum.Now(), Reason: reason}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		ok, err := s.store.DecidePost(ctx, p.ID, PostCondition{Statuses: []string{forum.PostPending}}, forum.PostRejected, d)
		if err != nil {
			return err
		}
		if !ok {
			return errLost
		}
		if th, err = s.recount(ctx, th.ID); err != nil {
			return err
		}
		if err := s.store.IncMemberRejectedPosts(ctx, p.Author.ID, 1); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.Ref(), "post.reject", "post", p.ID, th.ID, forum.PostPending, forum.PostRejected, reason); err != nil {
			return err
		}
		if err := s.notifyAuthor(ctx, p, th, KindRejected, reason); err != nil {
			return err
		}
		s.forum.Invalidate(ctx, append(forum.ThreadKeys(th), forum.KeyQueue, forum.MemberKey(p.Author.ID))...)
		return nil
	})
	if errors.Is(err, errLost) {
		return s.alreadyDecided(ctx, p.ID)
	}
	return err
}

// UndoReject puts a rejected post back in the queue within the grace period.
func (s *Service) UndoReject(ctx context.Context, actor *forum.Member, postID string) error {
	if err := s.requireModerator(actor); err != nil {
		return err
	}
	if !forum.ValidID(postID) {
		return forum.ErrNotFound
	}
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return err
	}
	now := s.forum.Now()
	cond := PostCondition{Statuses: []string{forum.PostRejected}, DecisionAction: forum.DecisionRejected,
		DecidedAfter: now.Add(-s.cfg.UndoRejectFor)}
	d := forum.Decision{Action: forum.DecisionReopened, By: actor.Ref(), At: now}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		ok, err := s.store.DecidePost(ctx, p.ID, cond, forum.PostPending, d)
		if err != nil {
			return err
		}
		if !ok {
			return errLost
		}
		keys := []forum.Key{forum.ThreadKey(p.ThreadID), forum.KeyQueue, forum.MemberKey(p.Author.ID)}
		th, err := s.recount(ctx, p.ThreadID)
		switch {
		case err == nil:
			keys = append(keys, forum.ThreadKeys(th)...)
		case !errors.Is(err, forum.ErrNotFound):
			return err
		}
		if err := s.store.IncMemberRejectedPosts(ctx, p.Author.ID, -1); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.Ref(), "post.undo_reject", "post", p.ID, p.ThreadID, forum.PostRejected, forum.PostPending, ""); err != nil {
			return err
		}
		// The author was told of the rejection: they are told it was undone.
		if th != nil {
			if err := s.notifyAuthor(ctx, p, th, KindReopened, ""); err != nil {
				return err
			}
		}
		s.forum.Invalidate(ctx, keys...)
		return nil
	})
	if errors.Is(err, errLost) {
		return forum.Conflict("Le refus ne peut plus être annulé (délai de %d minutes dépassé ou message déjà traité).",
			int(s.cfg.UndoRejectFor.Minutes()))
	}
	return err
}

// IsAlreadyDecided reports whether err says another moderator decided first.
func IsAlreadyDecided(err error) bool { return errors.Is(err, ErrAlreadyDecided) }

func describeThread(th *forum.Thread) string {
	flags := []string{}
	if th.Locked {
		flags = append(flags, "verrouillé")
	}
	if th.Pinned {
		flags = append(flags, "épinglé")
	}
	return fmt.Sprintf("titre=%q thème=%s collectivités=%s %s", th.Title, th.Theme, strings.Join(th.AuthorityTypes, ","), strings.Join(flags, " "))
}

func applyThreadChange(th *forum.Thread, c ThreadChange) {
	if c.Title != nil {
		th.Title = *c.Title
	}
	if c.Theme != nil {
		th.Theme = *c.Theme
	}
	if c.AuthorityTypes != nil {
		th.AuthorityTypes = c.AuthorityTypes
	}
	if c.Locked != nil {
		th.Locked = *c.Locked
	}
	if c.Pinned != nil {
		th.Pinned = *c.Pinned
	}
}
