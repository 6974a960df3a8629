package mongo

import (
	"context"
	"errors"
	"time"

	"coterforum/digest"
	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collections of the digests. Keys are permanent, insert-only records of
// every message ever queued: the guard against building one twice. The
// outbox holds only messages in flight (small state documents, bodies
// apart): on the embedded FerretDB an update costs a scan of its collection,
// while inserts and deletes are cheap in batches, so finished messages move
// to the insert-only delivery log.
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

// PublishedPosts returns published posts whose publication time is in
// [from, until): the approval time of approved posts, the creation time of
// the others (digest.PublishedAt).
func (s *Store) PublishedPosts(ctx context.Context, from, until time.Time, afterID string, limit int) ([]forum.Post, error) {
	span := bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: until}}
	filter := bson.D{{Key: "status", Value: forum.PostPublished}, {Key: "$or", Value: bson.A{
		bson.D{{Key: "decision.action", Value: forum.DecisionApproved}, {Key: "decision.at", Value: span}},
		bson.D{{Key: "decision.action", Value: dg("$ne", forum.DecisionApproved)}, {Key: "created_at", Value: span}},
	}}}
	if afterID != "" {
		filter = append(filter, bson.E{Key: "_id", Value: dg("$gt", afterID)})
	}
	proj := bson.D{}
	for _, f := range []string{"_id", "thread_id", "author", "html", "status", "decision", "created_at"} {
		proj = append(proj, bson.E{Key: f, Value: 1})
	}
	return findAll[forum.Post](ctx, s, colPosts, filter,
		options.Find().SetSort(dg("_id", 1)).SetLimit(int64(limit)).SetProjection(proj))
}

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

// dgInsertMany inserts docs in one unordered command and returns the indexes
// of those refused as duplicates.
func (s *Store) dgInsertMany(ctx context.Context, col string, docs []any) (map[int]bool, error) {
	dups := map[int]bool{}
	if len(docs) == 0 {
		return dups, nil
	}
	err := s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(col).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		return err
	})
	var bwe mongodrv.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 {
				return nil, err
			}
			dups[we.Index] = true
		}
		return dups, nil
	}
	return dups, mapErr(err)
}

// EnqueueMessages first inserts each message's key, a permanent record
// refused when that message was ever queued, then the messages whose key is
// new (bodies first, then states). With recover, a message whose key exists
// but which is neither in the outbox nor in the log (a crash came between
// the two inserts) is queued again; the outbox is checked before the log,
// the order in which FinishMessages moves a message, so a message finishing
// meanwhile is seen in one of them. It returns the ids queued.
func (s *Store) EnqueueMessages(ctx context.Context, msgs []digest.OutboxMessage, recover bool) ([]string, error) {
	keys := make([]any, len(msgs))
	for i, m := range msgs {
		keys[i] = bson.D{{Key: "_id", Value: m.ID}, {Key: "created_at", Value: m.CreatedAt}}
	}
	dups, err := s.dgInsertMany(ctx, colDigestKeys, keys)
	if err != nil {
		return nil, err
	}
	var bodies, states []any
	ids := make([]string, 0, len(msgs))
	for i := range msgs {
		if dups[i] {
			known := !recover
			// The outbox before the log: the order FinishMessages moves it.
			for _, col := range []string{colDigestOutbox, colDigestLog} {
				if !known {
					if known, err = s.dgExists(ctx, col, msgs[i].ID); err != nil {
						return nil, err
					}
				}
			}
			if known {
				continue
			}
		}
		if msgs[i].Body != nil {
			bodies = append(bodies, msgs[i].Body)
		}
		states = append(states, &msgs[i])
		ids = append(ids, msgs[i].ID)
	}
	if _, err := s.dgInsertMany(ctx, colDigestBodies, bodies); err != nil {
		return nil, err
	}
	inFlight, err := s.dgInsertMany(ctx, colDigestOutbox, states)
	if err != nil {
		return nil, err
	}
	out := ids[:0]
	for i, id := range ids {
		if !inFlight[i] {
			out = append(out, id)
		}
	}
	return out, nil
}

// LoggedIDs tells which ids are in the delivery log (one lookup by _id each,
// the fast path on both engines).
func (s *Store) LoggedIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range ids {
		ok, err := s.dgExists(ctx, colDigestLog, id)
		if err != nil {
			return nil, err
		}
		out[id] = ok
	}
	return out, nil
}

// dgExists reports whether a document with that _id is in col.
func (s *Store) dgExists(ctx context.Context, col, id string) (bool, error) {
	var doc struct {
		ID string `bson:"_id"`
	}
	err := s.findOne(ctx, col, dg("_id", id), &doc)
	if errors.Is(err, forum.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// dgDue selects the messages due at now.
func dgDue(now time.Time) bson.E {
	return bson.E{Key: "$or", Value: bson.A{
		bson.D{{Key: "status", Value: digest.StatusPending}, {Key: "next_attempt_at", Value: dg("$lte", now)}},
		bson.D{{Key: "status", Value: digest.StatusSending}, {Key: "claim_until", Value: dg("$lte", now)}},
	}}
}

// DueMessages returns the ids of messages due at now, oldest due first.
func (s *Store) DueMessages(ctx context.Context, now time.Time, limit int) ([]string, error) {
	msgs, err := findAll[digest.OutboxMessage](ctx, s, colDigestOutbox, bson.D{dgDue(now)},
		options.Find().SetSort(bson.D{{Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)).SetProjection(dg("_id", 1)))
	ids := make([]string, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	return ids, err
}

// ClaimMessages claims the due messages among ids for claimID (one
// conditional update per message) and returns them with their bodies.
func (s *Store) ClaimMessages(ctx context.Context, ids []string, claimID string, now, claimUntil time.Time) ([]digest.OutboxMessage, error) {
	err := s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colDigestOutbox).UpdateMany(ctx, bson.D{dgIDIn(ids), dgDue(now)}, bson.D{
			{Key: "$set", Value: bson.D{{Key: "status", Value: digest.StatusSending}, {Key: "claim_id", Value: claimID}, {Key: "claim_until", Value: claimUntil}}},
			{Key: "$inc", Value: dg("attempts", 1)}})
		return err
	})
	if err != nil {
		return nil, mapErr(err)
	}
	msgs, err := findAll[digest.OutboxMessage](ctx, s, colDigestOutbox, bson.D{dgIDIn(ids), {Key: "claim_id", Value: claimID}},
		options.Find().SetSort(dg("_id", 1)))
	if err != nil || len(msgs) == 0 {
		return msgs, err
	}
	claimed := make([]string, len(msgs))
	for i, m := range msgs {
		claimed[i] = m.ID
	}
	bodies, err := findAll[digest.MessageBody](ctx, s, colDigestBodies, bson.D{dgIDIn(claimed)}, nil)
	if err != nil {
		return nil, err
	}
	byID := map[string]*digest.MessageBody{}
	for i := range bodies {
		byID[bodies[i].ID] = &bodies[i]
	}
	for i := range msgs {
		msgs[i].Body = byID[msgs[i].ID]
	}
	return msgs, nil
}

// FinishMessages logs the entries, then removes their messages from the outbox.
func (s *Store) FinishMessages(ctx context.Context, entries []digest.LogEntry, claimID string) error {
	docs, ids := make([]any, len(entries)), make([]string, len(entries))
	for i := range entries {
		docs[i], ids[i] = &entries[i], entries[i].ID
	}
	if _, err := s.dgInsertMany(ctx, colDigestLog, docs); err != nil {
		return err
	}
	if _, err := s.dgDelete(ctx, colDigestOutbox, bson.D{dgIDIn(ids), {Key: "claim_id", Value: claimID}}); err != nil {
		return err
	}
	_, err := s.dgDelete(ctx, colDigestBodies, bson.D{dgIDIn(ids)})
	return err
}

// RetryMessage puts a claimed message back to pending until next.
func (s *Store) RetryMessage(ctx context.Context, id, claimID string, next time.Time, lastErr string) error {
	_, err := s.dgUpdate(ctx, colDigestOutbox, bson.D{{Key: "_id", Value: id}, {Key: "claim_id", Value: claimID}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "status", Value: digest.StatusPending}, {Key: "next_attempt_at", Value: next}, {Key: "last_error", Value: lastErr}}},
		{Key: "$unset", Value: bson.D{{Key: "claim_id", Value: ""}, {Key: "claim_until", Value: ""}}}})
	return err
}

// CancelMessages moves a subscriber's pending messages to the log as cancelled.
func (s *Store) CancelMessages(ctx context.Context, subscriberID string, at time.Time) (int, error) {
	filter := bson.D{{Key: "subscriber_id", Value: subscriberID}, {Key: "status", Value: digest.StatusPending}}
	msgs, err := findAll[digest.OutboxMessage](ctx, s, colDigestOutbox, filter, nil)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	docs, ids := make([]any, len(msgs)), make([]string, len(msgs))
	for i := range msgs {
		docs[i], ids[i] = msgs[i].Finished(digest.StatusCancelled, "", at), msgs[i].ID
	}
	n, err := s.dgDelete(ctx, colDigestOutbox, append(filter, dgIDIn(ids)))
	if err != nil {
		return 0, err
	}
	if _, err := s.dgInsertMany(ctx, colDigestLog, docs); err != nil {
		return 0, err
	}
	_, err = s.dgDelete(ctx, colDigestBodies, bson.D{dgIDIn(ids)})
	return int(n), err
}

// OutboxMessages lists the outbox, oldest first.
func (s *Store) OutboxMessages(ctx context.Context, limit int) ([]digest.OutboxMessage, error) {
	return findAll[digest.OutboxMessage](ctx, s, colDigestOutbox, bson.D{},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}

// DeliveryLog lists the latest finished messages.
func (s *Store) DeliveryLog(ctx context.Context, limit int) ([]digest.LogEntry, error) {
	return findAll[digest.LogEntry](ctx, s, colDigestLog, bson.D{},
		options.Find().SetSort(bson.D{{Key: "finished_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)))
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

// digestIndexes are the indexes of the digest collections, plus the one
// PublishedPosts needs on posts (approval time).
var digestIndexes = map[string][]mongodrv.IndexModel{
	colPosts: {{Keys: bson.D{{Key: "status", Value: 1}, {Key: "decision.at", Value: 1}}, Options: options.Index().SetName("status_decision_at")}},
	colDigestSubscribers: {
		{Keys: dg("email", 1), Options: options.Index().SetUnique(true).SetName("email_unique")},
		{Keys: bson.D{{Key: "confirmed", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("confirmed_id")},
	},
	colDigestSubscriptions: {
		{Keys: dg("subscriber_id", 1), Options: options.Index().SetName("subscriber")},
		{Keys: bson.D{{Key: "frequency", Value: 1}, {Key: "subscriber_id", Value: 1}}, Options: options.Index().SetName("frequency_subscriber")},
		{Keys: bson.D{{Key: "target.thread_id", Value: 1}, {Key: "frequency", Value: 1}}, Options: options.Index().SetName("thread_frequency")},
	},
	colDigestRuns:   {{Keys: bson.D{{Key: "frequency", Value: 1}, {Key: "until", Value: -1}}, Options: options.Index().SetName("frequency_until")}},
	colDigestOutbox: {{Keys: bson.D{{Key: "status", Value: 1}, {Key: "next_attempt_at", Value: 1}}, Options: options.Index().SetName("status_next")}},
	colDigestLog:    {{Keys: dg("finished_at", -1), Options: options.Index().SetName("finished_at")}},
}

// mergeIndexes adds more to idx, appending to the collections both name.
func mergeIndexes(idx, more map[string][]mongodrv.IndexModel) {
	for name, models := range more {
		idx[name] = append(idx[name], models...)
	}
}

var _ digest.Store = (*Store)(nil)
