package mongo

import (
	"context"
	"errors"
	"strings"
	"time"

	"coterforum/digest"
	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var _ forum.AccountTokenStore = (*Store)(nil)

// colAccountTokens holds password-reset and email-change tokens, by the
// SHA-256 of their secret.
const colAccountTokens = "account_tokens"

// accountTokenIndexes serve DeleteMemberAccountTokens and
// DeleteExpiredAccountTokens (the others read by _id).
var accountTokenIndexes = map[string][]index{
	colAccountTokens: {
		{name: "account_tokens_member_v1", keys: keys("member_id", 1, "kind", 1)},
		{name: "account_tokens_expires_v1", keys: keys("expires_at", 1)},
	},
}

// InsertAccountToken stores a password-reset or email-change token.
func (s *Store) InsertAccountToken(ctx context.Context, t *forum.AccountToken) error {
	return s.insert(ctx, colAccountTokens, t)
}

// AccountTokenByID returns the token with that id (the hash of the secret).
func (s *Store) AccountTokenByID(ctx context.Context, id string) (*forum.AccountToken, error) {
	var t forum.AccountToken
	if err := s.findOne(ctx, colAccountTokens, bson.D{{Key: "_id", Value: id}}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// UseAccountToken marks an unused, unexpired token used, in one conditional update.
func (s *Store) UseAccountToken(ctx context.Context, id string, now time.Time) (bool, error) {
	return s.useOnce(ctx, colAccountTokens, id, now)
}

// DeleteMemberAccountTokens removes the member's tokens of a kind ("": all).
func (s *Store) DeleteMemberAccountTokens(ctx context.Context, memberID, kind string) error {
	filter := bson.D{{Key: "member_id", Value: memberID}}
	if kind != "" {
		filter = append(filter, bson.E{Key: "kind", Value: kind})
	}
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colAccountTokens).DeleteMany(ctx, filter)
		return err
	}))
}

// DeleteExpiredAccountTokens removes the tokens expired at now.
func (s *Store) DeleteExpiredAccountTokens(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context) error {
		res, err := s.c(colAccountTokens).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now}}}})
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	return n, mapErr(err)
}

// SetMemberEmail changes a member's address; forum.ErrDuplicate if taken
// (the unique index on email).
// FerretDB, the test double, answers a unique-index violation by an update
// with an internal error rather than a duplicate-key one: the address is
// looked up first, and its error text is recognised too.
func (s *Store) SetMemberEmail(ctx context.Context, memberID, email string) error {
	var other forum.Member
	err := s.findOne(ctx, colMembers, bson.D{{Key: "email", Value: email}}, &other)
	switch {
	case err == nil && other.ID != memberID:
		return forum.ErrDuplicate
	case err != nil && !errors.Is(err, forum.ErrNotFound):
		return err
	}
	err = s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: memberID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: email}}}})
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return forum.ErrDuplicate
	}
	return err
}

var _ digest.SubscriberEmailStore = (*Store)(nil)

// SetSubscriberEmail sets a subscriber's address (a member's that changed).
func (s *Store) SetSubscriberEmail(ctx context.Context, id, email string) error {
	_, err := s.dgUpdate(ctx, colDigestSubscribers, dg("_id", id), dg("$set", dg("email", email)))
	return err
}
