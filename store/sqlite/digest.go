package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

// The digests' subscribers and subscriptions, and the posts a digest
// window selects. The runs, leases and marks are in digest_runs.go; the
// outbox and the delivery log in digest_outbox.go.

// publishedPostCols is postCols with the columns a digest never reads
// replaced by their empty value, as MongoDB's projection leaves them out:
// the source, the open reports count, the revisions and the edit time.
var publishedPostCols = func() string {
	empty := map[string]string{"source": "''", "open_reports": "0", "revisions": "'[]'", "edited_at": "NULL", "erased_at": "NULL"}
	cols := strings.Split(postCols, ",")
	for i, c := range cols {
		if v, ok := empty[strings.TrimSpace(c)]; ok {
			cols[i] = v
		}
	}
	return strings.Join(cols, ", ")
}()

// PublishedPosts returns, by id, at most limit published posts whose
// publication time (the generated column published_at: the approval of an
// approved post, else its creation) is in [from, until), with an id above
// afterID. The window is read from the index posts_published, then sorted
// by id: a window holds a day or a week of posts, never the whole table.
func (s *Store) PublishedPosts(ctx context.Context, from, until time.Time, afterID string, limit int) ([]forum.Post, error) {
	// The window's ids are sorted from the covering index alone; only the
	// page's rows are read (a window holds thousands of posts on a big forum).
	return queryAll(ctx, s, scanPost, `SELECT `+publishedPostCols+` FROM posts WHERE rid IN (
			SELECT rid FROM posts INDEXED BY posts_published
			WHERE status = ? AND published_at >= ? AND published_at < ? AND id > ?
			ORDER BY id LIMIT ?)
		ORDER BY id`, forum.PostPublished, ms(from), ms(until), afterID, sqlLimit(limit))
}

// subscriberCols are the columns scanSubscriber reads, in its order.
const subscriberCols = `id, member_id, email, confirmed, confirmed_at, confirm_sent_at, created_at, lang`

// scanSubscriber reads a row of subscriberCols.
func scanSubscriber(r scanner) (digest.Subscriber, error) {
	var sub digest.Subscriber
	var confirmedAt, sentAt sql.NullInt64
	var created int64
	err := r.Scan(&sub.ID, &sub.MemberID, &sub.Email, &sub.Confirmed, &confirmedAt, &sentAt, &created, &sub.Lang)
	sub.ConfirmedAt, sub.ConfirmSentAt, sub.CreatedAt = tmPtr(confirmedAt), tmPtr(sentAt), tm(created)
	return sub, err
}

// insertSubscriberSQL inserts a subscriber.
const insertSubscriberSQL = `INSERT INTO digest_subscribers (` + subscriberCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// subscriberArgs are the values of subscriberCols.
func subscriberArgs(sub *digest.Subscriber) []any {
	return []any{sub.ID, sub.MemberID, sub.Email, b2i(sub.Confirmed), msPtr(sub.ConfirmedAt), msPtr(sub.ConfirmSentAt),
		ms(sub.CreatedAt), sub.Lang}
}

// InsertSubscriber adds a subscriber; forum.ErrDuplicate when its id or
// email is taken.
func (s *Store) InsertSubscriber(ctx context.Context, sub *digest.Subscriber) error {
	_, err := s.exec(ctx, insertSubscriberSQL, subscriberArgs(sub)...)
	return err
}

// SubscriberByID returns a subscriber (forum.ErrNotFound when there is none).
func (s *Store) SubscriberByID(ctx context.Context, id string) (*digest.Subscriber, error) {
	sub, err := queryOne(ctx, s, scanSubscriber, `SELECT `+subscriberCols+` FROM digest_subscribers WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// SubscriberByEmail returns the subscriber of a (lower-cased) address.
func (s *Store) SubscriberByEmail(ctx context.Context, email string) (*digest.Subscriber, error) {
	sub, err := queryOne(ctx, s, scanSubscriber, `SELECT `+subscriberCols+` FROM digest_subscribers WHERE email = ?`, email)
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// ConfirmSubscriber confirms an unconfirmed subscriber; with a memberID it
// also links the subscriber to the member (a confirmed one too, if linked
// to no or another member), keeping the earliest confirmation time. False
// when nothing matched.
func (s *Store) ConfirmSubscriber(ctx context.Context, id, memberID string, at time.Time) (bool, error) {
	if memberID == "" {
		n, err := s.exec(ctx, `UPDATE digest_subscribers SET confirmed = 1, confirmed_at = ?
			WHERE id = ? AND confirmed = 0`, ms(at), id)
		return n > 0, err
	}
	n, err := s.exec(ctx, `UPDATE digest_subscribers
		SET confirmed = 1, member_id = ?, confirmed_at = min(coalesce(confirmed_at, ?), ?)
		WHERE id = ? AND (confirmed = 0 OR member_id <> ?)`, memberID, ms(at), ms(at), id, memberID)
	return n > 0, err
}

// StampConfirmation sets the time a confirmation mail was queued to now,
// if it is unset or not after notAfter; false otherwise.
func (s *Store) StampConfirmation(ctx context.Context, id string, now, notAfter time.Time) (bool, error) {
	n, err := s.exec(ctx, `UPDATE digest_subscribers SET confirm_sent_at = ?
		WHERE id = ? AND (confirm_sent_at IS NULL OR confirm_sent_at <= ?)`, ms(now), id, ms(notAfter))
	return n > 0, err
}

// SetSubscriberLang sets the language of a subscriber's mail (no error
// when the subscriber is gone, as on MongoDB).
func (s *Store) SetSubscriberLang(ctx context.Context, id, lang string) error {
	_, err := s.exec(ctx, `UPDATE digest_subscribers SET lang = ? WHERE id = ?`, lang, id)
	return err
}

// ConfirmedSubscribers returns at most limit confirmed subscribers with an
// id above afterID, by id (index digest_subscribers_confirmed).
func (s *Store) ConfirmedSubscribers(ctx context.Context, afterID string, limit int) ([]digest.Subscriber, error) {
	return queryAll(ctx, s, scanSubscriber, `SELECT `+subscriberCols+` FROM digest_subscribers
		WHERE confirmed = 1 AND id > ? ORDER BY id LIMIT ?`, afterID, sqlLimit(limit))
}

// StaleSubscribers returns unconfirmed subscribers that subscribed, and
// were last sent a confirmation, before before (index
// digest_subscribers_confirmed: the unconfirmed ones are few, as they are
// pruned).
func (s *Store) StaleSubscribers(ctx context.Context, before time.Time, limit int) ([]digest.Subscriber, error) {
	return queryAll(ctx, s, scanSubscriber, `SELECT `+subscriberCols+` FROM digest_subscribers INDEXED BY digest_subscribers_confirmed
		WHERE confirmed = 0 AND created_at < ? AND (confirm_sent_at IS NULL OR confirm_sent_at < ?) ORDER BY id LIMIT ?`,
		ms(before), ms(before), sqlLimit(limit))
}

// DeleteSubscriber removes the subscriber record (forum.ErrNotFound when
// there is none).
func (s *Store) DeleteSubscriber(ctx context.Context, id string) error {
	n, err := s.exec(ctx, `DELETE FROM digest_subscribers WHERE id = ?`, id)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// subscriptionCols are the columns scanSubscription reads, in its order.
const subscriptionCols = `id, subscriber_id, target_kind, target_theme, target_authority_type, target_thread_id,
	frequency, pending, created_at`

// scanSubscription reads a row of subscriptionCols.
func scanSubscription(r scanner) (digest.Subscription, error) {
	var sub digest.Subscription
	var created int64
	err := r.Scan(&sub.ID, &sub.SubscriberID, &sub.Target.Kind, &sub.Target.Theme, &sub.Target.AuthorityType,
		&sub.Target.ThreadID, &sub.Frequency, &sub.Pending, &created)
	sub.CreatedAt = tm(created)
	return sub, err
}

// insertSubscriptionSQL inserts a subscription.
const insertSubscriptionSQL = `INSERT INTO digest_subscriptions (` + subscriptionCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// subscriptionArgs are the values of subscriptionCols.
func subscriptionArgs(sub *digest.Subscription) []any {
	t := sub.Target
	return []any{sub.ID, sub.SubscriberID, t.Kind, t.Theme, t.AuthorityType, t.ThreadID, sub.Frequency, b2i(sub.Pending),
		ms(sub.CreatedAt)}
}

// InsertSubscription adds a subscription; forum.ErrDuplicate when it exists.
func (s *Store) InsertSubscription(ctx context.Context, sub *digest.Subscription) error {
	_, err := s.exec(ctx, insertSubscriptionSQL, subscriptionArgs(sub)...)
	return err
}

// SubscriptionsOf returns every subscription of a subscriber, pending ones
// included, in the order they were written (MongoDB's natural order).
func (s *Store) SubscriptionsOf(ctx context.Context, subscriberID string) ([]digest.Subscription, error) {
	return queryAll(ctx, s, scanSubscription, `SELECT `+subscriptionCols+` FROM digest_subscriptions
		WHERE subscriber_id = ? ORDER BY rid`, subscriberID)
}

// ActiveSubscriptions returns the active subscriptions at a frequency of the
// subscribers with an id in (afterID, lastID], by subscriber then in the
// order they were written: a range of the index
// digest_subscriptions_frequency.
func (s *Store) ActiveSubscriptions(ctx context.Context, afterID, lastID, frequency string) ([]digest.Subscription, error) {
	return queryAll(ctx, s, scanSubscription, `SELECT `+subscriptionCols+` FROM digest_subscriptions
		WHERE frequency = ? AND subscriber_id > ? AND subscriber_id <= ? AND pending = 0
		ORDER BY subscriber_id, rid`, frequency, afterID, lastID)
}

// ThreadSubscriptions returns the active subscriptions to a thread at a
// frequency, in the order they were written (the partial index
// digest_subscriptions_thread).
func (s *Store) ThreadSubscriptions(ctx context.Context, threadID, frequency string) ([]digest.Subscription, error) {
	return queryAll(ctx, s, scanSubscription, `SELECT `+subscriptionCols+` FROM digest_subscriptions
		WHERE target_kind = 'thread' AND target_thread_id = ? AND frequency = ? AND pending = 0
		ORDER BY rid`, threadID, frequency)
}

// ActivateSubscriptions makes a subscriber's pending subscriptions active.
func (s *Store) ActivateSubscriptions(ctx context.Context, subscriberID string) error {
	_, err := s.exec(ctx, `UPDATE digest_subscriptions SET pending = 0 WHERE subscriber_id = ? AND pending = 1`, subscriberID)
	return err
}

// DeleteSubscription removes one subscription of the subscriber; false
// when it had none with that id.
func (s *Store) DeleteSubscription(ctx context.Context, subscriberID, id string) (bool, error) {
	n, err := s.exec(ctx, `DELETE FROM digest_subscriptions WHERE id = ? AND subscriber_id = ?`, id, subscriberID)
	return n > 0, err
}

// DeleteSubscriptions removes every subscription of the subscriber and
// returns how many there were.
func (s *Store) DeleteSubscriptions(ctx context.Context, subscriberID string) (int64, error) {
	return s.exec(ctx, `DELETE FROM digest_subscriptions WHERE subscriber_id = ?`, subscriberID)
}

// importBatch is how many rows ImportSubscribers writes in one
// transaction: the writer is not held for a whole import.
const importBatch = 1000

// ImportSubscribers bulk-inserts subscribers and subscriptions (imports,
// benchmarks); those whose id (or, for a subscriber, email) exists are
// skipped. Each batch commits on its own, as MongoDB's unordered inserts do.
func (s *Store) ImportSubscribers(ctx context.Context, subs []digest.Subscriber, subscriptions []digest.Subscription) error {
	for i := 0; i < len(subs); i += importBatch {
		batch := subs[i:min(i+importBatch, len(subs))]
		if err := s.importRows(ctx, insertSubscriberSQL, len(batch), func(j int) []any { return subscriberArgs(&batch[j]) }); err != nil {
			return err
		}
	}
	for i := 0; i < len(subscriptions); i += importBatch {
		batch := subscriptions[i:min(i+importBatch, len(subscriptions))]
		if err := s.importRows(ctx, insertSubscriptionSQL, len(batch), func(j int) []any { return subscriptionArgs(&batch[j]) }); err != nil {
			return err
		}
	}
	return nil
}

// importRows runs insert (skipping rows that break a unique constraint)
// with the arguments of n rows, in one transaction.
func (s *Store) importRows(ctx context.Context, insert string, n int, args func(i int) []any) error {
	return s.inTx(ctx, func(ctx context.Context, tx querier) error {
		stmt, err := tx.PrepareContext(ctx, insert+` ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			if _, err := stmt.ExecContext(ctx, args(i)...); err != nil {
				return err
			}
		}
		return nil
	})
}
