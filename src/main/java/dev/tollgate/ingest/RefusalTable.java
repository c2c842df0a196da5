package dev.tollgate.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The {@code ingest_refusals} table: per project and minute, how often each distinct refusal
 * happened. Adding sums, like {@link ActivityTable}, so servers sharing the database add up.
 */
final class RefusalTable {
  /** One minute of one distinct refusal. */
  record Row(UUID projectId, long minute, IngestStats.Refusal refusal, long calls, long lastAt) {}

  private final Jdbi jdbi;

  RefusalTable(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  void add(Collection<Row> rows, long pruneBeforeMinute) {
    jdbi.useTransaction(h -> {
      if (!rows.isEmpty()) {
        PreparedBatch b = h.prepareBatch("INSERT INTO ingest_refusals (project_id, minute, refusal_key, status, reason,"
            + " method, source_id, source_name, client_ip, user_agent, calls, last_at) VALUES (:p, :minute, :key,"
            + " :status, :reason, :method, :sourceId, :sourceName, :ip, :ua, :calls, :last)"
            + " ON CONFLICT (project_id, minute, refusal_key) DO UPDATE SET"
            + " calls = ingest_refusals.calls + excluded.calls,"
            + " last_at = CASE WHEN excluded.last_at > ingest_refusals.last_at THEN excluded.last_at"
            + " ELSE ingest_refusals.last_at END");
        for (Row r : rows) {
          IngestStats.Refusal f = r.refusal();
          b.bind("p", r.projectId().toString()).bind("minute", r.minute()).bind("key", key(f))
              .bind("status", f.status()).bind("reason", f.reason()).bind("method", f.method())
              .bind("sourceId", f.sourceId()).bind("sourceName", f.sourceName()).bind("ip", f.clientIp())
              .bind("ua", f.userAgent()).bind("calls", r.calls()).bind("last", r.lastAt()).add();
        }
        b.execute();
      }
      h.createUpdate("DELETE FROM ingest_refusals WHERE minute < :before").bind("before", pruneBeforeMinute).execute();
    });
  }

  List<Row> since(UUID projectId, long fromMinute) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM ingest_refusals WHERE project_id = :p AND minute >= :from")
        .bind("p", projectId.toString()).bind("from", fromMinute)
        .map((rs, ctx) -> new Row(projectId, rs.getLong("minute"), new IngestStats.Refusal(rs.getString("status"),
            rs.getString("reason"), rs.getString("method"), rs.getString("source_id"), rs.getString("source_name"),
            rs.getString("client_ip"), rs.getString("user_agent")), rs.getLong("calls"), rs.getLong("last_at")))
        .list());
  }

  /** The describing fields, each with its length so no two different refusals share a key. */
  static String key(IngestStats.Refusal f) {
    StringBuilder s = new StringBuilder();
    for (String v : new String[] {f.status(), f.reason(), f.method(), f.sourceId(), f.sourceName(), f.clientIp(),
        f.userAgent()}) {
      s.append(v == null ? "-" : v.length() + ":" + v).append('|');
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
