-- Debug-info uploads per project, build id and debug-info type; the bytes live under
-- <data-dir>/debuginfo/<project_id>/<sha256(build_id)>/. Times are epoch milliseconds.

CREATE TABLE debuginfo_uploads (
  project_id      TEXT NOT NULL,
  build_id        TEXT NOT NULL,
  debuginfo_type  INTEGER NOT NULL,
  state           TEXT NOT NULL,   -- UPLOADING or UPLOADED
  upload_id       TEXT NOT NULL,
  hash            TEXT NOT NULL,
  size            BIGINT NOT NULL, -- announced by InitiateUpload
  uploaded_size   BIGINT,          -- received by Upload
  started_at      BIGINT NOT NULL,
  finished_at     BIGINT,
  source_id       TEXT NOT NULL,
  PRIMARY KEY (project_id, build_id, debuginfo_type)
);
