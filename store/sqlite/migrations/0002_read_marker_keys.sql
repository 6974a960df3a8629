-- The portable key of a read marker is "memberID:threadID" (as MongoDB's
-- _id): a copy or a backup reads the markers in the byte order of that
-- key, which is not the order of the primary key (member_id, thread_id)
-- when a member's id is a prefix of another's. Markers only ever change
-- their post, never their key: the index costs one entry per new marker.
CREATE INDEX read_markers_key ON read_markers (member_id || ':' || thread_id);
