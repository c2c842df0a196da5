package dev.tollgate.iam;

import java.time.Instant;

/**
 * One line of the audit log: who did what to which target, when, from where. {@code detail}
 * is a short free text (never a secret). {@code organizationId} may be null when an event names
 * no organization (e.g. a refused token that matched nothing); the audit log files such entries
 * under the operator's organization.
 */
public record AuditEntry(
    long seq, String organizationId, Instant at, String actor, String action, String target, String clientIp, String detail) {

  public static AuditEntry of(String organizationId, Instant at, String actor, String action, String target, String clientIp, String detail) {
    return new AuditEntry(0, organizationId, at, actor, action, target, clientIp, detail);
  }

  public AuditEntry withOrganization(String id) {
    return new AuditEntry(seq, id, at, actor, action, target, clientIp, detail);
  }
}
