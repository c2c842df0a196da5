package dev.tollgate.db;

import static dev.tollgate.db.JdbcIamStore.instant;
import static dev.tollgate.db.JdbcIamStore.millis;
import static java.util.Objects.requireNonNull;

import dev.tollgate.crypto.KeyEncryptionKey;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.legacy.LegacyToken;
import dev.tollgate.legacy.LegacyTokenStore;
import dev.tollgate.legacy.SigningKey;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * {@link LegacyTokenStore} over JDBC; the same SQL on SQLite and PostgreSQL. Private keys are
 * stored encrypted with the key-encryption key ({@link KeyEncryptionKey}, the key id as associated
 * data) and decrypted as they are read; a copy of the database alone cannot sign tokens.
 */
public final class JdbcLegacyTokenStore implements LegacyTokenStore {
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final KeyEncryptionKey kek;

  public JdbcLegacyTokenStore(Database db, KeyEncryptionKey kek) {
    this.jdbi = requireNonNull(db, "db").jdbi();
    this.dialect = db.dialect();
    this.kek = requireNonNull(kek, "kek");
  }

  /** Whether the database holds a private key encrypted by some key-encryption key. */
  public static boolean holdsEncryptedKeys(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM legacy_token_keys WHERE private_key LIKE :p")
        .bind("p", KeyEncryptionKey.PREFIX + "%").mapTo(Long.class).one()) > 0;
  }

  /**
   * At start: checks that every encrypted private key opens with this server's key, then encrypts
   * the ones stored in plain text (by versions before the encryption). Nothing is written when any
   * key does not open.
   *
   * @return how many keys were encrypted now
   * @throws IllegalStateException naming the key and what to do, when the key-encryption key is wrong
   */
  public int encryptPlaintextKeys() {
    return jdbi.inTransaction(h -> {
      List<Map.Entry<String, String>> plain = new java.util.ArrayList<>();
      h.createQuery("SELECT id, private_key FROM legacy_token_keys WHERE private_key IS NOT NULL ORDER BY id")
          .map((rs, c) -> Map.entry(rs.getString("id"), rs.getString("private_key"))).list()
          .forEach(row -> {
            if (KeyEncryptionKey.isSealed(row.getValue())) {
              privateKey(row.getKey(), row.getValue()); // throws on a wrong key, before any write
            } else {
              plain.add(row);
            }
          });
      for (Map.Entry<String, String> row : plain) {
        h.createUpdate("UPDATE legacy_token_keys SET private_key = :sealed WHERE id = :id AND private_key = :plain")
            .bind("id", row.getKey()).bind("plain", row.getValue()).bind("sealed", seal(row.getKey(), row.getValue()))
            .execute();
      }
      return plain.size();
    });
  }

  private String seal(String keyId, String pkcs8Base64) {
    return pkcs8Base64 == null ? null : kek.seal(pkcs8Base64.getBytes(StandardCharsets.US_ASCII), keyId);
  }

  /** The PKCS#8 base64 of a stored private key; plain text only until {@link #encryptPlaintextKeys} ran. */
  private String privateKey(String keyId, String stored) {
    if (stored == null || !KeyEncryptionKey.isSealed(stored)) {
      return stored;
    }
    try {
      return new String(kek.open(stored, keyId), StandardCharsets.US_ASCII);
    } catch (KeyEncryptionKey.WrongKeyException e) {
      throw new IllegalStateException("cannot decrypt the legacy signing key " + keyId + ": " + e.getMessage()
          + ". Give this server the key-encryption key the database was set up with, in"
          + " --legacy-key-encryption-key-file or TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY (every server on one"
          + " database needs the same key); nothing was changed", e);
    }
  }

  @Override
  public Data loadAll() {
    return jdbi.inTransaction(h -> new Data(keys(h),
        h.createQuery("SELECT * FROM legacy_tokens ORDER BY created_at, id").map((rs, c) -> token(rs)).list()));
  }

  @Override
  public <T> T inTransaction(Function<Tx, T> work) {
    return jdbi.inTransaction(h -> work.apply(new JdbcTx(h, dialect)));
  }

  @Override
  public void writeUsage(Map<String, Instant> lastUsed, Map<HourKey, Long> calls, Instant pruneBefore) {
    jdbi.useTransaction(h -> {
      if (!lastUsed.isEmpty()) {
        // Never move last_used_at backwards (another node may have written a newer time).
        PreparedBatch b = h.prepareBatch("UPDATE legacy_tokens SET last_used_at = :at "
            + "WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)");
        lastUsed.forEach((id, at) -> b.bind("id", id).bind("at", at.toEpochMilli()).add());
        b.execute();
      }
      if (!calls.isEmpty()) {
        // Counts of a token deleted meanwhile are dropped by the WHERE EXISTS (no foreign-key failure).
        PreparedBatch b = h.prepareBatch("INSERT INTO legacy_token_calls(token_id, hour_start, calls) "
            + "SELECT :id, :hour, :n WHERE EXISTS (SELECT 1 FROM legacy_tokens WHERE id = :id) "
            + "ON CONFLICT (token_id, hour_start) DO UPDATE SET calls = legacy_token_calls.calls + excluded.calls");
        calls.forEach((k, n) -> b.bind("id", k.tokenId()).bind("hour", k.hourStart().toEpochMilli()).bind("n", n).add());
        b.execute();
      }
      h.createUpdate("DELETE FROM legacy_token_calls WHERE hour_start < :before")
          .bind("before", pruneBefore.toEpochMilli()).execute();
    });
  }

  @Override
  public Map<String, Instant> readLastUsed(java.util.Collection<String> projectIds) {
    return JdbcTokenStore.lastUsedOf(jdbi, "legacy_tokens", "project_id", projectIds);
  }

  @Override
  public Map<HourKey, Long> callsSince(Instant since) {
    return jdbi.withHandle(h -> {
      Map<HourKey, Long> out = new HashMap<>();
      h.createQuery("SELECT token_id, hour_start, calls FROM legacy_token_calls WHERE hour_start >= :since")
          .bind("since", since.toEpochMilli())
          .map((rs, c) -> {
            out.put(new HourKey(rs.getString("token_id"), Instant.ofEpochMilli(rs.getLong("hour_start"))),
                rs.getLong("calls"));
            return null;
          })
          .list();
      return out;
    });
  }

  private List<SigningKey> keys(Handle h) {
    return h.createQuery("SELECT * FROM legacy_token_keys ORDER BY created_at, id").map((rs, c) -> key(rs)).list();
  }

  private SigningKey key(ResultSet rs) throws SQLException {
    String id = rs.getString("id");
    return new SigningKey(id, rs.getString("public_key"), privateKey(id, rs.getString("private_key")),
        instant(rs, "created_at"), instant(rs, "retired_at"));
  }

  static LegacyToken token(ResultSet rs) throws SQLException {
    Instant replacedAt = instant(rs, "replaced_at");
    LegacyToken.Replacement r = replacedAt == null ? null : new LegacyToken.Replacement(replacedAt,
        rs.getString("replaced_by"), rs.getString("replacement_service_account_id"),
        rs.getString("replacement_token_id"), rs.getString("replacement_role"));
    return new LegacyToken(rs.getString("id"), rs.getString("project_id"), rs.getString("name"), rs.getString("key_id"),
        instant(rs, "created_at"), rs.getString("created_by"), instant(rs, "last_used_at"), r,
        rs.getLong("issued_at_nanos"), rs.getString("issuer")); // a NULL iat reads 0, which no token carries
  }

  /** One transaction's view; lives only inside {@link #inTransaction}. Writes raise the IAM version. */
  private final class JdbcTx implements Tx {
    private final Handle h;
    private final JdbcIamStore.JdbcTx iam;

    JdbcTx(Handle h, Dialect dialect) {
      this.h = h;
      this.iam = new JdbcIamStore.JdbcTx(h, dialect);
    }

    @Override
    public List<SigningKey> keys() {
      return JdbcLegacyTokenStore.this.keys(h);
    }

    @Override
    public void insertKey(SigningKey k) {
      iam.changed();
      h.createUpdate("INSERT INTO legacy_token_keys(id, public_key, private_key, created_at, retired_at) "
              + "VALUES (:id, :pub, :priv, :at, :retired)")
          .bind("id", k.id()).bind("pub", k.publicKey()).bind("priv", seal(k.id(), k.privateKeyPkcs8()))
          .bind("at", millis(k.createdAt())).bind("retired", millis(k.retiredAt()))
          .execute();
    }

    @Override
    public void retireKey(String keyId, Instant at) {
      iam.changed();
      h.createUpdate("UPDATE legacy_token_keys SET private_key = NULL, retired_at = :at WHERE id = :id")
          .bind("id", keyId).bind("at", millis(at)).execute();
    }

    @Override
    public void insertToken(LegacyToken t) {
      iam.changed();
      h.createUpdate("INSERT INTO legacy_tokens(id, project_id, name, key_id, created_at, created_by, issued_at_nanos, "
              + "issuer) VALUES (:id, :project, :name, :key, :at, :by, :iat, :iss)")
          .bind("id", t.id()).bind("project", t.projectId()).bind("name", t.name()).bind("key", t.keyId())
          .bind("at", millis(t.createdAt())).bind("by", t.createdBy()).bind("iat", t.issuedAtNanos())
          .bind("iss", t.issuer())
          .execute();
    }

    @Override
    public boolean deleteToken(String tokenId) {
      iam.changed();
      return h.createUpdate("DELETE FROM legacy_tokens WHERE id = :id").bind("id", tokenId).execute() == 1;
    }

    @Override
    public void recordReplacement(String tokenId, LegacyToken.Replacement r) {
      iam.changed();
      h.createUpdate("UPDATE legacy_tokens SET replaced_at = :at, replaced_by = :by, "
              + "replacement_service_account_id = :sa, replacement_token_id = :token, replacement_role = :role "
              + "WHERE id = :id")
          .bind("id", tokenId).bind("at", millis(r.at())).bind("by", r.by()).bind("sa", r.serviceAccountId())
          .bind("token", r.tokenId()).bind("role", r.role())
          .execute();
    }

    @Override
    public void audit(AuditEntry e) {
      iam.audit(e);
    }
  }
}
