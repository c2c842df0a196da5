-- Why and from where ingestion calls were refused, for the project's data page: one row per
-- project, minute and distinct (status, reason, method, token, address, user agent), summed by
-- every server like ingest_activity, and pruned with it after two hours. The reason is the
-- status description the client got, which never contains the token.
CREATE TABLE ingest_refusals (
  project_id   TEXT NOT NULL,
  minute       BIGINT NOT NULL,
  refusal_key  TEXT NOT NULL,   -- hex SHA-256 of the describing columns below, for the upsert
  status       TEXT NOT NULL,   -- gRPC status code name, e.g. PERMISSION_DENIED
  reason       TEXT NOT NULL,
  method       TEXT NOT NULL,
  source_id    TEXT,            -- the token's id when it was recognized
  source_name  TEXT,
  client_ip    TEXT,
  user_agent   TEXT,
  calls        BIGINT NOT NULL,
  last_at      BIGINT NOT NULL,
  PRIMARY KEY (project_id, minute, refusal_key)
);
CREATE INDEX ingest_refusals_minute ON ingest_refusals(minute);

-- The distinct series (label sets, as GET /series lists them) each source and node sent per
-- minute, so a window's "series" counts label sets, not label sets per call.
CREATE TABLE ingest_activity_series (
  project_id     TEXT NOT NULL,
  kind           TEXT NOT NULL,
  activity_key   TEXT NOT NULL,
  minute         BIGINT NOT NULL,
  series_id      TEXT NOT NULL,
  PRIMARY KEY (project_id, kind, activity_key, minute, series_id)
);
CREATE INDEX ingest_activity_series_minute ON ingest_activity_series(minute);
