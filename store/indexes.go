package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names.
const (
	colThemes         = "themes"
	colAuthorityTypes = "authority_types"
	colMembers        = "members"
	colSessions       = "sessions"
	colInvites        = "invites"
	colThreads        = "threads"
	colPosts          = "posts"
	colSecrets        = "secrets"
	colCounters       = "counters"
)

// ensureIndexes creates the indexes; creating an existing index is a no-op.
func (s *Store) ensureIndexes(ctx context.Context) error {
	idx := map[string][]mongo.IndexModel{
		colMembers: {
			{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).SetName("email_unique")},
		},
		colSessions: {
			{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetName("expires_at")},
			{Keys: bson.D{{Key: "member_id", Value: 1}}, Options: options.Index().SetName("member_id")},
		},
		colThreads: {
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "last_activity_at", Value: -1}}, Options: options.Index().SetName("status_activity")},
			{Keys: bson.D{{Key: "theme", Value: 1}, {Key: "status", Value: 1}, {Key: "last_activity_at", Value: -1}}, Options: options.Index().SetName("theme_status_activity")},
			{Keys: bson.D{{Key: "authority_types", Value: 1}, {Key: "status", Value: 1}, {Key: "last_activity_at", Value: -1}}, Options: options.Index().SetName("authority_status_activity")},
		},
		colPosts: {
			{Keys: bson.D{{Key: "thread_id", Value: 1}, {Key: "created_at", Value: 1}}, Options: options.Index().SetName("thread_created")},
			{Keys: bson.D{{Key: "author.id", Value: 1}, {Key: "created_at", Value: -1}}, Options: options.Index().SetName("author_created")},
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "created_at", Value: 1}}, Options: options.Index().SetName("status_created")},
		},
	}
	for name, models := range idx {
		err := s.write(ctx, func(ctx context.Context) error {
			_, err := s.c(name).Indexes().CreateMany(ctx, models)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
