package mongo

import (
	"context"
	"errors"
	"time"

	"coterforum/digest"
	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collections of the digests. Keys are permanent, insert-only records of
// every message ever queued: the guard against building one twice. The
// outbox holds only messages in flight (small state documents, bodies
// apart, digest_outbox.go): finished messages move to the insert-only
// delivery log, so the outbox stays small.
const (
	colDigestSubscribers   = "digest_subscribers"
	colDigestSubscriptions = "digest_subscriptions"
	colDigestRuns          = "digest_runs"
	colDigestLeases        = "digest_leases"
	colDigestMarks         = "digest_marks"
	colDigestOutbox        = "digest_outbox"
	colDigestBodies        = "digest_bodies"
	colDigestLog           = "digest_log"
	colDigestKeys          = "digest_keys"
)

// dg is the one-field document {k: v}.
func dg(k string, v any) bson.D { return bson.D{{Key: k, Value: v}} }

// dgIDIn is the condition _id ∈ ids.
func dgIDIn(ids []string) bson.E { return bson.E{Key: "_id", Value: dg("$in", ids)} }

// InsertSubscriber adds a subscriber; forum.ErrDuplicate if the email is known.
func (s *Store) InsertSubscriber(ctx context.Context, sub *digest.Subscriber) error {
	return s.insert(ctx, colDigestSubscribers, sub)
}

// dgFindOne returns the document matching filter.
func dgFindOne[T any](ctx context.Context, s *Store, col string, filter bson.D) (*T, error) {
	var v T
	if err := s.findOne(ctx, col, filter, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// SubscriberByID returns a subscriber.
func (s *Store) SubscriberByID(ctx context.Context, id string) (*digest.Subscriber, error) {
	return dgFindOne[digest.Subscriber](ctx, s, colDigestSubscribers, dg("_id", id))
}

// SubscriberByEmail returns the subscriber of a (lower-cased) address.
func (s *Store) SubscriberByEmail(ctx context.Context, email string) (*digest.Subscriber, error) {
	return dgFindOne[digest.Subscriber](ctx, s, colDigestSubscribers, dg("email", email))
}

// SetSubscriberLang sets the language of a subscriber's mail.
func (s *Store) SetSubscriberLang(ctx context.Context, id, lang string) error {
	_, err := s.dgUpdate(ctx, colDigestSubscribers, dg("_id", id), dg("$set", dg("lang", lang)))
	return err
}

// dgUpdate runs a conditional update and reports whether it matched.
func (s *Store) dgUpdate(ctx context.Context, col string, filter, update bson.D) (bool, error) {
	err := s.updateOne(ctx, col, filter, update)
	if errors.Is(err, forum.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ConfirmSubscriber confirms a subscriber, linking it to memberID if given.
func (s *Store) ConfirmSubscriber(ctx context.Context, id, memberID string, at time.Time) (bool, error) {
	if memberID == "" {
		return s.dgUpdate(ctx, colDigestSubscribers, bson.D{{Key: "_id", Value: id}, {Key: "confirmed", Value: false}},
			dg("$set", bson.D{{Key: "confirmed", Value: true}, {Key: "confirmed_at", Value: at}}))
	}
	return s.dgUpdate(ctx, colDigestSubscribers,
		bson.D{{Key: "_id", Value: id}, {Key: "$or", Value: bson.A{dg("confirmed", false), dg("member_id", dg("$ne", memberID))}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "confirmed", Value: true}, {Key: "member_id", Value: memberID}}},
			{Key: "$min", Value: dg("confirmed_at", at)}})
}

// StampConfirmation records that a confirmation mail is queued, unless one
// was queued after notAfter.
func (s *Store) StampConfirmation(ctx context.Context, id string, now, notAfter time.Time) (bool, error) {
	return s.dgUpdate(ctx, colDigestSubscribers, bson.D{{Key: "_id", Value: id}, {Key: "$or", Value: bson.A{
		dg("confirm_sent_at", dg("$exists", false)), dg("confirm_sent_at", dg("$lte", notAfter))}}},
		dg("$set", dg("confirm_sent_at", now)))
}

// ConfirmedSubscribers returns a page of confirmed subscribers by _id.
func (s *Store) ConfirmedSubscribers(ctx context.Context, afterID string, limit int) ([]digest.Subscriber, error) {
	return findAll[digest.Subscriber](ctx, s, colDigestSubscribers,
		bson.D{{Key: "confirmed", Value: true}, {Key: "_id", Value: dg("$gt", afterID)}},
		options.Find().SetSort(dg("_id", 1)).SetLimit(int64(limit)))
}

// InsertSubscription adds a subscription; forum.ErrDuplicate if it exists.
func (s *Store) InsertSubscription(ctx context.Context, sub *digest.Subscription) error {
	return s.insert(ctx, colDigestSubscriptions, sub)
}

// SubscriptionsOf returns all the subscriptions of a subscriber.
func (s *Store) SubscriptionsOf(ctx context.Context, subscriberID string) ([]digest.Subscription, error) {
	return findAll[digest.Subscription](ctx, s, colDigestSubscriptions, dg("subscriber_id", subscriberID), nil)
}

// ActiveSubscriptions returns the active subscriptions at a frequency of the
// subscribers with _id in (afterID, lastID]: a range, cheaper than $in.
func (s *Store) ActiveSubscriptions(ctx context.Context, afterID, lastID, frequency string) ([]digest.Subscription, error) {
	return findAll[digest.Subscription](ctx, s, colDigestSubscriptions, bson.D{
		{Key: "subscriber_id", Value: bson.D{{Key: "$gt", Value: afterID}, {Key: "$lte", Value: lastID}}},
		{Key: "frequency", Value: frequency}, {Key: "pending", Value: false}}, nil)
}

// ThreadSubscriptions returns the active subscriptions to a thread at a frequency.
func (s *Store) ThreadSubscriptions(ctx context.Context, threadID, frequency string) ([]digest.Subscription, error) {
	return findAll[digest.Subscription](ctx, s, colDigestSubscriptions, bson.D{{Key: "target.thread_id", Value: threadID},
		{Key: "target.kind", Value: digest.TargetThread}, {Key: "frequency", Value: frequency}, {Key: "pending", Value: false}}, nil)
}

// ActivateSubscriptions makes a subscriber's pending subscriptions active.
func (s *Store) ActivateSubscriptions(ctx context.Context, subscriberID string) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colDigestSubscriptions).UpdateMany(ctx, bson.D{{Key: "subscriber_id", Value: subscriberID}, {Key: "pending", Value: true}},
			dg("$set", dg("pending", false)))
		return err
	}))
}

// StaleSubscribers returns unconfirmed subscribers that subscribed, and
// were last sent a confirmation, before before
// (digest_subscribers_confirmed_v1: the unconfirmed ones are few, as they
// are pruned).
func (s *Store) StaleSubscribers(ctx context.Context, before time.Time, limit int) ([]digest.Subscriber, error) {
	return findAll[digest.Subscriber](ctx, s, colDigestSubscribers, bson.D{{Key: "confirmed", Value: false},
		{Key: "created_at", Value: dg("$lt", before)}, {Key: "$or", Value: bson.A{
			dg("confirm_sent_at", dg("$exists", false)), dg("confirm_sent_at", dg("$lt", before))}}},
		options.Find().SetSort(dg("_id", 1)).SetLimit(int64(limit)).SetHint("digest_subscribers_confirmed_v1"))
}

// PruneDeliveryLog deletes the log entries finished before before
// (digest_log_finished_v1).
func (s *Store) PruneDeliveryLog(ctx context.Context, before time.Time) (int64, error) {
	return s.dgDelete(ctx, colDigestLog, dg("finished_at", dg("$lt", before)))
}

// dgDelete deletes through the write gate.
func (s *Store) dgDelete(ctx context.Context, col string, filter bson.D) (int64, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context) error {
		res, err := s.c(col).DeleteMany(ctx, filter)
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	return n, mapErr(err)
}

// DeleteSubscription removes one subscription of a subscriber.
func (s *Store) DeleteSubscription(ctx context.Context, subscriberID, id string) (bool, error) {
	n, err := s.dgDelete(ctx, colDigestSubscriptions, bson.D{{Key: "_id", Value: id}, {Key: "subscriber_id", Value: subscriberID}})
	return n > 0, err
}

// DeleteSubscriptions removes every subscription of a subscriber.
func (s *Store) DeleteSubscriptions(ctx context.Context, subscriberID string) (int64, error) {
	return s.dgDelete(ctx, colDigestSubscriptions, dg("subscriber_id", subscriberID))
}

// AcquireLease takes a lease: one insert for a new lease, else one
// conditional update (free, expired, or already ours). No upsert: FerretDB
// reports a duplicate caused by an update as an internal error.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now, expires time.Time) (bool, error) {
	err := s.insert(ctx, colDigestLeases, bson.D{{Key: "_id", Value: name}, {Key: "holder", Value: holder}, {Key: "expires_at", Value: expires}})
	if !errors.Is(err, forum.ErrDuplicate) {
		return err == nil, err
	}
	return s.dgUpdate(ctx, colDigestLeases, bson.D{{Key: "_id", Value: name}, {Key: "$or", Value: bson.A{
		dg("holder", holder), dg("expires_at", dg("$lte", now))}}},
		dg("$set", bson.D{{Key: "holder", Value: holder}, {Key: "expires_at", Value: expires}}))
}

// ReleaseLease ends the holder's lease.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.dgUpdate(ctx, colDigestLeases, bson.D{{Key: "_id", Value: name}, {Key: "holder", Value: holder}},
		dg("$set", dg("expires_at", time.Unix(0, 0).UTC())))
	return err
}

// InsertRun creates a digest run; forum.ErrDuplicate if it exists.
func (s *Store) InsertRun(ctx context.Context, r *digest.Run) error {
	return s.insert(ctx, colDigestRuns, r)
}

// LatestRun returns the run of a frequency with the latest Until.
func (s *Store) LatestRun(ctx context.Context, frequency string) (*digest.Run, error) {
	runs, err := findAll[digest.Run](ctx, s, colDigestRuns, dg("frequency", frequency),
		options.Find().SetSort(bson.D{{Key: "until", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(1))
	if err != nil {
		return nil, err
	}
	if len(runs) == 0 {
		return nil, forum.ErrNotFound
	}
	return &runs[0], nil
}

// AdvanceRun moves a run's cursor if it is still at from.
func (s *Store) AdvanceRun(ctx context.Context, id, from, to string) (bool, error) {
	return s.dgUpdate(ctx, colDigestRuns, bson.D{{Key: "_id", Value: id}, {Key: "cursor", Value: from}}, dg("$set", dg("cursor", to)))
}

// FinishRun marks a run done.
func (s *Store) FinishRun(ctx context.Context, id string, at time.Time) error {
	return s.updateOne(ctx, colDigestRuns, dg("_id", id), dg("$set", bson.D{{Key: "done", Value: true}, {Key: "done_at", Value: at}}))
}

// Mark returns a named time mark, zero when unset.
func (s *Store) Mark(ctx context.Context, name string) (time.Time, error) {
	var m struct {
		At time.Time `bson:"at"`
	}
	err := s.findOne(ctx, colDigestMarks, dg("_id", name), &m)
	if errors.Is(err, forum.ErrNotFound) {
		return time.Time{}, nil
	}
	return m.At, err
}

// MoveMark sets a mark from one time to another (from zero: creates it).
func (s *Store) MoveMark(ctx context.Context, name string, from, to time.Time) (bool, error) {
	if from.IsZero() {
		err := s.insert(ctx, colDigestMarks, bson.D{{Key: "_id", Value: name}, {Key: "at", Value: to}})
		if errors.Is(err, forum.ErrDuplicate) {
			return false, nil
		}
		return err == nil, err
	}
	return s.dgUpdate(ctx, colDigestMarks, bson.D{{Key: "_id", Value: name}, {Key: "at", Value: from}}, dg("$set", dg("at", to)))
}

// ImportSubscribers bulk-inserts subscribers and subscriptions (imports,
// benchmarks); duplicates are skipped.
func (s *Store) ImportSubscribers(ctx context.Context, subs []digest.Subscriber, subscriptions []digest.Subscription) error {
	for col, docs := range map[string][]any{colDigestSubscribers: dgAnySlice(subs), colDigestSubscriptions: dgAnySlice(subscriptions)} {
		for i := 0; i < len(docs); i += 1000 {
			if _, err := s.dgInsertMany(ctx, col, docs[i:min(i+1000, len(docs))]); err != nil {
				return err
			}
		}
	}
	return nil
}

func dgAnySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// digestIndexes are the indexes of the digest collections (the keys,
// bodies, leases and marks are read by _id only).
var digestIndexes = map[string][]index{
	colDigestSubscribers: {
		{name: "digest_subscribers_email_v1", keys: keys("email", 1), unique: true},
		{name: "digest_subscribers_confirmed_v1", keys: keys("confirmed", 1, "_id", 1)}, // ConfirmedSubscribers
	},
	colDigestSubscriptions: {
		{name: "digest_subscriptions_subscriber_v1", keys: keys("subscriber_id", 1)},                           // SubscriptionsOf
		{name: "digest_subscriptions_active_v1", keys: keys("frequency", 1, "pending", 1, "subscriber_id", 1)}, // ActiveSubscriptions
		{name: "digest_subscriptions_thread_v1", keys: keys("target.thread_id", 1, "frequency", 1)},            // ThreadSubscriptions
	},
	colDigestRuns: {{name: "digest_runs_latest_v1", keys: keys("frequency", 1, "until", -1, "_id", -1)}}, // LatestRun
	colDigestOutbox: {
		{name: "digest_outbox_due_v1", keys: keys("status", 1, "next_attempt_at", 1, "_id", 1)}, // DueMessages (pending)
		{name: "digest_outbox_claims_v1", keys: keys("status", 1, "claim_until", 1)},            // DueMessages (expired claims)
		{name: "digest_outbox_subscriber_v1", keys: keys("subscriber_id", 1, "status", 1)},      // CancelMessages, ForgetSubscriberMail
		{name: "digest_outbox_created_v1", keys: keys("created_at", 1, "_id", 1)},               // OutboxMessages
	},
	colDigestLog: {
		{name: "digest_log_finished_v1", keys: keys("finished_at", -1, "_id", -1)},                       // DeliveryLog
		{name: "digest_log_subscriber_v1", keys: keys("subscriber_id", 1, "finished_at", -1, "_id", -1)}, // DeliveriesTo
	},
	colDigestLeases: nil,
	colDigestMarks:  nil,
	colDigestBodies: nil,
	colDigestKeys:   nil,
}

var _ digest.Store = (*Store)(nil)
