package dev.tollgate.token;

import dev.tollgate.crypto.Sha256;
import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.IamStore;
import dev.tollgate.iam.Names;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Project;
import dev.tollgate.iam.ServiceAccount;
import dev.tollgate.iam.ServiceAccountToken;
import dev.tollgate.iam.ServiceAccounts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Creates, lists and deletes a service account's tokens. At most {@value #MAX_PER_SERVICE_ACCOUNT}
 * per account, exact under concurrency (counted under the account's row lock). Only the SHA-256
 * is stored; the token string exists in the create response and nowhere else. Creating one needs
 * {@code serviceaccounttoken.create} for the account and every permission the token will carry
 * ({@link Authorizer#requireHoldsAllOf}): nobody may mint a credential stronger than their own.
 */
public final class Tokens {
  public static final int MAX_PER_SERVICE_ACCOUNT = 100;

  /** A created token: {@code secret} is the one and only copy. */
  public record Created(ServiceAccountToken token, String secret) {
    @Override
    public String toString() {
      return "Created[" + token.id() + ", secret=<secret>]";
    }
  }

  private final IamStore store;
  private final IamState state;
  private final Authorizer authorizer;
  private final ServiceAccounts serviceAccounts;
  private final TokenFormat format;
  private final LastUsedTracker lastUsed;
  private final InstantSource clock;

  public Tokens(IamStore store, IamState state, Authorizer authorizer, ServiceAccounts serviceAccounts,
      TokenFormat format, LastUsedTracker lastUsed, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.serviceAccounts = requireNonNull(serviceAccounts, "serviceAccounts");
    this.format = requireNonNull(format, "format");
    this.lastUsed = requireNonNull(lastUsed, "lastUsed");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The account's tokens, each with the newest use known to any server: written to the database
   * by any of them, or seen by this one and not written yet.
   */
  public List<ServiceAccountToken> list(Caller caller, String organizationId, String serviceAccountId) {
    ServiceAccount sa = account(caller, organizationId, serviceAccountId);
    authorizer.require(caller.principal(), "serviceaccounttoken.list", organizationId, null, sa.subject().value());
    List<ServiceAccountToken> tokens = state.current().tokensOf(sa.id());
    Map<String, Instant> written = lastUsed.writtenByAnyServer(List.of(sa.id()));
    return tokens.stream().map(t -> withLastUsed(t, written.get(t.id()))).toList();
  }

  public Created create(Caller caller, String organizationId, String serviceAccountId, String name, String projectId,
      Instant expiresAt) {
    ServiceAccount sa = account(caller, organizationId, serviceAccountId);
    authorizer.require(caller.principal(), "serviceaccounttoken.create", organizationId, null, sa.subject().value());
    String tokenName = Names.displayName("name", name);
    String project = null;
    if (projectId != null && !projectId.isBlank()) {
      project = Names.uuid("projectId", projectId).toString();
      Optional<Project> p = state.current().project(project);
      if (p.isEmpty() || !p.get().organizationId().equals(organizationId)) {
        throw TollgateException.invalid("projectId", "projectId is not a project of this organization");
      }
    }
    authorizer.requireHoldsAllOf(caller.principal(), sa, project);
    Instant now = clock.instant();
    Instant expiry = checkedExpiry(organizationId, expiresAt, now);
    String secret = format.generate();
    ServiceAccountToken token = new ServiceAccountToken(UUID.randomUUID().toString(), sa.id(), tokenName,
        Sha256.hex(secret), project, now, caller.actor(), expiry, null);
    store.inTransaction(tx -> {
      if (!tx.lockServiceAccount(sa.id())) {
        throw TollgateException.notFound("service account");
      }
      if (tx.countTokens(sa.id()) >= MAX_PER_SERVICE_ACCOUNT) {
        throw TollgateException.resourceExhausted(
            "token limit reached: at most " + MAX_PER_SERVICE_ACCOUNT + " tokens per service account");
      }
      tx.insertToken(token);
      tx.audit(AuditEntry.of(organizationId, now, caller.actor(), "serviceaccounttoken.create", "token:" + token.id(),
          caller.clientIp(), "serviceaccount:" + sa.name() + (token.projectId() == null ? "" : " project " + token.projectId())
              + (expiry == null ? "" : " expires " + expiry)));
      return null;
    });
    state.reload();
    return new Created(token, secret);
  }

  /** Deletes (revokes) a token; the next request with it is refused. */
  public void delete(Caller caller, String organizationId, String serviceAccountId, String tokenId) {
    ServiceAccount sa = account(caller, organizationId, serviceAccountId);
    authorizer.require(caller.principal(), "serviceaccounttoken.delete", organizationId, null, sa.subject().value());
    ServiceAccountToken t = state.current().tokensOf(sa.id()).stream()
        .filter(x -> x.id().equals(tokenId))
        .findFirst()
        .orElseThrow(() -> TollgateException.notFound("token"));
    store.inTransaction(tx -> {
      tx.deleteToken(t.id());
      tx.audit(AuditEntry.of(organizationId, clock.instant(), caller.actor(), "serviceaccounttoken.delete",
          "token:" + t.id(), caller.clientIp(), "serviceaccount:" + sa.name() + " " + t.name()));
      return null;
    });
    state.reload();
  }

  private ServiceAccount account(Caller caller, String organizationId, String serviceAccountId) {
    if (!authorizer.isMember(caller.principal(), organizationId)) {
      throw TollgateException.notFound("organization");
    }
    return serviceAccounts.find(organizationId, serviceAccountId);
  }

  /**
   * A requested expiry must lie in the future; under an organization limit it must not lie
   * beyond now + limit, and no expiry means exactly that limit.
   */
  private Instant checkedExpiry(String organizationId, Instant requested, Instant now) {
    if (requested != null && !requested.isAfter(now)) {
      throw TollgateException.invalid("expiresAt", "expiresAt must be in the future");
    }
    Organization org = state.current().organization(organizationId).orElseThrow(() -> TollgateException.notFound("organization"));
    if (org.maxTokenLifetimeSeconds() == null) {
      return requested;
    }
    Instant latest = now.plus(Duration.ofSeconds(org.maxTokenLifetimeSeconds()));
    if (requested == null) {
      return latest;
    }
    if (requested.isAfter(latest)) {
      throw TollgateException.invalid("expiresAt",
          "expiresAt is beyond the organization's maximum token lifetime of " + org.maxTokenLifetimeSeconds() + " s");
    }
    return requested;
  }

  /**
   * The newest use of any token of each account (account id to time; accounts whose tokens were
   * never used are absent), known to any server as in {@link #list}. One database read.
   */
  public Map<String, Instant> lastUsedOfAccounts(Collection<ServiceAccount> accounts) {
    List<String> ids = accounts.stream().map(ServiceAccount::id).toList();
    Map<String, Instant> written = lastUsed.writtenByAnyServer(ids);
    Map<String, Instant> out = new HashMap<>();
    for (String id : ids) {
      for (ServiceAccountToken t : state.current().tokensOf(id)) {
        Instant at = withLastUsed(t, written.get(t.id())).lastUsedAt();
        if (at != null) {
          out.merge(id, at, LastUsedTracker::later);
        }
      }
    }
    return out;
  }

  /** {@code t} with the newest of its snapshot's time, {@code written} and this server's unwritten use. */
  private ServiceAccountToken withLastUsed(ServiceAccountToken t, Instant written) {
    Instant newest = LastUsedTracker.newest(t.lastUsedAt(), written, lastUsed.lastUsed(t.id()));
    if (Objects.equals(newest, t.lastUsedAt())) {
      return t;
    }
    return new ServiceAccountToken(t.id(), t.serviceAccountId(), t.name(), t.sha256(), t.projectId(), t.createdAt(),
        t.createdBy(), t.expiresAt(), newest);
  }
}
