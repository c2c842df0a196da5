package dev.tollgate.ingest;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@code ingest_activity} table: per project, key and minute, the counts every server has
 * added. Adding is an upsert that sums, so servers sharing the database never overwrite each
 * other's counts.
 */
final class ActivityTable {
  /**
   * One minute of one key's activity; {@code lastReceived} is 0 when no call was accepted.
   * {@code seriesIds}: the distinct series the accepted calls brought, whose number is the
   * {@code series} column.
   */
  record Row(UUID projectId, IngestStats.Kind kind, String key, long minute, String name, long calls, long bytes,
      Set<String> seriesIds, long refusals, long lastReceived) {
    long series() {
      return seriesIds.size();
    }
  }

  private final Jdbi jdbi;

  ActivityTable(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Adds the rows' counts to what is stored, and deletes minutes before {@code pruneBeforeMinute}. */
  void add(Collection<Row> rows, long pruneBeforeMinute) {
    jdbi.useTransaction(h -> {
      if (!rows.isEmpty()) {
        PreparedBatch b = h.prepareBatch("INSERT INTO ingest_activity (project_id, kind, activity_key, minute, name,"
            + " calls, bytes, series, refusals, last_received) VALUES (:p, :kind, :key, :minute, :name, :calls,"
            + " :bytes, :series, :refusals, :last) ON CONFLICT (project_id, kind, activity_key, minute) DO UPDATE SET"
            + " name = COALESCE(excluded.name, ingest_activity.name),"
            + " calls = ingest_activity.calls + excluded.calls,"
            + " bytes = ingest_activity.bytes + excluded.bytes,"
            + " series = ingest_activity.series + excluded.series,"
            + " refusals = ingest_activity.refusals + excluded.refusals,"
            + " last_received = CASE WHEN ingest_activity.last_received IS NULL"
            + " OR excluded.last_received > ingest_activity.last_received"
            + " THEN COALESCE(excluded.last_received, ingest_activity.last_received)"
            + " ELSE ingest_activity.last_received END");
        for (Row r : rows) {
          b.bind("p", r.projectId().toString()).bind("kind", r.kind().name()).bind("key", r.key())
              .bind("minute", r.minute()).bind("name", r.name()).bind("calls", r.calls()).bind("bytes", r.bytes())
              .bind("series", r.series()).bind("refusals", r.refusals())
              .bind("last", r.lastReceived() == 0 ? null : r.lastReceived()).add();
        }
        b.execute();
        // Series seen in the minute already (by another server, or an earlier flush) stay once.
        PreparedBatch sb = h.prepareBatch("INSERT INTO ingest_activity_series (project_id, kind, activity_key, minute,"
            + " series_id) VALUES (:p, :kind, :key, :minute, :s) ON CONFLICT DO NOTHING");
        int n = 0;
        for (Row r : rows) {
          for (String id : r.seriesIds()) {
            sb.bind("p", r.projectId().toString()).bind("kind", r.kind().name()).bind("key", r.key())
                .bind("minute", r.minute()).bind("s", id).add();
            n++;
          }
        }
        if (n > 0) {
          sb.execute();
        }
      }
      h.createUpdate("DELETE FROM ingest_activity WHERE minute < :before").bind("before", pruneBeforeMinute).execute();
      h.createUpdate("DELETE FROM ingest_activity_series WHERE minute < :before").bind("before", pruneBeforeMinute)
          .execute();
    });
  }

  /** The project's rows from {@code fromMinute} on. */
  List<Row> since(UUID projectId, long fromMinute) {
    return jdbi.withHandle(h -> {
      Map<String, Set<String>> series = new HashMap<>();
      h.createQuery("SELECT kind, activity_key, minute, series_id FROM ingest_activity_series WHERE project_id = :p"
              + " AND minute >= :from")
          .bind("p", projectId.toString()).bind("from", fromMinute)
          .map((rs, ctx) -> series.computeIfAbsent(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getLong(3),
              k -> new HashSet<>()).add(rs.getString(4)))
          .list();
      return h.createQuery("SELECT * FROM ingest_activity WHERE project_id = :p"
            + " AND minute >= :from")
        .bind("p", projectId.toString()).bind("from", fromMinute)
        .map((rs, ctx) -> {
          long last = rs.getLong("last_received");
          if (rs.wasNull()) {
            last = 0;
          }
          return new Row(projectId, IngestStats.Kind.valueOf(rs.getString("kind")), rs.getString("activity_key"),
              rs.getLong("minute"), rs.getString("name"), rs.getLong("calls"), rs.getLong("bytes"),
              series.getOrDefault(rs.getString("kind") + "/" + rs.getString("activity_key") + "/"
                  + rs.getLong("minute"), Set.of()), rs.getLong("refusals"), last);
        })
        .list();
    });
  }
}
