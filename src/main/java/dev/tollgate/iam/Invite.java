package dev.tollgate.iam;

import java.time.Instant;

/**
 * An invitation to join an organization with a role (optionally in one project). The invite
 * code is only in the link given to the creator; the store keeps its SHA-256. An invite with an
 * {@code email} can be accepted by that address only.
 */
public record Invite(
    String id,
    String organizationId,
    String roleId,
    String projectId,
    String createdBy,
    Instant expiresAt,
    Instant createdAt,
    Instant expiredAt,
    String expiredBy,
    long acceptanceCount,
    String email) {

  /** Usable: not expired early and not past its expiry. */
  public boolean isOpen(Instant now) {
    return expiredAt == null && now.isBefore(expiresAt);
  }

  /** Whether {@code normalizedEmail} may accept it: any address, or the one it is for. */
  public boolean admits(String normalizedEmail) {
    return email == null || email.equals(normalizedEmail);
  }
}
