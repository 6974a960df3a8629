package sqlite

import (
	"context"
	"strings"

	"coterforum/forum"
)

// Search runs on two FTS5 tables fed by the forum's French normaliser
// (forum.SearchTerms: stems and accent-folded forms): posts_fts (rowid =
// posts.rid) and threads_fts (rowid = threads.rid). Every write path that
// sets a post's HTML or a thread's title rewrites its row in the same
// transaction. Results come newest first: by rid descending, the order in
// which rows were written, which is the order of their time-ordered ids.

// matchExpr is the FTS5 query of the words: every word, each in any of its
// variants. Terms are letters and digits only (forum.SearchTerms); they are
// quoted anyway, so that nothing in them is read as an operator.
func matchExpr(words [][]string) string {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		vs := make([]string, 0, len(w))
		for _, v := range w {
			vs = append(vs, `"`+strings.ReplaceAll(v, `"`, `""`)+`"`)
		}
		if len(vs) == 0 {
			continue
		}
		parts = append(parts, "("+strings.Join(vs, " OR ")+")")
	}
	return strings.Join(parts, " AND ")
}

// threadScope adds the thread conditions of a search (published, theme,
// authority type) on the thread alias t.
func threadScope(f forum.SearchFilter, where []string, args []any) ([]string, []any) {
	where = append(where, "t.status = ?")
	args = append(args, forum.ThreadPublished)
	if f.Theme != "" {
		where = append(where, "t.theme = ?")
		args = append(args, f.Theme)
	}
	if f.AuthorityType != "" {
		where = append(where, "EXISTS (SELECT 1 FROM thread_types x WHERE x.thread_id = t.id AND x.authority_type = ?)")
		args = append(args, f.AuthorityType)
	}
	return where, args
}

// createdScope bounds the creation time of the alias a by f.From and f.To.
func createdScope(f forum.SearchFilter, a string, where []string, args []any) ([]string, []any) {
	if !f.From.IsZero() {
		where = append(where, a+".created_at >= ?")
		args = append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, a+".created_at < ?")
		args = append(args, ms(f.To))
	}
	return where, args
}

// SearchTitles returns published threads whose title has every word of f,
// newest first, at most limit. Without a theme, the title matches are read
// from the FTS index newest first and each is checked against the filters
// (the first ones usually pass). With a theme, the threads of the theme (and
// authority type) are read from their listing index instead, covering, and
// kept when their rid is among the title matches: a theme holds a few
// thousand threads at most, while a common word's matches outside the theme
// would each cost a row read (at 50 000 threads, 500 hits of a common word:
// 4–7 ms instead of 29–41 ms).
func (s *Store) SearchTitles(ctx context.Context, f forum.SearchFilter, limit int) ([]forum.Thread, error) {
	expr := matchExpr(f.Words)
	if expr == "" {
		return []forum.Thread{}, nil
	}
	var from, order string
	var where []string
	var args []any
	switch {
	case f.Theme != "" && f.AuthorityType != "":
		from = `thread_types x INDEXED BY thread_types_theme_listing JOIN threads t ON t.id = x.thread_id`
		where = []string{"x.authority_type = ?", "x.theme = ?", "x.status = ?"}
		args = []any{f.AuthorityType, f.Theme, forum.ThreadPublished}
	case f.Theme != "":
		from = `threads t INDEXED BY threads_theme_listing`
		where = []string{"t.theme = ?", "t.status = ?"}
		args = []any{f.Theme, forum.ThreadPublished}
	default:
		from = `threads_fts CROSS JOIN threads t ON t.rid = threads_fts.rowid`
		where, args = threadScope(f, []string{"threads_fts MATCH ?"}, []any{expr})
		order = "threads_fts.rowid DESC"
	}
	if order == "" {
		// The unary + keeps the planner from probing the list once per
		// thread: the matches are read once, into a filter.
		where = append(where, "+t.rid IN (SELECT rowid FROM threads_fts WHERE threads_fts MATCH ?)")
		args = append(args, expr)
		order = "t.rid DESC"
	}
	if f.AuthorID != "" {
		where = append(where, "t.author_id = ?")
		args = append(args, f.AuthorID)
	}
	where, args = createdScope(f, "t", where, args)
	l := int64(limit)
	if l <= 0 {
		l = -1
	}
	return queryAll(ctx, s, scanThread, `SELECT `+threadColsOf("t")+` FROM `+from+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, append(args, l)...)
}

// SearchPosts returns published posts of published threads that have every
// word of f, newest first, except the posts excludeIDs. The matches are
// read from the FTS index newest first and stop at the page; with an author
// filter, the author's posts are read newest first instead and each is
// checked against the index (an author has few posts, a word may have many).
func (s *Store) SearchPosts(ctx context.Context, f forum.SearchFilter, excludeIDs []string, skip, limit int) ([]forum.Post, error) {
	expr := matchExpr(f.Words)
	if expr == "" {
		return []forum.Post{}, nil
	}
	from, where, args, order := searchPostsQuery(f, excludeIDs)
	l := int64(limit)
	if l <= 0 {
		l = -1
	}
	posts, err := queryAll(ctx, s, scanPost, `SELECT `+postColsOf("p")+` FROM `+from+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, l, skip)...)
	for i := range posts {
		posts[i].Source, posts[i].Revisions = "", nil
	}
	return posts, err
}

// searchPostsQuery is the FROM, WHERE and ORDER BY of SearchPosts.
func searchPostsQuery(f forum.SearchFilter, excludeIDs []string) (from string, where []string, args []any, order string) {
	expr := matchExpr(f.Words)
	if f.AuthorID != "" {
		from = `posts p INDEXED BY posts_author CROSS JOIN threads t ON t.id = p.thread_id`
		where = append(where, "p.author_id = ?", "p.rid IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ? AND rowid = p.rid)")
		args = append(args, f.AuthorID, expr)
		order = "p.id DESC"
	} else {
		from = `posts_fts CROSS JOIN posts p ON p.rid = posts_fts.rowid CROSS JOIN threads t ON t.id = p.thread_id`
		where = append(where, "posts_fts MATCH ?")
		args = append(args, expr)
		order = "posts_fts.rowid DESC"
	}
	where = append(where, "p.status = ?")
	args = append(args, forum.PostPublished)
	where, args = threadScope(f, where, args)
	where, args = createdScope(f, "p", where, args)
	if len(excludeIDs) > 0 {
		where = append(where, "p.id NOT IN ("+placeholders(len(excludeIDs))+")")
		args = append(args, anys(excludeIDs)...)
	}
	return from, where, args, order
}

// PostsWithoutTerms returns none: every write path indexes its post.
func (s *Store) PostsWithoutTerms(ctx context.Context, limit int) ([]forum.Post, error) {
	return []forum.Post{}, nil
}

// ThreadsWithoutTitleTerms returns none: every write path indexes its title.
func (s *Store) ThreadsWithoutTitleTerms(ctx context.Context, limit int) ([]forum.Thread, error) {
	return []forum.Thread{}, nil
}

// SetPostTerms replaces the search terms of posts (id → terms).
func (s *Store) SetPostTerms(ctx context.Context, terms map[string][]string) error {
	return s.setAllTerms(ctx, "posts", "posts_fts", terms)
}

// SetThreadTitleTerms replaces the title terms of threads (id → terms).
func (s *Store) SetThreadTitleTerms(ctx context.Context, terms map[string][]string) error {
	return s.setAllTerms(ctx, "threads", "threads_fts", terms)
}

func (s *Store) setAllTerms(ctx context.Context, table, fts string, terms map[string][]string) error {
	return s.write(ctx, func(q querier) error {
		for id, t := range terms {
			rid, err := ridOf(ctx, q, table, id)
			if err == forum.ErrNotFound {
				continue
			}
			if err != nil {
				return err
			}
			if err := setTerms(ctx, q, fts, rid, t, true); err != nil {
				return err
			}
		}
		return nil
	})
}
