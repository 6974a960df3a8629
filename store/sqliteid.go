package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
)

// idIndexCollections are the collections whose documents the embedded
// store reads or updates by _id on hot paths (search results, thread pages,
// a reply's counters, sessions, read markers).
var idIndexCollections = []string{colPosts, colThreads, colMembers, colSessions, colReadMarkers}

// addSQLiteIDIndexes makes an exact {_id: …} lookup on the embedded store
// an index search instead of a table scan. FerretDB v1.24 filters it in
// SQL as `_ferretdb_sjson->'$._id' = ?`, but its own _id index is on the
// expression `_ferretdb_sjson->"_id"`, which SQLite does not consider the
// same: every lookup scanned the table (~150 ms at 10 000 posts). An index
// on the very expression of the query fixes that. FerretDB does not know
// this index (it lists the indexes from its metadata table), and it goes
// away with its table. It is created through the "sqlite" driver that
// FerretDB registers, on the database file FerretDB uses, before serving.
func (s *Store) addSQLiteIDIndexes(ctx context.Context, dir, database string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, database+".sqlite")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, col := range idIndexCollections {
		var table string
		err := db.QueryRowContext(ctx, `SELECT table_name FROM "_ferretdb_collections" WHERE name = ?`, col).Scan(&table)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return fmt.Errorf("collection %s: %w", col, err)
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"_coterforum_id_expr", table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("collection %s: %w", col, err)
		}
	}
	return nil
}
