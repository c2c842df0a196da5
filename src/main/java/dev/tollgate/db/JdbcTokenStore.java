package dev.tollgate.db;

import dev.tollgate.token.TokenStore;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@link TokenStore} over JDBC. */
public final class JdbcTokenStore implements TokenStore {
  private final Jdbi jdbi;

  public JdbcTokenStore(Database db) {
    this.jdbi = db.jdbi();
  }

  @Override
  public boolean existsBySha256(String sha256Hex) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM service_account_tokens WHERE token_sha256 = :h")
        .bind("h", sha256Hex).mapTo(Long.class).one() > 0);
  }

  @Override
  public void writeLastUsed(Map<String, Instant> lastUsedByTokenId) {
    jdbi.useTransaction(h -> {
      // Never move last_used_at backwards (another node may have written a newer time).
      PreparedBatch b = h.prepareBatch("UPDATE service_account_tokens SET last_used_at = :at "
          + "WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)");
      lastUsedByTokenId.forEach((id, at) -> b.bind("id", id).bind("at", at.toEpochMilli()).add());
      b.execute();
    });
  }

  @Override
  public Map<String, Instant> readLastUsed(Collection<String> serviceAccountIds) {
    Map<String, Instant> out = new HashMap<>();
    if (serviceAccountIds.isEmpty()) {
      return out;
    }
    jdbi.useHandle(h -> h.createQuery("SELECT id, last_used_at FROM service_account_tokens "
            + "WHERE service_account_id IN (<ids>) AND last_used_at IS NOT NULL")
        .bindList("ids", List.copyOf(serviceAccountIds))
        .map((rs, c) -> Map.entry(rs.getString("id"), Instant.ofEpochMilli(rs.getLong("last_used_at"))))
        .forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }
}
