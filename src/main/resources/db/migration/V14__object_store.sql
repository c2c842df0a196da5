-- Profiles in object storage (docs/scale-out.md): once a node's sealed segment is uploaded, one row
-- here says which object holds it; the profiles rows of (project_id, stored_by, segment) are then
-- read from that object by range, from any server. newest_received_at drives retention: the
-- server whose DELETE removes the row deletes the object, so exactly one does.

CREATE TABLE profile_objects (
  project_id          TEXT NOT NULL,
  stored_by           TEXT NOT NULL,
  segment             TEXT NOT NULL,
  object_key          TEXT NOT NULL UNIQUE,
  size                BIGINT NOT NULL,
  newest_received_at  BIGINT NOT NULL,
  uploaded_at         BIGINT NOT NULL,
  PRIMARY KEY (project_id, stored_by, segment)
);
CREATE INDEX profile_objects_age ON profile_objects(newest_received_at);

-- Debug info whose bytes are in object storage: any server reads it from there.
ALTER TABLE debuginfo_uploads ADD COLUMN object_key TEXT;
