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
 * Slows down password guessing without locking out the people it protects. Failures are counted
 * per account and address together, per account, and per address; an attempt waits (doubling
 * from 1 s up to 5 minutes after the last failure) only when:
 *
 * <ul>
 *   <li>this account failed {@value #PAIR_FREE} times from this address (one guessing one account);
 *   <li>this address failed {@value #ADDRESS_FREE} times in all (one address guessing many
 *       accounts): then each account it failed on from there waits after its first failure; or
 *   <li>this account failed {@value #ACCOUNT_FREE} times in all (many addresses guessing one
 *       account): then it waits from every address it has not logged in from recently.
 * </ul>
 *
 * So a correct password is never refused for an account nobody is guessing, whatever else
 * happens behind the same address (a NAT, a proxy), and the owner of an account guessed from
 * everywhere still gets in from where they logged in before. The one case the right password
 * waits: someone at the same address guessed that same account.
 *
 * <p>An attempt counts as a failure from the moment it starts (before the slow password hash),
 * and the check and that count happen under one lock, so a burst of concurrent attempts gets no
 * more than the free ones through. Kept in memory (bounded); a restart forgets it, which is
 * acceptable for a slowdown.
 */
public final class LoginThrottle implements PasswordAttempts {
  static final int PAIR_FREE = 5;
  static final int ADDRESS_FREE = 50;
  static final int ACCOUNT_FREE = 20;
  private static final Duration MAX_WAIT = Duration.ofMinutes(5);
  private static final Duration WINDOW = Duration.ofMinutes(15);
  private static final Duration KNOWN_ADDRESS = Duration.ofDays(30);

  private record Failures(int count, Instant last) {}

  private final InstantSource clock;
  private final Cache<String, Failures> failures =
      Caffeine.newBuilder().maximumSize(300_000).expireAfterWrite(WINDOW).build();
  /** Account and address pairs that logged in successfully, the value unused. */
  private final Cache<String, Boolean> knownAddresses =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(KNOWN_ADDRESS).build();

  public LoginThrottle(InstantSource clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Reserves an attempt for this email and address, or throws RESOURCE_EXHAUSTED (nothing counted)
   * while it must still wait.
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
    String pair = pairKey(email, clientIp);
    int pairFree = count(addressKey(clientIp)) >= ADDRESS_FREE ? 1 : PAIR_FREE;
    Duration wait = waitOf(pair, pairFree);
    if (knownAddresses.getIfPresent(pair) == null) {
      wait = max(wait, waitOf(accountKey(email), ACCOUNT_FREE));
    }
    if (wait.isZero()) {
      Instant now = clock.instant();
      for (String key : new String[] {pair, accountKey(email), addressKey(clientIp)}) {
        failures.asMap().merge(key, new Failures(1, now), (old, one) -> new Failures(old.count() + 1, now));
      }
    }
    return wait;
  }

  /**
   * The reserved attempt succeeded: clears the pair's failures, remembers the address as the
   * account's, and takes the attempt back from the account's and the address's counts (not more:
   * others may be guessing the account elsewhere, or other accounts from the address).
   */
  @Override
  public synchronized void succeeded(String email, String clientIp) {
    String pair = pairKey(email, clientIp);
    failures.invalidate(pair);
    knownAddresses.put(pair, Boolean.TRUE);
    for (String key : new String[] {accountKey(email), addressKey(clientIp)}) {
      failures.asMap().computeIfPresent(key, (k, f) -> f.count() <= 1 ? null : new Failures(f.count() - 1, f.last()));
    }
  }

  private static String pairKey(String email, String clientIp) {
    return "pair:" + email + "\n" + clientIp;
  }

  private static String accountKey(String email) {
    return "email:" + email;
  }

  private static String addressKey(String clientIp) {
    return "ip:" + clientIp;
  }

  private int count(String key) {
    Failures f = failures.getIfPresent(key);
    return f == null ? 0 : f.count();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private Duration waitOf(String key, int free) {
    Failures f = failures.getIfPresent(key);
    if (f == null || f.count() < free) {
      return Duration.ZERO;
    }
    int excess = Math.min(f.count() - free, 10);
    Duration penalty = Duration.ofSeconds(1L << excess);
    if (penalty.compareTo(MAX_WAIT) > 0) {
      penalty = MAX_WAIT;
    }
    Duration left = Duration.between(clock.instant(), f.last().plus(penalty));
    return left.isNegative() ? Duration.ZERO : left;
  }
}
