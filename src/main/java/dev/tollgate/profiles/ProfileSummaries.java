package dev.tollgate.profiles;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The summary tables of the profiles index ({@code series}, {@code series_types},
 * {@code profile_totals}): updated inside the transaction that inserts or deletes profile rows,
 * so what the series list and the totals show never drifts from the rows, and reading them costs
 * one row per series or key instead of a scan of every stored profile. Additions are upserts
 * that sum, so servers sharing the database never overwrite each other's counts. Profile types
 * are counted per series too, so a type leaves the list with the last profile that carried it.
 *
 * <p>Each series has a number ({@code series_no}) handed out at its first arrival; the per-row
 * work is keyed by it, so the label sets of one agent call, numbered together, share pages.
 */
final class ProfileSummaries {
  private ProfileSummaries() {}

  /** Series of one multi-row upsert: 6 parameters each, far below SQLite's 32,766. */
  private static final int SERIES_PER_STATEMENT = 500;

  /** Neighbouring series numbers share a group, the first key of the profiles' series index. */
  static final int SERIES_PER_GROUP = 16;

  record SeriesKey(String projectId, String seriesId) {}

  private record TypeKey(long seriesNo, String type) {}

  private record TotalKey(String projectId, String kind, String key) {}

  private static final class Sums {
    String labelsOrName;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long count;
    long bytes;
    final Set<String> blobs = new HashSet<>();

    void add(String labelsOrName, long at) {
      this.labelsOrName = labelsOrName;
      first = Math.min(first, at);
      last = Math.max(last, at);
      count++;
    }

    /** Counts a blob's bytes once, however many of its label sets belong here. */
    void addBytes(IndexRow r) {
      if (blobs.add(r.segment() + ":" + r.byteOffset())) {
        bytes += r.size();
      }
    }
  }

  /**
   * Adds the summaries of rows about to be inserted and returns each row's series number,
   * numbering series seen for the first time.
   */
  static Map<SeriesKey, Long> add(Handle h, List<IndexRow> rows) throws SQLException {
    Map<SeriesKey, Sums> series = new LinkedHashMap<>(); // first arrival first: numbered in this order
    Map<TotalKey, Sums> totals = new LinkedHashMap<>();
    for (IndexRow r : rows) {
      series.computeIfAbsent(new SeriesKey(r.projectId(), r.seriesId()), k -> new Sums()).add(r.labels(), r.receivedAt());
      Sums source = totals.computeIfAbsent(new TotalKey(r.projectId(), "SOURCE", r.sourceId()), k -> new Sums());
      source.add(r.sourceName(), r.receivedAt());
      source.addBytes(r);
      if (r.node() != null) {
        Sums node = totals.computeIfAbsent(new TotalKey(r.projectId(), "NODE", r.node()), k -> new Sums());
        node.add(r.node(), r.receivedAt());
        node.addBytes(r);
      }
    }
    Map<SeriesKey, Long> numbers = upsertSeries(h, series);
    Map<TypeKey, Long> types = new LinkedHashMap<>();
    for (IndexRow r : rows) {
      long no = numbers.get(new SeriesKey(r.projectId(), r.seriesId()));
      for (String t : new LinkedHashSet<>(r.types())) {
        types.merge(new TypeKey(no, t), 1L, Long::sum);
      }
    }
    if (!types.isEmpty()) {
      try (PreparedStatement st = h.getConnection().prepareStatement("INSERT INTO series_types (series_no,"
          + " profile_type, profiles) VALUES (?, ?, ?) ON CONFLICT (series_no, profile_type) DO UPDATE SET"
          + " profiles = series_types.profiles + excluded.profiles")) {
        for (Map.Entry<TypeKey, Long> e : types.entrySet()) {
          st.setLong(1, e.getKey().seriesNo());
          st.setString(2, e.getKey().type());
          st.setLong(3, e.getValue());
          st.addBatch();
        }
        st.executeBatch();
      }
    }
    PreparedBatch o = h.prepareBatch("INSERT INTO profile_totals (project_id, kind, total_key, name, profiles, bytes,"
        + " last_received) VALUES (:p, :kind, :key, :name, :n, :bytes, :last)"
        + " ON CONFLICT (project_id, kind, total_key) DO UPDATE SET name = excluded.name,"
        + " profiles = profile_totals.profiles + excluded.profiles,"
        + " bytes = profile_totals.bytes + excluded.bytes,"
        + " last_received = CASE WHEN excluded.last_received > profile_totals.last_received"
        + " THEN excluded.last_received ELSE profile_totals.last_received END");
    totals.forEach((k, v) -> o.bind("p", k.projectId()).bind("kind", k.kind()).bind("key", k.key())
        .bind("name", v.labelsOrName).bind("n", v.count).bind("bytes", v.bytes).bind("last", v.last).add());
    if (!totals.isEmpty()) {
      o.execute();
    }
    return numbers;
  }

  /**
   * One multi-row upsert per 500 series, answering every series' number: new series are numbered
   * in the order given, known ones (also those another server numbered meanwhile) keep theirs.
   */
  private static Map<SeriesKey, Long> upsertSeries(Handle h, Map<SeriesKey, Sums> series) throws SQLException {
    Map<SeriesKey, Long> numbers = new HashMap<>();
    List<Map.Entry<SeriesKey, Sums>> all = new ArrayList<>(series.entrySet());
    for (int from = 0; from < all.size(); from += SERIES_PER_STATEMENT) {
      List<Map.Entry<SeriesKey, Sums>> chunk = all.subList(from, Math.min(all.size(), from + SERIES_PER_STATEMENT));
      StringBuilder sql = new StringBuilder("INSERT INTO series (project_id, series_id, labels, first_seen, last_seen,"
          + " profiles) VALUES ");
      for (int i = 0; i < chunk.size(); i++) {
        sql.append(i == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)");
      }
      sql.append(" ON CONFLICT (project_id, series_id) DO UPDATE SET"
          + " first_seen = CASE WHEN excluded.first_seen < series.first_seen THEN excluded.first_seen"
          + " ELSE series.first_seen END,"
          + " last_seen = CASE WHEN excluded.last_seen > series.last_seen THEN excluded.last_seen"
          + " ELSE series.last_seen END,"
          + " profiles = series.profiles + excluded.profiles"
          + " RETURNING project_id, series_id, series_no");
      try (PreparedStatement st = h.getConnection().prepareStatement(sql.toString())) {
        int i = 1;
        for (Map.Entry<SeriesKey, Sums> e : chunk) {
          Sums v = e.getValue();
          st.setString(i++, e.getKey().projectId());
          st.setString(i++, e.getKey().seriesId());
          st.setString(i++, v.labelsOrName);
          st.setLong(i++, v.first);
          st.setLong(i++, v.last);
          st.setLong(i++, v.count);
        }
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            numbers.put(new SeriesKey(rs.getString(1), rs.getString(2)), rs.getLong(3));
          }
        }
      }
    }
    if (numbers.size() != series.size()) {
      throw new IllegalStateException("numbered " + numbers.size() + " of " + series.size() + " series");
    }
    return numbers;
  }

  /**
   * Deletes the project's profile rows matching {@code condition} (SQL over the profiles table,
   * with named parameters in {@code binds}) and takes them out of the summaries; returns how
   * many rows went. A series left without profiles disappears from the list.
   */
  static int delete(Handle h, String projectId, String condition, Map<String, Object> binds) {
    Map<Long, Long> bySeries = new HashMap<>();
    Map<Long, Map<String, Long>> typesBySeries = new HashMap<>();
    List<Object[]> groups = h.createQuery("SELECT series_no, profile_types, COUNT(*) FROM profiles"
            + " WHERE project_id = :p AND " + condition + " GROUP BY series_no, profile_types")
        .bind("p", projectId).bindMap(binds)
        .map((rs, ctx) -> {
          long no = rs.getLong(1);
          Long series = rs.wasNull() ? null : no;
          return new Object[] {series, rs.getString(2), rs.getLong(3)};
        })
        .list();
    for (Object[] g : groups) {
      if (g[0] == null) {
        continue; // a row no series was recorded for: nothing to take out of the summaries
      }
      long series = (Long) g[0];
      long n = (long) g[2];
      bySeries.merge(series, n, Long::sum);
      Map<String, Long> types = typesBySeries.computeIfAbsent(series, k -> new HashMap<>());
      for (String t : new LinkedHashSet<>(Json.parseList((String) g[1]))) {
        types.merge(t, n, Long::sum);
      }
    }
    if (groups.isEmpty()) {
      return 0;
    }
    subtractTotals(h, projectId, "SOURCE", "source_id", condition, binds);
    subtractTotals(h, projectId, "NODE", "node", condition + " AND node IS NOT NULL", binds);
    int deleted = h.createUpdate("DELETE FROM profiles WHERE project_id = :p AND " + condition)
        .bind("p", projectId).bindMap(binds).execute();
    for (Map.Entry<Long, Long> e : bySeries.entrySet()) {
      long no = e.getKey();
      Long first = remainingEnd(h, no, "ASC");
      if (first == null && deleteSeriesIfEmpty(h, no)) {
        continue;
      }
      if (first == null) {
        first = remainingEnd(h, no, "ASC"); // another server stored a profile of the series meanwhile
      }
      if (first == null) {
        continue;
      }
      h.createUpdate("UPDATE series SET profiles = profiles - :n, first_seen = :first, last_seen = :last"
              + " WHERE series_no = :no")
          .bind("n", e.getValue()).bind("first", first).bind("last", remainingEnd(h, no, "DESC"))
          .bind("no", no).execute();
      subtractTypes(h, no, typesBySeries.get(no));
    }
    return deleted;
  }

  /**
   * Deletes a series left without profiles. The emptiness is checked again in the DELETE itself:
   * servers sharing a PostgreSQL database may store a profile of the series between our check
   * and the delete, and its rows must keep their series.
   */
  private static boolean deleteSeriesIfEmpty(Handle h, long seriesNo) {
    int gone = h.createUpdate("DELETE FROM series WHERE series_no = :no AND NOT EXISTS"
            + " (SELECT 1 FROM profiles WHERE series_group = :g AND series_no = :no)")
        .bind("no", seriesNo).bind("g", seriesNo / SERIES_PER_GROUP).execute();
    if (gone == 0) {
      return false;
    }
    h.createUpdate("DELETE FROM series_types WHERE series_no = :no").bind("no", seriesNo).execute();
    return true;
  }

  /** The first ({@code ASC}) or last ({@code DESC}) receive time left in a series: a walk of its group in the index. */
  private static Long remainingEnd(Handle h, long seriesNo, String direction) {
    return h.createQuery("SELECT received_at FROM profiles WHERE series_group = :g AND series_no = :no"
            + " ORDER BY received_at " + direction + " LIMIT 1")
        .bind("g", seriesNo / SERIES_PER_GROUP).bind("no", seriesNo)
        .mapTo(Long.class).findOne().orElse(null);
  }

  /** Takes deleted profiles out of a remaining series' type counts; a type whose last profile went disappears. */
  private static void subtractTypes(Handle h, long seriesNo, Map<String, Long> types) {
    PreparedBatch b = h.prepareBatch("UPDATE series_types SET profiles = profiles - :n"
        + " WHERE series_no = :no AND profile_type = :t");
    types.forEach((t, n) -> b.bind("n", n).bind("no", seriesNo).bind("t", t).add());
    if (!types.isEmpty()) {
      b.execute();
    }
    h.createUpdate("DELETE FROM series_types WHERE series_no = :no AND profiles <= 0").bind("no", seriesNo).execute();
  }

  /** Takes deleted rows out of the totals: every row counts as a profile, every blob's bytes once. */
  private static void subtractTotals(Handle h, String projectId, String kind, String column, String condition,
      Map<String, Object> binds) {
    List<Object[]> gone = new ArrayList<>();
    h.createQuery("SELECT k, SUM(n), SUM(size) FROM (SELECT " + column + " AS k, segment, byte_offset, size,"
            + " COUNT(*) AS n FROM profiles WHERE project_id = :p AND " + condition
            + " GROUP BY " + column + ", segment, byte_offset, size) blobs GROUP BY k")
        .bind("p", projectId).bindMap(binds)
        .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)})
        .forEach(gone::add);
    for (Object[] g : gone) {
      h.createUpdate("UPDATE profile_totals SET profiles = profiles - :n, bytes = bytes - :b"
              + " WHERE project_id = :p AND kind = :kind AND total_key = :key")
          .bind("n", (long) g[1]).bind("b", (long) g[2]).bind("p", projectId).bind("kind", kind).bind("key", g[0])
          .execute();
    }
    h.createUpdate("DELETE FROM profile_totals WHERE project_id = :p AND kind = :kind AND profiles <= 0")
        .bind("p", projectId).bind("kind", kind).execute();
  }

  static List<SeriesSummary> series(Handle h, UUID projectId) {
    Map<Long, TreeSet<String>> types = new HashMap<>();
    h.createQuery("SELECT t.series_no, t.profile_type FROM series_types t JOIN series s ON s.series_no = t.series_no"
            + " WHERE s.project_id = :p")
        .bind("p", projectId.toString())
        .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
        .forEach(e -> types.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(e.getValue()));
    return h.createQuery("SELECT series_no, series_id, labels, first_seen, last_seen, profiles FROM series"
            + " WHERE project_id = :p ORDER BY series_id")
        .bind("p", projectId.toString())
        .map((rs, ctx) -> new SeriesSummary(rs.getString(2), Json.parseLabels(rs.getString(3)),
            List.copyOf(types.getOrDefault(rs.getLong(1), new TreeSet<>())), Instant.ofEpochMilli(rs.getLong(4)),
            Instant.ofEpochMilli(rs.getLong(5)), rs.getLong(6)))
        .list();
  }

  /** A series' number and the receive times of its first and last stored profile. */
  record SeriesRange(long seriesNo, long firstSeen, long lastSeen) {}

  /** The number and time range of a project's series, if it has profiles. */
  static Optional<SeriesRange> seriesRange(Handle h, UUID projectId, String seriesId) {
    return h.createQuery("SELECT series_no, first_seen, last_seen FROM series WHERE project_id = :p AND series_id = :s")
        .bind("p", projectId.toString()).bind("s", seriesId)
        .map((rs, ctx) -> new SeriesRange(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
        .findOne();
  }

  /** Totals per source ({@code bySource}) or per node label value, ordered by key. */
  static List<Totals> totals(Handle h, UUID projectId, boolean bySource) {
    return h.createQuery("SELECT total_key, name, profiles, bytes, last_received FROM profile_totals"
            + " WHERE project_id = :p AND kind = :kind ORDER BY total_key")
        .bind("p", projectId.toString()).bind("kind", bySource ? "SOURCE" : "NODE")
        .map((rs, ctx) -> new Totals(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
            Instant.ofEpochMilli(rs.getLong(5))))
        .list();
  }
}
