package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrations holds the schema, one numbered file a change:
// NNNN_what.sql. A migration is applied once, in its own transaction, and
// recorded in schema_migrations; a released migration is never edited, a
// change is a new file.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations in order.
func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration mal nommée : %s (attendu NNNN_nom.sql)", name)
		}
		b, err := migrations.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(name, ".sql"), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations : %s devrait porter le numéro %d", m.name, i+1)
		}
	}
	return out, nil
}

// migrate applies the migrations the database lacks. A database written by
// a newer coterforum (a migration this binary does not know) is refused.
func migrate(ctx context.Context, db *sql.DB, log *slog.Logger) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return mapErr(err)
	}
	var current int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return mapErr(err)
	}
	if current > len(ms) {
		return fmt.Errorf("schéma version %d, plus récent que ce programme (version %d) : utilisez une version plus récente de coterforum", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := applyMigration(ctx, db, m); err != nil {
			return fmt.Errorf("migration %s : %w", m.name, err)
		}
		if log != nil {
			log.Info("schéma mis à jour", "migration", m.name)
		}
	}
	return nil
}

// applyMigration runs one migration and records it, in one transaction
// (BEGIN IMMEDIATE: a second process opening the database at the same time
// waits, then finds it applied).
func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	var done int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&done); err != nil {
		return mapErr(err)
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return mapErr(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.version, m.name, time.Now().UnixMilli()); err != nil {
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// neutralTextMigration rewrites what earlier versions stored in French
// (deleted members' names, removed posts' placeholder, task-list labels).
const neutralTextMigration = "migrations/0004_neutral_text.sql"

// RewriteLegacyText runs again the migration that rewrites what earlier
// versions stored in French; it changes nothing in rows written since
// (each update is conditional on the French value). A restore or a copy
// from an archive of an earlier version calls it after importing.
func (s *Store) RewriteLegacyText(ctx context.Context) error {
	b, err := migrations.ReadFile(neutralTextMigration)
	if err != nil {
		return err
	}
	return s.write(ctx, func(q querier) error {
		_, err := q.ExecContext(ctx, string(b))
		return err
	})
}
