package dev.tollgate.profiles;

import static java.util.Objects.requireNonNull;

/** Who sent data: the token id and a readable name such as {@code serviceaccount:production-scraper}. */
public record Source(String id, String name) {
  public Source {
    requireNonNull(id, "id");
    requireNonNull(name, "name");
  }
}
