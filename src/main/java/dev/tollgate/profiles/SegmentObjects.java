package dev.tollgate.profiles;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code profile_objects} table: which object holds a node's uploaded segment. A row is
 * inserted once the object exists, so a row always names a readable object; retention removes the
 * row and its profiles rows in one transaction, and only the server whose DELETE took the row
 * deletes the object.
 */
final class SegmentObjects {
  private final Jdbi jdbi;

  SegmentObjects(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** An uploaded segment. */
  record Uploaded(String projectId, String storedBy, String segment, String objectKey, long size,
      long newestReceivedAt) {}

  /** Records an upload; in {@code h}'s transaction so the ack-after-upload path indexes rows and object together. */
  static void insert(Handle h, String projectId, String storedBy, String segment, String objectKey, long size,
      long uploadedAt) {
    Long newest = h.createQuery("SELECT MAX(received_at) FROM profiles WHERE project_id = :p AND stored_by = :n"
            + " AND segment = :s")
        .bind("p", projectId).bind("n", storedBy).bind("s", segment).mapTo(Long.class).findOne().orElse(null);
    h.createUpdate("INSERT INTO profile_objects (project_id, stored_by, segment, object_key, size, newest_received_at,"
            + " uploaded_at) VALUES (:p, :n, :s, :k, :size, :newest, :at)")
        .bind("p", projectId).bind("n", storedBy).bind("s", segment).bind("k", objectKey).bind("size", size)
        .bind("newest", newest == null ? uploadedAt : newest).bind("at", uploadedAt).execute();
  }

  void insert(String projectId, String storedBy, String segment, String objectKey, long size, long uploadedAt) {
    jdbi.useTransaction(h -> insert(h, projectId, storedBy, segment, objectKey, size, uploadedAt));
  }

  boolean exists(String projectId, String storedBy, String segment) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM profile_objects WHERE project_id = :p"
            + " AND stored_by = :n AND segment = :s")
        .bind("p", projectId).bind("n", storedBy).bind("s", segment).mapTo(Integer.class).one()) > 0;
  }

  /** The node's uploaded segments of a project (kept through recovery although their files are gone). */
  List<String> segments(String projectId, String storedBy) {
    return jdbi.withHandle(h -> h.createQuery("SELECT segment FROM profile_objects WHERE project_id = :p"
            + " AND stored_by = :n")
        .bind("p", projectId).bind("n", storedBy).mapTo(String.class).list());
  }

  /** The newest uploaded segment name of the node in a project (names sort by sequence). */
  Optional<String> newestSegment(String projectId, String storedBy) {
    return jdbi.withHandle(h -> h.createQuery("SELECT MAX(segment) FROM profile_objects WHERE project_id = :p"
            + " AND stored_by = :n")
        .bind("p", projectId).bind("n", storedBy).mapTo(String.class).findOne());
  }

  /** Uploaded segments, of any node, whose newest profile was received before {@code cutoff}. */
  List<Uploaded> expired(long cutoff) {
    return jdbi.withHandle(h -> h.createQuery("SELECT project_id, stored_by, segment, object_key, size,"
            + " newest_received_at FROM profile_objects WHERE newest_received_at < :c")
        .bind("c", cutoff)
        .map((rs, ctx) -> new Uploaded(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getLong(5), rs.getLong(6)))
        .list());
  }

  /**
   * Deletes an expired segment's profiles rows and its object row, in one transaction; true when
   * this call took the row (and so must delete the object), false when another server did.
   */
  boolean deleteExpired(Uploaded u) {
    return jdbi.inTransaction(h -> {
      int taken = h.createUpdate("DELETE FROM profile_objects WHERE project_id = :p AND stored_by = :n"
              + " AND segment = :s")
          .bind("p", u.projectId()).bind("n", u.storedBy()).bind("s", u.segment()).execute();
      if (taken == 0) {
        return false;
      }
      ProfileSummaries.delete(h, u.projectId(), "segment = :s AND stored_by = :self",
          java.util.Map.of("s", u.segment(), "self", u.storedBy()));
      return true;
    });
  }
}
