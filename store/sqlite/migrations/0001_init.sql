-- coterforum's schema, version 1.
--
-- Conventions: times are INTEGER milliseconds since the Unix epoch (UTC),
-- NULL when unset; booleans are INTEGER 0/1; lists are JSON text; an
-- author or actor copied into a row (so that listings need no join) is four
-- columns *_id, *_name, *_authority, *_authority_type. Every entity keeps
-- its forum id (TEXT): a whole forum can be streamed out and in, table by
-- table, with its ids. Every query of the store has an index; unique
-- constraints stand where MongoDB has a unique index.

CREATE TABLE themes (
	slug        TEXT PRIMARY KEY,
	name_fr     TEXT NOT NULL,
	name_en     TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	position    INTEGER NOT NULL DEFAULT 0,
	moderation  TEXT NOT NULL,
	archived    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX themes_position ON themes (position, slug);

CREATE TABLE authority_types (
	slug      TEXT PRIMARY KEY,
	name_fr   TEXT NOT NULL,
	name_en   TEXT NOT NULL DEFAULT '',
	plural_fr TEXT NOT NULL DEFAULT '',
	position  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX authority_types_position ON authority_types (position, slug);

CREATE TABLE members (
	id                  TEXT PRIMARY KEY,
	email               TEXT NOT NULL UNIQUE,
	display_name        TEXT NOT NULL,
	authority           TEXT NOT NULL DEFAULT '',
	authority_type      TEXT NOT NULL DEFAULT '',
	role                TEXT NOT NULL,
	status              TEXT NOT NULL,
	password_hash       TEXT NOT NULL DEFAULT '',
	approved_posts      INTEGER NOT NULL DEFAULT 0,
	rejected_posts      INTEGER NOT NULL DEFAULT 0,
	trusted             INTEGER NOT NULL DEFAULT 0,
	always_moderate     INTEGER NOT NULL DEFAULT 0,
	lang                TEXT NOT NULL DEFAULT '',
	created_at          INTEGER NOT NULL,
	suspended_until     INTEGER,
	suspend_reason      TEXT NOT NULL DEFAULT '',
	deletion_started_at INTEGER,
	deletion_posts      TEXT NOT NULL DEFAULT '',
	deleted_at          INTEGER
) WITHOUT ROWID;
CREATE INDEX members_role ON members (role);
CREATE INDEX members_deleting ON members (deletion_started_at)
	WHERE deletion_started_at IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	member_id  TEXT NOT NULL,
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_member ON sessions (member_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE invites (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	role       TEXT NOT NULL,
	invited_by TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX invites_created ON invites (created_at);
CREATE INDEX invites_email ON invites (email);

-- Threads. rid is the FTS5 row of the title (threads_fts).
CREATE TABLE threads (
	rid                   INTEGER PRIMARY KEY,
	id                    TEXT NOT NULL UNIQUE,
	theme                 TEXT NOT NULL,
	authority_types       TEXT NOT NULL DEFAULT '[]',
	title                 TEXT NOT NULL,
	author_id             TEXT NOT NULL DEFAULT '',
	author_name           TEXT NOT NULL DEFAULT '',
	author_authority      TEXT NOT NULL DEFAULT '',
	author_authority_type TEXT NOT NULL DEFAULT '',
	status                TEXT NOT NULL,
	locked                INTEGER NOT NULL DEFAULT 0,
	pinned                INTEGER NOT NULL DEFAULT 0,
	first_post_id         TEXT NOT NULL DEFAULT '',
	post_count            INTEGER NOT NULL DEFAULT 0,
	created_at            INTEGER NOT NULL,
	last_activity_at      INTEGER NOT NULL,
	last_post_id          TEXT NOT NULL DEFAULT '',
	last_author           TEXT NOT NULL DEFAULT ''
);
-- Listings (ListThreads: pinned first, then by last activity) unfiltered
-- and by theme; feeds (RecentThreads: by last activity, pinned or not) read
-- the pinned and the other threads from the same index and merge them.
-- Every reply moves its thread's last activity, so each index holding it
-- is a cost of every reply: no more of them than the reads need. A
-- member's threads are few: they are sorted when read.
CREATE INDEX threads_listing ON threads (status, pinned DESC, last_activity_at DESC, id DESC);
CREATE INDEX threads_theme_listing ON threads (theme, status, pinned DESC, last_activity_at DESC, id DESC);
CREATE INDEX threads_author ON threads (author_id);
CREATE INDEX threads_last_post ON threads (last_post_id);

-- One row per (thread, authority type), kept by the triggers below: the
-- listings and feeds of an authority type (alone or crossed with a theme)
-- read it in order from its indexes.
CREATE TABLE thread_types (
	thread_id        TEXT NOT NULL,
	authority_type   TEXT NOT NULL,
	theme            TEXT NOT NULL,
	status           TEXT NOT NULL,
	pinned           INTEGER NOT NULL,
	last_activity_at INTEGER NOT NULL,
	PRIMARY KEY (thread_id, authority_type)
) WITHOUT ROWID;
CREATE INDEX thread_types_listing ON thread_types (authority_type, status, pinned DESC, last_activity_at DESC, thread_id DESC);
CREATE INDEX thread_types_theme_listing ON thread_types (authority_type, theme, status, pinned DESC, last_activity_at DESC, thread_id DESC);

CREATE TRIGGER threads_types_insert AFTER INSERT ON threads BEGIN
	INSERT OR IGNORE INTO thread_types (thread_id, authority_type, theme, status, pinned, last_activity_at)
		SELECT NEW.id, value, NEW.theme, NEW.status, NEW.pinned, NEW.last_activity_at FROM json_each(NEW.authority_types);
END;
CREATE TRIGGER threads_types_retype AFTER UPDATE OF authority_types ON threads BEGIN
	DELETE FROM thread_types WHERE thread_id = OLD.id;
	INSERT OR IGNORE INTO thread_types (thread_id, authority_type, theme, status, pinned, last_activity_at)
		SELECT NEW.id, value, NEW.theme, NEW.status, NEW.pinned, NEW.last_activity_at FROM json_each(NEW.authority_types);
END;
CREATE TRIGGER threads_types_update AFTER UPDATE OF theme, status, pinned, last_activity_at ON threads BEGIN
	UPDATE thread_types SET theme = NEW.theme, status = NEW.status, pinned = NEW.pinned,
		last_activity_at = NEW.last_activity_at WHERE thread_id = NEW.id;
END;
CREATE TRIGGER threads_types_delete AFTER DELETE ON threads BEGIN
	DELETE FROM thread_types WHERE thread_id = OLD.id;
END;

-- Posts. rid is the FTS5 row of the post's terms (posts_fts), in the order
-- posts were written. published_at is when the post became public: its
-- approval for an approved post, else its creation (digest windows).
CREATE TABLE posts (
	rid                        INTEGER PRIMARY KEY,
	id                         TEXT NOT NULL UNIQUE,
	thread_id                  TEXT NOT NULL,
	author_id                  TEXT NOT NULL DEFAULT '',
	author_name                TEXT NOT NULL DEFAULT '',
	author_authority           TEXT NOT NULL DEFAULT '',
	author_authority_type      TEXT NOT NULL DEFAULT '',
	source                     TEXT NOT NULL,
	html                       TEXT NOT NULL,
	status                     TEXT NOT NULL,
	decision_action            TEXT NOT NULL DEFAULT '',
	decision_by_id             TEXT NOT NULL DEFAULT '',
	decision_by_name           TEXT NOT NULL DEFAULT '',
	decision_by_authority      TEXT NOT NULL DEFAULT '',
	decision_by_authority_type TEXT NOT NULL DEFAULT '',
	decision_at                INTEGER,
	decision_reason            TEXT NOT NULL DEFAULT '',
	open_reports               INTEGER NOT NULL DEFAULT 0,
	revisions                  TEXT NOT NULL DEFAULT '[]',
	created_at                 INTEGER NOT NULL,
	edited_at                  INTEGER,
	reminded_at                INTEGER,
	published_at               INTEGER GENERATED ALWAYS AS
		(CASE WHEN decision_action = 'approved' THEN decision_at ELSE created_at END) VIRTUAL
);
-- A thread's page and counts (the status and author let the counts read
-- the index alone), the moderation queue, a member's posts, the posts a
-- moderator decided (anonymisation), and digest windows.
CREATE INDEX posts_thread ON posts (thread_id, id, status, author_id);
CREATE INDEX posts_thread_published ON posts (thread_id, status, created_at DESC, id DESC);
CREATE INDEX posts_status ON posts (status, id);
CREATE INDEX posts_author ON posts (author_id, id);
CREATE INDEX posts_decided_by ON posts (decision_by_id) WHERE decision_by_id <> '';
CREATE INDEX posts_published ON posts (status, published_at, id);

-- Search: the French normaliser's terms (forum.PostSearchTerms,
-- forum.SearchTerms) joined by spaces; the rowid is the post's or thread's
-- rid. Contentless: the terms are not stored twice. The ascii tokenizer
-- keeps every term whole (terms are letters and digits, lower-cased and
-- accent-folded by the forum); detail=none: no phrase search is needed.
CREATE VIRTUAL TABLE posts_fts USING fts5(terms, content='', contentless_delete=1, tokenize='ascii', detail='none');
CREATE VIRTUAL TABLE threads_fts USING fts5(terms, content='', contentless_delete=1, tokenize='ascii', detail='none');

CREATE TABLE read_markers (
	member_id TEXT NOT NULL,
	thread_id TEXT NOT NULL,
	post_id   TEXT NOT NULL,
	post_at   INTEGER NOT NULL,
	PRIMARY KEY (member_id, thread_id)
) WITHOUT ROWID;

CREATE TABLE reports (
	id                      TEXT PRIMARY KEY,
	post_id                 TEXT NOT NULL,
	thread_id               TEXT NOT NULL,
	reporter_id             TEXT NOT NULL,
	reporter_name           TEXT NOT NULL DEFAULT '',
	reporter_authority      TEXT NOT NULL DEFAULT '',
	reporter_authority_type TEXT NOT NULL DEFAULT '',
	reason                  TEXT NOT NULL DEFAULT '',
	created_at              INTEGER NOT NULL,
	open                    INTEGER NOT NULL,
	resolved_by             TEXT NOT NULL DEFAULT '',
	resolved_at             INTEGER
) WITHOUT ROWID;
CREATE INDEX reports_post_open ON reports (post_id, open);
CREATE INDEX reports_open_created ON reports (open, created_at);
CREATE INDEX reports_reporter ON reports (reporter_id, created_at);

CREATE TABLE audit (
	id                   TEXT PRIMARY KEY,
	at                   INTEGER NOT NULL,
	actor_id             TEXT NOT NULL DEFAULT '',
	actor_name           TEXT NOT NULL DEFAULT '',
	actor_authority      TEXT NOT NULL DEFAULT '',
	actor_authority_type TEXT NOT NULL DEFAULT '',
	action               TEXT NOT NULL,
	target_type          TEXT NOT NULL DEFAULT '',
	target_id            TEXT NOT NULL DEFAULT '',
	thread_id            TEXT NOT NULL DEFAULT '',
	before               TEXT NOT NULL DEFAULT '',
	after                TEXT NOT NULL DEFAULT '',
	reason               TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor ON audit (actor_id, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_target ON audit (target_id, id);
CREATE INDEX audit_thread ON audit (thread_id, id);

CREATE TABLE notifications (
	id         TEXT PRIMARY KEY,
	member_id  TEXT NOT NULL,
	kind       TEXT NOT NULL,
	post_id    TEXT NOT NULL DEFAULT '',
	thread_id  TEXT NOT NULL DEFAULT '',
	title      TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	read       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX notifications_member ON notifications (member_id, id);
CREATE INDEX notifications_unread ON notifications (member_id, read);

-- Digests and mail. digest_keys is the permanent record of every message
-- ever queued (the guard against building one twice); the outbox holds the
-- messages in flight, with their bodies; the log the finished ones.
CREATE TABLE digest_subscribers (
	id              TEXT PRIMARY KEY,
	member_id       TEXT NOT NULL DEFAULT '',
	email           TEXT NOT NULL UNIQUE,
	confirmed       INTEGER NOT NULL DEFAULT 0,
	confirmed_at    INTEGER,
	confirm_sent_at INTEGER,
	created_at      INTEGER NOT NULL,
	lang            TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX digest_subscribers_confirmed ON digest_subscribers (confirmed, id);

-- A subscriber's subscriptions read in the order they were written (rid),
-- as MongoDB's natural order gives them: the service sorts them by creation
-- time, and those created in the same millisecond keep that order.
CREATE TABLE digest_subscriptions (
	rid                   INTEGER PRIMARY KEY,
	id                    TEXT NOT NULL UNIQUE,
	subscriber_id         TEXT NOT NULL,
	target_kind           TEXT NOT NULL,
	target_theme          TEXT NOT NULL DEFAULT '',
	target_authority_type TEXT NOT NULL DEFAULT '',
	target_thread_id      TEXT NOT NULL DEFAULT '',
	frequency             TEXT NOT NULL,
	pending               INTEGER NOT NULL DEFAULT 0,
	created_at            INTEGER NOT NULL
);
CREATE INDEX digest_subscriptions_subscriber ON digest_subscriptions (subscriber_id);
CREATE INDEX digest_subscriptions_frequency ON digest_subscriptions (frequency, subscriber_id);
CREATE INDEX digest_subscriptions_thread ON digest_subscriptions (target_thread_id, frequency)
	WHERE target_kind = 'thread';

CREATE TABLE digest_runs (
	id         TEXT PRIMARY KEY,
	frequency  TEXT NOT NULL,
	period     TEXT NOT NULL,
	from_at    INTEGER,
	until_at   INTEGER NOT NULL,
	tail       TEXT NOT NULL DEFAULT '[]',
	exclude    TEXT NOT NULL DEFAULT '[]',
	cursor     TEXT NOT NULL DEFAULT '',
	done       INTEGER NOT NULL DEFAULT 0,
	started_at INTEGER NOT NULL,
	done_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX digest_runs_latest ON digest_runs (frequency, until_at DESC, id DESC);

CREATE TABLE digest_leases (
	name       TEXT PRIMARY KEY,
	holder     TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE digest_marks (
	name TEXT PRIMARY KEY,
	at   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE digest_keys (
	id         TEXT PRIMARY KEY,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE digest_outbox (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL,
	subscriber_id   TEXT NOT NULL,
	frequency       TEXT NOT NULL DEFAULT '',
	period          TEXT NOT NULL DEFAULT '',
	to_addr         TEXT NOT NULL,
	subject         TEXT NOT NULL,
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	claim_id        TEXT, -- NULL: no claim
	claim_until     INTEGER,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	has_body        INTEGER NOT NULL DEFAULT 0,
	body_text       TEXT NOT NULL DEFAULT '',
	body_html       TEXT NOT NULL DEFAULT '',
	body_headers    TEXT NOT NULL DEFAULT '{}',
	body_message_id TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX digest_outbox_due ON digest_outbox (status, next_attempt_at, id);
CREATE INDEX digest_outbox_claims ON digest_outbox (status, claim_until);
CREATE INDEX digest_outbox_subscriber ON digest_outbox (subscriber_id, status);
CREATE INDEX digest_outbox_created ON digest_outbox (created_at, id);

CREATE TABLE digest_log (
	id            TEXT PRIMARY KEY,
	kind          TEXT NOT NULL,
	subscriber_id TEXT NOT NULL,
	frequency     TEXT NOT NULL DEFAULT '',
	period        TEXT NOT NULL DEFAULT '',
	to_addr       TEXT NOT NULL,
	subject       TEXT NOT NULL,
	status        TEXT NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	error         TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	finished_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX digest_log_finished ON digest_log (finished_at DESC, id DESC);
CREATE INDEX digest_log_subscriber ON digest_log (subscriber_id, finished_at DESC, id DESC);

CREATE TABLE secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;

-- The change sequence (forum.ChangeStore): what each write changed, for
-- the caches of the other processes on this database (commands beside the
-- server). AUTOINCREMENT: a number is never given twice, even after pruning.
CREATE TABLE changes (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	origin TEXT NOT NULL,
	keys   TEXT NOT NULL,
	at     INTEGER NOT NULL
);
CREATE INDEX changes_at ON changes (at);
