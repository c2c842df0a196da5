package dev.tollgate.profiles;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The summary tables of the profiles index ({@code series_summary}, {@code series_profile_types},
 * {@code profile_totals}): updated inside the transaction that inserts or deletes profile rows,
 * so what the series list and the totals show never drifts from the rows, and reading them costs
 * one row per series or key instead of a scan of every stored profile. Additions are upserts
 * that sum, so servers sharing the database never overwrite each other's counts. Profile types
 * are counted per series too, so a type leaves the list with the last profile that carried it.
 */
final class ProfileSummaries {
  private ProfileSummaries() {}

  private record SeriesKey(String projectId, String seriesId) {}

  private record TypeKey(String projectId, String seriesId, String type) {}

  private record TotalKey(String projectId, String kind, String key) {}

  private static final class Sums {
    String labelsOrName;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long count;
    long bytes;

    void add(String labelsOrName, long at, long size) {
      this.labelsOrName = labelsOrName;
      first = Math.min(first, at);
      last = Math.max(last, at);
      count++;
      bytes += size;
    }
  }

  /** Adds the summaries of newly inserted rows. */
  static void add(Handle h, List<IndexRow> rows) {
    Map<SeriesKey, Sums> series = new LinkedHashMap<>();
    Map<TypeKey, Long> types = new LinkedHashMap<>();
    Map<TotalKey, Sums> totals = new LinkedHashMap<>();
    for (IndexRow r : rows) {
      series.computeIfAbsent(new SeriesKey(r.projectId(), r.seriesId()), k -> new Sums())
          .add(r.labels(), r.receivedAt(), r.size());
      for (String t : new LinkedHashSet<>(Json.parseList(r.profileTypes()))) {
        types.merge(new TypeKey(r.projectId(), r.seriesId(), t), 1L, Long::sum);
      }
      totals.computeIfAbsent(new TotalKey(r.projectId(), "SOURCE", r.sourceId()), k -> new Sums())
          .add(r.sourceName(), r.receivedAt(), r.size());
      if (r.node() != null) {
        totals.computeIfAbsent(new TotalKey(r.projectId(), "NODE", r.node()), k -> new Sums())
            .add(r.node(), r.receivedAt(), r.size());
      }
    }
    PreparedBatch s = h.prepareBatch("INSERT INTO series_summary (project_id, series_id, labels, first_seen,"
        + " last_seen, profiles) VALUES (:p, :s, :labels, :first, :last, :n)"
        + " ON CONFLICT (project_id, series_id) DO UPDATE SET"
        + " first_seen = CASE WHEN excluded.first_seen < series_summary.first_seen"
        + " THEN excluded.first_seen ELSE series_summary.first_seen END,"
        + " last_seen = CASE WHEN excluded.last_seen > series_summary.last_seen"
        + " THEN excluded.last_seen ELSE series_summary.last_seen END,"
        + " profiles = series_summary.profiles + excluded.profiles");
    series.forEach((k, v) -> s.bind("p", k.projectId()).bind("s", k.seriesId()).bind("labels", v.labelsOrName)
        .bind("first", v.first).bind("last", v.last).bind("n", v.count).add());
    s.execute();
    PreparedBatch t = h.prepareBatch("INSERT INTO series_profile_types (project_id, series_id, profile_type,"
        + " profiles) VALUES (:p, :s, :t, :n) ON CONFLICT (project_id, series_id, profile_type) DO UPDATE SET"
        + " profiles = series_profile_types.profiles + excluded.profiles");
    types.forEach((k, n) -> t.bind("p", k.projectId()).bind("s", k.seriesId()).bind("t", k.type()).bind("n", n).add());
    if (!types.isEmpty()) {
      t.execute();
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
    o.execute();
  }

  /**
   * Deletes the project's profile rows matching {@code condition} (SQL over the profiles table,
   * with named parameters in {@code binds}) and takes them out of the summaries; returns how
   * many rows went. A series left without profiles disappears from the list.
   */
  static int delete(Handle h, String projectId, String condition, Map<String, Object> binds) {
    Map<String, Long> bySeries = new HashMap<>();
    Map<String, Map<String, Long>> typesBySeries = new HashMap<>();
    h.createQuery("SELECT series_id, profile_types, COUNT(*) FROM profiles WHERE project_id = :p AND " + condition
            + " GROUP BY series_id, profile_types")
        .bind("p", projectId).bindMap(binds)
        .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})
        .forEach(g -> {
          String series = (String) g[0];
          long n = (long) g[2];
          bySeries.merge(series, n, Long::sum);
          Map<String, Long> types = typesBySeries.computeIfAbsent(series, k -> new HashMap<>());
          for (String t : new LinkedHashSet<>(Json.parseList((String) g[1]))) {
            types.merge(t, n, Long::sum);
          }
        });
    if (bySeries.isEmpty()) {
      return 0;
    }
    subtractTotals(h, projectId, "SOURCE", "source_id", condition, binds);
    subtractTotals(h, projectId, "NODE", "node", condition + " AND node IS NOT NULL", binds);
    int deleted = h.createUpdate("DELETE FROM profiles WHERE project_id = :p AND " + condition)
        .bind("p", projectId).bindMap(binds).execute();
    for (Map.Entry<String, Long> e : bySeries.entrySet()) {
      // MIN and MAX come from the (project_id, series_id, received_at) index: two seeks, no scan.
      var range = h.createQuery("SELECT MIN(received_at), MAX(received_at) FROM profiles"
              + " WHERE project_id = :p AND series_id = :s")
          .bind("p", projectId).bind("s", e.getKey())
          .map((rs, ctx) -> {
            long first = rs.getLong(1);
            return rs.wasNull() ? null : new long[] {first, rs.getLong(2)};
          })
          .one();
      if (range == null) {
        h.createUpdate("DELETE FROM series_summary WHERE project_id = :p AND series_id = :s")
            .bind("p", projectId).bind("s", e.getKey()).execute();
        h.createUpdate("DELETE FROM series_profile_types WHERE project_id = :p AND series_id = :s")
            .bind("p", projectId).bind("s", e.getKey()).execute();
      } else {
        h.createUpdate("UPDATE series_summary SET profiles = profiles - :n, first_seen = :first, last_seen = :last"
                + " WHERE project_id = :p AND series_id = :s")
            .bind("n", e.getValue()).bind("first", range[0]).bind("last", range[1])
            .bind("p", projectId).bind("s", e.getKey()).execute();
        subtractTypes(h, projectId, e.getKey(), typesBySeries.get(e.getKey()));
      }
    }
    return deleted;
  }

  /** Takes deleted profiles out of a remaining series' type counts; a type whose last profile went disappears. */
  private static void subtractTypes(Handle h, String projectId, String seriesId, Map<String, Long> types) {
    PreparedBatch b = h.prepareBatch("UPDATE series_profile_types SET profiles = profiles - :n"
        + " WHERE project_id = :p AND series_id = :s AND profile_type = :t");
    types.forEach((t, n) -> b.bind("n", n).bind("p", projectId).bind("s", seriesId).bind("t", t).add());
    if (!types.isEmpty()) {
      b.execute();
    }
    h.createUpdate("DELETE FROM series_profile_types WHERE project_id = :p AND series_id = :s AND profiles <= 0")
        .bind("p", projectId).bind("s", seriesId).execute();
  }

  private static void subtractTotals(Handle h, String projectId, String kind, String column, String condition,
      Map<String, Object> binds) {
    List<Object[]> gone = new ArrayList<>();
    h.createQuery("SELECT " + column + ", COUNT(*), SUM(size) FROM profiles WHERE project_id = :p AND " + condition
            + " GROUP BY " + column)
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
    Map<String, TreeSet<String>> types = new HashMap<>();
    h.createQuery("SELECT series_id, profile_type FROM series_profile_types WHERE project_id = :p")
        .bind("p", projectId.toString())
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
        .forEach(e -> types.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(e.getValue()));
    return h.createQuery("SELECT series_id, labels, first_seen, last_seen, profiles FROM series_summary"
            + " WHERE project_id = :p ORDER BY series_id")
        .bind("p", projectId.toString())
        .map((rs, ctx) -> new SeriesSummary(rs.getString(1), Json.parseLabels(rs.getString(2)),
            List.copyOf(types.getOrDefault(rs.getString(1), new TreeSet<>())), Instant.ofEpochMilli(rs.getLong(3)),
            Instant.ofEpochMilli(rs.getLong(4)), rs.getLong(5)))
        .list();
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
