package dev.tollgate.iam;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** The five built-in roles of IAM.md. Their permission sets are fixed in code and cannot change. */
public enum SystemRole {
  OWNER("owner", Set.copyOf(Permissions.ALL)),
  VIEWER("viewer", readOnly()),
  WRITER("writer", union(readOnly(), Set.of(Permissions.PROFILE_WRITE, Permissions.DEBUGINFO_WRITE))),
  PROFILE_WRITER("profile-writer", Set.of(Permissions.PROFILE_WRITE)),
  DEBUGINFO_WRITER("debuginfo-writer", Set.of(Permissions.DEBUGINFO_WRITE));

  private final String name;
  private final Set<String> permissions;

  SystemRole(String name, Set<String> permissions) {
    this.name = name;
    this.permissions = permissions;
  }

  /** The id used in bindings, e.g. {@code system:owner}. */
  public String id() {
    return "system:" + name;
  }

  public String roleName() {
    return name;
  }

  public Set<String> permissions() {
    return permissions;
  }

  public static Optional<SystemRole> byId(String id) {
    return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
  }

  /** Every {@code *.read} and {@code *.list} permission, the audit log included. */
  private static Set<String> readOnly() {
    Set<String> out = new LinkedHashSet<>();
    for (String p : Permissions.ALL) {
      if (p.endsWith(".read") || p.endsWith(".list")) {
        out.add(p);
      }
    }
    return Set.copyOf(out);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new LinkedHashSet<>(a);
    out.addAll(b);
    return Set.copyOf(out);
  }
}
