package dev.tollgate.iam;

import java.time.Instant;

/**
 * One subject holds one role in an organization, optionally only in one project and optionally
 * only for one entity. Bindings are created and deleted, never updated.
 */
public record RoleBinding(
    String id,
    String subject,
    String organizationId,
    String projectId,
    String entity,
    String role,
    String createdBy,
    Instant createdAt) {

  /** True when this binding can grant something in {@code projectId} for {@code entity}. */
  boolean appliesTo(String projectId, String entity) {
    boolean projectOk = this.projectId == null || this.projectId.equals(projectId);
    boolean entityOk = this.entity == null || this.entity.equals(entity);
    return projectOk && entityOk;
  }
}
