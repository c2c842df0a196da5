package dev.tollgate.legacy;

import dev.tollgate.iam.AuditEntry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What legacy tokens need from persistent storage; implemented over JDBC in {@code db}. */
public interface LegacyTokenStore {
  /** Every key (active and retired) and every token, for a new {@link LegacyState} snapshot. */
  Data loadAll();

  <T> T inTransaction(Function<Tx, T> work);

  /**
   * Writes one batch of usage: last-used times (never moved backwards) and call counts added to
   * their hour buckets; counts of tokens deleted meanwhile are dropped. Buckets older than
   * {@code pruneBefore} are deleted.
   */
  void writeUsage(Map<String, Instant> lastUsed, Map<HourKey, Long> calls, Instant pruneBefore);

  /**
   * The last-used times written so far, by any server, of these projects' tokens (token id to
   * time; tokens never used are absent).
   */
  Map<String, Instant> readLastUsed(java.util.Collection<String> projectIds);

  /** Calls per token and hour bucket, for buckets starting at or after {@code since}. */
  Map<HourKey, Long> callsSince(Instant since);

  /** All stored state. */
  record Data(List<SigningKey> keys, List<LegacyToken> tokens) {}

  /** One token's bucket: the hour starting at {@code hourStart}. */
  record HourKey(String tokenId, Instant hourStart) {}

  /** Reads and writes inside one transaction. */
  interface Tx {
    /** Keys as stored now (inside the transaction, so rotations serialize). */
    List<SigningKey> keys();

    void insertKey(SigningKey key);

    /** Drops the private part and sets {@code retired_at}. */
    void retireKey(String keyId, Instant at);

    void insertToken(LegacyToken token);

    boolean deleteToken(String tokenId);

    void recordReplacement(String tokenId, LegacyToken.Replacement replacement);

    void audit(AuditEntry entry);
  }
}
