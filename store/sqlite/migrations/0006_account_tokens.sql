-- Account tokens: password-reset links (1 hour) and email-change
-- confirmation links (24 hours). id is the SHA-256 of the secret, never the
-- secret; email is the new address of an email change.
CREATE TABLE account_tokens (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	member_id  TEXT NOT NULL,
	email      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
);

-- DeleteMemberAccountTokens (by member, and kind).
CREATE INDEX account_tokens_member ON account_tokens (member_id, kind);
-- DeleteExpiredAccountTokens.
CREATE INDEX account_tokens_expires ON account_tokens (expires_at);
