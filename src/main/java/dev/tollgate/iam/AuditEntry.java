package dev.tollgate.iam;

import java.time.Instant;

/**
 * One line of the audit log: who did what to which target, when, from where. {@code detail}
 * is a short free text (never a secret); {@code organizationId} is null for events outside any
 * organization (e.g. a refused token that matched nothing).
 */
public record AuditEntry(
    long seq, String organizationId, Instant at, String actor, String action, String target, String clientIp, String detail) {

  public static AuditEntry of(String organizationId, Instant at, String actor, String action, String target, String clientIp, String detail) {
    return new AuditEntry(0, organizationId, at, actor, action, target, clientIp, detail);
  }
}
