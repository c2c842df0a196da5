package dev.tollgate.session;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.PasswordAttempts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Slows down password guessing: after {@value #FREE_FAILURES} failures for one email or one
 * client address, each further attempt must wait, doubling up to 5 minutes. An attempt counts as
 * a failure from the moment it starts (before the slow password hash), and the check and that
 * count happen under one lock, so a burst of concurrent attempts gets no more than the free ones
 * through. Kept in memory (bounded); a restart forgets it, which is acceptable for a slowdown.
 */
public final class LoginThrottle implements PasswordAttempts {
  static final int FREE_FAILURES = 5;
  private static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private record Failures(int count, Instant last) {}

  private final InstantSource clock;
  private final Cache<String, Failures> failures =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(15)).build();

  public LoginThrottle(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Reserves an attempt for this email and address, or throws RESOURCE_EXHAUSTED (nothing counted)
   * while either must still wait.
   */
  @Override
  public void begin(String email, String clientIp) {
    Duration wait = tryBegin(email, clientIp);
    if (!wait.isZero()) {
      throw TollgateException.resourceExhausted(
          "too many failed logins; try again in " + Math.max(1, wait.toSeconds()) + " s");
    }
  }

  /**
   * Reserves an attempt and returns zero, or returns how long the caller must still wait (and
   * reserves nothing).
   */
  synchronized Duration tryBegin(String email, String clientIp) {
    Duration a = waitOf(emailKey(email));
    Duration b = waitOf(ipKey(clientIp));
    Duration wait = a.compareTo(b) >= 0 ? a : b;
    if (wait.isZero()) {
      Instant now = clock.instant();
      for (String key : new String[] {emailKey(email), ipKey(clientIp)}) {
        failures.asMap().merge(key, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
      }
    }
    return wait;
  }

  /**
   * The reserved attempt succeeded: clears the email's failures, and takes the attempt back from
   * the address's count (not more: the address may be shared with someone guessing).
   */
  @Override
  public synchronized void succeeded(String email, String clientIp) {
    failures.invalidate(emailKey(email));
    failures.asMap().computeIfPresent(ipKey(clientIp),
        (key, f) -> f.count() <= 1 ? null : new Failures(f.count() - 1, f.last()));
  }

  private static String emailKey(String email) {
    return "email:" + email;
  }

  private static String ipKey(String clientIp) {
    return "ip:" + clientIp;
  }

  private Duration waitOf(String key) {
    Failures f = failures.getIfPresent(key);
    if (f == null || f.count() < FREE_FAILURES) {
      return Duration.ZERO;
    }
    int excess = Math.min(f.count() - FREE_FAILURES, 10);
    Duration penalty = Duration.ofSeconds(1L << excess);
    if (penalty.compareTo(MAX_WAIT) > 0) {
      penalty = MAX_WAIT;
    }
    Duration left = Duration.between(clock.instant(), f.last().plus(penalty));
    return left.isNegative() ? Duration.ZERO : left;
  }
}
