package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;

/**
 * Service accounts of an organization: at most {@value #MAX_PER_ORGANIZATION}, exact under
 * concurrency (the count is taken under the organization's row lock). Deleting one removes its
 * tokens, its bindings and those narrowed to it in the same transaction; disabling one refuses
 * its tokens at once.
 */
public final class ServiceAccounts {
  public static final int MAX_PER_ORGANIZATION = 50;

  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final InstantSource clock;

  public ServiceAccounts(IamStore store, IamState state, Authorizer authorizer, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.clock = requireNonNull(clock, "clock");
  }

  public List<ServiceAccount> list(Caller caller, String organizationId) {
    authorizer.require(caller.principal(), "serviceaccount.list", organizationId);
    return state.current().serviceAccountsOf(organizationId);
  }

  public ServiceAccount get(Caller caller, String organizationId, String id) {
    authorizer.require(caller.principal(), "serviceaccount.list", organizationId);
    return find(organizationId, id);
  }

  /** The account with this id (or, for convenience, this name) in the organization, or 404. */
  public ServiceAccount find(String organizationId, String idOrName) {
    IamSnapshot s = state.current();
    return s.serviceAccount(idOrName)
        .filter(sa -> sa.organizationId().equals(organizationId))
        .or(() -> idOrName == null ? java.util.Optional.empty() : s.serviceAccountByName(organizationId, idOrName))
        .orElseThrow(() -> TollgateException.notFound("service account"));
  }

  public ServiceAccount create(Caller caller, String organizationId, String name) {
    authorizer.require(caller.principal(), "serviceaccount.create", organizationId);
    String n = Names.serviceAccountName(name);
    Instant now = clock.instant();
    ServiceAccount sa = new ServiceAccount(UUID.randomUUID().toString(), organizationId, n, now, caller.actor(), false);
    store.inTransaction(tx -> {
      tx.lockOrganization(organizationId);
      if (tx.countServiceAccounts(organizationId) >= MAX_PER_ORGANIZATION) {
        throw TollgateException.resourceExhausted(
            "service account limit reached: at most " + MAX_PER_ORGANIZATION + " per organization");
      }
      if (state.current().serviceAccountByName(organizationId, n).isPresent()) {
        throw TollgateException.alreadyExists("name", "a service account named " + n + " already exists");
      }
      try {
        tx.insertServiceAccount(sa);
      } catch (RuntimeException e) {
        // The unique (organization, name) constraint: another node created it meanwhile.
        throw TollgateException.alreadyExists("name", "a service account named " + n + " already exists");
      }
      tx.audit(AuditEntry.of(organizationId, now, caller.actor(), "serviceaccount.create", "serviceaccount:" + n,
          caller.clientIp(), "id " + sa.id()));
      return null;
    });
    state.reload();
    return sa;
  }

  /**
   * Deletes the account with its tokens, its role bindings and the bindings whose entity names
   * it, in one transaction.
   */
  public void delete(Caller caller, String organizationId, String id) {
    ServiceAccount sa = visible(caller, organizationId, id);
    authorizer.require(caller.principal(), "serviceaccount.delete", organizationId, null, sa.subject().value());
    store.inTransaction(tx -> {
      tx.lockOrganization(organizationId);
      // Before reading the bindings: a binding being created for this account holds this lock until
      // it commits (RoleBindings.create), so it is either read below or refused once we are done.
      tx.lockServiceAccount(sa.id());
      List<RoleBinding> current = tx.bindingsOf(organizationId);
      long ownersAfter = Bindings.countOwners(current.stream()
          .filter(b -> !b.subject().equals(sa.subject().value())).toList());
      if (Bindings.countOwners(current) > 0 && ownersAfter == 0) {
        throw TollgateException.failedPrecondition(
            "this service account holds the organization's last owner binding; create another owner binding first");
      }
      // Bindings of other subjects narrowed to this account go too: entities name the account,
      // so one re-created under the same name would otherwise inherit them.
      for (RoleBinding b : current) {
        if (sa.subject().value().equals(b.entity())) {
          tx.deleteBinding(b.id());
          tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), "rolebinding.delete",
              "rolebinding:" + b.id(), caller.clientIp(), RoleBindings.describe(b)));
        }
      }
      tx.deleteServiceAccount(sa);
      tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), "serviceaccount.delete",
          "serviceaccount:" + sa.name(), caller.clientIp(), "id " + sa.id()));
      return null;
    });
    state.reload();
  }

  /** Disables or enables; a disabled account's tokens are refused from the next request on. */
  public ServiceAccount setDisabled(Caller caller, String organizationId, String id, boolean disabled) {
    ServiceAccount sa = visible(caller, organizationId, id);
    authorizer.require(caller.principal(), "serviceaccount.delete", organizationId, null, sa.subject().value());
    store.inTransaction(tx -> {
      tx.setServiceAccountDisabled(sa.id(), disabled);
      tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(),
          disabled ? "serviceaccount.disable" : "serviceaccount.enable", "serviceaccount:" + sa.name(),
          caller.clientIp(), "id " + sa.id()));
      return null;
    });
    state.reload();
    return new ServiceAccount(sa.id(), sa.organizationId(), sa.name(), sa.createdAt(), sa.createdBy(), disabled);
  }

  /** Membership is enough to resolve the id; the action's own permission is checked after. */
  private ServiceAccount visible(Caller caller, String organizationId, String id) {
    if (!authorizer.isMember(caller.principal(), organizationId)) {
      throw TollgateException.notFound("organization");
    }
    return find(organizationId, id);
  }
}
