package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"coterforum/store"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DefaultBatch is how many documents are read, written and imported at a
// time.
const DefaultBatch = 1000

// BackupOptions say where a backup comes from.
type BackupOptions struct {
	// Engine names the source engine ("sqlite", "mongodb").
	Engine string
	// SchemaVersion is the source's schema version, 0 when unknown.
	SchemaVersion int
	// Batch is how many documents are read at a time (DefaultBatch).
	Batch int
	// Warn receives a one-line warning (no snapshot reads: the backup is
	// read collection by collection).
	Warn func(string)
}

// BackupSummary is what a backup wrote.
type BackupSummary struct {
	Collections []CollectionCount
	Documents   int64
	// Consistent says every collection was read from one snapshot.
	Consistent bool
	Bytes      int64
	Elapsed    time.Duration
}

// Backup writes the whole forum d holds to an archive at path, read from
// one snapshot where the store has them; without snapshot reads (a MongoDB
// deployment without them, such as FerretDB) it warns and reads
// collection by collection.
func Backup(ctx context.Context, d store.Dumper, path string, opt BackupOptions) (BackupSummary, error) {
	start := time.Now()
	if opt.Batch <= 0 {
		opt.Batch = DefaultBatch
	}
	src, release, consistent, err := snapshot(ctx, d, opt.Warn)
	if err != nil {
		return BackupSummary{}, err
	}
	defer release()
	h := Header{Engine: opt.Engine, CreatedAt: start.UTC(), SchemaVersion: opt.SchemaVersion, Consistent: consistent}
	for _, c := range store.Collections {
		n, err := src.CountCollection(ctx, c)
		if err != nil {
			return BackupSummary{}, fmt.Errorf("comptage de %s : %w", c, err)
		}
		h.Collections = append(h.Collections, CollectionCount{Name: c, Count: n})
	}
	w, err := Create(path, h)
	if err != nil {
		return BackupSummary{}, err
	}
	for _, c := range store.Collections {
		err := exportCollection(ctx, src, c, "", opt.Batch, func(docs []bson.Raw) error {
			return w.WriteBatch(c, docs)
		})
		if err != nil {
			w.Abort()
			return BackupSummary{}, err
		}
		if err := w.WriteBatch(c, nil); err != nil {
			w.Abort()
			return BackupSummary{}, err
		}
	}
	size, err := w.Commit()
	if err != nil {
		return BackupSummary{}, err
	}
	s := BackupSummary{Collections: w.Counts(), Consistent: consistent, Bytes: size, Elapsed: time.Since(start)}
	for _, c := range s.Collections {
		s.Documents += c.Count
	}
	return s, nil
}

// snapshot opens a consistent view of d, or d itself, with a warning,
// when the deployment has no snapshot reads.
func snapshot(ctx context.Context, d store.Dumper, warn func(string)) (store.Dumper, func(), bool, error) {
	snap, release, err := d.Snapshot(ctx)
	if err == nil {
		return snap, release, true, nil
	}
	if errors.Is(err, store.ErrNoSnapshot) {
		if warn != nil {
			warn("attention : cette base n'offre pas de lecture instantanée (snapshot) ; lecture collection par collection, à faire de préférence forum arrêté")
		}
		return d, func() {}, false, nil
	}
	return nil, nil, false, fmt.Errorf("lecture instantanée de la base : %w", err)
}

// exportCollection reads a collection in key order after the key after,
// batch by batch, and hands each batch to fn.
func exportCollection(ctx context.Context, d store.Dumper, collection, after string, batch int, fn func([]bson.Raw) error) error {
	for {
		docs, err := d.ExportBatch(ctx, collection, after, batch)
		if err != nil {
			return fmt.Errorf("lecture de %s : %w", collection, err)
		}
		if len(docs) == 0 {
			return nil
		}
		if err := fn(docs); err != nil {
			return err
		}
		next, err := lastKey(docs)
		if err != nil {
			return fmt.Errorf("lecture de %s : %w", collection, err)
		}
		if next <= after {
			return fmt.Errorf("lecture de %s : les clés ne progressent pas après %q", collection, after)
		}
		after = next
	}
}

// lastKey is the key of the last document of a batch.
func lastKey(docs []bson.Raw) (string, error) {
	v, err := docs[len(docs)-1].LookupErr("_id")
	if err != nil {
		return "", errors.New("document sans _id")
	}
	k, ok := v.StringValueOK()
	if !ok {
		return "", fmt.Errorf("_id de type %s au lieu d'une chaîne", v.Type)
	}
	return k, nil
}
