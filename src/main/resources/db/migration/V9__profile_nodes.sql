-- Several servers may share one database, each with its own data directory: a profile row
-- names the node whose directory holds its bytes, and each node registers where its peers
-- reach it, so any server can fetch a profile from the one that stored it.

ALTER TABLE profiles ADD COLUMN stored_by TEXT;  -- NULL: stored before V9, by whichever node holds it

CREATE TABLE servers (
  node_id     TEXT PRIMARY KEY,
  url         TEXT NOT NULL,
  started_at  BIGINT NOT NULL
);
