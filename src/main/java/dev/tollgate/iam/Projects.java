package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import java.time.InstantSource;
import java.util.List;
import java.util.UUID;

/** Creates, lists, renames and deletes projects, each guarded by its permission and audited. */
public final class Projects {
  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final InstantSource clock;

  public Projects(IamStore store, IamState state, Authorizer authorizer, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The projects the caller may read: all of them with an org-wide {@code project.list},
   * otherwise those where it holds {@code project.read} (e.g. through project-scoped bindings),
   * possibly none. Membership is all it takes to ask; non-members get 404.
   */
  public List<Project> list(Caller caller, String organizationId) {
    Principal p = caller.principal();
    authorizer.requireMember(p, organizationId);
    if (authorizer.allowed(p, "project.list", organizationId, null)) {
      return state.current().projectsOf(organizationId);
    }
    return state.current().projectsOf(organizationId).stream()
        .filter(x -> authorizer.allowed(p, "project.read", organizationId, x.id()))
        .toList();
  }

  public Project create(Caller caller, String organizationId, String name) {
    authorizer.require(caller.principal(), "project.create", organizationId);
    Project p = new Project(UUID.randomUUID().toString(), organizationId, Names.displayName("name", name), clock.instant());
    store.inTransaction(tx -> {
      tx.insertProject(p);
      tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), "project.create",
          "project:" + p.id(), caller.clientIp(), p.name()));
      return null;
    });
    state.reload();
    return p;
  }

  public Project get(Caller caller, String projectId) {
    Project p = authorizer.visibleProject(caller.principal(), checkedId(projectId));
    authorizer.require(caller.principal(), "project.read", p.organizationId(), p.id(), null);
    return p;
  }

  public Project rename(Caller caller, String projectId, String name) {
    Project p = authorizer.visibleProject(caller.principal(), checkedId(projectId));
    authorizer.require(caller.principal(), "project.update", p.organizationId(), p.id(), null);
    String newName = Names.displayName("name", name);
    store.inTransaction(tx -> {
      tx.renameProject(p.id(), newName);
      tx.audit(AuditEntry.of(p.organizationId(), clock.instant(), caller.actor(), "project.update",
          "project:" + p.id(), caller.clientIp(), newName));
      return null;
    });
    state.reload();
    return new Project(p.id(), p.organizationId(), newName, p.createdAt());
  }

  /**
   * Deletes the project; its role bindings and project-bound tokens go with it (foreign keys).
   * Org-wide owner bindings have no project, so the organization always keeps its owners.
   */
  public void delete(Caller caller, String projectId) {
    Project p = authorizer.visibleProject(caller.principal(), checkedId(projectId));
    authorizer.require(caller.principal(), "project.delete", p.organizationId(), p.id(), null);
    store.inTransaction(tx -> {
      tx.deleteProject(p.id());
      tx.audit(AuditEntry.of(p.organizationId(), clock.instant(), caller.actor(), "project.delete",
          "project:" + p.id(), caller.clientIp(), p.name()));
      return null;
    });
    state.reload();
  }

  private static String checkedId(String projectId) {
    return Names.uuid("projectId", projectId).toString();
  }
}
