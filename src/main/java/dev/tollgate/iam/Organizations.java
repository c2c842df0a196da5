package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;

/** Organizations: which ones a caller belongs to, reading, renaming, settings, and creating new ones. */
public final class Organizations {
  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final OrganizationCreation creation;
  private final InstantSource clock;

  public Organizations(IamStore store, IamState state, Authorizer authorizer, OrganizationCreation creation,
      InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.creation = requireNonNull(creation, "creation");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The organizations the caller is a member of. */
  public List<Organization> listMine(Caller caller) {
    return state.current().organizations().stream()
        .filter(o -> authorizer.isMember(caller.principal(), o.id()))
        .toList();
  }

  public Organization get(Caller caller, String organizationId) {
    authorizer.require(caller.principal(), "organization.read", organizationId);
    return state.current().organization(organizationId).orElseThrow(() -> TollgateException.notFound("organization"));
  }

  /**
   * Changes the name and/or settings; null arguments leave a value as it is. A max token
   * lifetime of 0 removes the limit.
   */
  public Organization update(Caller caller, String organizationId, String name, Long maxTokenLifetimeSeconds, Boolean legacyTokensFrozen) {
    authorizer.require(caller.principal(), "organization.update", organizationId);
    // Not get(): that would also demand organization.read, which api.md does not list for PATCH.
    Organization o = state.current().organization(organizationId)
        .orElseThrow(() -> TollgateException.notFound("organization"));
    String newName = name == null ? o.name() : Names.displayName("name", name);
    Long lifetime = o.maxTokenLifetimeSeconds();
    if (maxTokenLifetimeSeconds != null) {
      if (maxTokenLifetimeSeconds < 0) {
        throw TollgateException.invalid("maxTokenLifetimeSeconds", "maxTokenLifetimeSeconds must be >= 0 (0 removes the limit)");
      }
      lifetime = maxTokenLifetimeSeconds == 0 ? null : maxTokenLifetimeSeconds;
    }
    boolean frozen = legacyTokensFrozen == null ? o.legacyTokensFrozen() : legacyTokensFrozen;
    Organization updated = new Organization(o.id(), newName, o.createdAt(), lifetime, frozen);
    store.inTransaction(tx -> {
      tx.updateOrganization(updated);
      tx.audit(AuditEntry.of(o.id(), clock.instant(), caller.actor(), "organization.update",
          "organization:" + o.id(), caller.clientIp(),
          "name=" + newName + " maxTokenLifetimeSeconds=" + updated.maxTokenLifetimeSeconds()
              + " legacyTokensFrozen=" + frozen));
      return null;
    });
    state.reload();
    return updated;
  }

  /**
   * A new organization with the caller as its owner, if {@code --org-creation} lets the caller
   * create one and the caller has created fewer than {@code --max-orgs-per-user}. The cap is
   * counted in the creating transaction under a lock on the user's row, so concurrent requests of
   * one user cannot both pass it, on this server or on others sharing the database.
   */
  public Organization create(Caller caller, String name) {
    if (!caller.principal().isUser()) {
      throw TollgateException.forbidden("only users can create organizations");
    }
    String orgName = Names.displayName("name", name);
    IamSnapshot s = state.current();
    String subject = caller.principal().subject().value();
    switch (creation.mode()) {
      case NOBODY -> throw TollgateException.forbidden(
          "creating organizations is turned off on this server (--org-creation=nobody)");
      case OPERATORS -> {
        if (!isOperator(s, subject)) {
          throw TollgateException.forbidden("only org-wide owners of the operator's organization may create"
              + " organizations on this server (--org-creation=operators)");
        }
      }
      case ANYONE -> { }
    }
    if (createdBy(s, subject) >= creation.maxPerUser()) {
      throw capReached(createdBy(s, subject)); // at once, without a transaction
    }
    Instant now = clock.instant();
    Organization o = new Organization(UUID.randomUUID().toString(), orgName, now, null, false);
    RoleBinding owner = new RoleBinding(UUID.randomUUID().toString(), subject,
        o.id(), null, null, SystemRole.OWNER.id(), caller.actor(), now);
    store.inTransaction(tx -> {
      tx.lockUser(caller.principal().id());
      long created = tx.countOrganizationsCreatedBy(subject);
      if (created >= creation.maxPerUser()) {
        throw capReached(created);
      }
      tx.insertOrganization(o);
      tx.insertBinding(owner);
      tx.audit(AuditEntry.of(o.id(), now, caller.actor(), "organization.create", "organization:" + o.id(), caller.clientIp(), o.name()));
      return null;
    });
    state.reload();
    return o;
  }

  private TollgateException capReached(long created) {
    return TollgateException.resourceExhausted("you have created " + created + " organizations, the most this"
        + " server allows per user (--max-orgs-per-user=" + creation.maxPerUser() + ")");
  }

  /** Whether the subject holds an org-wide owner binding in the operator's (the bootstrap) organization. */
  public static boolean isOperator(IamSnapshot s, String subject) {
    return s.operatorOrganization().map(op -> s.bindings(op.id(), subject).stream()
        .anyMatch(b -> b.projectId() == null && b.entity() == null && SystemRole.OWNER.id().equals(b.role())))
        .orElse(false);
  }

  /**
   * Organizations this subject created: the org-wide owner bindings it gave itself, which is
   * what {@link #create} writes (the bootstrap's binding is created by {@code system:bootstrap}).
   */
  private static long createdBy(IamSnapshot s, String subject) {
    return s.organizations().stream().filter(o -> s.bindings(o.id(), subject).stream()
        .anyMatch(b -> b.projectId() == null && b.entity() == null && SystemRole.OWNER.id().equals(b.role())
            && subject.equals(b.createdBy()))).count();
  }
}
