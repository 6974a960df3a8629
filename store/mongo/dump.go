package mongo

import (
	"context"
	"errors"
	"fmt"

	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The store streams a whole forum out and in as portable documents
// (store/portable). A collection is read by ranges of _id (the _id index,
// byte order), each document decoded into its Go type and encoded again,
// so that it leaves in the one portable form whatever updates shaped it
// here. Imports decode each document into its Go type and insert it as the
// store's own insert does, with what the store derives (dump_import.go).

// ErrNoSnapshot is returned (wrapped) by Snapshot when the deployment has
// no snapshot reads: a standalone server, or FerretDB (the test double).
var ErrNoSnapshot = errors.New("cette base MongoDB ne permet pas de lecture cohérente (snapshot) : il faut un replica set")

// dumper reads exports and counts in sess when it is not nil (a snapshot
// session), else as every read of the store.
type dumper struct {
	s    *Store
	sess *mongodrv.Session
}

// in returns ctx carrying the dumper's session, if any.
func (d dumper) in(ctx context.Context) context.Context {
	if d.sess == nil {
		return ctx
	}
	return mongodrv.NewSessionContext(ctx, d.sess)
}

// ExportBatch returns up to limit documents of the collection whose _id
// sorts after after, in _id order.
func (s *Store) ExportBatch(ctx context.Context, collection, after string, limit int) ([]bson.Raw, error) {
	return dumper{s: s}.ExportBatch(ctx, collection, after, limit)
}

// CountCollection counts the documents of a collection.
func (s *Store) CountCollection(ctx context.Context, collection string) (int64, error) {
	return dumper{s: s}.CountCollection(ctx, collection)
}

// LastKey is the greatest _id of a collection ("" when it is empty).
func (s *Store) LastKey(ctx context.Context, collection string) (string, error) {
	return dumper{s: s}.LastKey(ctx, collection)
}

// changeCounterOut keeps the counter that numbers the change sequence out
// of counters: it belongs to this database's sequence, not to the forum.
var changeCounterOut = bson.E{Key: "$ne", Value: changeCounter}

// dumpFilter is the filter of a collection's documents whose _id is above
// after ("": all of them).
func dumpFilter(collection, after string) bson.D {
	id := bson.D{}
	if after != "" {
		id = append(id, bson.E{Key: "$gt", Value: after})
	}
	if collection == colCounters {
		id = append(id, changeCounterOut)
	}
	if len(id) == 0 {
		return bson.D{}
	}
	return bson.D{{Key: "_id", Value: id}}
}

// ExportBatch reads a range of _id as portable documents.
func (d dumper) ExportBatch(ctx context.Context, collection, after string, limit int) ([]bson.Raw, error) {
	if err := portable.Known(collection); err != nil {
		return nil, err
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	if p := dumpProjection(collection); p != nil {
		opts.SetProjection(p)
	}
	ctx = d.in(ctx)
	cur, err := d.s.c(collection).Find(ctx, dumpFilter(collection, after), opts)
	if err != nil {
		return nil, fmt.Errorf("export de %s : %w", collection, err)
	}
	var raws []bson.Raw
	if err := cur.All(ctx, &raws); err != nil {
		return nil, fmt.Errorf("export de %s : %w", collection, err)
	}
	out, err := d.portableDocs(ctx, collection, raws)
	if err != nil {
		return nil, fmt.Errorf("export de %s : %w", collection, err)
	}
	return out, nil
}

// CountCollection counts the documents of a collection.
func (d dumper) CountCollection(ctx context.Context, collection string) (int64, error) {
	if err := portable.Known(collection); err != nil {
		return 0, err
	}
	n, err := d.s.c(collection).CountDocuments(d.in(ctx), dumpFilter(collection, ""))
	if err != nil {
		return 0, fmt.Errorf("comptage de %s : %w", collection, err)
	}
	return n, nil
}

// LastKey is the greatest _id of a collection.
func (d dumper) LastKey(ctx context.Context, collection string) (string, error) {
	if err := portable.Known(collection); err != nil {
		return "", err
	}
	var doc struct {
		ID string `bson:"_id"`
	}
	err := d.s.c(collection).FindOne(d.in(ctx), dumpFilter(collection, ""), options.FindOne().
		SetSort(bson.D{{Key: "_id", Value: -1}}).SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&doc)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("dernière clé de %s : %w", collection, err)
	}
	return doc.ID, nil
}

// ImportBatch writes portable documents, skipping those whose _id exists.
func (d dumper) ImportBatch(ctx context.Context, collection string, docs []bson.Raw) error {
	return d.s.ImportBatch(ctx, collection, docs)
}

// Snapshot returns the snapshot itself: it already reads one state.
func (d dumper) Snapshot(context.Context) (portable.Dumper, func(), error) {
	return d, func() {}, nil
}

// Wipe wipes the store.
func (d dumper) Wipe(ctx context.Context) error { return d.s.Wipe(ctx) }

// Snapshot returns a Dumper whose exports and counts read one state of the
// database: a session with snapshot reads, whose first read (made here)
// fixes the time it reads at. A deployment without them (a standalone
// server, FerretDB) gives an error wrapping ErrNoSnapshot. MongoDB keeps
// the history a snapshot reads for minSnapshotHistoryWindowInSeconds (300 s
// by default): a longer export fails with SnapshotTooOld unless that
// server parameter is raised. Use a snapshot from one goroutine.
func (s *Store) Snapshot(ctx context.Context) (portable.Dumper, func(), error) {
	if err := s.snapshotReads(ctx); err != nil {
		return nil, nil, err
	}
	sess, err := s.client.StartSession(options.Session().SetSnapshot(true))
	if err != nil {
		return nil, nil, fmt.Errorf("instantané : %w", err)
	}
	d := dumper{s: s, sess: sess}
	release := func() { sess.EndSession(context.Background()) }
	if _, err := d.LastKey(ctx, colThemes); err != nil {
		release()
		return nil, nil, fmt.Errorf("instantané : %w", err)
	}
	return d, release, nil
}

// snapshotReads says whether the deployment reads snapshots: a replica set
// or a sharded cluster of MongoDB (not FerretDB, which answers as one but
// reads the latest data).
func (s *Store) snapshotReads(ctx context.Context) error {
	var hello struct {
		SetName string `bson:"setName"`
		Msg     string `bson:"msg"`
	}
	if err := s.db.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return fmt.Errorf("instantané : %w", err)
	}
	var build bson.Raw
	if err := s.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&build); err != nil {
		return fmt.Errorf("instantané : %w", err)
	}
	if _, err := build.LookupErr("ferretdbVersion"); err == nil {
		return fmt.Errorf("%w (FerretDB)", ErrNoSnapshot)
	}
	if hello.SetName == "" && hello.Msg != "isdbgrid" {
		return fmt.Errorf("%w (serveur seul)", ErrNoSnapshot)
	}
	return nil
}

// Wipe deletes every document of every collection (keeping their
// indexes), the message bodies and the change sequence with them. The
// counter that numbers the sequence is kept, so that a number is never
// given twice; the record of the data migrations too.
func (s *Store) Wipe(ctx context.Context) error {
	// Account tokens are not dumped (short-lived secrets) but go with the rest.
	cols := append(append([]string{}, portable.Collections...), colDigestBodies, colChanges, colAccountTokens)
	for _, col := range cols {
		filter := bson.D{}
		if col == colCounters {
			filter = bson.D{{Key: "_id", Value: bson.D{changeCounterOut}}}
		}
		if _, err := s.dgDelete(ctx, col, filter); err != nil {
			return fmt.Errorf("effacement de %s : %w", col, err)
		}
	}
	return nil
}

var _ portable.Dumper = (*Store)(nil)
