package dev.tollgate.iam;

import static java.util.Objects.requireNonNull;

/** The principal behind a request plus where it came from, for the audit log. */
public record Caller(Principal principal, String clientIp) {
  public Caller {
    requireNonNull(principal, "principal");
  }

  public String actor() {
    return principal.display();
  }
}
