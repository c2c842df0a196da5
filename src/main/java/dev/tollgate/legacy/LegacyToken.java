package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What Tollgate keeps of a legacy token: its {@code jti} (the id) and metadata, never the token.
 *
 * @param keyId the signing key that issued it
 * @param lastUsedAt the last use written to the database (see {@link LegacyUsage} for fresher)
 * @param replacement what replaced it through the migration assistant, or null
 * @param issuedAtNanos the {@code iat} claim it was issued with
 * @param issuer the {@code iss} claim it was issued with; null for tokens issued before Tollgate kept it
 */
public record LegacyToken(String id, String projectId, String name, String keyId, Instant createdAt, String createdBy,
    Instant lastUsedAt, Replacement replacement, long issuedAtNanos, String issuer) {

  public LegacyToken {
    requireNonNull(id, "id");
    requireNonNull(projectId, "projectId");
    requireNonNull(name, "name");
    requireNonNull(keyId, "keyId");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(createdBy, "createdBy");
  }

  /**
   * Whether {@code claims} are exactly what this token was issued with. The caller already found
   * the token by {@code jti}; {@code aud}, {@code version} and {@code writeProfiles} have one
   * valid value each (checked by {@link LegacyJwt}); so a key holder cannot mint a variant.
   */
  public boolean issuedWith(LegacyJwt.Claims claims) {
    return id.equals(claims.jti()) && projectId.equals(claims.projectId()) && issuedAtNanos == claims.issuedAtNanos()
        && (issuer == null || issuer.equals(claims.issuer()));
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
