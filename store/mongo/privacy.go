package mongo

import (
	"context"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/privacy"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// This file holds what the personal data features need (package privacy):
// reading everything about one member for the export, and the writes of an
// account deletion. Every write is idempotent: a deletion interrupted by a
// crash is completed by running it again.

// PostsByAuthor returns every post of a member, whatever its status, oldest first.
func (s *Store) PostsByAuthor(ctx context.Context, memberID string) ([]forum.Post, error) {
	return findAll[forum.Post](ctx, s, colPosts, dg("author.id", memberID), options.Find().SetSort(dg("_id", 1)))
}

// ReportsBy returns the reports a member filed, oldest first.
func (s *Store) ReportsBy(ctx context.Context, memberID string) ([]moderation.Report, error) {
	return findAll[moderation.Report](ctx, s, colReports, dg("reporter.id", memberID), options.Find().SetSort(dg("created_at", 1)))
}

// SessionsOf returns a member's sessions.
func (s *Store) SessionsOf(ctx context.Context, memberID string) ([]forum.Session, error) {
	return findAll[forum.Session](ctx, s, colSessions, dg("member_id", memberID), options.Find().SetSort(dg("created_at", 1)))
}

// AuditForTargets returns the audit entries whose target is one of ids, newest first.
func (s *Store) AuditForTargets(ctx context.Context, ids []string) ([]moderation.AuditEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return findAll[moderation.AuditEntry](ctx, s, colAudit, bson.D{{Key: "target_id", Value: dg("$in", ids)}}, options.Find().SetSort(dg("_id", -1)))
}

// BeginMemberDeletion marks a member as being deleted, if not already: the
// password hash is emptied (no login) and the role becomes member (no
// moderation mail, not counted as an admin). An interrupted deletion keeps
// the choice made first.
//
// An admin is marked only while another admin not being deleted remains.
// Without transactions, it marks first and then counts the admins left:
// of two admins deleting themselves at once, at least one counts after the
// other's mark, sees no admin left, and takes its mark back
// (privacy.ErrLastAdmin). Both may step back; neither goes alone.
func (s *Store) BeginMemberDeletion(ctx context.Context, id, posts string, at time.Time) error {
	var m forum.Member
	if err := s.findOne(ctx, colMembers, dg("_id", id), &m); err != nil {
		if err == forum.ErrNotFound {
			return nil // the caller read it just before
		}
		return err
	}
	err := s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}, {Key: "deletion_started_at", Value: dg("$exists", false)}},
		dg("$set", bson.D{{Key: "deletion_started_at", Value: at}, {Key: "deletion_posts", Value: posts},
			{Key: "password_hash", Value: ""}, {Key: "role", Value: forum.RoleMember}}))
	if err == forum.ErrNotFound {
		return nil // already started
	}
	if err != nil || m.Role != forum.RoleAdmin {
		return err
	}
	admins, err := s.c(colMembers).CountDocuments(ctx, bson.D{{Key: "role", Value: forum.RoleAdmin},
		{Key: "deletion_started_at", Value: dg("$exists", false)}})
	if err != nil || admins > 0 {
		return err
	}
	err = s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}, {Key: "deletion_started_at", Value: dg("$exists", true)},
		{Key: "deleted_at", Value: dg("$exists", false)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: forum.RoleAdmin}, {Key: "password_hash", Value: m.PasswordHash}}},
			{Key: "$unset", Value: bson.D{{Key: "deletion_started_at", Value: ""}, {Key: "deletion_posts", Value: ""}}}})
	if err != nil {
		return err
	}
	return privacy.ErrLastAdmin
}

// MarkPostsErased sets the erasure time of every post of the member that
// has none (posts_author_v2).
func (s *Store) MarkPostsErased(ctx context.Context, memberID string, at time.Time) error {
	return s.updateMany(ctx, colPosts, bson.D{{Key: "author.id", Value: memberID}, {Key: "erased_at", Value: dg("$exists", false)}},
		dg("$set", dg("erased_at", at)))
}

// MembersBeingDeleted returns the members whose deletion started and did
// not finish ($ne null, not $exists: members_deleting_v1 serves it).
func (s *Store) MembersBeingDeleted(ctx context.Context) ([]forum.Member, error) {
	return findAll[forum.Member](ctx, s, colMembers, bson.D{
		{Key: "deletion_started_at", Value: dg("$ne", nil)}, {Key: "deleted_at", Value: dg("$exists", false)}}, nil)
}

// ErasePostBodies replaces the source and HTML of every post of a member and
// drops their earlier revisions.
func (s *Store) ErasePostBodies(ctx context.Context, memberID, source, html string) error {
	terms := forum.PostSearchTerms(html)
	return s.updateMany(ctx, colPosts, dg("author.id", memberID), bson.D{
		// The search terms follow the placeholder: the erased words are no longer found.
		{Key: "$set", Value: bson.D{{Key: "source", Value: source}, {Key: "html", Value: html},
			{Key: "terms", Value: terms}}},
		{Key: "$unset", Value: bson.D{{Key: "revisions", Value: ""}}},
	})
}

// AnonymiseMember writes ref instead of the member's name wherever posts,
// threads, reports, decisions and the audit log copied it. lastPostIDs are
// the member's posts: threads whose last post is one of them show ref's name
// as their last author.
func (s *Store) AnonymiseMember(ctx context.Context, memberID string, ref forum.AuthorRef, lastPostIDs []string) error {
	set := func(prefix string) bson.D {
		return dg("$set", bson.D{{Key: prefix + ".display_name", Value: ref.DisplayName},
			{Key: prefix + ".authority", Value: ref.Authority}, {Key: prefix + ".authority_type", Value: ref.AuthorityType}})
	}
	for _, u := range []struct{ col, prefix string }{
		{colPosts, "author"}, {colThreads, "author"}, {colPosts, "decision.by"}, {colReports, "reporter"}, {colAudit, "actor"},
	} {
		if err := s.updateMany(ctx, u.col, dg(u.prefix+".id", memberID), set(u.prefix)); err != nil {
			return err
		}
	}
	if len(lastPostIDs) == 0 {
		return nil
	}
	return s.updateMany(ctx, colThreads, dg("last_post_id", dg("$in", lastPostIDs)), dg("$set", dg("last_author", ref.DisplayName)))
}

// DeleteNotifications removes a member's notifications.
func (s *Store) DeleteNotifications(ctx context.Context, memberID string) error {
	_, err := s.dgDelete(ctx, colNotifications, dg("member_id", memberID))
	return err
}

// DeleteInvitesFor removes the invitations sent to an address.
func (s *Store) DeleteInvitesFor(ctx context.Context, email string) error {
	_, err := s.dgDelete(ctx, colInvites, dg("email", email))
	return err
}

// FinishMemberDeletion turns the member record into a tombstone: no address,
// no name, no authority, no password; deleted_at marks the deletion complete.
func (s *Store) FinishMemberDeletion(ctx context.Context, id, tombstoneEmail string, at time.Time) error {
	return s.updateOne(ctx, colMembers, dg("_id", id), bson.D{
		{Key: "$set", Value: bson.D{{Key: "email", Value: tombstoneEmail}, {Key: "display_name", Value: forum.DeletedMemberName},
			{Key: "authority", Value: ""}, {Key: "authority_type", Value: ""}, {Key: "password_hash", Value: ""},
			{Key: "role", Value: forum.RoleMember}, {Key: "deleted_at", Value: at}}},
		{Key: "$unset", Value: bson.D{{Key: "lang", Value: ""}, {Key: "suspend_reason", Value: ""}}},
	})
}

// DeliveriesTo lists the delivery log entries of a subscriber, newest first.
func (s *Store) DeliveriesTo(ctx context.Context, subscriberID string) ([]digest.LogEntry, error) {
	return findAll[digest.LogEntry](ctx, s, colDigestLog, dg("subscriber_id", subscriberID),
		options.Find().SetSort(bson.D{{Key: "finished_at", Value: -1}, {Key: "_id", Value: -1}}))
}

// ForgetSubscriberMail removes the subscriber's messages still in the outbox
// (bodies first: a state without its body is never sent) and writes
// tombstone over its address in the delivery log.
func (s *Store) ForgetSubscriberMail(ctx context.Context, subscriberID, tombstone string) error {
	msgs, err := findAll[digest.OutboxMessage](ctx, s, colDigestOutbox, dg("subscriber_id", subscriberID), options.Find().SetProjection(dg("_id", 1)))
	if err != nil {
		return err
	}
	if len(msgs) > 0 {
		ids := make([]string, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		if _, err := s.dgDelete(ctx, colDigestBodies, bson.D{dgIDIn(ids)}); err != nil {
			return err
		}
		if _, err := s.dgDelete(ctx, colDigestOutbox, dg("subscriber_id", subscriberID)); err != nil {
			return err
		}
	}
	return s.updateMany(ctx, colDigestLog, dg("subscriber_id", subscriberID), dg("$set", dg("to", tombstone)))
}

// DeleteSubscriber removes a subscriber record.
func (s *Store) DeleteSubscriber(ctx context.Context, id string) error {
	n, err := s.dgDelete(ctx, colDigestSubscribers, dg("_id", id))
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

var _ privacy.Store = (*Store)(nil)
