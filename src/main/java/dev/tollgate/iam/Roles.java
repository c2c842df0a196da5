package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Lists system and custom roles; creates and deletes custom roles of an organization. */
public final class Roles {
  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final InstantSource clock;

  public Roles(IamStore store, IamState state, Authorizer authorizer, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.clock = requireNonNull(clock, "clock");
  }

  /** System roles first, then the organization's custom roles. */
  public List<Role> list(Caller caller, String organizationId) {
    authorizer.require(caller.principal(), "role.list", organizationId);
    List<Role> out = new ArrayList<>();
    for (SystemRole r : SystemRole.values()) {
      out.add(Role.of(r));
    }
    out.addAll(state.current().customRolesOf(organizationId));
    return out;
  }

  /** Creates {@code <org-id>:<name>} with catalogue permissions only. */
  public Role create(Caller caller, String organizationId, String name, List<String> permissions) {
    authorizer.require(caller.principal(), "role.create", organizationId);
    String roleName = Names.roleName(name);
    if (permissions == null || permissions.isEmpty()) {
      throw TollgateException.invalid("permissions", "permissions must list at least one permission");
    }
    Set<String> perms = new LinkedHashSet<>();
    for (int i = 0; i < permissions.size(); i++) {
      String p = permissions.get(i);
      if (!Permissions.isKnown(p)) {
        throw TollgateException.invalid("permissions", "permissions[" + i + "] is not in the catalogue: " + p);
      }
      perms.add(p);
    }
    List<String> ordered = Permissions.ALL.stream().filter(perms::contains).toList();
    Role role = new Role(organizationId + ":" + roleName, roleName, organizationId, ordered, false, caller.actor());
    if (state.current().role(organizationId, role.id()).isPresent()) {
      throw TollgateException.alreadyExists("name", "a role named " + roleName + " already exists");
    }
    store.inTransaction(tx -> {
      tx.insertRole(role, clock.instant());
      tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), "role.create", "role:" + role.id(),
          caller.clientIp(), String.join(" ", ordered)));
      return null;
    });
    state.reload();
    return role;
  }

  /** Deletes a custom role that no binding uses; system roles cannot be deleted. */
  public void delete(Caller caller, String organizationId, String roleId) {
    authorizer.require(caller.principal(), "role.delete", organizationId);
    if (roleId != null && roleId.startsWith("system:")) {
      throw TollgateException.failedPrecondition("system roles cannot be changed or deleted");
    }
    Role role = state.current().role(organizationId, roleId).orElseThrow(() -> TollgateException.notFound("role"));
    store.inTransaction(tx -> {
      tx.lockOrganization(organizationId);
      long used = tx.countBindingsWithRole(role.id());
      if (used > 0) {
        throw TollgateException.failedPrecondition(
            "role " + role.name() + " is used by " + used + " role binding(s); delete them first");
      }
      tx.deleteRole(role.id());
      tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), "role.delete", "role:" + role.id(),
          caller.clientIp(), null));
      return null;
    });
    state.reload();
  }
}
