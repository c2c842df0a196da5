package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What Tollgate keeps of a legacy token: its {@code jti} (the id) and metadata, never the token.
 *
 * @param keyId the signing key that issued it
 * @param lastUsedAt the last use written to the database (see {@link LegacyUsage} for fresher)
 * @param replacement what replaced it through the migration assistant, or null
 */
public record LegacyToken(String id, String projectId, String name, String keyId, Instant createdAt, String createdBy,
    Instant lastUsedAt, Replacement replacement) {

  public LegacyToken {
    requireNonNull(id, "id");
    requireNonNull(projectId, "projectId");
    requireNonNull(name, "name");
    requireNonNull(keyId, "keyId");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(createdBy, "createdBy");
  }

  /**
   * A recorded replacement.
   *
   * @param role {@code profile-writer} or {@code writer}
   */
  public record Replacement(Instant at, String by, String serviceAccountId, String tokenId, String role) {
    public Replacement {
      requireNonNull(at, "at");
      requireNonNull(by, "by");
      requireNonNull(serviceAccountId, "serviceAccountId");
      requireNonNull(tokenId, "tokenId");
      requireNonNull(role, "role");
    }
  }
}
