-- Identity links (OpenID Connect, ProConnect): an account of a provider,
-- (issuer, subject), belongs to one member; a member has at most one link
-- per provider. siret and siren are those of the last login (the member's
-- authority is verified when they are set).
CREATE TABLE identities (
	id            TEXT PRIMARY KEY,
	issuer        TEXT NOT NULL,
	subject       TEXT NOT NULL,
	member_id     TEXT NOT NULL,
	email         TEXT NOT NULL,
	siret         TEXT NOT NULL DEFAULT '',
	siren         TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	last_login_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX identities_subject ON identities (issuer, subject);
CREATE UNIQUE INDEX identities_member ON identities (member_id, issuer);
