package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"coterforum/digest"
)

// The outbox holds the messages in flight, each row with its body; a
// finished message moves to the delivery log (digest_log) in the same
// transaction that removes it. digest_keys is the permanent record of every
// message ever queued. A message's claim_id is NULL when it has no claim
// (MongoDB leaves the field out), so that no claim id, not even "",
// matches an unclaimed message.

// outboxCols are the columns scanOutbox reads, in its order.
const outboxCols = `id, kind, subscriber_id, frequency, period, to_addr, subject, status, attempts, next_attempt_at,
	claim_id, claim_until, last_error, created_at`

// outboxBodyCols are the body columns scanOutboxWithBody reads after outboxCols.
const outboxBodyCols = `has_body, body_text, body_html, body_headers, body_message_id`

// scanOutbox reads a row of outboxCols (the message without its body).
func scanOutbox(r scanner) (digest.OutboxMessage, error) {
	var m digest.OutboxMessage
	var next, created int64
	var claimID sql.NullString
	var claimUntil sql.NullInt64
	err := r.Scan(&m.ID, &m.Kind, &m.SubscriberID, &m.Frequency, &m.Period, &m.To, &m.Subject, &m.Status, &m.Attempts,
		&next, &claimID, &claimUntil, &m.LastError, &created)
	m.NextAttemptAt, m.ClaimID, m.ClaimUntil, m.CreatedAt = tm(next), claimID.String, tmPtr(claimUntil), tm(created)
	return m, err
}

// scanOutboxWithBody reads a row of outboxCols then outboxBodyCols.
func scanOutboxWithBody(r scanner) (digest.OutboxMessage, error) {
	var m digest.OutboxMessage
	var next, created int64
	var claimID sql.NullString
	var claimUntil sql.NullInt64
	var hasBody bool
	var b digest.MessageBody
	var headers string
	err := r.Scan(&m.ID, &m.Kind, &m.SubscriberID, &m.Frequency, &m.Period, &m.To, &m.Subject, &m.Status, &m.Attempts,
		&next, &claimID, &claimUntil, &m.LastError, &created,
		&hasBody, &b.Text, &b.HTML, &headers, &b.MessageID)
	if err != nil {
		return m, err
	}
	m.NextAttemptAt, m.ClaimID, m.ClaimUntil, m.CreatedAt = tm(next), claimID.String, tmPtr(claimUntil), tm(created)
	if hasBody {
		b.ID = m.ID
		if err := json.Unmarshal([]byte(headers), &b.Headers); err != nil {
			return m, err
		}
		if len(b.Headers) == 0 {
			b.Headers = nil
		}
		m.Body = &b
	}
	return m, nil
}

// nullIfEmpty stores an optional string: NULL when empty.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// outboxArgs are the values of outboxCols then outboxBodyCols.
func outboxArgs(m *digest.OutboxMessage) []any {
	args := []any{m.ID, m.Kind, m.SubscriberID, m.Frequency, m.Period, m.To, m.Subject, m.Status, m.Attempts,
		ms(m.NextAttemptAt), nullIfEmpty(m.ClaimID), msPtr(m.ClaimUntil), m.LastError, ms(m.CreatedAt)}
	if b := m.Body; b != nil {
		headers := "{}"
		if len(b.Headers) > 0 {
			headers = jsonText(b.Headers)
		}
		return append(args, 1, b.Text, b.HTML, headers, b.MessageID)
	}
	return append(args, 0, "", "", "{}", "")
}

// EnqueueMessages queues messages, each at most once ever, in one
// transaction: a message is queued when its key is new in digest_keys or,
// with recover, when its key exists but the message is neither in the
// outbox nor in the log (a message removed by ForgetSubscriberMail, or the
// crash between two inserts that MongoDB can have). A message already in
// the outbox is never queued twice. It returns the ids queued, in the order
// of msgs.
func (s *Store) EnqueueMessages(ctx context.Context, msgs []digest.OutboxMessage, recover bool) ([]string, error) {
	if len(msgs) == 0 {
		return []string{}, nil
	}
	var ids []string
	err := s.inTx(ctx, func(ctx context.Context, tx querier) error {
		ids = make([]string, 0, len(msgs))
		key, err := tx.PrepareContext(ctx, `INSERT INTO digest_keys (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer key.Close()
		known, err := tx.PrepareContext(ctx, `SELECT EXISTS (SELECT 1 FROM digest_outbox WHERE id = ?)
			OR EXISTS (SELECT 1 FROM digest_log WHERE id = ?)`)
		if err != nil {
			return err
		}
		defer known.Close()
		insert, err := tx.PrepareContext(ctx, `INSERT INTO digest_outbox (`+outboxCols+`, `+outboxBodyCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer insert.Close()
		for i := range msgs {
			m := &msgs[i]
			n, err := rowsChanged(key.ExecContext(ctx, m.ID, ms(m.CreatedAt)))
			if err != nil {
				return err
			}
			if n == 0 {
				if !recover {
					continue
				}
				var found bool
				if err := known.QueryRowContext(ctx, m.ID, m.ID).Scan(&found); err != nil {
					return err
				}
				if found {
					continue
				}
			}
			if n, err = rowsChanged(insert.ExecContext(ctx, outboxArgs(m)...)); err != nil {
				return err
			}
			if n > 0 {
				ids = append(ids, m.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// rowsChanged is the number of rows a statement changed.
func rowsChanged(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// LoggedIDs returns, for each of ids, whether it is in the delivery log.
func (s *Store) LoggedIDs(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = false
	}
	if len(ids) == 0 {
		return out, nil
	}
	logged, err := queryAll(ctx, s, scanString, `SELECT id FROM digest_log WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	for _, id := range logged {
		out[id] = true
	}
	return out, nil
}

// scanString reads a one-column text row.
func scanString(r scanner) (string, error) {
	var v string
	err := r.Scan(&v)
	return v, err
}

// DueMessages returns the ids of at most limit messages due at now, by
// next attempt then id: pending ones whose next attempt has come (index
// digest_outbox_due, read in order) and sending ones whose claim expired
// (index digest_outbox_claims).
func (s *Store) DueMessages(ctx context.Context, now time.Time, limit int) ([]string, error) {
	l := sqlLimit(limit)
	return queryAll(ctx, s, scanString, `SELECT id FROM (
			SELECT * FROM (SELECT id, next_attempt_at FROM digest_outbox
				WHERE status = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)
			UNION ALL
			SELECT * FROM (SELECT id, next_attempt_at FROM digest_outbox
				WHERE status = ? AND claim_until <= ? ORDER BY next_attempt_at, id LIMIT ?))
		ORDER BY next_attempt_at, id LIMIT ?`,
		digest.StatusPending, ms(now), l, digest.StatusSending, ms(now), l, l)
}

// ClaimMessages claims, in one transaction, each of ids that is still due
// at now: it becomes sending, owned by claimID until claimUntil, with one
// more attempt. It returns the messages claimed, by id, with their bodies.
func (s *Store) ClaimMessages(ctx context.Context, ids []string, claimID string, now, claimUntil time.Time) ([]digest.OutboxMessage, error) {
	if len(ids) == 0 {
		return []digest.OutboxMessage{}, nil
	}
	var msgs []digest.OutboxMessage
	in := placeholders(len(ids))
	err := s.inTx(ctx, func(ctx context.Context, tx querier) error {
		args := append([]any{digest.StatusSending, claimID, ms(claimUntil)}, anys(ids)...)
		args = append(args, digest.StatusPending, ms(now), digest.StatusSending, ms(now))
		if _, err := tx.ExecContext(ctx, `UPDATE digest_outbox SET status = ?, claim_id = ?, claim_until = ?, attempts = attempts + 1
			WHERE id IN (`+in+`) AND ((status = ? AND next_attempt_at <= ?) OR (status = ? AND claim_until <= ?))`, args...); err != nil {
			return err
		}
		var err error
		msgs, err = queryAll(ctx, s, scanOutboxWithBody, `SELECT `+outboxCols+`, `+outboxBodyCols+` FROM digest_outbox
			WHERE id IN (`+in+`) AND claim_id = ? ORDER BY id`, append(anys(ids), claimID)...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// logCols are the columns of the delivery log scanLogEntry reads, in its order.
const logCols = `id, kind, subscriber_id, frequency, period, to_addr, subject, status, attempts, error, created_at, finished_at`

// logArgs are the values of logCols.
func logArgs(e *digest.LogEntry) []any {
	return []any{e.ID, e.Kind, e.SubscriberID, e.Frequency, e.Period, e.To, e.Subject, e.Status, e.Attempts, e.Error,
		ms(e.CreatedAt), ms(e.FinishedAt)}
}

// scanLogEntry reads a row of logCols.
func scanLogEntry(r scanner) (digest.LogEntry, error) {
	var e digest.LogEntry
	var created, finished int64
	err := r.Scan(&e.ID, &e.Kind, &e.SubscriberID, &e.Frequency, &e.Period, &e.To, &e.Subject, &e.Status, &e.Attempts,
		&e.Error, &created, &finished)
	e.CreatedAt, e.FinishedAt = tm(created), tm(finished)
	return e, err
}

// FinishMessages records the entries in the delivery log (an entry already
// there is kept) and removes from the outbox, in one transaction, those of
// their messages still claimed by claimID. The body of a message claimed by
// another meanwhile is removed too, as MongoDB removes every body: the
// message is in the log, and its next claimer finds it there.
func (s *Store) FinishMessages(ctx context.Context, entries []digest.LogEntry, claimID string) error {
	if len(entries) == 0 {
		return nil
	}
	ids := make([]string, len(entries))
	for i := range entries {
		ids[i] = entries[i].ID
	}
	in := placeholders(len(ids))
	return s.inTx(ctx, func(ctx context.Context, tx querier) error {
		insert, err := tx.PrepareContext(ctx, `INSERT INTO digest_log (`+logCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer insert.Close()
		for _, e := range entries {
			if _, err := insert.ExecContext(ctx, logArgs(&e)...); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM digest_outbox WHERE id IN (`+in+`) AND claim_id = ?`,
			append(anys(ids), claimID)...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE digest_outbox
			SET has_body = 0, body_text = '', body_html = '', body_headers = '{}', body_message_id = ''
			WHERE id IN (`+in+`) AND has_body = 1`, anys(ids)...)
		return err
	})
}

// RetryMessage puts a message claimed by claimID back to pending until
// next, without a claim (nothing happens when the claim was lost).
func (s *Store) RetryMessage(ctx context.Context, id, claimID string, next time.Time, lastErr string) error {
	_, err := s.exec(ctx, `UPDATE digest_outbox SET status = ?, next_attempt_at = ?, last_error = ?, claim_id = NULL, claim_until = NULL
		WHERE id = ? AND claim_id = ?`, digest.StatusPending, ms(next), lastErr, id, claimID)
	return err
}

// ReleaseClaims puts the messages still claimed by any of claimIDs back
// to pending, due at now, without a claim, and returns how many there were.
func (s *Store) ReleaseClaims(ctx context.Context, claimIDs []string, now time.Time) (int, error) {
	if len(claimIDs) == 0 {
		return 0, nil
	}
	n, err := s.exec(ctx, `UPDATE digest_outbox SET status = ?, next_attempt_at = ?, claim_id = NULL, claim_until = NULL
		WHERE claim_id IN (`+placeholders(len(claimIDs))+`) AND status = ?`,
		append(append([]any{digest.StatusPending, ms(now)}, anys(claimIDs)...), digest.StatusSending)...)
	return int(n), err
}

// CancelMessages moves a subscriber's pending messages to the log as
// cancelled at at, in one transaction, and returns how many there were.
func (s *Store) CancelMessages(ctx context.Context, subscriberID string, at time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(ctx context.Context, tx querier) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digest_log (`+logCols+`)
			SELECT id, kind, subscriber_id, frequency, period, to_addr, subject, ?, attempts, '', created_at, ?
			FROM digest_outbox WHERE subscriber_id = ? AND status = ?
			ON CONFLICT (id) DO NOTHING`, digest.StatusCancelled, ms(at), subscriberID, digest.StatusPending); err != nil {
			return err
		}
		var err error
		n, err = rowsChanged(tx.ExecContext(ctx, `DELETE FROM digest_outbox WHERE subscriber_id = ? AND status = ?`,
			subscriberID, digest.StatusPending))
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// OutboxMessages lists the outbox, oldest first, without the bodies (as
// MongoDB keeps them apart), for admin pages and tests.
func (s *Store) OutboxMessages(ctx context.Context, limit int) ([]digest.OutboxMessage, error) {
	return queryAll(ctx, s, scanOutbox, `SELECT `+outboxCols+` FROM digest_outbox
		ORDER BY created_at, id LIMIT ?`, sqlLimit(limit))
}

// DeliveryLog lists the latest log entries, newest first.
func (s *Store) DeliveryLog(ctx context.Context, limit int) ([]digest.LogEntry, error) {
	return queryAll(ctx, s, scanLogEntry, `SELECT `+logCols+` FROM digest_log
		ORDER BY finished_at DESC, id DESC LIMIT ?`, sqlLimit(limit))
}

// PruneDeliveryLog deletes the log entries finished before before (index
// digest_log_finished).
func (s *Store) PruneDeliveryLog(ctx context.Context, before time.Time) (int64, error) {
	return s.exec(ctx, `DELETE FROM digest_log INDEXED BY digest_log_finished WHERE finished_at < ?`, ms(before))
}

// DeliveriesTo lists the log entries of one subscriber, newest first (data export).
func (s *Store) DeliveriesTo(ctx context.Context, subscriberID string) ([]digest.LogEntry, error) {
	return queryAll(ctx, s, scanLogEntry, `SELECT `+logCols+` FROM digest_log
		WHERE subscriber_id = ? ORDER BY finished_at DESC, id DESC`, subscriberID)
}

// ForgetSubscriberMail removes, in one transaction, every outbox message
// of the subscriber (in flight ones too) with its body, and writes
// tombstone instead of the address in the subscriber's log entries.
func (s *Store) ForgetSubscriberMail(ctx context.Context, subscriberID, tombstone string) error {
	return s.inTx(ctx, func(ctx context.Context, tx querier) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM digest_outbox WHERE subscriber_id = ?`, subscriberID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE digest_log SET to_addr = ? WHERE subscriber_id = ?`, tombstone, subscriberID)
		return err
	})
}

// OutboxCounts counts the outbox by status on its index digest_outbox_due
// (the retrying ones among the pending rows only) and the messages failed
// since failedSince on the log's index digest_log_finished.
func (s *Store) OutboxCounts(ctx context.Context, failedSince time.Time) (digest.OutboxCounts, error) {
	var c digest.OutboxCounts
	err := s.queryRow(ctx, `SELECT
			(SELECT count(*) FROM digest_outbox INDEXED BY digest_outbox_due WHERE status = ?),
			(SELECT count(*) FROM digest_outbox INDEXED BY digest_outbox_due WHERE status = ?),
			(SELECT count(*) FROM digest_outbox INDEXED BY digest_outbox_due WHERE status = ? AND attempts > 0),
			(SELECT count(*) FROM digest_log INDEXED BY digest_log_finished WHERE finished_at >= ? AND status = ?)`,
		digest.StatusPending, digest.StatusSending, digest.StatusPending, ms(failedSince), digest.StatusFailed).
		Scan(&c.Pending, &c.Sending, &c.Retrying, &c.Failed)
	return c, mapErr(err)
}
