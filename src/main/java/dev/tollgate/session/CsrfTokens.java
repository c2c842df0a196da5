package dev.tollgate.session;

import dev.tollgate.crypto.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A session's CSRF token and how it is checked. The token is derived from the session id (a
 * one-way hash, so the token a page script sees reveals nothing of the HttpOnly cookie); the
 * database keeps only the token's SHA-256, like the session id's, so a database reader learns
 * neither. {@code /v1/auth/me} re-derives it from the cookie, which is why it needs no storage.
 */
public final class CsrfTokens {
  /** 32 hex characters, 128 bits. */
  public static final int LENGTH = 32;

  private CsrfTokens() {}

  /** The CSRF token of the session whose cookie value is {@code sessionId}. */
  public static String forSession(String sessionId) {
    return Sha256.hex("tollgate csrf v1\n" + sessionId).substring(0, LENGTH);
  }

  /** What is stored with the session. */
  public static String stored(String csrfToken) {
    return Sha256.hex(csrfToken);
  }

  /** Whether {@code presented} is the token whose SHA-256 is {@code storedSha256}, in constant time. */
  public static boolean matches(String presented, String storedSha256) {
    if (presented == null || storedSha256 == null || presented.length() != LENGTH) {
      return false;
    }
    return MessageDigest.isEqual(stored(presented).getBytes(StandardCharsets.US_ASCII),
        storedSha256.getBytes(StandardCharsets.US_ASCII));
  }
}
