package sqlite

import "context"

// ThreadPostIDsBetween returns the ids of the thread's posts, whatever
// their status, from fromID to toID included, in id order (from the index
// posts_thread alone).
func (s *Store) ThreadPostIDsBetween(ctx context.Context, threadID, fromID, toID string) ([]string, error) {
	return queryAll(ctx, s, func(r scanner) (string, error) {
		var id string
		err := r.Scan(&id)
		return id, err
	}, `SELECT id FROM posts INDEXED BY posts_thread WHERE thread_id = ? AND id >= ? AND id <= ? ORDER BY id`, threadID, fromID, toID)
}
