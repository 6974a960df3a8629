package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
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
	idx := map[string][]mongodrv.IndexModel{
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
	idx[colChanges] = []mongodrv.IndexModel{
		{Keys: bson.D{{Key: "at", Value: 1}}, Options: options.Index().SetName("at")},
	}
	for name, models := range moderationIndexes {
		idx[name] = models
	}
	mergeIndexes(idx, digestIndexes)
	mergeIndexes(idx, readMarkerIndexes)
	mergeIndexes(idx, searchIndexes)
	for name, models := range idx {
		// FerretDB v1.24 crashes the connection on createIndexes for an
		// index that already exists (seen on every restart), so only the
		// missing ones are created.
		existing, err := s.indexNames(ctx, name)
		if err != nil {
			return err
		}
		var missing []mongodrv.IndexModel
		for _, m := range models {
			if n := indexName(m); !existing[n] {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			continue
		}
		err = s.write(ctx, func(ctx context.Context) error {
			_, err := s.c(name).Indexes().CreateMany(ctx, missing)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// indexNames returns the names of a collection's indexes (none if it does not exist yet).
func (s *Store) indexNames(ctx context.Context, col string) (map[string]bool, error) {
	names := map[string]bool{}
	cur, err := s.c(col).Indexes().List(ctx)
	if err != nil {
		return nil, err
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, err
	}
	for _, sp := range specs {
		names[sp.Name] = true
	}
	return names, nil
}

func indexName(m mongodrv.IndexModel) string {
	var o options.IndexOptions
	for _, f := range m.Options.List() {
		_ = f(&o)
	}
	if o.Name != nil {
		return *o.Name
	}
	return ""
}
