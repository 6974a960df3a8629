package sqlite

// Methods not written yet: each answers errNotImplemented.

import (
	"context"
	"errors"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/moderation"
)

var errNotImplemented = errors.New("not implemented")

func (st *Store) AcquireLease(ctx context.Context, name, holder string, now, expires time.Time) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) ActivateSubscriptions(ctx context.Context, subscriberID string) error {
	return errNotImplemented
}

func (st *Store) ActiveSubscriptions(ctx context.Context, afterID, lastID, frequency string) ([]digest.Subscription, error) {
	return nil, errNotImplemented
}

func (st *Store) AdvanceRun(ctx context.Context, id, from, to string) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) AnonymiseMember(ctx context.Context, memberID string, ref forum.AuthorRef, lastPostIDs []string) error {
	return errNotImplemented
}

func (st *Store) AuditForTargets(ctx context.Context, ids []string) ([]moderation.AuditEntry, error) {
	return nil, errNotImplemented
}

func (st *Store) BeginMemberDeletion(ctx context.Context, id, posts string, at time.Time) error {
	return errNotImplemented
}

func (st *Store) CancelMessages(ctx context.Context, subscriberID string, at time.Time) (int, error) {
	return 0, errNotImplemented
}

func (st *Store) ClaimMessages(ctx context.Context, ids []string, claimID string, now, claimUntil time.Time) ([]digest.OutboxMessage, error) {
	return nil, errNotImplemented
}

func (st *Store) ConfirmSubscriber(ctx context.Context, id, memberID string, at time.Time) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) ConfirmedSubscribers(ctx context.Context, afterID string, limit int) ([]digest.Subscriber, error) {
	return nil, errNotImplemented
}

func (st *Store) CountOpenReports(ctx context.Context, postID string) (int64, error) {
	return 0, errNotImplemented
}

func (st *Store) CountPostsByStatus(ctx context.Context, status string) (int64, error) {
	return 0, errNotImplemented
}

func (st *Store) CountUnreadNotifications(ctx context.Context, memberID string) (int64, error) {
	return 0, errNotImplemented
}

func (st *Store) DecidePost(ctx context.Context, postID string, cond moderation.PostCondition, status string, d forum.Decision) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) DecidePostEdited(ctx context.Context, postID string, cond moderation.PostCondition, status string, d forum.Decision, e forum.PostEdit) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) DeleteInvitesFor(ctx context.Context, email string) error {
	return errNotImplemented
}

func (st *Store) DeleteNotifications(ctx context.Context, memberID string) error {
	return errNotImplemented
}

func (st *Store) DeleteSubscriber(ctx context.Context, id string) error {
	return errNotImplemented
}

func (st *Store) DeleteSubscription(ctx context.Context, subscriberID, id string) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) DeleteSubscriptions(ctx context.Context, subscriberID string) (int64, error) {
	return 0, errNotImplemented
}

func (st *Store) DeliveriesTo(ctx context.Context, subscriberID string) ([]digest.LogEntry, error) {
	return nil, errNotImplemented
}

func (st *Store) DeliveryLog(ctx context.Context, limit int) ([]digest.LogEntry, error) {
	return nil, errNotImplemented
}

func (st *Store) DueMessages(ctx context.Context, now time.Time, limit int) ([]string, error) {
	return nil, errNotImplemented
}

func (st *Store) EnqueueMessages(ctx context.Context, msgs []digest.OutboxMessage, recover bool) ([]string, error) {
	return nil, errNotImplemented
}

func (st *Store) ErasePostBodies(ctx context.Context, memberID, source, html string) error {
	return errNotImplemented
}

func (st *Store) FinishMemberDeletion(ctx context.Context, id, tombstoneEmail string, at time.Time) error {
	return errNotImplemented
}

func (st *Store) FinishMessages(ctx context.Context, entries []digest.LogEntry, claimID string) error {
	return errNotImplemented
}

func (st *Store) FinishRun(ctx context.Context, id string, at time.Time) error {
	return errNotImplemented
}

func (st *Store) ForgetSubscriberMail(ctx context.Context, subscriberID, tombstone string) error {
	return errNotImplemented
}

func (st *Store) IncMemberRejectedPosts(ctx context.Context, memberID string, delta int) error {
	return errNotImplemented
}

func (st *Store) IncThreadPostCount(ctx context.Context, threadID string, delta int) error {
	return errNotImplemented
}

func (st *Store) InsertAudit(ctx context.Context, e *moderation.AuditEntry) error {
	return errNotImplemented
}

func (st *Store) InsertNotification(ctx context.Context, n *moderation.Notification) error {
	return errNotImplemented
}

func (st *Store) InsertReport(ctx context.Context, r *moderation.Report) error {
	return errNotImplemented
}

func (st *Store) InsertRun(ctx context.Context, r *digest.Run) error {
	return errNotImplemented
}

func (st *Store) InsertSubscriber(ctx context.Context, s *digest.Subscriber) error {
	return errNotImplemented
}

func (st *Store) InsertSubscription(ctx context.Context, s *digest.Subscription) error {
	return errNotImplemented
}

func (st *Store) LatestRun(ctx context.Context, frequency string) (*digest.Run, error) {
	return nil, errNotImplemented
}

func (st *Store) ListAudit(ctx context.Context, f moderation.AuditFilter) ([]moderation.AuditEntry, error) {
	return nil, errNotImplemented
}

func (st *Store) ListModerators(ctx context.Context) ([]forum.Member, error) {
	return nil, errNotImplemented
}

func (st *Store) ListNotifications(ctx context.Context, memberID string, limit int) ([]moderation.Notification, error) {
	return nil, errNotImplemented
}

func (st *Store) ListOpenReports(ctx context.Context, limit int) ([]moderation.Report, error) {
	return nil, errNotImplemented
}

func (st *Store) ListPostsByStatus(ctx context.Context, status string, limit int) ([]forum.Post, error) {
	return nil, errNotImplemented
}

func (st *Store) LoggedIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	return nil, errNotImplemented
}

func (st *Store) Mark(ctx context.Context, name string) (time.Time, error) {
	return time.Time{}, errNotImplemented
}

func (st *Store) MarkNotificationsRead(ctx context.Context, memberID string) error {
	return errNotImplemented
}

func (st *Store) MarkReminded(ctx context.Context, postID string, at time.Time) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) MembersBeingDeleted(ctx context.Context) ([]forum.Member, error) {
	return nil, errNotImplemented
}

func (st *Store) MoveMark(ctx context.Context, name string, from, to time.Time) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) OutboxMessages(ctx context.Context, limit int) ([]digest.OutboxMessage, error) {
	return nil, errNotImplemented
}

func (st *Store) PostsByAuthor(ctx context.Context, memberID string) ([]forum.Post, error) {
	return nil, errNotImplemented
}

func (st *Store) PublishedPosts(ctx context.Context, from, until time.Time, afterID string, limit int) ([]forum.Post, error) {
	return nil, errNotImplemented
}

func (st *Store) ReadMarkersOf(ctx context.Context, memberID string) ([]forum.ReadMarker, error) {
	return nil, errNotImplemented
}

func (st *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return errNotImplemented
}

func (st *Store) ReportsBy(ctx context.Context, memberID string) ([]moderation.Report, error) {
	return nil, errNotImplemented
}

func (st *Store) ResolveReports(ctx context.Context, postID, by string, at time.Time) error {
	return errNotImplemented
}

func (st *Store) RetryMessage(ctx context.Context, id, claimID string, next time.Time, lastErr string) error {
	return errNotImplemented
}

func (st *Store) SessionsOf(ctx context.Context, memberID string) ([]forum.Session, error) {
	return nil, errNotImplemented
}

func (st *Store) SetSubscriberLang(ctx context.Context, id, lang string) error {
	return errNotImplemented
}

func (st *Store) SetThreadStatus(ctx context.Context, threadID string, from []string, status string) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) StampConfirmation(ctx context.Context, id string, now, notAfter time.Time) (bool, error) {
	return false, errNotImplemented
}

func (st *Store) SubscriberByEmail(ctx context.Context, email string) (*digest.Subscriber, error) {
	return nil, errNotImplemented
}

func (st *Store) SubscriberByID(ctx context.Context, id string) (*digest.Subscriber, error) {
	return nil, errNotImplemented
}

func (st *Store) SubscriptionsOf(ctx context.Context, subscriberID string) ([]digest.Subscription, error) {
	return nil, errNotImplemented
}

func (st *Store) ThreadSubscriptions(ctx context.Context, threadID, frequency string) ([]digest.Subscription, error) {
	return nil, errNotImplemented
}

func (st *Store) UpdateMember(ctx context.Context, memberID string, c moderation.MemberChange) error {
	return errNotImplemented
}

func (st *Store) UpdateThread(ctx context.Context, threadID string, c moderation.ThreadChange) error {
	return errNotImplemented
}

func (st *Store) ImportSubscribers(ctx context.Context, subs []digest.Subscriber, subscriptions []digest.Subscription) error {
	return errNotImplemented
}

func (st *Store) IncCounter(ctx context.Context, name string, delta int64) (int64, error) {
	return 0, errNotImplemented
}
