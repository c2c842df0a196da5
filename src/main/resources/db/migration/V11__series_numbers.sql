-- Series get a number, handed out in order of first arrival, and the per-row work of an append
-- is keyed by it instead of the series' hash. An agent's WriteArrow call carries hundreds of
-- label sets (one per thread); keyed by a random hash, each of them dirtied its own page of the
-- series index and of both summary tables, so SQLite wrote ~10 KB per row. Series that first
-- arrive together (one agent's threads) now have neighbouring numbers, so their summary rows
-- share pages, and the profiles index groups 16 neighbouring series by time, so one append's
-- rows share index pages too.

CREATE TABLE series (
  series_no   ${serial_pk},
  project_id  TEXT NOT NULL,
  series_id   TEXT NOT NULL,   -- the API's id: hash of the canonical labels
  labels      TEXT NOT NULL,   -- canonical sorted JSON object
  first_seen  BIGINT NOT NULL,
  last_seen   BIGINT NOT NULL,
  profiles    BIGINT NOT NULL,
  UNIQUE (project_id, series_id)
) ${updated_in_place};

INSERT INTO series (project_id, series_id, labels, first_seen, last_seen, profiles)
  SELECT project_id, series_id, labels, first_seen, last_seen, profiles FROM series_summary
  ORDER BY project_id, first_seen, series_id;

CREATE TABLE series_types (
  series_no     BIGINT NOT NULL,
  profile_type  TEXT NOT NULL,
  profiles      BIGINT NOT NULL,
  PRIMARY KEY (series_no, profile_type)
) ${updated_in_place};

INSERT INTO series_types (series_no, profile_type, profiles)
  SELECT s.series_no, t.profile_type, t.profiles
  FROM series_profile_types t JOIN series s ON s.project_id = t.project_id AND s.series_id = t.series_id;

DROP TABLE series_profile_types;
DROP TABLE series_summary;

ALTER TABLE profiles ADD COLUMN series_no BIGINT;
ALTER TABLE profiles ADD COLUMN series_group BIGINT;   -- series_no / 16

UPDATE profiles SET series_no = (SELECT s.series_no FROM series s
  WHERE s.project_id = profiles.project_id AND s.series_id = profiles.series_id);
UPDATE profiles SET series_group = series_no / 16;

DROP INDEX profiles_series;
CREATE INDEX profiles_series_group ON profiles(series_group, received_at, series_no);

-- Stored bytes per source and per node count each stored blob once. They summed the blob's size
-- over its label sets, so a WriteArrow call with 500 label sets counted 500 times its size.
CREATE TABLE blob_sources_v11 AS
  SELECT DISTINCT project_id, source_id, stored_by, segment, byte_offset, size FROM profiles;
CREATE INDEX blob_sources_v11_key ON blob_sources_v11(project_id, source_id);
UPDATE profile_totals SET bytes = COALESCE((SELECT SUM(b.size) FROM blob_sources_v11 b
  WHERE b.project_id = profile_totals.project_id AND b.source_id = profile_totals.total_key), 0)
  WHERE kind = 'SOURCE';
DROP TABLE blob_sources_v11;

CREATE TABLE blob_nodes_v11 AS
  SELECT DISTINCT project_id, node, stored_by, segment, byte_offset, size FROM profiles WHERE node IS NOT NULL;
CREATE INDEX blob_nodes_v11_key ON blob_nodes_v11(project_id, node);
UPDATE profile_totals SET bytes = COALESCE((SELECT SUM(b.size) FROM blob_nodes_v11 b
  WHERE b.project_id = profile_totals.project_id AND b.node = profile_totals.total_key), 0)
  WHERE kind = 'NODE';
DROP TABLE blob_nodes_v11;
