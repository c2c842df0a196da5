package dev.tollgate.session;

import dev.tollgate.iam.User;
import java.time.Instant;

/**
 * A logged-in browser. The session id itself is only in the cookie; the server keeps its hash, and
 * the SHA-256 of the session's CSRF token ({@link CsrfTokens}).
 */
public record Session(String idSha256, User user, String csrfSha256, Instant expiresAt) {
  @Override
  public String toString() {
    return "Session[user=" + user.email() + ", expiresAt=" + expiresAt + "]";
  }
}
