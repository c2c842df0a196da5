-- Index of stored profiles: one row per blob x label set. The blob bytes live in segment files
-- under <data-dir>/profiles/<project_id>/<segment>; byte_offset/byte_length locate its frame.
-- No foreign key to projects: data outlives a deleted project on disk until retention removes it.

CREATE TABLE profiles (
  id             TEXT PRIMARY KEY,
  project_id     TEXT NOT NULL,
  series_id      TEXT NOT NULL,
  labels         TEXT NOT NULL,   -- canonical sorted JSON object
  profile_types  TEXT NOT NULL,   -- JSON array of name:sample_type:sample_unit:period_type:period_unit[:delta]
  kind           TEXT NOT NULL,   -- PPROF or ARROW
  received_at    BIGINT NOT NULL,
  sample_time    BIGINT,
  segment        TEXT NOT NULL,
  byte_offset    BIGINT NOT NULL,
  byte_length    BIGINT NOT NULL,
  size           BIGINT NOT NULL,
  source_id      TEXT NOT NULL,
  source_name    TEXT NOT NULL,
  node           TEXT
);
CREATE INDEX profiles_series ON profiles(project_id, series_id, received_at);
CREATE INDEX profiles_segment ON profiles(project_id, segment);

CREATE TABLE panic_reports (
  id           ${serial_pk},
  project_id   TEXT NOT NULL,
  received_at  BIGINT NOT NULL,
  source_id    TEXT NOT NULL,
  stderr       TEXT NOT NULL,
  metadata     TEXT NOT NULL
);
CREATE INDEX panic_reports_project ON panic_reports(project_id, received_at);
