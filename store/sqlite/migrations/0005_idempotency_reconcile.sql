-- Idempotency keys and reconciliation.
--
-- A post may carry the idempotency key its author's client sent: at most
-- one post per (author, key), so a form sent twice stores one post.
ALTER TABLE posts ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX posts_idempotency ON posts (author_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- A thread's most recently published post (its last activity and last
-- post, recomputed from the posts by every change: forum/reconcile.go).
CREATE INDEX posts_thread_activity ON posts (thread_id, status, published_at DESC, id DESC);

-- The posts created or decided since a time (decision_at is never before
-- created_at): the threads the hourly reconciliation looks at.
CREATE INDEX posts_touched ON posts (coalesce(decision_at, created_at));
