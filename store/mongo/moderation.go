package mongo

import (
	"context"
	"time"

	"coterforum/forum"
	"coterforum/moderation"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// More collection names.
const (
	colReports       = "reports"
	colAudit         = "audit"
	colNotifications = "notifications"
)

// decisionFilter selects the post only if it meets cond.
func decisionFilter(postID string, cond moderation.PostCondition) bson.D {
	filter := bson.D{{Key: "_id", Value: postID}, {Key: "status", Value: bson.D{{Key: "$in", Value: cond.Statuses}}}}
	if cond.DecisionAction != "" {
		filter = append(filter, bson.E{Key: "decision.action", Value: cond.DecisionAction})
	}
	if !cond.DecidedAfter.IsZero() {
		filter = append(filter, bson.E{Key: "decision.at", Value: bson.D{{Key: "$gt", Value: cond.DecidedAfter}}})
	}
	return filter
}

// DecidePost is one conditional update: only a post meeting cond changes.
// The post's publication time follows the decision (published.go).
func (s *Store) DecidePost(ctx context.Context, postID string, cond moderation.PostCondition, status string, d forum.Decision) (bool, error) {
	pub, ok, err := s.publicationAfter(ctx, postID, d)
	if !ok || err != nil {
		return false, err
	}
	err = s.updateOne(ctx, colPosts, decisionFilter(postID, cond), bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: status}, {Key: "decision", Value: d},
		{Key: "published_at", Value: pub.At}, {Key: "published_day", Value: pub.Day},
	}}})
	if err == forum.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// DecidePostEdited decides and edits a post in one conditional update: only a
// post meeting cond whose source is still e.Current changes.
func (s *Store) DecidePostEdited(ctx context.Context, postID string, cond moderation.PostCondition, status string, d forum.Decision, e forum.PostEdit) (bool, error) {
	pub, ok, err := s.publicationAfter(ctx, postID, d)
	if !ok || err != nil {
		return false, err
	}
	filter := append(decisionFilter(postID, cond), bson.E{Key: "source", Value: e.Current})
	terms := forum.PostSearchTerms(e.HTML)
	err = s.updateOne(ctx, colPosts, filter, bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "status", Value: status}, {Key: "decision", Value: d},
			{Key: "published_at", Value: pub.At}, {Key: "published_day", Value: pub.Day},
			{Key: "source", Value: e.Source}, {Key: "html", Value: e.HTML}, {Key: "edited_at", Value: e.EditedAt},
			{Key: "terms", Value: terms},
		}},
		{Key: "$push", Value: bson.D{{Key: "revisions", Value: e.Previous}}},
	})
	if err == forum.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// SetThreadStatus moves a thread whose status is in from to status, and
// copies the new status onto the thread's posts (threadscope.go).
func (s *Store) SetThreadStatus(ctx context.Context, threadID string, from []string, status string) (bool, error) {
	return s.changeScope(ctx, bson.D{{Key: "_id", Value: threadID}, {Key: "status", Value: bson.D{{Key: "$in", Value: from}}}},
		bson.D{{Key: "status", Value: status}})
}

// IncThreadPostCount adds delta to a thread's published post count.
func (s *Store) IncThreadPostCount(ctx context.Context, threadID string, delta int) error {
	return s.updateOne(ctx, colThreads, bson.D{{Key: "_id", Value: threadID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "post_count", Value: delta}}}})
}

// UpdateThread sets the changed fields of a thread; a new theme or new
// authority types are copied onto its posts.
func (s *Store) UpdateThread(ctx context.Context, threadID string, c moderation.ThreadChange) error {
	set := bson.D{}
	var titleTerms []string
	if c.Title != nil {
		titleTerms = forum.SearchTerms(*c.Title)
		set = append(set, bson.E{Key: "title", Value: *c.Title}, bson.E{Key: "title_terms", Value: titleTerms})
	}
	if c.Theme != nil {
		set = append(set, bson.E{Key: "theme", Value: *c.Theme})
	}
	if c.AuthorityTypes != nil {
		set = append(set, bson.E{Key: "authority_types", Value: c.AuthorityTypes})
	}
	if c.Locked != nil {
		set = append(set, bson.E{Key: "locked", Value: *c.Locked})
	}
	if c.Pinned != nil {
		set = append(set, bson.E{Key: "pinned", Value: *c.Pinned})
	}
	if len(set) == 0 {
		return nil
	}
	filter := bson.D{{Key: "_id", Value: threadID}}
	if c.Theme == nil && c.AuthorityTypes == nil {
		return s.updateOne(ctx, colThreads, filter, bson.D{{Key: "$set", Value: set}})
	}
	// The posts copy the theme and authority types (threadscope.go).
	found, err := s.changeScope(ctx, filter, set)
	if err == nil && !found {
		return forum.ErrNotFound
	}
	return err
}

// UpdateMember sets the changed moderation fields of a member.
func (s *Store) UpdateMember(ctx context.Context, memberID string, c moderation.MemberChange) error {
	set := bson.D{}
	if c.Status != nil {
		set = append(set, bson.E{Key: "status", Value: *c.Status})
	}
	if c.SuspendedUntil != nil {
		set = append(set, bson.E{Key: "suspended_until", Value: *c.SuspendedUntil})
	}
	if c.SuspendReason != nil {
		set = append(set, bson.E{Key: "suspend_reason", Value: *c.SuspendReason})
	}
	if c.Trusted != nil {
		set = append(set, bson.E{Key: "trusted", Value: *c.Trusted})
	}
	if c.AlwaysModerate != nil {
		set = append(set, bson.E{Key: "always_moderate", Value: *c.AlwaysModerate})
	}
	update := bson.D{}
	if len(set) > 0 {
		update = append(update, bson.E{Key: "$set", Value: set})
	}
	if c.ClearUntil {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "suspended_until", Value: ""}}})
	}
	if len(update) == 0 {
		return nil
	}
	return s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: memberID}}, update)
}

// IncMemberRejectedPosts adds delta to the member's rejected post count.
func (s *Store) IncMemberRejectedPosts(ctx context.Context, memberID string, delta int) error {
	return s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: memberID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "rejected_posts", Value: delta}}}})
}

// postsByStatusQuery is ListPostsByStatus' query: the moderation queue.
func postsByStatusQuery(status string, limit int) findQuery {
	return findQuery{col: colPosts, filter: bson.D{{Key: "status", Value: status}}, sort: bson.D{{Key: "_id", Value: 1}},
		limit: int64(max(limit, 0)), hint: "posts_status_v2"}
}

// ListPostsByStatus returns posts of a status, oldest first.
func (s *Store) ListPostsByStatus(ctx context.Context, status string, limit int) ([]forum.Post, error) {
	return find[forum.Post](ctx, s, postsByStatusQuery(status, limit))
}

// countPostsByStatusQuery is CountPostsByStatus' query.
func countPostsByStatusQuery(status string) countQuery {
	return countQuery{col: colPosts, filter: bson.D{{Key: "status", Value: status}}}
}

// CountPostsByStatus counts posts of a status.
func (s *Store) CountPostsByStatus(ctx context.Context, status string) (int64, error) {
	return s.count(ctx, countPostsByStatusQuery(status))
}

// ListModerators returns moderators and admins.
func (s *Store) ListModerators(ctx context.Context) ([]forum.Member, error) {
	return findAll[forum.Member](ctx, s, colMembers,
		bson.D{{Key: "role", Value: bson.D{{Key: "$in", Value: bson.A{forum.RoleModerator, forum.RoleAdmin}}}}}, nil)
}

// InsertReport stores a report; forum.ErrDuplicate when that member already reported that post.
func (s *Store) InsertReport(ctx context.Context, r *moderation.Report) error {
	return s.insert(ctx, colReports, r)
}

// CountOpenReports counts a post's open reports (one per reporter by construction).
func (s *Store) CountOpenReports(ctx context.Context, postID string) (int64, error) {
	return s.c(colReports).CountDocuments(ctx, bson.D{{Key: "post_id", Value: postID}, {Key: "open", Value: true}})
}

// ListOpenReports returns open reports, oldest first.
func (s *Store) ListOpenReports(ctx context.Context, limit int) ([]moderation.Report, error) {
	return findAll[moderation.Report](ctx, s, colReports, bson.D{{Key: "open", Value: true}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}}).SetLimit(int64(limit)))
}

// ResolveReports closes every open report of a post.
func (s *Store) ResolveReports(ctx context.Context, postID, by string, at time.Time) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colReports).UpdateMany(ctx, bson.D{{Key: "post_id", Value: postID}, {Key: "open", Value: true}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "open", Value: false}, {Key: "resolved_by", Value: by}, {Key: "resolved_at", Value: at}}}})
		return err
	}))
}

// InsertAudit appends an audit entry.
func (s *Store) InsertAudit(ctx context.Context, e *moderation.AuditEntry) error {
	return s.insert(ctx, colAudit, e)
}

// ListAudit returns audit entries matching f, newest first.
func (s *Store) ListAudit(ctx context.Context, f moderation.AuditFilter) ([]moderation.AuditEntry, error) {
	filter := bson.D{}
	if f.ActorID != "" {
		filter = append(filter, bson.E{Key: "actor.id", Value: f.ActorID})
	}
	if f.Action != "" {
		filter = append(filter, bson.E{Key: "action", Value: f.Action})
	}
	if f.TargetID != "" {
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "target_id", Value: f.TargetID}}, bson.D{{Key: "thread_id", Value: f.TargetID}}}})
	}
	if !f.Since.IsZero() || !f.Until.IsZero() {
		r := bson.D{}
		if !f.Since.IsZero() {
			r = append(r, bson.E{Key: "$gte", Value: f.Since})
		}
		if !f.Until.IsZero() {
			r = append(r, bson.E{Key: "$lt", Value: f.Until})
		}
		filter = append(filter, bson.E{Key: "at", Value: r})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetSkip(int64(f.Skip))
	if f.Limit > 0 {
		opts.SetLimit(int64(f.Limit))
	}
	return findAll[moderation.AuditEntry](ctx, s, colAudit, filter, opts)
}

// InsertNotification stores an in-app notification.
func (s *Store) InsertNotification(ctx context.Context, n *moderation.Notification) error {
	return s.insert(ctx, colNotifications, n)
}

// ListNotifications returns a member's latest notifications.
func (s *Store) ListNotifications(ctx context.Context, memberID string, limit int) ([]moderation.Notification, error) {
	return findAll[moderation.Notification](ctx, s, colNotifications, bson.D{{Key: "member_id", Value: memberID}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(limit)))
}

// CountUnreadNotifications counts a member's unread notifications.
func (s *Store) CountUnreadNotifications(ctx context.Context, memberID string) (int64, error) {
	return s.c(colNotifications).CountDocuments(ctx, bson.D{{Key: "member_id", Value: memberID}, {Key: "read", Value: false}})
}

// MarkNotificationsRead marks a member's notifications read.
func (s *Store) MarkNotificationsRead(ctx context.Context, memberID string) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colNotifications).UpdateMany(ctx, bson.D{{Key: "member_id", Value: memberID}, {Key: "read", Value: false}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "read", Value: true}}}})
		return err
	}))
}

// MarkReminded sets reminded_at on a post that has none.
func (s *Store) MarkReminded(ctx context.Context, postID string, at time.Time) (bool, error) {
	err := s.updateOne(ctx, colPosts, bson.D{{Key: "_id", Value: postID}, {Key: "reminded_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "reminded_at", Value: at}}}})
	if err == forum.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// moderationIndexes are the indexes of the moderation collections.
var moderationIndexes = map[string][]index{
	colReports: {
		{name: "reports_post_open_v1", keys: keys("post_id", 1, "open", 1)},          // CountOpenReports, ResolveReports
		{name: "reports_open_v1", keys: keys("open", 1, "created_at", 1)},            // ListOpenReports
		{name: "reports_reporter_v1", keys: keys("reporter.id", 1, "created_at", 1)}, // ReportsBy, AnonymiseMember
	},
	colAudit: { // ListAudit sorts by _id descending under each filter
		{name: "audit_actor_v1", keys: keys("actor.id", 1, "_id", -1)},
		{name: "audit_action_v1", keys: keys("action", 1, "_id", -1)},
		{name: "audit_target_v1", keys: keys("target_id", 1, "_id", -1)}, // and AuditForTargets
		{name: "audit_thread_v1", keys: keys("thread_id", 1, "_id", -1)},
		{name: "audit_at_v1", keys: keys("at", -1)},
	},
	colNotifications: {
		{name: "notifications_member_v1", keys: keys("member_id", 1, "_id", -1)}, // ListNotifications
		{name: "notifications_unread_v1", keys: keys("member_id", 1, "read", 1)}, // CountUnreadNotifications, MarkNotificationsRead
	},
}

var _ moderation.Store = (*Store)(nil)
