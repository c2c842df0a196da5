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
    return lastUsedOf(jdbi, "service_account_tokens", "service_account_id", serviceAccountIds);
  }

  /**
   * The {@code last_used_at} of the rows of {@code table} (token tables: id, last_used_at) whose
   * {@code owner} column is one of {@code owners}, by id; rows never used are absent.
   */
  static Map<String, Instant> lastUsedOf(Jdbi jdbi, String table, String owner, Collection<String> owners) {
    Map<String, Instant> out = new HashMap<>();
    if (owners.isEmpty()) {
      return out;
    }
    jdbi.useHandle(h -> h.createQuery("SELECT id, last_used_at FROM " + table + " WHERE " + owner
            + " IN (<owners>) AND last_used_at IS NOT NULL")
        .bindList("owners", List.copyOf(owners))
        .map((rs, c) -> Map.entry(rs.getString("id"), Instant.ofEpochMilli(rs.getLong("last_used_at"))))
        .forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }
}
