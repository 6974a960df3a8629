package sqlite

import (
	"context"
	"strings"

	"coterforum/forum"
)

// SearchWordHits returns where one word (any of variants) is found under
// f's other conditions: the titles of published threads (SearchTitles'
// plans) and the published posts of published threads (SearchPosts'
// plans, reading only the ids), at most limit of each, newest first.
func (s *Store) SearchWordHits(ctx context.Context, f forum.SearchFilter, variants []string, limit int) ([]forum.SearchHit, error) {
	f.Words = [][]string{variants}
	if matchExpr(f.Words) == "" || limit <= 0 {
		return []forum.SearchHit{}, nil
	}
	threads, err := s.SearchTitles(ctx, f, limit)
	if err != nil {
		return nil, err
	}
	hits := make([]forum.SearchHit, 0, len(threads))
	for _, th := range threads {
		hits = append(hits, forum.SearchHit{ThreadID: th.ID})
	}
	from, where, args, order := searchPostsQuery(f, nil)
	rows, err := queryAll(ctx, s, func(r scanner) (forum.SearchHit, error) {
		var h forum.SearchHit
		err := r.Scan(&h.PostID, &h.ThreadID)
		return h, err
	}, `SELECT p.id, p.thread_id FROM `+from+` WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`,
		append(args, int64(limit))...)
	if err != nil {
		return nil, err
	}
	return append(hits, rows...), nil
}
