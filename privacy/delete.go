package privacy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"coterforum/forum"
	"coterforum/internal/periodic"
	"coterforum/moderation"
)

// DeleteInput is a member's request to delete their own account.
type DeleteInput struct {
	// Password is the current password, re-typed.
	Password string `json:"password" form:"password"`
	// Posts is forum.DeletePostsAnonymise or forum.DeletePostsRemove.
	Posts string `json:"posts" form:"posts"`
}

// DeleteAccount deletes the member's own account after checking the
// password: sessions end, subscriptions and queued mail stop, the address,
// name and authority are erased, notifications go, reports filed and the
// audit log keep only a tombstone of the member, and the posts are kept
// with an anonymous author or replaced by a neutral placeholder.
//
// The MongoDB store has no multi-document transactions, and the deletion
// also sends mail: the writes are ordered for a crash at any
// point to leave a consistent state that running the deletion again
// completes (Resume does it for every interrupted deletion):
//
//  1. The member is marked as being deleted, with the choice for the posts,
//     the password hash emptied and the role set to member: from this one
//     update on, login and every session are refused, the member counts as
//     no admin or moderator, and the choice is fixed.
//  2. The rest happens in complete: sessions and account tokens are deleted; the digest
//     subscriber of the member's address is erased (subscriptions first,
//     then queued mail, then the record); ProConnect links, notifications
//     and invitations go;
//     posts are emptied (when removed) and then every copy of the name is
//     anonymised. Each step is idempotent.
//     The copies of the mail sent to the address (.eml files) go last.
//  3. Last, the member record becomes a tombstone (address, name, authority
//     erased, deleted_at set). The real address is kept until then because
//     step 2 finds the subscriber and the invitations by it.
//
// Nothing is written before the checks (CheckDeletion, then the password):
// a refused request changes nothing.
func (s *Service) DeleteAccount(ctx context.Context, m *forum.Member, in DeleteInput) error {
	posts, err := s.CheckDeletion(ctx, m, in.Posts)
	if err != nil {
		return err
	}
	// An account opened with ProConnect has no password to type again: its
	// session, from that login, is the proof.
	if m.PasswordHash != "" {
		if err := s.forum.CheckPassword(ctx, m, in.Password); err != nil {
			return err
		}
	}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.BeginMemberDeletion(ctx, m.ID, posts, s.forum.Now()); err != nil {
			if errors.Is(err, ErrLastAdmin) {
				return errLastAdmin()
			}
			return err
		}
		// Cached sessions of the member are refused from now on, in every process.
		s.forum.Invalidate(ctx, forum.MemberKey(m.ID))
		return nil
	})
	if err != nil {
		return err
	}
	return s.complete(ctx, m.ID)
}

// CheckDeletion says whether the member may delete the account with that
// choice for the posts, before any password is checked (so that the login
// rate limits count password failures only). It returns the choice, the
// club's default when posts is empty and the club allows no other.
func (s *Service) CheckDeletion(ctx context.Context, m *forum.Member, posts string) (string, error) {
	if m == nil {
		return "", forum.ErrUnauthenticated
	}
	posts, err := s.postsChoice(posts)
	if err != nil {
		return "", err
	}
	if m.IsAdmin() {
		mods, err := s.store.ListModerators(ctx)
		if err != nil {
			return "", err
		}
		others := 0
		for _, o := range mods {
			if o.IsAdmin() && o.ID != m.ID && !o.Deleting() {
				others++
			}
		}
		if others == 0 {
			return "", errLastAdmin()
		}
	}
	return posts, nil
}

// errLastAdmin refuses the deletion of the last admin's account.
func errLastAdmin() error {
	return forum.Invalid("form", "last_admin", "Vous êtes le dernier administrateur du forum : invitez ou désignez un autre administrateur avant de supprimer votre compte.")
}

// postsChoice checks the choice for the posts against the club's policy.
func (s *Service) postsChoice(posts string) (string, error) {
	switch {
	case posts == "" && !s.MayRemovePosts():
		return forum.DeletePostsAnonymise, nil
	case posts == forum.DeletePostsAnonymise:
		return posts, nil
	case posts == forum.DeletePostsRemove && s.MayRemovePosts():
		return posts, nil
	case posts == forum.DeletePostsRemove:
		return "", forum.Invalid("posts", "posts_policy", "Le club conserve les messages des comptes supprimés : ils resteront affichés sous le nom « membre supprimé ».")
	}
	return "", forum.Invalid("posts", "posts_choice", "Choisissez ce que deviennent vos messages : « anonymise » (conservés sous le nom « membre supprimé ») ou « remove » (effacés).")
}

// complete carries out steps 2 and 3 of DeleteAccount for a member already
// marked as being deleted. It may run any number of times.
func (s *Service) complete(ctx context.Context, memberID string) error {
	m, err := s.store.MemberByID(ctx, memberID)
	if err != nil {
		return err
	}
	if m.DeletedAt != nil {
		return nil
	}
	if !m.Deleting() {
		return fmt.Errorf("privacy: member %s is not marked for deletion", memberID)
	}
	// The member's posts and threads change on many pages: every cache goes.
	defer s.forum.Invalidate(ctx, forum.KeyAll, forum.MemberKey(m.ID), forum.NotificationsKey(m.ID), forum.ReadsKey(m.ID))
	if err := s.store.DeleteMemberSessions(ctx, m.ID); err != nil {
		return err
	}
	// Password-reset and email-change links (the new address they hold).
	if err := s.forum.DeleteAccountTokens(ctx, m.ID); err != nil {
		return err
	}
	if err := s.store.DeleteIdentitiesOf(ctx, m.ID); err != nil {
		return err
	}
	if err := s.digest.EraseMember(ctx, m.Email); err != nil {
		return fmt.Errorf("abonnements : %w", err)
	}
	if err := s.store.DeleteNotifications(ctx, m.ID); err != nil {
		return err
	}
	if _, err := s.store.DeleteReadMarkers(ctx, m.ID); err != nil {
		return err
	}
	if err := s.store.DeleteInvitesFor(ctx, m.Email); err != nil {
		return err
	}
	posts, err := s.store.PostsByAuthor(ctx, m.ID)
	if err != nil {
		return err
	}
	if err := s.withdrawPending(ctx, m, posts); err != nil {
		return err
	}
	if m.DeletionPosts == forum.DeletePostsRemove {
		// No text stored: the placeholder is shown, translated, where the post is.
		if err := s.store.ErasePostBodies(ctx, m.ID, forum.RemovedPostSource, ""); err != nil {
			return err
		}
	}
	ids := make([]string, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	if err := s.store.AnonymiseMember(ctx, m.ID, forum.DeletedRef(m.ID), ids); err != nil {
		return err
	}
	// Feed readers fetch the entries of the posts again (entry <updated>).
	if err := s.store.MarkPostsErased(ctx, m.ID, s.forum.Now()); err != nil {
		return err
	}
	// Last while the address is known: the copies of the mail sent to it.
	if err := s.digest.EraseMailCopies(m.Email); err != nil {
		return err
	}
	return s.store.FinishMemberDeletion(ctx, m.ID, forum.TombstoneEmail(m.ID), s.forum.Now())
}

// withdrawPending takes the member's pending posts out of the moderation
// queue: nobody is left to tell of a decision, and a deleted member's
// words are not published afterwards. Each becomes rejected (a pending
// thread with it) by the member themselves, with an audit entry that says
// why it left the queue. A post already decided is left as it is, so that
// this may run again.
func (s *Service) withdrawPending(ctx context.Context, m *forum.Member, posts []forum.Post) error {
	for i := range posts {
		p := &posts[i]
		if p.Status != forum.PostPending {
			continue
		}
		now := s.forum.Now()
		by := forum.DeletedRef(m.ID)
		d := forum.Decision{Action: forum.DecisionRejected, By: by, At: now}
		err := s.store.Atomically(ctx, func(ctx context.Context) error {
			ok, err := s.store.DecidePost(ctx, p.ID, moderation.PostCondition{Statuses: []string{forum.PostPending}}, forum.PostRejected, d)
			if err != nil || !ok {
				return err
			}
			th, err := s.store.ThreadByID(ctx, p.ThreadID)
			if err != nil && !errors.Is(err, forum.ErrNotFound) {
				return err
			}
			if th != nil && th.FirstPostID == p.ID {
				if _, err := s.store.SetThreadStatus(ctx, th.ID, []string{forum.ThreadPending}, forum.ThreadRejected); err != nil {
					return err
				}
			}
			return s.store.InsertAudit(ctx, &moderation.AuditEntry{ID: forum.NewID(), At: now, Actor: by, Action: AuditWithdrawn,
				TargetType: "post", TargetID: p.ID, ThreadID: p.ThreadID, Before: forum.PostPending, After: forum.PostRejected})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// AuditWithdrawn is the audit action of a pending post withdrawn from the
// queue because its author deleted their account.
const AuditWithdrawn = "post.withdraw"

// Resume completes every deletion that a crash interrupted. It runs at start
// and then periodically (Resumer).
func (s *Service) Resume(ctx context.Context) (int, error) {
	ms, err := s.store.MembersBeingDeleted(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	var errs []error
	for _, m := range ms {
		if err := s.complete(ctx, m.ID); err != nil {
			errs = append(errs, fmt.Errorf("member %s: %w", m.ID, err))
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

// Resumer completes interrupted account deletions at start and then every period.
type Resumer struct {
	Service *Service
	Every   time.Duration
	Log     *slog.Logger
}

// Run resumes at once, then every period, until ctx is cancelled.
func (r Resumer) Run(ctx context.Context) error {
	return periodic.Run(ctx, r.Every, r.Log, "interrupted account deletions not completed", func(ctx context.Context) error {
		n, err := r.Service.Resume(ctx)
		if err == nil && n > 0 {
			r.Log.Info("interrupted account deletions completed", "count", n)
		}
		return err
	})
}
