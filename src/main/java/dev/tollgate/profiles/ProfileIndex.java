package dev.tollgate.profiles;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

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

  /**
   * Where a blob's frame is; {@code storedBy} is the node whose data directory holds the segment (null before V9),
   * {@code objectKey} the object holding the segment once it was uploaded (else null).
   */
  record Location(String segment, long offset, long length, BlobKind kind, String storedBy, String objectKey) {}

  /** A blob's digest with the ids its entries were stored under; inserted with the blob's index rows. */
  record DigestRow(String projectId, String digest, List<String> profileIds, long receivedAt) {}

  /**
   * Which of {@code digests} the project has stored (any server) since {@code sinceMillis}, each
   * with the profile ids its blob's entries were stored under.
   */
  Map<String, List<String>> storedDigests(String projectId, java.util.Collection<String> digests, long sinceMillis) {
    Map<String, List<String>> found = new java.util.HashMap<>();
    List<String> all = List.copyOf(new java.util.LinkedHashSet<>(digests));
    for (int from = 0; from < all.size(); from += 500) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + 500));
      jdbi.useHandle(h -> h.createQuery("SELECT digest, profile_ids FROM blob_digests"
              + " WHERE project_id = :p AND digest IN (<d>) AND received_at >= :since")
          .bind("p", projectId).bindList("d", chunk).bind("since", sinceMillis)
          .map((rs, ctx) -> Map.entry(rs.getString(1), List.of(rs.getString(2).split(","))))
          .forEach(e -> found.put(e.getKey(), e.getValue())));
    }
    return found;
  }

  /**
   * In the transaction of {@code h}; a digest older than the retry window is replaced. A primary
   * key conflict (another server stored the same blob at the same time) fails the transaction.
   */
  static void insertDigests(Handle h, List<DigestRow> rows, long sinceMillis) {
    if (rows.isEmpty()) {
      return;
    }
    var stale = h.prepareBatch("DELETE FROM blob_digests WHERE project_id = :p AND digest = :d AND received_at < :since");
    for (DigestRow r : rows) {
      stale.bind("p", r.projectId()).bind("d", r.digest()).bind("since", sinceMillis).add();
    }
    stale.execute();
    var batch = h.prepareBatch("INSERT INTO blob_digests (project_id, digest, profile_ids, received_at)"
        + " VALUES (:p, :d, :ids, :at)");
    for (DigestRow r : rows) {
      batch.bind("p", r.projectId()).bind("d", r.digest()).bind("ids", String.join(",", r.profileIds()))
          .bind("at", r.receivedAt()).add();
    }
    batch.execute();
  }

  /** Forgets digests of blobs received before {@code cutoffMillis} (past the retry window). */
  int deleteDigestsBefore(long cutoffMillis) {
    return jdbi.withHandle(h -> h.createUpdate("DELETE FROM blob_digests WHERE received_at < :c")
        .bind("c", cutoffMillis).execute());
  }

  void insert(List<IndexRow> rows) {
    insert(rows, h -> {});
  }

  /** Inserts the rows and runs {@code alsoInTransaction} in the same transaction (ack-after-upload records the objects). */
  void insert(List<IndexRow> rows, java.util.function.Consumer<Handle> alsoInTransaction) {
    if (rows.isEmpty()) {
      return;
    }
    try {
      jdbi.useTransaction(h -> {
        insert(h.getConnection(), rows, ProfileSummaries.add(h, rows));
        alsoInTransaction.accept(h);
      });
    } catch (SQLException e) {
      throw new IllegalStateException("cannot index " + rows.size() + " profiles", e);
    }
  }

  /** Plain JDBC: an agent's call brings hundreds of rows, and binding them through Jdbi cost as much as SQLite. */
  private static void insert(Connection c, List<IndexRow> rows, Map<ProfileSummaries.SeriesKey, Long> seriesNumbers)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO profiles (" + COLUMNS + ", series_no, series_group)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (IndexRow r : rows) {
        long seriesNo = seriesNumbers.get(new ProfileSummaries.SeriesKey(r.projectId(), r.seriesId()));
        int i = 1;
        st.setString(i++, r.id());
        st.setString(i++, r.projectId());
        st.setString(i++, r.seriesId());
        st.setString(i++, r.labels());
        st.setString(i++, r.profileTypes());
        st.setString(i++, r.kind());
        st.setLong(i++, r.receivedAt());
        setNullable(st, i++, r.sampleTime());
        setNullable(st, i++, r.sampleEnd());
        st.setString(i++, r.segment());
        st.setLong(i++, r.byteOffset());
        st.setLong(i++, r.byteLength());
        st.setLong(i++, r.size());
        st.setString(i++, r.sourceId());
        st.setString(i++, r.sourceName());
        setNullable(st, i++, r.node());
        setNullable(st, i++, r.storedBy());
        st.setLong(i++, seriesNo);
        st.setLong(i, seriesNo / ProfileSummaries.SERIES_PER_GROUP);
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  private static void setNullable(PreparedStatement st, int i, Long value) throws SQLException {
    if (value == null) {
      st.setNull(i, Types.BIGINT);
    } else {
      st.setLong(i, value);
    }
  }

  private static void setNullable(PreparedStatement st, int i, String value) throws SQLException {
    if (value == null) {
      st.setNull(i, Types.VARCHAR);
    } else {
      st.setString(i, value);
    }
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
            "SELECT p.segment, p.byte_offset, p.byte_length, p.kind, p.stored_by, o.object_key FROM profiles p"
                + " LEFT JOIN profile_objects o ON o.project_id = p.project_id AND o.stored_by = p.stored_by"
                + " AND o.segment = p.segment WHERE p.project_id = :p AND p.id = :id")
        .bind("p", projectId.toString()).bind("id", profileId)
        .map((rs, ctx) -> new Location(rs.getString(1), rs.getLong(2), rs.getLong(3), BlobKind.valueOf(rs.getString(4)),
            rs.getString(5), rs.getString(6)))
        .findOne());
  }

  /**
   * The newest {@code limit} profiles of the series in [from, to), oldest first: a walk back in
   * time through the index entries of the series' group (16 series), keeping the series' own,
   * and never outside the series' own first and last receive times.
   */
  List<StoredProfile> profiles(UUID projectId, String seriesId, Instant from, Instant to, int limit) {
    List<StoredProfile> newestFirst = jdbi.withHandle(h -> {
      Optional<ProfileSummaries.SeriesRange> series = ProfileSummaries.seriesRange(h, projectId, seriesId);
      if (series.isEmpty()) {
        return List.of();
      }
      long seriesNo = series.get().seriesNo();
      long start = Math.max(from == null ? Long.MIN_VALUE : from.toEpochMilli(), series.get().firstSeen());
      long until = Math.min(to == null ? Long.MAX_VALUE : to.toEpochMilli(), series.get().lastSeen() + 1);
      return h.createQuery("SELECT " + COLUMNS + " FROM profiles"
              + " WHERE series_group = :g AND series_no = :no AND received_at >= :from AND received_at < :to"
              + " AND project_id = :p ORDER BY received_at DESC, id DESC LIMIT :limit")
          .bind("g", seriesNo / ProfileSummaries.SERIES_PER_GROUP).bind("no", seriesNo)
          .bind("p", projectId.toString())
          .bind("from", start)
          .bind("to", until)
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
                rs.getString("source_name"), rs.getString("node"),
                rs.getString("stored_by") + "/" + rs.getString("segment") + "@" + rs.getLong("byte_offset"));
          })
          .list();
    });
    return newestFirst.reversed();
  }

  /**
   * Which nodes sent the stored profiles of each source of the project. Reads the project's
   * profile rows (no summary keeps this pair), so it is for on-demand pages, not for polling.
   */
  List<SourceNode> sourceNodes(UUID projectId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT source_id, node, COUNT(*) AS n, MAX(received_at) AS last"
            + " FROM profiles WHERE project_id = :p AND node IS NOT NULL GROUP BY source_id, node"
            + " ORDER BY source_id, node")
        .bind("p", projectId.toString())
        .map((rs, ctx) -> new SourceNode(rs.getString("source_id"), rs.getString("node"), rs.getLong("n"),
            Instant.ofEpochMilli(rs.getLong("last"))))
        .list());
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
