package dev.tollgate.token;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/** The little that token authentication needs from the database, implemented in {@code db}. */
public interface TokenStore {
  /** True when a token with this hash exists (the fallback for a token created on another node). */
  boolean existsBySha256(String sha256Hex);

  /** Writes last-used times in one batch. */
  void writeLastUsed(Map<String, Instant> lastUsedByTokenId);

  /**
   * The last-used times written so far, by any server, of the tokens of these service accounts
   * (token id to time; tokens never used are absent).
   */
  Map<String, Instant> readLastUsed(Collection<String> serviceAccountIds);
}
