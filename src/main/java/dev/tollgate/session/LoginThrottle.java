package dev.tollgate.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Slows down password guessing: after {@value #FREE_FAILURES} failures for one email or one
 * client address, each further attempt must wait, doubling up to 5 minutes. Kept in memory
 * (bounded); a restart forgets it, which is acceptable for a slowdown.
 */
public final class LoginThrottle {
  static final int FREE_FAILURES = 5;
  private static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private record Failures(int count, Instant last) {}

  private final InstantSource clock;
  private final Cache<String, Failures> failures =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(15)).build();

  public LoginThrottle(InstantSource clock) {
    this.clock = clock;
  }

  /** How long the caller must still wait before another attempt, or zero. */
  public Duration waitFor(String email, String clientIp) {
    Duration a = waitOf("email:" + email);
    Duration b = waitOf("ip:" + clientIp);
    return a.compareTo(b) >= 0 ? a : b;
  }

  public void recordFailure(String email, String clientIp) {
    Instant now = clock.instant();
    for (String key : new String[] {"email:" + email, "ip:" + clientIp}) {
      failures.asMap().merge(key, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
    }
  }

  /** A successful login clears the email's failures (not the address's: it may be shared). */
  public void recordSuccess(String email) {
    failures.invalidate("email:" + email);
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
