package dev.tollgate.iam;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable picture of all IAM state, indexed for the request path. Built off the request
 * path from a full load of the store; requests only read it, so they never touch SQL.
 */
public final class IamSnapshot {
  /** Everything the store holds, as loaded. */
  public record Data(
      List<Organization> organizations,
      List<Project> projects,
      List<Role> customRoles,
      List<RoleBinding> bindings,
      List<ServiceAccount> serviceAccounts,
      List<ServiceAccountToken> tokens) {}

  private final Data data;
  private final Map<String, Organization> organizations = new HashMap<>();
  private final Map<String, Project> projects = new HashMap<>();
  private final Map<String, Role> roles = new HashMap<>();
  private final Map<String, List<RoleBinding>> bindingsByOrgAndSubject = new HashMap<>();
  private final Map<String, List<RoleBinding>> bindingsByOrg = new HashMap<>();
  private final Map<String, ServiceAccount> serviceAccounts = new HashMap<>();
  private final Map<String, ServiceAccount> serviceAccountsByOrgAndName = new HashMap<>();
  private final Map<String, ServiceAccountToken> tokensBySha256 = new HashMap<>();
  private final Map<String, List<ServiceAccountToken>> tokensByServiceAccount = new HashMap<>();

  public IamSnapshot(Data data) {
    this.data = data;
    data.organizations().forEach(o -> organizations.put(o.id(), o));
    data.projects().forEach(p -> projects.put(p.id(), p));
    for (SystemRole r : SystemRole.values()) {
      roles.put(r.id(), Role.of(r));
    }
    data.customRoles().forEach(r -> roles.put(r.id(), r));
    for (RoleBinding b : data.bindings()) {
      bindingsByOrgAndSubject.computeIfAbsent(key(b.organizationId(), b.subject()), k -> new ArrayList<>()).add(b);
      bindingsByOrg.computeIfAbsent(b.organizationId(), k -> new ArrayList<>()).add(b);
    }
    for (ServiceAccount sa : data.serviceAccounts()) {
      serviceAccounts.put(sa.id(), sa);
      serviceAccountsByOrgAndName.put(key(sa.organizationId(), sa.name()), sa);
    }
    for (ServiceAccountToken t : data.tokens()) {
      tokensBySha256.put(t.sha256(), t);
      tokensByServiceAccount.computeIfAbsent(t.serviceAccountId(), k -> new ArrayList<>()).add(t);
    }
  }

  public static IamSnapshot empty() {
    return new IamSnapshot(new Data(List.of(), List.of(), List.of(), List.of(), List.of(), List.of()));
  }

  public Data data() {
    return data;
  }

  public Optional<Organization> organization(String id) {
    return Optional.ofNullable(id == null ? null : organizations.get(id));
  }

  public Collection<Organization> organizations() {
    return data.organizations();
  }

  /**
   * The organization created first (by the bootstrap): its owners run the server, so events that
   * belong to no organization are filed there. Empty only before the bootstrap.
   */
  public Optional<Organization> operatorOrganization() {
    return data.organizations().stream()
        .min(java.util.Comparator.comparing(Organization::createdAt).thenComparing(Organization::id));
  }

  public Optional<Project> project(String id) {
    return Optional.ofNullable(id == null ? null : projects.get(id));
  }

  public List<Project> projectsOf(String organizationId) {
    return data.projects().stream().filter(p -> p.organizationId().equals(organizationId)).toList();
  }

  /** A system role, or a custom role of this organization. */
  public Optional<Role> role(String organizationId, String roleId) {
    Role r = roleId == null ? null : roles.get(roleId);
    if (r == null || (!r.isSystem() && !r.organizationId().equals(organizationId))) {
      return Optional.empty();
    }
    return Optional.of(r);
  }

  public List<Role> customRolesOf(String organizationId) {
    return data.customRoles().stream().filter(r -> r.organizationId().equals(organizationId)).toList();
  }

  public List<RoleBinding> bindings(String organizationId, String subject) {
    return bindingsByOrgAndSubject.getOrDefault(key(organizationId, subject), List.of());
  }

  public List<RoleBinding> bindingsOf(String organizationId) {
    return bindingsByOrg.getOrDefault(organizationId, List.of());
  }

  public Optional<ServiceAccount> serviceAccount(String id) {
    return Optional.ofNullable(id == null ? null : serviceAccounts.get(id));
  }

  public Optional<ServiceAccount> serviceAccountByName(String organizationId, String name) {
    return Optional.ofNullable(serviceAccountsByOrgAndName.get(key(organizationId, name)));
  }

  public List<ServiceAccount> serviceAccountsOf(String organizationId) {
    return data.serviceAccounts().stream().filter(s -> s.organizationId().equals(organizationId)).toList();
  }

  /** The token whose SHA-256 (lowercase hex) this is; the hot path of token authentication. */
  public Optional<ServiceAccountToken> tokenBySha256(String sha256Hex) {
    return Optional.ofNullable(tokensBySha256.get(sha256Hex));
  }

  public List<ServiceAccountToken> tokensOf(String serviceAccountId) {
    return tokensByServiceAccount.getOrDefault(serviceAccountId, List.of());
  }

  private static String key(String a, String b) {
    return a + '\u0000' + b;
  }
}
