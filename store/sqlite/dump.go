package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The store streams a whole forum out and in as portable documents
// (store/portable), table by table in the order of the key of each
// collection, which an index serves: the primary key or the unique id, and
// for read markers the expression index read_markers_key. Imports write
// through the store's own inserts (insertThread and insertPost feed the
// search index; the authority-type rows follow by trigger), a batch in one
// transaction of the writer with its statements prepared once.

// dumper reads exports and counts on q: the reader pool, or the read
// transaction of a snapshot.
type dumper struct {
	s *Store
	q querier
}

// reading is the dumper that reads on the reader pool.
func (s *Store) reading() dumper { return dumper{s, readQ{s.rstmts}} }

// ExportBatch returns up to limit documents of the collection whose key
// sorts after after, in key order.
func (s *Store) ExportBatch(ctx context.Context, collection, after string, limit int) ([]bson.Raw, error) {
	return s.reading().ExportBatch(ctx, collection, after, limit)
}

// CountCollection counts the documents of a collection.
func (s *Store) CountCollection(ctx context.Context, collection string) (int64, error) {
	return s.reading().CountCollection(ctx, collection)
}

// LastKey is the greatest key of a collection ("" when it is empty).
func (s *Store) LastKey(ctx context.Context, collection string) (string, error) {
	return s.reading().LastKey(ctx, collection)
}

// ImportBatch writes portable documents in one transaction, skipping those
// whose key exists.
func (s *Store) ImportBatch(ctx context.Context, collection string, docs []bson.Raw) error {
	t, err := tableOf(collection)
	if err != nil || len(docs) == 0 {
		return err
	}
	if collection == "posts" {
		return s.importPosts(ctx, docs)
	}
	err = s.importTx(ctx, func(q querier) error {
		for _, doc := range docs {
			if err := t.insert(ctx, q, doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import de %s : %w", collection, mapErr(err))
	}
	return nil
}

// Snapshot returns a Dumper whose exports and counts read one state of the
// database: one read transaction on a reader connection, begun by a read
// so that its snapshot is taken now. Its imports and Wipe go to the store.
// Use it from one goroutine; while it lasts, checkpoints cannot recycle the
// write-ahead log past it (the log grows with the writes made meanwhile).
func (s *Store) Snapshot(ctx context.Context) (portable.Dumper, func(), error) {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("instantané : %w", mapErr(err))
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		_ = tx.Rollback()
		return nil, nil, fmt.Errorf("instantané : %w", mapErr(err))
	}
	return snapshot{dumper{s, tx}}, func() { _ = tx.Rollback() }, nil
}

// Wipe deletes every row of every table but schema_migrations (the search
// index, the authority-type rows of threads and the change sequence
// included), in one transaction. The numbering of the change sequence
// goes on where it was (sqlite_sequence is kept), so that a process that
// applied changes never sees a number given twice.
func (s *Store) Wipe(ctx context.Context) error {
	err := s.write(ctx, func(q querier) error {
		for _, c := range portable.Collections {
			if _, err := q.ExecContext(ctx, `DELETE FROM `+dumpTables[c].table); err != nil {
				return err
			}
		}
		for _, stmt := range []string{
			`DELETE FROM thread_types`,
			`DELETE FROM changes`,
			`DELETE FROM account_tokens`, // not dumped (short-lived secrets)
			`INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')`,
			`INSERT INTO threads_fts (threads_fts) VALUES ('delete-all')`,
		} {
			if _, err := q.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("effacement de la base : %w", mapErr(err))
	}
	return nil
}

// tableOf returns the table of a collection.
func tableOf(collection string) (dumpTable, error) {
	t, ok := dumpTables[collection]
	if !ok {
		return t, portable.Known(collection)
	}
	return t, nil
}

// ExportBatch reads up to limit rows whose key sorts after after, in key
// order, as portable documents.
func (d dumper) ExportBatch(ctx context.Context, collection, after string, limit int) ([]bson.Raw, error) {
	t, err := tableOf(collection)
	if err != nil {
		return nil, err
	}
	rows, err := d.q.QueryContext(ctx, `SELECT `+t.cols+` FROM `+t.table+` WHERE `+t.key+` > ? ORDER BY `+t.key+` LIMIT ?`,
		after, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("export de %s : %w", collection, mapErr(err))
	}
	defer rows.Close()
	out := []bson.Raw{}
	for rows.Next() {
		v, err := t.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("export de %s : %w", collection, mapErr(err))
		}
		doc, err := portable.Encode(collection, v)
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("export de %s : %w", collection, mapErr(err))
	}
	return out, nil
}

// CountCollection counts the rows of the collection's table.
func (d dumper) CountCollection(ctx context.Context, collection string) (int64, error) {
	t, err := tableOf(collection)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := d.q.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table).Scan(&n); err != nil {
		return 0, fmt.Errorf("comptage de %s : %w", collection, mapErr(err))
	}
	return n, nil
}

// LastKey is the greatest key of the collection's table.
func (d dumper) LastKey(ctx context.Context, collection string) (string, error) {
	t, err := tableOf(collection)
	if err != nil {
		return "", err
	}
	var k sql.NullString
	if err := d.q.QueryRowContext(ctx, `SELECT max(`+t.key+`) FROM `+t.table).Scan(&k); err != nil {
		return "", fmt.Errorf("dernière clé de %s : %w", collection, mapErr(err))
	}
	return k.String, nil
}

// snapshot is the Dumper of one read transaction: exports and counts read
// it, imports and Wipe go to the store.
type snapshot struct{ dumper }

// ImportBatch imports into the store (not the snapshot, which only reads).
func (sn snapshot) ImportBatch(ctx context.Context, collection string, docs []bson.Raw) error {
	return sn.s.ImportBatch(ctx, collection, docs)
}

// Snapshot returns the snapshot itself: it already reads one state.
func (sn snapshot) Snapshot(context.Context) (portable.Dumper, func(), error) {
	return sn, func() {}, nil
}

// Wipe wipes the store.
func (sn snapshot) Wipe(ctx context.Context) error { return sn.s.Wipe(ctx) }

var _ portable.Dumper = (*Store)(nil)
