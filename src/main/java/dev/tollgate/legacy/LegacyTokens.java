package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.IamSnapshot;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.Names;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Permissions;
import dev.tollgate.iam.Principal;
import dev.tollgate.iam.Project;
import dev.tollgate.iam.SystemRole;
import dev.tollgate.token.LastUsedTracker;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Creates, lists and deletes legacy project tokens, and rotates the signing key.
 *
 * <p>Permissions, in the token's project: listing needs {@code serviceaccounttoken.list};
 * deleting needs {@code serviceaccounttoken.delete}; creating needs
 * {@code serviceaccounttoken.create} and also {@code profile.write} and {@code debuginfo.write},
 * because the token carries both and nobody may mint a credential stronger than their own.
 * Creating is refused (409 failed_precondition) while the organization's legacy tokens are frozen.
 * Rotating the key affects every organization on the server, so it needs an org-wide
 * {@code system:owner} binding in every organization.
 */
public final class LegacyTokens {
  static final String TOKEN_LIST = "serviceaccounttoken.list";
  static final String TOKEN_CREATE = "serviceaccounttoken.create";
  static final String TOKEN_DELETE = "serviceaccounttoken.delete";
  /** What every legacy token grants in its project, so what its creator must hold there. */
  static final List<String> CARRIES = List.of(Permissions.PROFILE_WRITE, Permissions.DEBUGINFO_WRITE);

  /** A created token: {@code token} is the one and only copy of the JWT. */
  public record Created(LegacyToken metadata, String token) {
    @Override
    public String toString() {
      return "Created[" + metadata.id() + ", token=<secret>]";
    }
  }

  private final LegacyTokenStore store;
  private final LegacyState state;
  private final IamState iam;
  private final Authorizer authorizer;
  private final LegacyUsage usage;
  private final Supplier<String> issuer;
  private final InstantSource clock;

  /** @param issuer the server's external URL, asked at each creation (the {@code iss} claim) */
  public LegacyTokens(LegacyTokenStore store, LegacyState state, IamState iam, Authorizer authorizer,
      LegacyUsage usage, Supplier<String> issuer, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.iam = requireNonNull(iam, "iam");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.usage = requireNonNull(usage, "usage");
    this.issuer = requireNonNull(issuer, "issuer");
    this.clock = requireNonNull(clock, "clock");
  }

  /** On start: creates the first signing key when there is none yet, then loads the state. */
  public void ensureSigningKey() {
    if (state.reload().activeKey() != null) {
      return;
    }
    store.inTransaction(tx -> {
      if (tx.keys().stream().noneMatch(SigningKey::active)) {
        SigningKey key = SigningKey.generate(UUID.randomUUID().toString(), clock.instant());
        tx.insertKey(key);
        tx.audit(AuditEntry.of(null, clock.instant(), "system", "legacytoken.key.create", "legacykey:" + key.id(),
            null, "first signing key"));
      }
      return null;
    });
    state.reload();
  }

  /**
   * The project's tokens, each with the newest use known to any server: written to the database
   * by any of them, or seen by this one and not written yet.
   */
  public List<LegacyToken> list(Caller caller, String projectId) {
    Project p = project(caller, projectId, TOKEN_LIST);
    Map<String, Instant> written = store.readLastUsed(List.of(p.id()));
    return state.current().tokensOf(p.id()).stream().map(t -> withFreshLastUsed(t, written.get(t.id()))).toList();
  }

  public Created create(Caller caller, String projectId, String name) {
    Project p = project(caller, projectId, TOKEN_CREATE);
    authorizer.requireHoldsAll(caller.principal(), CARRIES, p.organizationId(), p.id(), null, "create a legacy token");
    String tokenName = Names.displayName("name", name);
    Organization org = iam.current().organization(p.organizationId())
        .orElseThrow(() -> TollgateException.notFound("organization"));
    if (org.legacyTokensFrozen()) {
      throw TollgateException.failedPrecondition("legacy tokens are frozen in this organization: no new ones can be "
          + "created; create a service account token instead (existing legacy tokens keep working until deleted)");
    }
    SigningKey key = state.current().activeKey();
    if (key == null) {
      throw new IllegalStateException("no active legacy signing key; ensureSigningKey() runs at start");
    }
    Instant now = clock.instant();
    String iss = issuer.get();
    long iat = LegacyJwt.nanos(now);
    LegacyToken token = new LegacyToken(UUID.randomUUID().toString(), p.id(), tokenName, key.id(), now,
        caller.actor(), null, null, iat, iss);
    String jwt = LegacyJwt.sign(new LegacyJwt.Claims(token.id(), p.id(), iss, iat), state.current().activePrivateKey());
    store.inTransaction(tx -> {
      tx.insertToken(token);
      tx.audit(AuditEntry.of(p.organizationId(), now, caller.actor(), "legacytoken.create", "legacytoken:" + token.id(),
          caller.clientIp(), "project " + p.id() + " " + tokenName));
      return null;
    });
    state.reload();
    return new Created(token, jwt);
  }

  /** Deletes (revokes) a token; the next call with it is refused. */
  public void delete(Caller caller, String projectId, String tokenId) {
    Project p = project(caller, projectId, TOKEN_DELETE);
    LegacyToken t = state.current().token(tokenId).filter(x -> x.projectId().equals(p.id()))
        .orElseThrow(() -> TollgateException.notFound("legacy token"));
    store.inTransaction(tx -> {
      if (!tx.deleteToken(t.id())) {
        throw TollgateException.notFound("legacy token");
      }
      tx.audit(AuditEntry.of(p.organizationId(), clock.instant(), caller.actor(), "legacytoken.delete",
          "legacytoken:" + t.id(), caller.clientIp(), "project " + p.id() + " " + t.name()));
      return null;
    });
    state.reload();
  }

  /** Every key's public part (retired ones too), active first. */
  public List<SigningKey> publicKeys() {
    return state.current().keys().stream().map(k -> k.active() ? new SigningKey(k.id(), k.publicKey(), null,
        k.createdAt(), null) : k).toList();
  }

  /**
   * Generates a new signing key and retires the current one: its private part is deleted, its
   * public part stays so tokens it signed keep verifying. Returns the new key's public part.
   */
  public SigningKey rotateKey(Caller caller) {
    requireServerOwner(caller.principal());
    Instant now = clock.instant();
    SigningKey fresh = SigningKey.generate(UUID.randomUUID().toString(), now);
    store.inTransaction(tx -> {
      for (SigningKey k : tx.keys()) {
        if (k.active()) {
          tx.retireKey(k.id(), now);
          tx.audit(AuditEntry.of(null, now, caller.actor(), "legacytoken.key.retire", "legacykey:" + k.id(),
              caller.clientIp(), "replaced by " + fresh.id()));
        }
      }
      tx.insertKey(fresh);
      tx.audit(AuditEntry.of(null, now, caller.actor(), "legacytoken.key.create", "legacykey:" + fresh.id(),
          caller.clientIp(), "rotation"));
      return null;
    });
    state.reload();
    return new SigningKey(fresh.id(), fresh.publicKey(), null, fresh.createdAt(), null);
  }

  /**
   * An org-wide owner of the operator's organization (the bootstrap one), who runs the server: the
   * key is shared by every organization, and who may create organizations must not be able to
   * take rotation away from the operator by creating one.
   */
  private void requireServerOwner(Principal principal) {
    IamSnapshot s = iam.current();
    String operatorOrg = s.operatorOrganization().map(Organization::id).orElse(null);
    boolean owner = operatorOrg != null && principal.tokenProjectId() == null
        && (principal.organizationId() == null || principal.organizationId().equals(operatorOrg))
        && dev.tollgate.iam.Organizations.isOperator(s, principal.subject().value());
    if (!owner) {
      throw TollgateException.forbidden(
          "rotating the legacy signing key needs an org-wide owner binding in the operator's organization");
    }
  }

  private Project project(Caller caller, String projectId, String permission) {
    Project p = authorizer.visibleProject(caller.principal(), Names.uuid("projectId", projectId).toString());
    authorizer.require(caller.principal(), permission, p.organizationId(), p.id(), null);
    return p;
  }

  /** {@code t} with the newest of its snapshot's time, {@code written} (by any server) and this server's unwritten use. */
  LegacyToken withFreshLastUsed(LegacyToken t, Instant written) {
    Instant newest = LastUsedTracker.newest(t.lastUsedAt(), written, usage.lastUsed(t.id()));
    if (java.util.Objects.equals(newest, t.lastUsedAt())) {
      return t;
    }
    return new LegacyToken(t.id(), t.projectId(), t.name(), t.keyId(), t.createdAt(), t.createdBy(), newest,
        t.replacement(), t.issuedAtNanos(), t.issuer());
  }
}
