-- OTLP logs and metrics that agents export on their remote-store connection
-- (opentelemetry.proto.collector.{logs,metrics}.v1 Export), per project. node is the resource's
-- `node` attribute, else its `host.name` (parca-agent sets one or the other to --node).
-- Times: received_at epoch milliseconds; time_nanos the record's own time in epoch nanoseconds
-- (a log's observed time when it has none). Rows older than the retention are deleted.

CREATE TABLE otlp_logs (
  id               ${serial_pk},
  project_id       TEXT NOT NULL,
  received_at      BIGINT NOT NULL,
  time_nanos       BIGINT NOT NULL,
  node             TEXT,
  severity_number  INTEGER NOT NULL,
  severity_text    TEXT NOT NULL,
  body             TEXT NOT NULL,        -- a string body as is, anything else as JSON
  attributes       TEXT NOT NULL,        -- JSON object
  resource         TEXT NOT NULL,        -- JSON object of the resource attributes
  scope            TEXT NOT NULL,
  source_id        TEXT
);
CREATE INDEX otlp_logs_project_time ON otlp_logs(project_id, time_nanos);
CREATE INDEX otlp_logs_received ON otlp_logs(received_at);

CREATE TABLE otlp_metric_points (
  id               ${serial_pk},
  project_id       TEXT NOT NULL,
  received_at      BIGINT NOT NULL,
  time_nanos       BIGINT NOT NULL,
  node             TEXT,
  name             TEXT NOT NULL,
  unit             TEXT NOT NULL,
  metric_type      TEXT NOT NULL,        -- gauge, sum, histogram, exponential_histogram, summary
  value            DOUBLE PRECISION,     -- gauge and sum points; histogram and summary: their sum
  point_count      BIGINT,               -- histogram and summary points: their count
  attributes       TEXT NOT NULL,        -- JSON object
  scope            TEXT NOT NULL,
  source_id        TEXT
);
CREATE INDEX otlp_metric_points_project_name ON otlp_metric_points(project_id, name, time_nanos);
CREATE INDEX otlp_metric_points_received ON otlp_metric_points(received_at);
