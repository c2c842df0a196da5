package dev.tollgate.ingest;

/**
 * Whether the token a source id names still exists, so statistics can mark the sources whose
 * token was deleted instead of showing them like live ones.
 */
@FunctionalInterface
public interface SourceTokens {
  /** What became of a token. */
  enum State { ACTIVE, DELETED, UNKNOWN }

  /** For servers without tokens of their own (ingest-only test servers): nothing is known. */
  SourceTokens UNKNOWN = id -> State.UNKNOWN;

  State state(String tokenId);

  /**
   * The source name a call with this token is recorded under ({@link IngestGrant#sourceName}),
   * for refusals recorded before the token's owner was known; null when the token is gone or unknown.
   */
  default String name(String tokenId) {
    return null;
  }
}
