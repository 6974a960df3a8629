package mongo

import (
	"context"
	"fmt"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colMigrations records the one-time data changes done on the database
// ({_id: name, done_at}), and the completed search backfills (search.go).
const colMigrations = "migrations"

// migrationIndexes: the collection is read by _id only.
var migrationIndexes = map[string][]index{colMigrations: nil}

// migration is a one-time change of the documents an earlier version
// wrote. It is idempotent (each update is conditional on the field it adds
// being absent), so replicas starting together may run it together. A
// replica of the earlier version still writing after it ran is not caught
// up: stop the earlier version before starting this one.
type migration struct {
	name string
	run  func(ctx context.Context, s *Store) error
}

// migrations are run in order at start, each once.
var migrations = []migration{
	{"posts_thread_scope_v1", migratePostScopes},
	{"posts_publication_v1", migratePostPublications},
	{"neutral_text_v1", migrateNeutralText},
}

// migrationPage is how many documents a migration reads, and updates in
// one bulkWrite, at a time: FerretDB, the test double, does not answer a
// bulkWrite of 100 updates (measured: 99 pass, 100 hang).
const migrationPage = 50

// migrate runs the migrations not yet recorded.
func (s *Store) migrate(ctx context.Context) error {
	for _, m := range migrations {
		done, err := s.migrated(ctx, m.name)
		if err != nil {
			return err
		}
		if done {
			continue
		}
		s.log.Info("migration des données", "migration", m.name)
		if err := m.run(ctx, s); err != nil {
			return fmt.Errorf("migration %s : %w", m.name, err)
		}
		if err := s.recordMigration(ctx, m.name); err != nil {
			return err
		}
	}
	return nil
}

// migrated reports whether the named migration (or backfill) is done.
func (s *Store) migrated(ctx context.Context, name string) (bool, error) {
	var doc bson.Raw
	err := s.findOne(ctx, colMigrations, bson.D{{Key: "_id", Value: name}}, &doc)
	if err == forum.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

// recordMigration records that the named migration (or backfill) is done.
func (s *Store) recordMigration(ctx context.Context, name string) error {
	err := s.insert(ctx, colMigrations, bson.D{{Key: "_id", Value: name}, {Key: "done_at", Value: time.Now().UTC()}})
	if err == forum.ErrDuplicate {
		return nil
	}
	return err
}

// eachPage calls fn with the documents of col matching filter, by pages of
// migrationPage in _id order (each page one range of the _id index).
func eachPage[T any](ctx context.Context, s *Store, col string, filter bson.D, projection bson.D, id func(*T) string, fn func([]T) error) error {
	after := ""
	for {
		f := append(bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}}, filter...)
		page, err := findAll[T](ctx, s, col, f, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).
			SetLimit(migrationPage).SetProjection(projection))
		if err != nil || len(page) == 0 {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		if len(page) < migrationPage {
			return nil
		}
		after = id(&page[len(page)-1])
	}
}

// migratePostScopes gives the posts written before threadscope.go their
// thread's scope: every such post is first numbered 0, then each thread
// without a scope number gets one and copies its scope onto its posts.
func migratePostScopes(ctx context.Context, s *Store) error {
	err := s.updateMany(ctx, colPosts, bson.D{{Key: "thread_seq", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: postScope{ThreadTypes: []string{}}}})
	if err != nil {
		return err
	}
	unnumbered := bson.D{{Key: "scope_seq", Value: bson.D{{Key: "$exists", Value: false}}}}
	return eachPage(ctx, s, colThreads, unnumbered, bson.D{{Key: "_id", Value: 1}},
		func(sc *scope) string { return sc.ID },
		func(page []scope) error {
			for _, th := range page {
				// $inc from nothing: 1, unless a change got there first
				// (then it numbered and copied the scope itself).
				filter := append(bson.D{{Key: "_id", Value: th.ID}}, unnumbered...)
				if _, err := s.changeScope(ctx, filter, bson.D{}); err != nil {
					return err
				}
			}
			return nil
		})
}

// migratePostPublications gives the posts written before published.go
// their publication time and day, in bulk writes of a page each.
func migratePostPublications(ctx context.Context, s *Store) error {
	missing := bson.D{{Key: "published_day", Value: bson.D{{Key: "$exists", Value: false}}}}
	return eachPage(ctx, s, colPosts, missing,
		bson.D{{Key: "_id", Value: 1}, {Key: "created_at", Value: 1}, {Key: "decision", Value: 1}},
		func(p *forum.Post) string { return p.ID },
		func(page []forum.Post) error {
			models := make([]mongodrv.WriteModel, len(page))
			for i := range page {
				pub := publicationOf(&page[i])
				models[i] = mongodrv.NewUpdateOneModel().
					SetFilter(append(bson.D{{Key: "_id", Value: page[i].ID}}, missing...)).
					SetUpdate(bson.D{{Key: "$set", Value: pub}})
			}
			return mapErr(s.write(ctx, func(ctx context.Context) error {
				_, err := s.c(colPosts).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
				return err
			}))
		})
}
