package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Creates, lists and deletes role bindings. The project must belong to the organization, a
 * service-account subject must exist, an entity must name an existing service account (stored
 * as {@code serviceaccount:<name>}), and the last org-wide owner binding stays. Whoever creates a
 * binding must hold every permission of its role at its scope ({@link Authorizer#requireMayGrant}).
 */
public final class RoleBindings {
  private static final String ENTITY_PREFIX = "serviceaccount:";

  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final InstantSource clock;

  public RoleBindings(IamStore store, IamState state, Authorizer authorizer, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.clock = requireNonNull(clock, "clock");
  }

  /** All bindings of the organization, or only those scoped to {@code projectId} when given. */
  public List<RoleBinding> list(Caller caller, String organizationId, String projectId) {
    authorizer.require(caller.principal(), "rolebinding.list", organizationId);
    String project = projectId == null || projectId.isBlank() ? null : Names.uuid("projectId", projectId).toString();
    return state.current().bindingsOf(organizationId).stream()
        .filter(b -> project == null || project.equals(b.projectId()))
        .toList();
  }

  /** Refuses (403) a caller without an org-wide {@code rolebinding.list}. */
  public void requireList(Caller caller, String organizationId) {
    authorizer.require(caller.principal(), "rolebinding.list", organizationId);
  }

  /** The bindings whose subject is this subject. */
  public List<RoleBinding> listForSubject(Caller caller, String organizationId, Subject subject) {
    authorizer.require(caller.principal(), "rolebinding.list", organizationId);
    return state.current().bindings(organizationId, subject.value());
  }

  public RoleBinding create(Caller caller, String organizationId, String subject, String projectId, String entity, String role) {
    String project = projectId == null || projectId.isBlank() ? null : Names.uuid("projectId", projectId).toString();
    authorizer.require(caller.principal(), "rolebinding.create", organizationId, project, null);
    RoleBinding b = validated(organizationId, subject, project, entity, role, caller.actor(), clock.instant());
    authorizer.requireMayGrant(caller.principal(), organizationId, b.role(), b.projectId(), b.entity());
    List<ServiceAccount> named = accountsNamedBy(b);
    refuseDuplicate(b, state.current().bindingsOf(organizationId));
    store.inTransaction(tx -> {
      // Still there when the binding is written (and held until it commits): a deletion committed
      // since the check above would leave a binding naming a gone account, which an account
      // re-created under that name would inherit.
      for (ServiceAccount a : named) {
        if (!tx.lockServiceAccount(a.id())) {
          throw TollgateException.invalid(a.subject().value().equals(b.subject()) ? "subject" : "entity",
              "no service account named " + a.name() + " in this organization");
        }
      }
      // Locked after the accounts, in the order deleting an account takes them; two identical
      // bindings created at once are thus decided one after the other, against what is committed.
      tx.lockOrganization(organizationId);
      refuseDuplicate(b, tx.bindingsOf(organizationId));
      tx.insertBinding(b);
      tx.audit(AuditEntry.of(organizationId, b.createdAt(), caller.actor(), "rolebinding.create", "rolebinding:" + b.id(),
          caller.clientIp(), describe(b)));
      return null;
    });
    state.reload();
    return b;
  }

  /**
   * A binding identical to {@code b} (same subject, role, project and entity) would grant nothing
   * more and only make the list lie about how access is given: 409 naming the existing one.
   */
  private static void refuseDuplicate(RoleBinding b, List<RoleBinding> existing) {
    for (RoleBinding e : existing) {
      if (e.subject().equals(b.subject()) && e.role().equals(b.role())
          && java.util.Objects.equals(e.projectId(), b.projectId()) && java.util.Objects.equals(e.entity(), b.entity())) {
        throw TollgateException.alreadyExists("role", "an identical role binding already exists: " + e.id() + " ("
            + describe(e) + ")");
      }
    }
  }

  /** The service accounts a binding names, as subject or entity. */
  private List<ServiceAccount> accountsNamedBy(RoleBinding b) {
    IamSnapshot s = state.current();
    List<ServiceAccount> named = new ArrayList<>();
    for (String v : new String[] {b.subject(), b.entity()}) {
      if (v != null && v.startsWith(ENTITY_PREFIX)) {
        String name = v.substring(ENTITY_PREFIX.length());
        named.add(s.serviceAccountByName(b.organizationId(), name).orElseThrow(() ->
            TollgateException.invalid(v.equals(b.subject()) ? "subject" : "entity",
                "no service account named " + name + " in this organization")));
      }
    }
    return named;
  }

  /** Checks a new binding against the current state; used by every path that creates one. */
  RoleBinding validated(String organizationId, String subject, String projectId, String entity, String role,
      String createdBy, Instant now) {
    IamSnapshot s = state.current();
    Subject parsed = Subject.parse(subject);
    if (parsed instanceof Subject.ServiceAccount sa && s.serviceAccountByName(organizationId, sa.name()).isEmpty()) {
      throw TollgateException.invalid("subject", "no service account named " + sa.name() + " in this organization");
    }
    if (projectId != null) {
      Optional<Project> p = s.project(projectId);
      if (p.isEmpty() || !p.get().organizationId().equals(organizationId)) {
        throw TollgateException.invalid("projectId", "projectId is not a project of this organization");
      }
    }
    if (role == null || role.isBlank()) {
      throw TollgateException.invalid("role", "role is required (e.g. system:profile-writer)");
    }
    if (s.role(organizationId, role.trim()).isEmpty()) {
      throw TollgateException.invalid("role", "unknown role " + role.trim());
    }
    String ent = entity(s, organizationId, entity, true);
    return new RoleBinding(UUID.randomUUID().toString(), parsed.value(), organizationId, projectId, ent,
        role.trim(), createdBy, now);
  }

  /**
   * The entity as "can I?" evaluates it: the same canonical form as a binding's, except that an
   * account that does not exist is no error (the answer then rests on bindings without entity).
   */
  public String entityToAsk(String organizationId, String entity) {
    return entity(state.current(), organizationId, entity, false);
  }

  /**
   * The canonical entity, {@code serviceaccount:<name>}: what the service-account and token
   * routes evaluate for the account they act on. The account's id, bare or as
   * {@code serviceaccount:<id>}, is accepted and normalized to that form. Null for none.
   */
  static String entity(IamSnapshot s, String organizationId, String entity, boolean mustExist) {
    if (entity == null || entity.isBlank()) {
      return null;
    }
    String v = entity.trim();
    boolean prefixed = v.startsWith(ENTITY_PREFIX);
    String key = prefixed ? v.substring(ENTITY_PREFIX.length()) : v;
    Optional<ServiceAccount> byId = s.serviceAccount(key).filter(sa -> sa.organizationId().equals(organizationId));
    if (byId.isPresent()) {
      return byId.get().subject().value();
    }
    if (prefixed && Names.isServiceAccountName(key)) {
      if (mustExist && s.serviceAccountByName(organizationId, key).isEmpty()) {
        throw TollgateException.invalid("entity", "no service account named " + key + " in this organization");
      }
      return ENTITY_PREFIX + key;
    }
    if (!mustExist && isUuid(key)) {
      return v; // the id of no account here: grants through an entity binding cannot match it
    }
    throw TollgateException.invalid("entity",
        "entity must be serviceaccount:<name> (or the id) of a service account in this organization");
  }

  private static boolean isUuid(String s) {
    try {
      return UUID.fromString(s).toString().equals(s.toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public void delete(Caller caller, String organizationId, String bindingId) {
    authorizer.require(caller.principal(), "rolebinding.delete", organizationId);
    RoleBinding b = state.current().bindingsOf(organizationId).stream()
        .filter(x -> x.id().equals(bindingId))
        .findFirst()
        .orElseThrow(() -> TollgateException.notFound("role binding"));
    deleteAll(caller, organizationId, List.of(b), "rolebinding.delete");
  }

  /** Deletes bindings in one transaction, refusing if no org-wide owner binding would remain. */
  void deleteAll(Caller caller, String organizationId, List<RoleBinding> doomed, String action) {
    store.inTransaction(tx -> {
      tx.lockOrganization(organizationId);
      List<RoleBinding> current = tx.bindingsOf(organizationId);
      List<String> ids = doomed.stream().map(RoleBinding::id).toList();
      List<RoleBinding> remaining = current.stream().filter(b -> !ids.contains(b.id())).toList();
      if (Bindings.countOwners(current) > 0 && Bindings.countOwners(remaining) == 0) {
        throw TollgateException.failedPrecondition(
            "this is the organization's last owner binding; create another owner binding first");
      }
      for (RoleBinding b : doomed) {
        tx.deleteBinding(b.id());
        tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), action, "rolebinding:" + b.id(),
            caller.clientIp(), describe(b)));
      }
      return null;
    });
    state.reload();
  }

  static String describe(RoleBinding b) {
    return b.subject() + " -> " + b.role() + (b.projectId() == null ? " (org-wide)" : " in project " + b.projectId())
        + (b.entity() == null ? "" : " for " + b.entity());
  }
}
