package dev.tollgate.db;

import dev.tollgate.audit.AuditStore;
import dev.tollgate.iam.AuditEntry;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/** {@link AuditStore} over JDBC. */
public final class JdbcAuditStore implements AuditStore {
  private final Jdbi jdbi;

  public JdbcAuditStore(Database db) {
    this.jdbi = db.jdbi();
  }

  @Override
  public void append(List<AuditEntry> entries) {
    jdbi.useTransaction(h -> {
      PreparedBatch b = h.prepareBatch("INSERT INTO audit_log(organization_id, at, actor, action, target, client_ip, detail) "
          + "VALUES (:org, :at, :actor, :action, :target, :ip, :detail)");
      for (AuditEntry e : entries) {
        b.bind("org", e.organizationId()).bind("at", e.at().toEpochMilli()).bind("actor", e.actor())
            .bind("action", e.action()).bind("target", e.target()).bind("ip", e.clientIp()).bind("detail", e.detail())
            .add();
      }
      b.execute();
    });
  }

  @Override
  public List<AuditEntry> page(String organizationId, Instant since, Instant until, Long beforeSeq, String actionPrefix,
      String actor, int limit) {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE organization_id = :org");
    if (since != null) {
      sql.append(" AND at >= :since");
    }
    if (until != null) {
      sql.append(" AND at < :until");
    }
    boolean byActor = actor != null && !actor.isBlank();
    if (byActor) {
      sql.append(" AND LOWER(actor) LIKE :actor ESCAPE '!'");
    }
    if (beforeSeq != null) {
      sql.append(" AND seq < :before");
    }
    if (actionPrefix != null && !actionPrefix.isBlank()) {
      sql.append(" AND action LIKE :prefix");
    }
    sql.append(" ORDER BY seq DESC LIMIT :limit");
    return jdbi.withHandle(h -> {
      Query q = h.createQuery(sql.toString()).bind("org", organizationId).bind("limit", limit);
      if (since != null) {
        q.bind("since", since.toEpochMilli());
      }
      if (until != null) {
        q.bind("until", until.toEpochMilli());
      }
      if (byActor) {
        String a = actor.strip().toLowerCase(java.util.Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_");
        q.bind("actor", "%" + a + "%");
      }
      if (beforeSeq != null) {
        q.bind("before", beforeSeq);
      }
      if (actionPrefix != null && !actionPrefix.isBlank()) {
        q.bind("prefix", actionPrefix.replace("%", "").replace("_", "\\_") + "%");
      }
      return q.map((rs, c) -> new AuditEntry(rs.getLong("seq"), rs.getString("organization_id"),
          Instant.ofEpochMilli(rs.getLong("at")), rs.getString("actor"), rs.getString("action"),
          rs.getString("target"), rs.getString("client_ip"), rs.getString("detail"))).list();
    });
  }
}
