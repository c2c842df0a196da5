package dev.tollgate.profiles;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@code profiles} table: where each stored blob is and what it is. Servers sharing the
 * database each index their own data directory's segments: every row names the node that holds
 * it ({@code stored_by}), and recovery and retention touch only this node's rows.
 */
final class ProfileIndex {
  private static final String COLUMNS =
      "id, project_id, series_id, labels, profile_types, kind, received_at, sample_time, sample_end, segment,"
          + " byte_offset, byte_length, size, source_id, source_name, node, stored_by";

  /** This node's rows; rows from before V9 (no node recorded) count as this node's until claimed. */
  private static final String OWN_OR_UNCLAIMED = "(stored_by = :self OR stored_by IS NULL)";

  private final Jdbi jdbi;
  private final String nodeId;

  ProfileIndex(Jdbi jdbi, String nodeId) {
    this.jdbi = jdbi;
    this.nodeId = nodeId;
  }

  /** The node whose data directory this index's new rows point into. */
  String nodeId() {
    return nodeId;
  }

  /** Marks the rows of a segment found in this node's directory as this node's (rows from before V9). */
  void claim(String projectId, String segment) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE profiles SET stored_by = :self"
            + " WHERE project_id = :p AND segment = :s AND stored_by IS NULL")
        .bind("self", nodeId).bind("p", projectId).bind("s", segment).execute());
  }

  /** Where a blob's frame is; {@code storedBy} is the node whose data directory holds the segment (null before V9). */
  record Location(String segment, long offset, long length, BlobKind kind, String storedBy) {}

  void insert(List<IndexRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    jdbi.useTransaction(h -> {
      insert(h, rows);
      ProfileSummaries.add(h, rows);
    });
  }

  private static void insert(Handle h, List<IndexRow> rows) {
    PreparedBatch b = h.prepareBatch("INSERT INTO profiles (" + COLUMNS + ") VALUES (:id, :projectId, :seriesId,"
        + " :labels, :profileTypes, :kind, :receivedAt, :sampleTime, :sampleEnd, :segment, :byteOffset, :byteLength,"
        + " :size, :sourceId, :sourceName, :node, :storedBy)");
    for (IndexRow r : rows) {
      b.bind("id", r.id()).bind("projectId", r.projectId()).bind("seriesId", r.seriesId())
          .bind("labels", r.labels()).bind("profileTypes", r.profileTypes()).bind("kind", r.kind())
          .bind("receivedAt", r.receivedAt()).bind("sampleTime", r.sampleTime()).bind("sampleEnd", r.sampleEnd())
          .bind("segment", r.segment())
          .bind("byteOffset", r.byteOffset()).bind("byteLength", r.byteLength()).bind("size", r.size())
          .bind("sourceId", r.sourceId()).bind("sourceName", r.sourceName()).bind("node", r.node())
          .bind("storedBy", r.storedBy()).add();
    }
    b.execute();
  }

  /** The end of the last indexed frame of a segment, or 0. */
  long indexedEnd(String projectId, String segment) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT MAX(byte_offset + byte_length) FROM profiles WHERE project_id = :p AND segment = :s"
                + " AND stored_by = :self")
        .bind("p", projectId).bind("s", segment).bind("self", nodeId).mapTo(Long.class).findOne().orElse(0L));
  }

  /** Drops rows pointing past {@code validLength} of a segment; returns how many. */
  int deleteBeyond(String projectId, String segment, long validLength) {
    return jdbi.inTransaction(h -> ProfileSummaries.delete(h, projectId,
        "segment = :s AND stored_by = :self AND byte_offset + byte_length > :n",
        Map.of("s", segment, "self", nodeId, "n", validLength)));
  }

  int deleteSegment(String projectId, String segment) {
    return jdbi.inTransaction(h -> ProfileSummaries.delete(h, projectId, "segment = :s AND stored_by = :self",
        Map.of("s", segment, "self", nodeId)));
  }

  /** Drops this node's rows of segments that no longer exist in its directory. */
  int deleteSegmentsOtherThan(String projectId, List<String> segments) {
    return jdbi.inTransaction(h -> {
      List<String> indexed = h.createQuery("SELECT DISTINCT segment FROM profiles WHERE project_id = :p AND "
              + OWN_OR_UNCLAIMED)
          .bind("p", projectId).bind("self", nodeId).mapTo(String.class).list();
      int n = 0;
      for (String s : indexed) {
        if (!segments.contains(s)) {
          n += ProfileSummaries.delete(h, projectId, "segment = :s AND " + OWN_OR_UNCLAIMED,
              Map.of("s", s, "self", nodeId));
        }
      }
      return n;
    });
  }

  /** Projects with any rows, so segments whose directory vanished are still cleaned up. */
  List<String> projects() {
    return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT project_id FROM profiles").mapTo(String.class).list());
  }

  Optional<Long> lastReceived(String projectId, String segment) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT MAX(received_at) FROM profiles WHERE project_id = :p AND segment = :s AND stored_by = :self")
        .bind("p", projectId).bind("s", segment).bind("self", nodeId).mapTo(Long.class).findOne());
  }

  Optional<Location> find(UUID projectId, String profileId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT segment, byte_offset, byte_length, kind, stored_by FROM profiles WHERE project_id = :p AND id = :id")
        .bind("p", projectId.toString()).bind("id", profileId)
        .map((rs, ctx) -> new Location(rs.getString(1), rs.getLong(2), rs.getLong(3), BlobKind.valueOf(rs.getString(4)),
            rs.getString(5)))
        .findOne());
  }

  /** The newest {@code limit} profiles of the series in [from, to), oldest first. */
  List<StoredProfile> profiles(UUID projectId, String seriesId, Instant from, Instant to, int limit) {
    List<StoredProfile> newestFirst = jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM profiles"
            + " WHERE project_id = :p AND series_id = :s AND received_at >= :from AND received_at < :to"
            + " ORDER BY received_at DESC, id DESC LIMIT :limit")
        .bind("p", projectId.toString()).bind("s", seriesId)
        .bind("from", from == null ? Long.MIN_VALUE : from.toEpochMilli())
        .bind("to", to == null ? Long.MAX_VALUE : to.toEpochMilli())
        .bind("limit", limit)
        .map((rs, ctx) -> {
          long sample = rs.getLong("sample_time");
          Instant sampleTime = rs.wasNull() ? null : Instant.ofEpochMilli(sample);
          long end = rs.getLong("sample_end");
          Instant sampleEnd = rs.wasNull() ? null : Instant.ofEpochMilli(end);
          return new StoredProfile(rs.getString("id"), rs.getString("series_id"),
              Json.parseLabels(rs.getString("labels")), Json.parseList(rs.getString("profile_types")),
              BlobKind.valueOf(rs.getString("kind")), Instant.ofEpochMilli(rs.getLong("received_at")),
              sampleTime, sampleEnd, rs.getLong("size"), rs.getString("source_id"),
              rs.getString("source_name"), rs.getString("node"));
        })
        .list());
    return newestFirst.reversed();
  }

  /** The project's series, from the summary table. */
  List<SeriesSummary> series(UUID projectId) {
    return jdbi.withHandle(h -> ProfileSummaries.series(h, projectId));
  }

  /** Totals per source ({@code bySource}) or per node label, from the summary table. */
  List<Totals> totals(UUID projectId, boolean bySource) {
    return jdbi.withHandle(h -> ProfileSummaries.totals(h, projectId, bySource));
  }
}
