-- Recent ingestion activity, one row per project, key and minute, for the "last 5 minutes /
-- last hour" statistics. Every server adds its counts to the same rows every 10 seconds, so the
-- numbers cover all servers sharing the database and survive restarts. Rows older than two hours
-- are deleted. Times are epoch milliseconds; minute is epoch milliseconds / 60000.

CREATE TABLE ingest_activity (
  project_id     TEXT NOT NULL,
  kind           TEXT NOT NULL,   -- SOURCE (a token; key = token id or 'unknown') or NODE (key = node label)
  activity_key   TEXT NOT NULL,
  minute         BIGINT NOT NULL,
  name           TEXT,            -- readable name of a source, null when only refusals were seen
  calls          BIGINT NOT NULL,
  bytes          BIGINT NOT NULL,
  series         BIGINT NOT NULL,
  refusals       BIGINT NOT NULL,
  last_received  BIGINT,          -- the latest accepted call in this minute
  PRIMARY KEY (project_id, kind, activity_key, minute)
);
CREATE INDEX ingest_activity_minute ON ingest_activity(minute);
