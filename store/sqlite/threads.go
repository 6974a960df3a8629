package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"coterforum/forum"
)

// threadCols are the columns scanThread reads, in its order.
const threadCols = `id, theme, authority_types, title, author_id, author_name, author_authority, author_authority_type,
	status, locked, pinned, first_post_id, post_count, created_at, last_activity_at, last_post_id, last_author`

// threadColsOf is threadCols qualified by a table alias.
func threadColsOf(alias string) string {
	cols := strings.Split(threadCols, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// scanThread reads a row of threadCols.
func scanThread(r scanner) (forum.Thread, error) {
	var t forum.Thread
	var types string
	var locked, pinned int
	var created, activity int64
	err := r.Scan(&t.ID, &t.Theme, &types, &t.Title, &t.Author.ID, &t.Author.DisplayName, &t.Author.Authority, &t.Author.AuthorityType,
		&t.Status, &locked, &pinned, &t.FirstPostID, &t.PostCount, &created, &activity, &t.LastPostID, &t.LastAuthor)
	if err != nil {
		return t, err
	}
	t.AuthorityTypes = strList(types)
	t.Locked, t.Pinned = locked != 0, pinned != 0
	t.CreatedAt, t.LastActivityAt = tm(created), tm(activity)
	return t, nil
}

// InsertThread stores a new thread with its title's search terms.
func (s *Store) InsertThread(ctx context.Context, t *forum.Thread) error {
	if t.TitleTerms == nil {
		t.TitleTerms = forum.SearchTerms(t.Title)
	}
	return s.write(ctx, func(q querier) error { return insertThread(ctx, q, t) })
}

// insertThread writes the thread and its title's terms on q (its
// authority-type rows follow by trigger).
func insertThread(ctx context.Context, q querier, t *forum.Thread) error {
	types := t.AuthorityTypes
	if types == nil {
		types = []string{}
	}
	res, err := q.ExecContext(ctx, `INSERT INTO threads (`+threadCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Theme, jsonText(types), t.Title, t.Author.ID, t.Author.DisplayName, t.Author.Authority, t.Author.AuthorityType,
		t.Status, b2i(t.Locked), b2i(t.Pinned), t.FirstPostID, t.PostCount, ms(t.CreatedAt), ms(t.LastActivityAt), t.LastPostID, t.LastAuthor)
	if err != nil {
		return err
	}
	rid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	return setTerms(ctx, q, "threads_fts", rid, t.TitleTerms, false)
}

// ThreadByID returns the thread with that id, whatever its status.
func (s *Store) ThreadByID(ctx context.Context, id string) (*forum.Thread, error) {
	t, err := queryOne(ctx, s, scanThread, `SELECT `+threadCols+` FROM threads WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ThreadsByIDs returns the threads with these ids, in no particular order.
func (s *Store) ThreadsByIDs(ctx context.Context, ids []string) ([]forum.Thread, error) {
	if len(ids) == 0 {
		return []forum.Thread{}, nil
	}
	return queryAll(ctx, s, scanThread, `SELECT `+threadCols+` FROM threads WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
}

// threadQuery builds the listing query of published (or statuses)
// threads filtered by theme, authority type, author and pinning (pinned
// < 0: either): an authority type reads thread_types, whose indexes keep
// each type's threads in order. order is the ORDER BY of the listing, on
// columns both tables have.
func threadQuery(theme, authorityType, authorID string, statuses []string, pinned int, order string) (string, []any) {
	if len(statuses) == 0 {
		statuses = []string{forum.ThreadPublished}
	}
	var where []string
	var args []any
	from, a := "threads t", "t"
	cols := strings.NewReplacer("pinned", "t.pinned", "last_activity_at", "t.last_activity_at", "id", "t.id")
	if authorityType != "" {
		from, a = "thread_types x JOIN threads t ON t.id = x.thread_id", "x"
		where = append(where, "x.authority_type = ?")
		args = append(args, authorityType)
		cols = strings.NewReplacer("pinned", "x.pinned", "last_activity_at", "x.last_activity_at", "id", "x.thread_id")
	}
	if theme != "" {
		where = append(where, a+".theme = ?")
		args = append(args, theme)
	}
	where = append(where, a+".status IN ("+placeholders(len(statuses))+")")
	args = append(args, anys(statuses)...)
	if pinned >= 0 {
		where = append(where, a+".pinned = ?")
		args = append(args, pinned)
	}
	if authorID != "" {
		where = append(where, "t.author_id = ?")
		args = append(args, authorID)
	}
	return `SELECT ` + threadColsOf("t") + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + cols.Replace(order), args
}

// ListThreads returns threads matching f, pinned first, then by last activity.
func (s *Store) ListThreads(ctx context.Context, f forum.ThreadFilter) ([]forum.Thread, error) {
	q, args := threadQuery(f.Theme, f.AuthorityType, f.AuthorID, f.Statuses, -1, "pinned DESC, last_activity_at DESC, id DESC")
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = -1
	}
	return queryAll(ctx, s, scanThread, q+` LIMIT ? OFFSET ?`, append(args, limit, f.Skip)...)
}

// RecordThreadPost counts a newly published post in its thread and moves the
// thread's last activity to it if it is newer, in one statement.
func (s *Store) RecordThreadPost(ctx context.Context, threadID string, delta int, p *forum.Post) error {
	n, err := s.exec(ctx, `UPDATE threads SET post_count = post_count + ?,
			last_post_id = CASE WHEN ? >= last_activity_at THEN ? ELSE last_post_id END,
			last_author = CASE WHEN ? >= last_activity_at THEN ? ELSE last_author END,
			last_activity_at = max(last_activity_at, ?)
		WHERE id = ?`,
		delta, ms(p.CreatedAt), p.ID, ms(p.CreatedAt), p.Author.DisplayName, ms(p.CreatedAt), threadID)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// setTerms writes the search terms of one row of an FTS5 table (threads_fts
// or posts_fts): replace drops the row's previous terms first.
func setTerms(ctx context.Context, q querier, table string, rid int64, terms []string, replace bool) error {
	if replace {
		if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE rowid = ?`, rid); err != nil {
			return err
		}
	}
	if len(terms) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `INSERT INTO `+table+` (rowid, terms) VALUES (?, ?)`, rid, strings.Join(terms, " "))
	return err
}

// ridOf returns the rid of the row of table (threads or posts) with that id.
func ridOf(ctx context.Context, q querier, table, id string) (int64, error) {
	var rid int64
	err := q.QueryRowContext(ctx, `SELECT rid FROM `+table+` WHERE id = ?`, id).Scan(&rid)
	if err == sql.ErrNoRows {
		return 0, forum.ErrNotFound
	}
	return rid, err
}
