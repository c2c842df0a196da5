package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import java.util.UUID;

/**
 * What an authorized query call may read: one project.
 *
 * @param caller who asked, for logs (a subject and token name, never a secret)
 */
public record QueryGrant(UUID projectId, String organizationId, String caller) {
  public QueryGrant {
    requireNonNull(projectId, "projectId");
    requireNonNull(organizationId, "organizationId");
    requireNonNull(caller, "caller");
  }
}
