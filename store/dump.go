package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Collections are what a whole forum is made of, in the order a copy or a
// restore writes them (what a document refers to is written before it).
// The change sequence, the search index, the authority-type rows of
// threads and each engine's migration record are not among them: they
// belong to one database and are rebuilt by the engine that imports.
var Collections = []string{
	"themes", "authority_types", "members", "sessions", "invites",
	"threads", "posts", "read_markers", "reports", "audit", "notifications",
	"digest_subscribers", "digest_subscriptions", "digest_runs", "digest_leases",
	"digest_marks", "digest_keys", "digest_outbox", "digest_log",
	"secrets", "counters",
}

// Dumper streams a whole forum out of a store and into another, entity by
// entity, with its ids. A document is in the portable form, the same on
// both engines for the same forum: a BSON document whose "_id" is a string
// key (its order is byte order on both engines), with the entity's fields
// as the domain types name them in BSON, times in UTC milliseconds, and
// nothing an engine derives (search terms, copied scope fields).
type Dumper interface {
	// ExportBatch returns up to limit documents of the collection whose
	// key sorts after the key after ("" starts at the beginning), in key
	// order.
	ExportBatch(ctx context.Context, collection, after string, limit int) ([]bson.Raw, error)
	// ImportBatch writes documents as ExportBatch gives them, keys kept,
	// with what the engine derives from them (search index…). On SQLite a
	// batch commits whole or not at all. A document whose key exists is
	// skipped, so that an interrupted copy can be resumed.
	ImportBatch(ctx context.Context, collection string, docs []bson.Raw) error
	// CountCollection counts the documents of a collection.
	CountCollection(ctx context.Context, collection string) (int64, error)
	// LastKey is the greatest key of a collection ("" when it is empty).
	LastKey(ctx context.Context, collection string) (string, error)
	// Snapshot returns a Dumper whose exports and counts all read one
	// consistent state of the database, until release is called (SQLite:
	// one read transaction; MongoDB: a snapshot session where the
	// deployment has them, else an error saying so).
	Snapshot(ctx context.Context) (snap Dumper, release func(), err error)
	// Wipe deletes every document of every collection, and the search
	// index and change sequence with them (restore --force).
	Wipe(ctx context.Context) error
}
