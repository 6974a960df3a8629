-- Attachments: files joined to posts (forum/attachments.go).
--
-- The content is kept in the database, in chunks of 256 KiB rows
-- (attachment_chunks), rather than as files in the data dir: a backup,
-- a copy or a restore then carries it with the rest (one file to save, one
-- transaction writes a file and its metadata or neither), and neither a
-- write nor a read needs the whole file in memory.
--
-- post_id is '' while the upload is pending (joined to no post yet).
CREATE TABLE attachments (
  id          TEXT PRIMARY KEY,
  post_id     TEXT NOT NULL DEFAULT '',
  uploader_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  type        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  thumbnail   BLOB,
  created_at  INTEGER NOT NULL
);
CREATE INDEX attachments_post ON attachments (post_id, id);
CREATE INDEX attachments_uploader ON attachments (uploader_id, id);
CREATE INDEX attachments_pending ON attachments (created_at) WHERE post_id = '';

CREATE TABLE attachment_chunks (
  attachment_id TEXT NOT NULL,
  n             INTEGER NOT NULL,
  data          BLOB NOT NULL,
  PRIMARY KEY (attachment_id, n)
);
-- The portable key of a chunk (store/portable ChunkKey), in byte order,
-- for backups and copies.
CREATE UNIQUE INDEX attachment_chunks_key ON attachment_chunks (attachment_id || ':' || printf('%06d', n));
