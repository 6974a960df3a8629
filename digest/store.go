package digest

import (
	"context"
	"time"

	"coterforum/forum"
)

// Store is what the digest package needs from the database, beyond the
// forum's; store/sqlite and store/mongo implement it. Every invariant is one
// conditional update or one insert refused by a unique id, so that it holds
// on MongoDB, used without multi-document transactions (SQLite runs the
// multi-row methods in one transaction).
type Store interface {
	forum.Store
	// ThreadsByIDs returns the threads with these ids (any status).
	ThreadsByIDs(ctx context.Context, ids []string) ([]forum.Thread, error)
	// PublishedPosts returns, by _id, at most limit posts with status
	// published whose publication time (PublishedAt) is in [from, until)
	// and whose _id is greater than afterID.
	PublishedPosts(ctx context.Context, from, until time.Time, afterID string, limit int) ([]forum.Post, error)

	// InsertSubscriber adds a subscriber; forum.ErrDuplicate when the email is taken.
	InsertSubscriber(ctx context.Context, s *Subscriber) error
	SubscriberByID(ctx context.Context, id string) (*Subscriber, error)
	SubscriberByEmail(ctx context.Context, email string) (*Subscriber, error)
	// ConfirmSubscriber marks an unconfirmed subscriber confirmed, and links
	// it to memberID when not empty; false when nothing changed.
	ConfirmSubscriber(ctx context.Context, id, memberID string, at time.Time) (bool, error)
	// StampConfirmation sets ConfirmSentAt to now if it is unset or not after
	// notAfter; false when a confirmation mail was queued more recently.
	StampConfirmation(ctx context.Context, id string, now, notAfter time.Time) (bool, error)
	// SetSubscriberLang sets the language of a subscriber's mail.
	SetSubscriberLang(ctx context.Context, id, lang string) error
	// ConfirmedSubscribers returns at most limit confirmed subscribers with
	// _id greater than afterID, by _id.
	ConfirmedSubscribers(ctx context.Context, afterID string, limit int) ([]Subscriber, error)

	// InsertSubscription adds a subscription; forum.ErrDuplicate when it exists.
	InsertSubscription(ctx context.Context, s *Subscription) error
	// SubscriptionsOf returns every subscription of a subscriber, pending ones included.
	SubscriptionsOf(ctx context.Context, subscriberID string) ([]Subscription, error)
	// ActiveSubscriptions returns the non-pending subscriptions at that
	// frequency of the subscribers whose _id is in (afterID, lastID] (a page
	// of ConfirmedSubscribers).
	ActiveSubscriptions(ctx context.Context, afterID, lastID, frequency string) ([]Subscription, error)
	// ThreadSubscriptions returns the non-pending subscriptions to a thread at that frequency.
	ThreadSubscriptions(ctx context.Context, threadID, frequency string) ([]Subscription, error)
	// ActivateSubscriptions makes a subscriber's pending subscriptions active.
	ActivateSubscriptions(ctx context.Context, subscriberID string) error
	// DeleteSubscription removes one subscription of the subscriber; false when there was none.
	DeleteSubscription(ctx context.Context, subscriberID, id string) (bool, error)
	// DeleteSubscriptions removes every subscription of the subscriber.
	DeleteSubscriptions(ctx context.Context, subscriberID string) (int64, error)

	// AcquireLease takes the named lease for holder until expires, if it is
	// free, expired at now, or already held by holder.
	AcquireLease(ctx context.Context, name, holder string, now, expires time.Time) (bool, error)
	// ReleaseLease frees the lease if holder still holds it.
	ReleaseLease(ctx context.Context, name, holder string) error

	// InsertRun creates a run; forum.ErrDuplicate when a run with that id exists.
	InsertRun(ctx context.Context, r *Run) error
	// LatestRun returns the run of the frequency with the latest Until (forum.ErrNotFound if none).
	LatestRun(ctx context.Context, frequency string) (*Run, error)
	// AdvanceRun moves a run's cursor from one subscriber id to the next; false
	// when the cursor was not at from (another process advanced it).
	AdvanceRun(ctx context.Context, id, from, to string) (bool, error)
	FinishRun(ctx context.Context, id string, at time.Time) error

	// Mark returns the named time mark (zero time, no error, when unset).
	Mark(ctx context.Context, name string) (time.Time, error)
	// MoveMark sets the mark to to if it is still at from (zero: unset).
	MoveMark(ctx context.Context, name string, from, to time.Time) (bool, error)

	// EnqueueMessages queues messages, each at most once ever: a permanent
	// key refused by a unique _id guards it. With recover, a message whose
	// key exists but that is neither in the outbox nor in the log (a crash
	// between the two inserts) is queued again: only for the single builder
	// of an interrupted run. It returns the ids queued.
	EnqueueMessages(ctx context.Context, msgs []OutboxMessage, recover bool) ([]string, error)
	// LoggedIDs returns which of these ids are in the delivery log.
	LoggedIDs(ctx context.Context, ids []string) (map[string]bool, error)
	// DueMessages returns the ids of at most limit messages that are pending
	// with NextAttemptAt <= now, or sending with an expired claim.
	DueMessages(ctx context.Context, now time.Time, limit int) ([]string, error)
	// ClaimMessages is the conditional claim: each of ids that is still due
	// at now becomes sending, owned by claimID until claimUntil, with one
	// more attempt. It returns the messages claimed, with their bodies.
	ClaimMessages(ctx context.Context, ids []string, claimID string, now, claimUntil time.Time) ([]OutboxMessage, error)
	// FinishMessages records the entries in the delivery log and removes the
	// messages still claimed by claimID from the outbox.
	FinishMessages(ctx context.Context, entries []LogEntry, claimID string) error
	// RetryMessage puts a message claimed by claimID back to pending until next.
	RetryMessage(ctx context.Context, id, claimID string, next time.Time, lastErr string) error
	// ReleaseClaims gives back the messages still claimed by any of
	// claimIDs (those of a process that stops): they become pending, due at
	// now, without a claim, so that another process claims them at once
	// rather than when the claim expires. Their attempts stay counted. It
	// returns how many were released.
	ReleaseClaims(ctx context.Context, claimIDs []string, now time.Time) (int, error)
	// CancelMessages moves a subscriber's pending messages to the log as cancelled.
	CancelMessages(ctx context.Context, subscriberID string, at time.Time) (int, error)
	// OutboxMessages lists the outbox (oldest first), for admin pages and tests.
	OutboxMessages(ctx context.Context, limit int) ([]OutboxMessage, error)
	// DeliveryLog lists the latest log entries, newest first.
	DeliveryLog(ctx context.Context, limit int) ([]LogEntry, error)
	// OutboxCounts counts the outbox's messages by status (on its status
	// index) and the pending ones that already failed once, and the log's
	// messages failed since failedSince (on its finished_at index): the
	// metrics' gauges.
	OutboxCounts(ctx context.Context, failedSince time.Time) (OutboxCounts, error)

	// DeliveriesTo lists the log entries of one subscriber, newest first (data export).
	DeliveriesTo(ctx context.Context, subscriberID string) ([]LogEntry, error)
	// ForgetSubscriberMail removes every outbox message of the subscriber
	// (in flight ones too) with its body, and writes tombstone instead of
	// the address in the subscriber's delivery log entries.
	ForgetSubscriberMail(ctx context.Context, subscriberID, tombstone string) error
	// DeleteSubscriber removes the subscriber record.
	DeleteSubscriber(ctx context.Context, id string) error

	// StaleSubscribers returns at most limit unconfirmed subscribers that
	// subscribed, and were last sent a confirmation mail, before before.
	StaleSubscribers(ctx context.Context, before time.Time, limit int) ([]Subscriber, error)
	// PruneDeliveryLog deletes the log entries finished before before and
	// returns how many.
	PruneDeliveryLog(ctx context.Context, before time.Time) (int64, error)
}

// OutboxCounts are the outbox's figures that metrics report.
type OutboxCounts struct {
	// Pending messages wait for a first attempt or a retry.
	Pending int64
	// Sending messages are claimed by a process.
	Sending int64
	// Retrying are the pending messages that already failed at least once.
	Retrying int64
	// Failed messages were given up (in the delivery log) since the time asked.
	Failed int64
}
