package dev.tollgate.session;

import java.time.Instant;

/**
 * Where log-ins, failed log-ins, log-outs and password changes are recorded (the audit log).
 * Owned here so that {@link Sessions} does not depend on how the log files them.
 */
@FunctionalInterface
public interface SessionEvents {
  /** Records nothing. */
  SessionEvents NONE = (at, email, action, clientIp, detail) -> {};

  /**
   * @param email the account's email, or null when the attempt named no known account (the
   *     attempted text is not recorded: it may be a password typed in the wrong field)
   * @param action e.g. {@code session.login}, {@code session.login.failed}
   * @param detail a short text, never a secret
   */
  void record(Instant at, String email, String action, String clientIp, String detail);
}
