-- The language an invitation was mailed in: the account created from it
-- starts in that language.
ALTER TABLE invites ADD COLUMN lang TEXT NOT NULL DEFAULT '';

-- When a post's author was erased: its feed entry changes then.
ALTER TABLE posts ADD COLUMN erased_at INTEGER;
