package mongo

import (
	"context"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// InsertMember adds a member; forum.ErrDuplicate if the email is taken.
func (s *Store) InsertMember(ctx context.Context, m *forum.Member) error {
	return s.insert(ctx, colMembers, m)
}

// MemberByID returns the member with that id.
func (s *Store) MemberByID(ctx context.Context, id string) (*forum.Member, error) {
	var m forum.Member
	if err := s.findOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// MemberByEmail returns the member with that (lower-cased) email.
func (s *Store) MemberByEmail(ctx context.Context, email string) (*forum.Member, error) {
	var m forum.Member
	if err := s.findOne(ctx, colMembers, bson.D{{Key: "email", Value: email}}, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// UpdateMemberProfile changes the public profile of a member.
func (s *Store) UpdateMemberProfile(ctx context.Context, id, displayName, authority, authorityType, lang string) error {
	return s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "display_name", Value: displayName},
		{Key: "authority", Value: authority},
		{Key: "authority_type", Value: authorityType},
		{Key: "lang", Value: lang},
	}}})
}

// SetMemberPassword replaces a member's password hash.
func (s *Store) SetMemberPassword(ctx context.Context, id, hash string) error {
	return s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "password_hash", Value: hash}}}})
}

// IncMemberApprovedPosts adds delta to the member's approved post count.
func (s *Store) IncMemberApprovedPosts(ctx context.Context, id string, delta int) error {
	return s.updateOne(ctx, colMembers, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "approved_posts", Value: delta}}}})
}

// CountMembers returns the number of members.
func (s *Store) CountMembers(ctx context.Context) (int64, error) {
	return s.c(colMembers).CountDocuments(ctx, bson.D{})
}

// InsertSession stores a new session.
func (s *Store) InsertSession(ctx context.Context, sess *forum.Session) error {
	return s.insert(ctx, colSessions, sess)
}

// SessionByID returns the session with that id (the hash of the cookie).
func (s *Store) SessionByID(ctx context.Context, id string) (*forum.Session, error) {
	var sess forum.Session
	if err := s.findOne(ctx, colSessions, bson.D{{Key: "_id", Value: id}}, &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

// DeleteSession removes one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		return err
	}))
}

// DeleteMemberSessions removes every session of a member.
func (s *Store) DeleteMemberSessions(ctx context.Context, memberID string) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colSessions).DeleteMany(ctx, bson.D{{Key: "member_id", Value: memberID}})
		return err
	}))
}

// DeleteExpiredSessions removes sessions expired at now and says how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context) error {
		res, err := s.c(colSessions).DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: now}}}})
		if err == nil {
			n = res.DeletedCount
		}
		return err
	})
	return n, mapErr(err)
}

// InsertInvite stores an invitation.
func (s *Store) InsertInvite(ctx context.Context, inv *forum.Invite) error {
	return s.insert(ctx, colInvites, inv)
}

// InviteByID returns the invitation with that id (the hash of the token).
func (s *Store) InviteByID(ctx context.Context, id string) (*forum.Invite, error) {
	var inv forum.Invite
	if err := s.findOne(ctx, colInvites, bson.D{{Key: "_id", Value: id}}, &inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

// UseInvite marks an unused, unexpired invitation used, in one conditional update.
func (s *Store) UseInvite(ctx context.Context, id string, now time.Time) (bool, error) {
	return s.useOnce(ctx, colInvites, id, now)
}

// useOnce marks the document id of col used at now if it is unused and
// unexpired, in one conditional update (invitations, account links): of two
// requests with one token, one wins.
func (s *Store) useOnce(ctx context.Context, col, id string, now time.Time) (bool, error) {
	err := s.updateOne(ctx, col, bson.D{
		{Key: "_id", Value: id},
		{Key: "used_at", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "expires_at", Value: bson.D{{Key: "$gt", Value: now}}},
	}, bson.D{{Key: "$set", Value: bson.D{{Key: "used_at", Value: now}}}})
	if err == forum.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// ListInvites returns the latest invitations.
func (s *Store) ListInvites(ctx context.Context, limit int) ([]forum.Invite, error) {
	return findAll[forum.Invite](ctx, s, colInvites, bson.D{},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}}).SetLimit(int64(limit)))
}
