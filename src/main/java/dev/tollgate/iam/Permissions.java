package dev.tollgate.iam;

import java.util.List;
import java.util.Set;

/** The permission catalogue of IAM.md, in its order, plus Tollgate's extensions at the end. */
public final class Permissions {
  private Permissions() {}

  public static final String PROFILE_READ = "profile.read";
  public static final String PROFILE_WRITE = "profile.write";
  public static final String DEBUGINFO_WRITE = "debuginfo.write";
  public static final String AUDIT_READ = "audit.read";

  /** The catalogue as IAM.md lists it. */
  public static final List<String> CATALOGUE = List.of(
      "profile.read", "profile.write",
      "project.read", "project.list", "project.create", "project.update", "project.delete",
      "view.read", "view.list", "view.create", "view.update", "view.delete",
      "organization.read", "organization.update", "organization.delete", "organization.usage.read",
      "serviceaccount.list", "serviceaccount.create", "serviceaccount.delete",
      "serviceaccounttoken.list", "serviceaccounttoken.create", "serviceaccounttoken.delete",
      "role.list", "role.create", "role.delete",
      "rolebinding.list", "rolebinding.create", "rolebinding.delete",
      "invite.list", "invite.create", "invite.expire",
      "debuginfo.list", "debuginfo.read", "debuginfo.write",
      "billing.read", "billing.modify");

  /** Beyond Polar Signals: reading the audit log. */
  public static final List<String> EXTENSIONS = List.of(AUDIT_READ);

  /** Everything a role may contain. */
  public static final List<String> ALL = concat(CATALOGUE, EXTENSIONS);

  private static final Set<String> KNOWN = Set.copyOf(ALL);

  public static boolean isKnown(String permission) {
    return permission != null && KNOWN.contains(permission);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    var out = new java.util.ArrayList<String>(a);
    out.addAll(b);
    return List.copyOf(out);
  }
}
