package dev.tollgate.debuginfo;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/** The {@code debuginfo_uploads} table. */
final class UploadIndex {
  private final Jdbi jdbi;

  UploadIndex(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  Optional<UploadRecord> find(String projectId, String buildId, int type) {
    return jdbi.withHandle(h -> h.createQuery("SELECT project_id, build_id, debuginfo_type, state, upload_id, hash,"
            + " size, uploaded_size, started_at, finished_at, source_id FROM debuginfo_uploads"
            + " WHERE project_id = :p AND build_id = :b AND debuginfo_type = :t")
        .bind("p", projectId).bind("b", buildId).bind("t", type)
        .map((rs, ctx) -> {
          long up = rs.getLong(8);
          Long uploaded = rs.wasNull() ? null : up;
          long fin = rs.getLong(10);
          Long finished = rs.wasNull() ? null : fin;
          return new UploadRecord(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
              rs.getString(6), rs.getLong(7), uploaded, rs.getLong(9), finished, rs.getString(11));
        })
        .findOne());
  }

  /** Starts an upload; false when a concurrent initiation won (primary key taken). */
  boolean insert(UploadRecord r) {
    try {
      return jdbi.withHandle(h -> bind(h.createUpdate("INSERT INTO debuginfo_uploads (project_id, build_id,"
          + " debuginfo_type, state, upload_id, hash, size, started_at, source_id) VALUES (:p, :b, :t, :state, :u,"
          + " :hash, :size, :started, :source)"), r).execute()) == 1;
    } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
      return false;
    }
  }

  /** Restarts an upload over the one with {@code previousUploadId}; false when someone else changed it meanwhile. */
  boolean restart(UploadRecord r, String previousUploadId) {
    return jdbi.withHandle(h -> bind(h.createUpdate("UPDATE debuginfo_uploads SET state = :state, upload_id = :u,"
        + " hash = :hash, size = :size, uploaded_size = NULL, started_at = :started, finished_at = NULL,"
        + " source_id = :source WHERE project_id = :p AND build_id = :b AND debuginfo_type = :t"
        + " AND upload_id = :prev"), r).bind("prev", previousUploadId).execute()) == 1;
  }

  private static Update bind(Update u, UploadRecord r) {
    return u.bind("p", r.projectId()).bind("b", r.buildId()).bind("t", r.type()).bind("state", r.state())
        .bind("u", r.uploadId()).bind("hash", r.hash()).bind("size", r.size()).bind("started", r.startedAt())
        .bind("source", r.sourceId());
  }

  boolean setUploadedSize(String projectId, String buildId, int type, String uploadId, long size) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE debuginfo_uploads SET uploaded_size = :n WHERE project_id = :p"
            + " AND build_id = :b AND debuginfo_type = :t AND upload_id = :u AND state = 'UPLOADING'")
        .bind("n", size).bind("p", projectId).bind("b", buildId).bind("t", type).bind("u", uploadId).execute()) == 1;
  }

  /** Marks the upload finished; false when it is no longer the build id's upload in progress. */
  boolean markUploaded(String projectId, String buildId, int type, String uploadId, long finishedAt) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE debuginfo_uploads SET state = 'UPLOADED', finished_at = :f"
            + " WHERE project_id = :p AND build_id = :b AND debuginfo_type = :t AND upload_id = :u"
            + " AND state = 'UPLOADING'")
        .bind("f", finishedAt).bind("p", projectId).bind("b", buildId).bind("t", type).bind("u", uploadId)
        .execute()) == 1;
  }

  /** Records the object holding an upload's bytes, before the upload is marked finished. */
  void setObjectKey(String projectId, String buildId, int type, String uploadId, String key) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE debuginfo_uploads SET object_key = :k WHERE project_id = :p"
            + " AND build_id = :b AND debuginfo_type = :t AND upload_id = :u")
        .bind("k", key).bind("p", projectId).bind("b", buildId).bind("t", type).bind("u", uploadId).execute());
  }

  /** The upload id and object key of a finished upload whose bytes are in object storage. */
  Optional<String[]> uploadedObject(String projectId, String buildId, int type) {
    return jdbi.withHandle(h -> h.createQuery("SELECT upload_id, object_key FROM debuginfo_uploads"
            + " WHERE project_id = :p AND build_id = :b AND debuginfo_type = :t AND state = 'UPLOADED'"
            + " AND object_key IS NOT NULL")
        .bind("p", projectId).bind("b", buildId).bind("t", type)
        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)}).findOne());
  }

  /** Undoes {@link #markUploaded} when the data could not be moved into place. */
  void unmarkUploaded(String projectId, String buildId, int type, String uploadId) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE debuginfo_uploads SET state = 'UPLOADING', finished_at = NULL"
            + " WHERE project_id = :p AND build_id = :b AND debuginfo_type = :t AND upload_id = :u"
            + " AND state = 'UPLOADED'")
        .bind("p", projectId).bind("b", buildId).bind("t", type).bind("u", uploadId).execute());
  }

  /** Uploads still in progress that started before {@code startedBefore}. */
  List<UploadRecord> staleUploads(long startedBefore) {
    return jdbi.withHandle(h -> h.createQuery("SELECT project_id, build_id, debuginfo_type, upload_id FROM"
            + " debuginfo_uploads WHERE state = 'UPLOADING' AND started_at < :t")
        .bind("t", startedBefore)
        .map((rs, ctx) -> new UploadRecord(rs.getString(1), rs.getString(2), rs.getInt(3), UploadRecord.UPLOADING,
            rs.getString(4), "", 0, null, 0, null, ""))
        .list());
  }
}
