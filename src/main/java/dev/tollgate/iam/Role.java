package dev.tollgate.iam;

import java.util.List;

/**
 * A named permission set. System roles have ids {@code system:<name>} and no organization;
 * custom roles have ids {@code <org-id>:<name>}.
 */
public record Role(
    String id, String name, String organizationId, List<String> permissions, boolean isSystem, String createdBy) {

  public static Role of(SystemRole r) {
    List<String> perms = Permissions.ALL.stream().filter(r.permissions()::contains).toList();
    return new Role(r.id(), r.roleName(), "", perms, true, "");
  }
}
