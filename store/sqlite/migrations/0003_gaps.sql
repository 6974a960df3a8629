-- The language an invitation was mailed in: the account created from it
-- starts in that language.
ALTER TABLE invites ADD COLUMN lang TEXT NOT NULL DEFAULT '';
