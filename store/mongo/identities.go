package mongo

import (
	"context"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colIdentities holds the identity links (OpenID Connect, ProConnect).
const colIdentities = "identities"

// identityIndexes: one link per (issuer, subject) and per (member, issuer);
// the second also serves IdentitiesOf and DeleteIdentitiesOf.
var identityIndexes = map[string][]index{
	colIdentities: {
		{name: "identities_subject_v1", keys: keys("issuer", 1, "subject", 1), unique: true},
		{name: "identities_member_v1", keys: keys("member_id", 1, "issuer", 1), unique: true},
	},
}

// InsertIdentity adds an identity link; forum.ErrDuplicate when (issuer,
// subject) or (member, issuer) is taken.
func (s *Store) InsertIdentity(ctx context.Context, id *forum.Identity) error {
	return s.insert(ctx, colIdentities, id)
}

// IdentityBySubject returns the link of (issuer, subject).
func (s *Store) IdentityBySubject(ctx context.Context, issuer, subject string) (*forum.Identity, error) {
	var id forum.Identity
	if err := s.findOne(ctx, colIdentities, bson.D{{Key: "issuer", Value: issuer}, {Key: "subject", Value: subject}}, &id); err != nil {
		return nil, err
	}
	return &id, nil
}

// IdentitiesOf returns the member's links, by issuer.
func (s *Store) IdentitiesOf(ctx context.Context, memberID string) ([]forum.Identity, error) {
	return findAll[forum.Identity](ctx, s, colIdentities, bson.D{{Key: "member_id", Value: memberID}},
		options.Find().SetSort(bson.D{{Key: "member_id", Value: 1}, {Key: "issuer", Value: 1}}))
}

// RecordIdentityLogin updates the link's email, SIRET, SIREN and last login.
func (s *Store) RecordIdentityLogin(ctx context.Context, issuer, subject, email, siret, siren string, at time.Time) error {
	return s.updateOne(ctx, colIdentities, bson.D{{Key: "issuer", Value: issuer}, {Key: "subject", Value: subject}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: email}, {Key: "siret", Value: siret},
			{Key: "siren", Value: siren}, {Key: "last_login_at", Value: at}}}})
}

// DeleteIdentitiesOf deletes every link of the member.
func (s *Store) DeleteIdentitiesOf(ctx context.Context, memberID string) error {
	return mapErr(s.write(ctx, func(ctx context.Context) error {
		_, err := s.c(colIdentities).DeleteMany(ctx, bson.D{{Key: "member_id", Value: memberID}})
		return err
	}))
}
