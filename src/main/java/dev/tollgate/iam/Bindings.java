package dev.tollgate.iam;

import java.util.Collection;

/** Rules about sets of bindings shared by the services that delete them. */
final class Bindings {
  private Bindings() {}

  /** Org-wide owner bindings: what keeps an organization administrable. */
  static long countOwners(Collection<RoleBinding> bindings) {
    return bindings.stream()
        .filter(b -> SystemRole.OWNER.id().equals(b.role()) && b.projectId() == null && b.entity() == null)
        .count();
  }
}
