package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * Who may create organizations ({@code --org-creation}) and how many one user may create
 * ({@code --max-orgs-per-user}). Each organization is a tenant of the operator's server, so by
 * default only the operator's owners start new ones.
 */
public record OrganizationCreation(Mode mode, int maxPerUser) {
  /** {@code operators}: org-wide owners of the operator's organization; {@code anyone}: any user. */
  public enum Mode {
    OPERATORS, ANYONE, NOBODY;

    /** The flag's spelling: {@code operators}, {@code anyone}, {@code nobody}. */
    public String flag() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String s) {
      for (Mode m : values()) {
        if (m.flag().equals(s == null ? null : s.strip().toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
      throw new IllegalArgumentException("--org-creation must be operators, anyone or nobody");
    }
  }

  public static final OrganizationCreation DEFAULT = new OrganizationCreation(Mode.OPERATORS, 10);

  public OrganizationCreation {
    requireNonNull(mode, "mode");
    if (maxPerUser < 0) {
      throw new IllegalArgumentException("--max-orgs-per-user must be >= 0");
    }
  }
}
