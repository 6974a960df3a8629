package mongo

import (
	"context"
	"regexp"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// adminIndexes serve the admin members page and dashboard.
var adminIndexes = map[string][]index{
	colMembers: {
		{name: "members_role_email_v1", keys: keys("role", 1, "email", 1)},     // ListMembers by role
		{name: "members_status_email_v1", keys: keys("status", 1, "email", 1)}, // ListMembers by status
		{name: "members_counts_v1", keys: keys("role", 1, "status", 1, "deletion_started_at", 1)},
	},
}

// listMembersQuery is ListMembers' query: by email, within a role or a
// status when one is asked (with its index as hint).
func listMembersQuery(f forum.MemberFilter) findQuery {
	filter := bson.D{}
	hint := "members_email_v1"
	if f.Role != "" {
		filter, hint = append(filter, bson.E{Key: "role", Value: f.Role}), "members_role_email_v1"
	}
	switch f.Status {
	case forum.MemberFilterActive, forum.MemberFilterSuspended:
		if f.Role == "" {
			hint = "members_status_email_v1"
		}
		filter = append(filter, bson.E{Key: "status", Value: f.Status}, bson.E{Key: "deletion_started_at", Value: dg("$exists", false)})
	case forum.MemberFilterDeleted:
		filter = append(filter, bson.E{Key: "deletion_started_at", Value: dg("$exists", true)})
	default:
		filter = append(filter, bson.E{Key: "deletion_started_at", Value: dg("$exists", false)})
	}
	if f.Query != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(f.Query), Options: "i"}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{dg("email", re), dg("display_name", re)}})
	}
	return findQuery{col: colMembers, filter: filter, sort: dg("email", 1), skip: int64(f.Skip), limit: int64(f.Limit), hint: hint}
}

// ListMembers returns the members f selects, by email.
func (s *Store) ListMembers(ctx context.Context, f forum.MemberFilter) ([]forum.Member, error) {
	return find[forum.Member](ctx, s, listMembersQuery(f))
}

// CountMembersByRoleStatus counts members by role and status: one count a
// role and status (members_counts_v1), and the deleted accounts.
func (s *Store) CountMembersByRoleStatus(ctx context.Context) (forum.MemberCounts, error) {
	var c forum.MemberCounts
	for _, role := range []string{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin} {
		for _, status := range []string{forum.MemberActive, forum.MemberSuspended} {
			n, err := s.count(ctx, countQuery{col: colMembers, hint: "members_counts_v1", filter: bson.D{{Key: "role", Value: role},
				{Key: "status", Value: status}, {Key: "deletion_started_at", Value: dg("$exists", false)}}})
			if err != nil {
				return c, err
			}
			c.Add(role, status, n)
		}
	}
	n, err := s.count(ctx, countQuery{col: colMembers, hint: "members_deleting_v1", filter: bson.D{{Key: "deletion_started_at", Value: dg("$exists", true)}}})
	c.Deleted = n
	return c, err
}

// countPublishedSinceQuery is CountPublishedSince's query, on posts_published_v1.
func countPublishedSinceQuery(since time.Time) countQuery {
	return countQuery{col: colPosts, hint: "posts_published_v1", filter: bson.D{{Key: "status", Value: forum.PostPublished},
		{Key: "published_day", Value: dg("$gte", dayOf(since.UnixMilli()))}, {Key: "published_at", Value: dg("$gte", since)}}}
}

// CountPublishedSince counts the posts published at or after since.
func (s *Store) CountPublishedSince(ctx context.Context, since time.Time) (int64, error) {
	return s.count(ctx, countPublishedSinceQuery(since))
}

// SetMemberRole changes a member's role. Without transactions, an admin
// losing the role is demoted first and the admins left are counted then:
// of two admins demoting each other at once, at least one counts after the
// other's change, sees no admin left and takes its change back
// (forum.ErrLastAdmin). Both may step back; neither goes alone.
func (s *Store) SetMemberRole(ctx context.Context, id, role string) error {
	var m forum.Member
	if err := s.findOne(ctx, colMembers, dg("_id", id), &m); err != nil {
		return err
	}
	if m.Deleting() {
		return forum.ErrNotFound
	}
	live := bson.E{Key: "deletion_started_at", Value: dg("$exists", false)}
	err := s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}, {Key: "role", Value: m.Role}, live}, dg("$set", dg("role", role)))
	if err == forum.ErrNotFound {
		return s.SetMemberRole(ctx, id, role) // changed meanwhile: again, from what it is now
	}
	if err != nil || m.Role != forum.RoleAdmin || role == forum.RoleAdmin {
		return err
	}
	admins, err := s.c(colMembers).CountDocuments(ctx, bson.D{{Key: "role", Value: forum.RoleAdmin}, live})
	if err != nil || admins > 0 {
		return err
	}
	if err := s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}}, dg("$set", dg("role", forum.RoleAdmin))); err != nil {
		return err
	}
	return forum.ErrLastAdmin
}

// ReplaceInvite inserts next, then deletes the old invitation if it is
// still unused; if it was used or gone, next is deleted again.
func (s *Store) ReplaceInvite(ctx context.Context, oldID string, next *forum.Invite) (bool, error) {
	if err := s.insert(ctx, colInvites, next); err != nil {
		return false, err
	}
	ok, err := s.DeleteUnusedInvite(ctx, oldID)
	if err != nil || !ok {
		if _, derr := s.deleteInvite(ctx, dg("_id", next.ID)); derr != nil && err == nil {
			err = derr
		}
		return false, err
	}
	return true, nil
}

// DeleteUnusedInvite deletes an unused invitation.
func (s *Store) DeleteUnusedInvite(ctx context.Context, id string) (bool, error) {
	return s.deleteInvite(ctx, bson.D{{Key: "_id", Value: id}, {Key: "used_at", Value: dg("$exists", false)}})
}

func (s *Store) deleteInvite(ctx context.Context, filter bson.D) (bool, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context) error {
		res, err := s.c(colInvites).DeleteOne(ctx, filter)
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	return n > 0, mapErr(err)
}
