package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"coterforum/forum"
)

// postCols are the columns scanPost reads, in its order.
const postCols = `id, thread_id, author_id, author_name, author_authority, author_authority_type, source, html, status,
	decision_action, decision_by_id, decision_by_name, decision_by_authority, decision_by_authority_type, decision_at, decision_reason,
	open_reports, revisions, created_at, edited_at, erased_at`

// postColsOf is postCols qualified by a table alias.
func postColsOf(alias string) string {
	cols := strings.Split(postCols, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// scanPost reads a row of postCols.
func scanPost(r scanner) (forum.Post, error) {
	var p forum.Post
	var d forum.Decision
	var decidedAt, edited, erased sql.NullInt64
	var revisions string
	var created int64
	err := r.Scan(&p.ID, &p.ThreadID, &p.Author.ID, &p.Author.DisplayName, &p.Author.Authority, &p.Author.AuthorityType,
		&p.Source, &p.HTML, &p.Status,
		&d.Action, &d.By.ID, &d.By.DisplayName, &d.By.Authority, &d.By.AuthorityType, &decidedAt, &d.Reason,
		&p.OpenReports, &revisions, &created, &edited, &erased)
	if err != nil {
		return p, err
	}
	if d.Action != "" {
		if decidedAt.Valid {
			d.At = tm(decidedAt.Int64)
		}
		p.Decision = &d
	}
	if revisions != "" && revisions != "[]" {
		if err := json.Unmarshal([]byte(revisions), &p.Revisions); err != nil {
			return p, err
		}
	}
	p.CreatedAt = tm(created)
	p.EditedAt = tmPtr(edited)
	p.ErasedAt = tmPtr(erased)
	return p, nil
}

// decisionArgs are the decision columns' values (empty when d is nil).
func decisionArgs(d *forum.Decision) []any {
	if d == nil {
		return []any{"", "", "", "", "", nil, ""}
	}
	return []any{d.Action, d.By.ID, d.By.DisplayName, d.By.Authority, d.By.AuthorityType, ms(d.At), d.Reason}
}

// revisionsText stores a post's revisions.
func revisionsText(rs []forum.Revision) string {
	if len(rs) == 0 {
		return "[]"
	}
	return jsonText(rs)
}

// InsertPost stores a new post with its search terms.
func (s *Store) InsertPost(ctx context.Context, p *forum.Post) error {
	if p.Terms == nil {
		p.Terms = forum.PostSearchTerms(p.HTML)
	}
	return s.write(ctx, func(q querier) error { return insertPost(ctx, q, p) })
}

// insertPost writes the post and its terms on q.
func insertPost(ctx context.Context, q querier, p *forum.Post) error {
	args := []any{p.ID, p.ThreadID, p.Author.ID, p.Author.DisplayName, p.Author.Authority, p.Author.AuthorityType,
		p.Source, p.HTML, p.Status}
	args = append(args, decisionArgs(p.Decision)...)
	args = append(args, p.OpenReports, revisionsText(p.Revisions), ms(p.CreatedAt), msPtr(p.EditedAt), msPtr(p.ErasedAt))
	res, err := q.ExecContext(ctx, `INSERT INTO posts (`+postCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if err != nil {
		return err
	}
	rid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if p.IdempotencyKey != "" {
		// posts_idempotency refuses a second post of the author with the key.
		if _, err := q.ExecContext(ctx, `UPDATE posts SET idempotency_key = ? WHERE rid = ?`, p.IdempotencyKey, rid); err != nil {
			return err
		}
	}
	return setTerms(ctx, q, "posts_fts", rid, p.Terms, false)
}

// PostByID returns the post with that id, whatever its status.
func (s *Store) PostByID(ctx context.Context, id string) (*forum.Post, error) {
	p, err := queryOne(ctx, s, scanPost, `SELECT `+postCols+` FROM posts WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// PostsByIDs returns the posts with these ids, in no particular order.
func (s *Store) PostsByIDs(ctx context.Context, ids []string) ([]forum.Post, error) {
	if len(ids) == 0 {
		return []forum.Post{}, nil
	}
	return queryAll(ctx, s, scanPost, `SELECT `+postCols+` FROM posts WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
}

// postFilter is the WHERE clause of the posts of a thread f lets a viewer see.
func postFilter(f forum.PostFilter) (string, []any) {
	switch {
	case f.Status != "":
		return "thread_id = ? AND status = ?", []any{f.ThreadID, f.Status}
	case f.AllStatuses:
		return "thread_id = ?", []any{f.ThreadID}
	case f.ViewerID != "":
		return "thread_id = ? AND (status = ? OR (status = ? AND author_id = ?))",
			[]any{f.ThreadID, forum.PostPublished, forum.PostPending, f.ViewerID}
	}
	return "thread_id = ? AND status = ?", []any{f.ThreadID, forum.PostPublished}
}

// ListPosts returns the posts of a thread the filter allows, oldest first.
func (s *Store) ListPosts(ctx context.Context, f forum.PostFilter) ([]forum.Post, error) {
	where, args := postFilter(f)
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = -1
	}
	return queryAll(ctx, s, scanPost, `SELECT `+postCols+` FROM posts INDEXED BY posts_thread WHERE `+where+
		` ORDER BY id LIMIT ? OFFSET ?`, append(args, limit, f.Skip)...)
}

// CountPosts counts the posts the filter allows, only those before the given
// post when it is not nil (from the index alone).
func (s *Store) CountPosts(ctx context.Context, f forum.PostFilter, before *forum.Post) (int64, error) {
	where, args := postFilter(f)
	if before != nil {
		where += " AND id < ?"
		args = append(args, before.ID)
	}
	var n int64
	err := s.queryRow(ctx, `SELECT count(*) FROM posts INDEXED BY posts_thread WHERE `+where, args...).Scan(&n)
	return n, mapErr(err)
}

// EditPost replaces a post's source, HTML and terms and keeps the previous
// source as a revision, if the source is still e.Current and the status one
// of e.Statuses when set (forum.ErrConflict otherwise).
func (s *Store) EditPost(ctx context.Context, id string, e forum.PostEdit) error {
	return s.write(ctx, func(q querier) error {
		ok, err := editPost(ctx, q, id, e, "")
		if err == nil && !ok {
			return forum.ErrConflict
		}
		return err
	})
}

// editPost applies e to the post if its source is still e.Current (and its
// status one of e.Statuses, when set); false
// when it did not apply. set adds assignments (with setArgs) to the same
// update. Run it in a transaction (it reads, then writes).
func editPost(ctx context.Context, q querier, id string, e forum.PostEdit, set string, setArgs ...any) (bool, error) {
	var rid int64
	var revisions string
	where, args := `id = ? AND source = ?`, []any{id, e.Current}
	if len(e.Statuses) > 0 {
		where += ` AND status IN (` + placeholders(len(e.Statuses)) + `)`
		args = append(args, anys(e.Statuses)...)
	}
	err := q.QueryRowContext(ctx, `SELECT rid, revisions FROM posts WHERE `+where, args...).Scan(&rid, &revisions)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var rs []forum.Revision
	if revisions != "" {
		if err := json.Unmarshal([]byte(revisions), &rs); err != nil {
			return false, err
		}
	}
	rs = append(rs, e.Previous)
	if set != "" {
		set = ", " + set
	}
	args = append([]any{e.Source, e.HTML, ms(e.EditedAt), revisionsText(rs)}, setArgs...)
	if _, err := q.ExecContext(ctx, `UPDATE posts SET source = ?, html = ?, edited_at = ?, revisions = ?`+set+` WHERE rid = ?`,
		append(args, rid)...); err != nil {
		return false, err
	}
	return true, setTerms(ctx, q, "posts_fts", rid, forum.PostSearchTerms(e.HTML), true)
}
