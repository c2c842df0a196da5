-- Summaries of the profiles index, kept up to date in the same transaction as every insert and
-- delete of profile rows, so the series list and the per-source / per-node totals are read
-- without aggregating every stored profile of a project (which grows with retention).

CREATE TABLE series_summary (
  project_id   TEXT NOT NULL,
  series_id    TEXT NOT NULL,
  labels       TEXT NOT NULL,   -- canonical sorted JSON object
  first_seen   BIGINT NOT NULL,
  last_seen    BIGINT NOT NULL,
  profiles     BIGINT NOT NULL,
  PRIMARY KEY (project_id, series_id)
);

CREATE TABLE series_profile_types (
  project_id    TEXT NOT NULL,
  series_id     TEXT NOT NULL,
  profile_type  TEXT NOT NULL,
  PRIMARY KEY (project_id, series_id, profile_type)
);

CREATE TABLE profile_totals (
  project_id     TEXT NOT NULL,
  kind           TEXT NOT NULL,   -- SOURCE (key = source id) or NODE (key = node label value)
  total_key      TEXT NOT NULL,
  name           TEXT NOT NULL,
  profiles       BIGINT NOT NULL,
  bytes          BIGINT NOT NULL,
  last_received  BIGINT NOT NULL,
  PRIMARY KEY (project_id, kind, total_key)
);

-- What was stored before this migration.
INSERT INTO series_summary (project_id, series_id, labels, first_seen, last_seen, profiles)
  SELECT project_id, series_id, MIN(labels), MIN(received_at), MAX(received_at), COUNT(*)
  FROM profiles GROUP BY project_id, series_id;
INSERT INTO series_profile_types (project_id, series_id, profile_type)
  SELECT DISTINCT p.project_id, p.series_id, j.value FROM profiles p, ${json_array_elements};
INSERT INTO profile_totals (project_id, kind, total_key, name, profiles, bytes, last_received)
  SELECT project_id, 'SOURCE', source_id, MIN(source_name), COUNT(*), SUM(size), MAX(received_at)
  FROM profiles GROUP BY project_id, source_id;
INSERT INTO profile_totals (project_id, kind, total_key, name, profiles, bytes, last_received)
  SELECT project_id, 'NODE', node, node, COUNT(*), SUM(size), MAX(received_at)
  FROM profiles WHERE node IS NOT NULL GROUP BY project_id, node;
