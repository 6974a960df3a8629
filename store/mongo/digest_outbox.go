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

// The digest outbox: messages in flight, their bodies apart, and the
// insert-only delivery log of the finished ones (digest.go lists the
// collections).

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

// ReleaseClaims puts the messages still claimed by any of claimIDs back to
// pending, due at now, without a claim (one conditional update).
func (s *Store) ReleaseClaims(ctx context.Context, claimIDs []string, now time.Time) (int, error) {
	if len(claimIDs) == 0 {
		return 0, nil
	}
	var n int64
	err := s.write(ctx, func(ctx context.Context) error {
		res, err := s.c(colDigestOutbox).UpdateMany(ctx,
			bson.D{{Key: "claim_id", Value: dg("$in", claimIDs)}, {Key: "status", Value: digest.StatusSending}}, bson.D{
				{Key: "$set", Value: bson.D{{Key: "status", Value: digest.StatusPending}, {Key: "next_attempt_at", Value: now}}},
				{Key: "$unset", Value: bson.D{{Key: "claim_id", Value: ""}, {Key: "claim_until", Value: ""}}}})
		if err == nil {
			n = res.ModifiedCount
		}
		return err
	})
	return int(n), mapErr(err)
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

// OutboxCounts counts the outbox by status (index digest_outbox_due_v1;
// the retrying ones among the pending documents only) and the messages
// failed since failedSince (index digest_log_finished_v1).
func (s *Store) OutboxCounts(ctx context.Context, failedSince time.Time) (digest.OutboxCounts, error) {
	var c digest.OutboxCounts
	queries := []struct {
		n *int64
		q countQuery
	}{
		{&c.Pending, countQuery{col: colDigestOutbox, filter: bson.D{{Key: "status", Value: digest.StatusPending}}, hint: "digest_outbox_due_v1"}},
		{&c.Sending, countQuery{col: colDigestOutbox, filter: bson.D{{Key: "status", Value: digest.StatusSending}}, hint: "digest_outbox_due_v1"}},
		{&c.Retrying, countQuery{col: colDigestOutbox, filter: bson.D{{Key: "status", Value: digest.StatusPending},
			{Key: "attempts", Value: dg("$gt", 0)}}, hint: "digest_outbox_due_v1"}},
		{&c.Failed, countQuery{col: colDigestLog, filter: bson.D{{Key: "finished_at", Value: dg("$gte", failedSince)},
			{Key: "status", Value: digest.StatusFailed}}, hint: "digest_log_finished_v1"}},
	}
	for _, q := range queries {
		n, err := s.count(ctx, q.q)
		if err != nil {
			return c, err
		}
		*q.n = n
	}
	return c, nil
}
