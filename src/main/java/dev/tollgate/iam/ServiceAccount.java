package dev.tollgate.iam;

import java.time.Instant;

/** A machine identity of one organization; disabled accounts' tokens are refused. */
public record ServiceAccount(
    String id, String organizationId, String name, Instant createdAt, String createdBy, boolean disabled) {
  public Subject.ServiceAccount subject() {
    return new Subject.ServiceAccount(name);
  }
}
