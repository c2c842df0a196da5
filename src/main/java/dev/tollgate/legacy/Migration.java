package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.AuditEntry;
import dev.tollgate.iam.Authorizer;
import dev.tollgate.iam.Caller;
import dev.tollgate.iam.IamSnapshot;
import dev.tollgate.iam.IamState;
import dev.tollgate.iam.IamStore;
import dev.tollgate.iam.Names;
import dev.tollgate.iam.Organization;
import dev.tollgate.iam.Project;
import dev.tollgate.iam.RoleBinding;
import dev.tollgate.iam.RoleBindings;
import dev.tollgate.iam.ServiceAccount;
import dev.tollgate.iam.ServiceAccounts;
import dev.tollgate.iam.SystemRole;
import dev.tollgate.token.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The migration assistant: a report of every legacy token (use, calls, replacement) and the
 * one-step replacement by a service account with a minimal role and a project-bound
 * {@code psc_v1_} token. Each step goes through the service that owns its rules
 * ({@link ServiceAccounts}, {@link RoleBindings}, {@link Tokens}), so each is checked and
 * audited there; the replacement itself is recorded and audited last, and all of it commits
 * as one transaction ({@link IamStore#atomically}). The legacy token keeps
 * working until it is deleted.
 */
public final class Migration {
  /** The two client kinds a legacy token is replaced for, with their minimal role and flags. */
  public enum Client {
    /**
     * A Parca scraper (WriteRaw only): {@code system:profile-writer}. Parca's scraper mode has no
     * flag for gRPC headers, so it sends no {@code projectid}: the replacement token is bound to the
     * project and names it itself.
     */
    SCRAPER("profile-writer", SystemRole.PROFILE_WRITER, "--bearer-token-file=", null),
    /** An agent that also uploads debug info: {@code system:writer}. */
    AGENT("writer", SystemRole.WRITER, "--remote-store-bearer-token-file=", "--remote-store-grpc-headers=projectID=");

    private final String role;
    private final SystemRole systemRole;
    private final String tokenFileFlag;
    private final String headerFlag;

    Client(String role, SystemRole systemRole, String tokenFileFlag, String headerFlag) {
      this.role = role;
      this.systemRole = systemRole;
      this.tokenFileFlag = tokenFileFlag;
      this.headerFlag = headerFlag;
    }

    /** {@code profile-writer} or {@code writer}, as the API names it. */
    public String role() {
      return role;
    }

    public SystemRole systemRole() {
      return systemRole;
    }

    /** The client's new flags, exactly. */
    public List<String> flags(String tokenFile, String projectId) {
      return headerFlag == null
          ? List.of(tokenFileFlag + tokenFile)
          : List.of(tokenFileFlag + tokenFile, headerFlag + projectId);
    }

    public static Client ofRole(String role) {
      for (Client c : values()) {
        if (c.role.equals(role) || c.systemRole.id().equals(role)) {
          return c;
        }
      }
      throw TollgateException.invalid("role",
          "role must be profile-writer (scrapers) or writer (agents that also upload debug info)");
    }
  }

  /** One line of the report. */
  public record Entry(LegacyToken token, Project project, Instant lastUsedAt, long callsLast24h, long callsLast7d,
      ServiceAccount replacementAccount) {}

  /** The organization's report. */
  public record Report(Organization organization, List<Entry> entries) {}

  /** What a replacement did; {@code token.secret()} is the one copy of the new token. */
  public record Replaced(LegacyToken legacy, Project project, Client client, ServiceAccount serviceAccount,
      boolean serviceAccountCreated, RoleBinding binding, boolean bindingCreated, Tokens.Created token,
      String tokenFile, List<String> flags) {
    @Override
    public String toString() {
      return "Replaced[" + legacy.id() + " -> " + token.token().id() + ", secret=<secret>]";
    }
  }

  private final LegacyTokenStore store;
  private final LegacyState state;
  private final LegacyTokens legacyTokens;
  private final LegacyUsage usage;
  private final IamState iam;
  private final IamStore iamStore;
  private final Authorizer authorizer;
  private final ServiceAccounts serviceAccounts;
  private final RoleBindings bindings;
  private final Tokens tokens;
  private final InstantSource clock;

  public Migration(LegacyTokenStore store, LegacyState state, LegacyTokens legacyTokens, LegacyUsage usage,
      IamState iam, IamStore iamStore, Authorizer authorizer, ServiceAccounts serviceAccounts, RoleBindings bindings,
      Tokens tokens, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.state = requireNonNull(state, "state");
    this.legacyTokens = requireNonNull(legacyTokens, "legacyTokens");
    this.usage = requireNonNull(usage, "usage");
    this.iam = requireNonNull(iam, "iam");
    this.iamStore = requireNonNull(iamStore, "iamStore");
    this.authorizer = requireNonNull(authorizer, "authorizer");
    this.serviceAccounts = requireNonNull(serviceAccounts, "serviceAccounts");
    this.bindings = requireNonNull(bindings, "bindings");
    this.tokens = requireNonNull(tokens, "tokens");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Every legacy token in the projects where the caller has {@code serviceaccounttoken.list},
   * oldest first. Pending usage is flushed first, so the counts include this node's latest calls.
   */
  public Report report(Caller caller, String organizationId) {
    IamSnapshot s = iam.current();
    Organization org = s.organization(organizationId)
        .filter(o -> authorizer.isMember(caller.principal(), o.id()))
        .orElseThrow(() -> TollgateException.notFound("organization"));
    List<Project> visible = s.projectsOf(org.id()).stream()
        .filter(p -> authorizer.allowed(caller.principal(), LegacyTokens.TOKEN_LIST, org.id(), p.id()))
        .toList();
    if (visible.isEmpty()) {
      throw TollgateException.permissionDenied(LegacyTokens.TOKEN_LIST);
    }
    usage.flush();
    Instant hour = LegacyUsage.hourOf(clock.instant());
    Instant since24h = hour.minus(Duration.ofHours(23));
    Instant since7d = hour.minus(Duration.ofHours(7 * 24 - 1));
    Map<LegacyTokenStore.HourKey, Long> calls = store.callsSince(since7d);
    Map<String, Instant> written = store.readLastUsed(visible.stream().map(Project::id).toList());
    List<Entry> entries = new ArrayList<>();
    for (Project p : visible) {
      for (LegacyToken raw : state.current().tokensOf(p.id())) {
        LegacyToken t = legacyTokens.withFreshLastUsed(raw, written.get(raw.id()));
        long day = 0;
        long week = 0;
        for (Map.Entry<LegacyTokenStore.HourKey, Long> c : calls.entrySet()) {
          if (c.getKey().tokenId().equals(t.id())) {
            week += c.getValue();
            if (!c.getKey().hourStart().isBefore(since24h)) {
              day += c.getValue();
            }
          }
        }
        ServiceAccount replacement = t.replacement() == null ? null
            : s.serviceAccount(t.replacement().serviceAccountId()).orElse(null);
        entries.add(new Entry(t, p, t.lastUsedAt(), day, week, replacement));
      }
    }
    entries.sort(Comparator.comparing((Entry e) -> e.token().createdAt()).thenComparing(e -> e.token().id()));
    return new Report(org, entries);
  }

  /**
   * Replaces a legacy token in one step: the service account (created, or reused when one of that
   * name exists), a binding of the client's minimal role scoped to the project (skipped when an
   * identical one exists), and a {@code psc_v1_} token bound to the project, all in one
   * transaction: if any step fails (a quota, a concurrent change) nothing of it remains. Every
   * permission the steps need is checked before the first change.
   *
   * @param tokenFile where the client will read the token from, for the flags; null for
   *     {@code ./<service account>.token}
   */
  public Replaced replace(Caller caller, String projectId, String legacyTokenId, String serviceAccountName,
      String role, String tokenFile) {
    Project p = authorizer.visibleProject(caller.principal(), Names.uuid("projectId", projectId).toString());
    String org = p.organizationId();
    authorizer.require(caller.principal(), LegacyTokens.TOKEN_CREATE, org, p.id(), null);
    LegacyToken legacy = state.current().token(legacyTokenId).filter(t -> t.projectId().equals(p.id()))
        .orElseThrow(() -> TollgateException.notFound("legacy token"));
    Client client = Client.ofRole(role);
    String name = Names.serviceAccountName(serviceAccountName);
    String file = tokenFile(tokenFile, name);

    Optional<ServiceAccount> existing = iam.current().serviceAccountByName(org, name);
    if (existing.isPresent() && existing.get().disabled()) {
      throw TollgateException.failedPrecondition("service account " + name + " is disabled; enable it or pick another name");
    }
    String subject = "serviceaccount:" + name;
    if (existing.isEmpty()) {
      authorizer.require(caller.principal(), "serviceaccount.create", org);
    }
    Optional<RoleBinding> identical = identicalBinding(org, subject, p.id(), client);
    if (identical.isEmpty()) {
      authorizer.require(caller.principal(), "rolebinding.create", org, p.id(), null);
      authorizer.requireMayGrant(caller.principal(), org, client.systemRole().id(), p.id(), null);
    }
    authorizer.require(caller.principal(), LegacyTokens.TOKEN_CREATE, org, null, subject);
    if (existing.isPresent()) {
      // The new token also carries what the reused account already holds in the project.
      authorizer.requireHoldsAllOf(caller.principal(), existing.get(), p.id());
    }

    Replaced done;
    try {
      done = iamStore.atomically(() -> {
        ServiceAccount sa = existing.orElseGet(() -> serviceAccounts.create(caller, org, name));
        RoleBinding binding = identical.orElseGet(() -> bindings.create(caller, org, subject, p.id(), null,
            client.systemRole().id()));
        String tokenName = "replaces legacy token " + legacy.name();
        Tokens.Created created = tokens.create(caller, org, sa.id(),
            tokenName.length() > 100 ? tokenName.substring(0, 100) : tokenName, p.id(), null);

        LegacyToken.Replacement r = new LegacyToken.Replacement(clock.instant(), caller.actor(), sa.id(),
            created.token().id(), client.role());
        store.inTransaction(tx -> {
          tx.recordReplacement(legacy.id(), r);
          tx.audit(AuditEntry.of(org, r.at(), caller.actor(), "legacytoken.replace", "legacytoken:" + legacy.id(),
              caller.clientIp(), "project " + p.id() + " by " + subject + (existing.isEmpty() ? " (created)" : " (reused)")
                  + " role " + client.systemRole().id() + (identical.isEmpty() ? " (bound)" : " (binding existed)")
                  + " token " + created.token().id()));
          return null;
        });
        return new Replaced(legacy, p, client, sa, existing.isEmpty(), binding, identical.isEmpty(), created, file,
            client.flags(file, p.id()));
      });
    } finally {
      // The steps reloaded the snapshots inside the transaction; load them again from what was
      // committed (everything, or nothing if a step failed).
      iam.reload();
      state.reload();
    }
    LegacyToken recorded = state.current().token(legacy.id()).orElse(legacy);
    return new Replaced(recorded, done.project(), done.client(), done.serviceAccount(), done.serviceAccountCreated(),
        done.binding(), done.bindingCreated(), done.token(), done.tokenFile(), done.flags());
  }

  private Optional<RoleBinding> identicalBinding(String org, String subject, String projectId, Client client) {
    return iam.current().bindings(org, subject).stream()
        .filter(b -> projectId.equals(b.projectId()) && b.entity() == null && client.systemRole().id().equals(b.role()))
        .findFirst();
  }

  private static String tokenFile(String requested, String serviceAccount) {
    if (requested == null || requested.isBlank()) {
      return "./" + serviceAccount + ".token";
    }
    String f = requested.strip();
    if (f.length() > 1024 || f.chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
      throw TollgateException.invalid("tokenFile", "tokenFile must be a path of at most 1024 characters without spaces");
    }
    return f;
  }
}
