package dev.tollgate.iam;

/**
 * Limits password guessing per email and client address; every place that checks a password
 * against an account shares one instance (implemented in {@code session}).
 */
public interface PasswordAttempts {
  /**
   * Reserves one attempt, counted as failed until {@link #succeeded} says otherwise, so that
   * concurrent attempts cannot all slip past the limit.
   *
   * @throws dev.tollgate.errors.TollgateException RESOURCE_EXHAUSTED while the email or the
   *     address must wait, saying how long
   */
  void begin(String email, String clientIp);

  /** The attempt {@link #begin} reserved succeeded. */
  void succeeded(String email, String clientIp);
}
