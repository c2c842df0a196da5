package dev.tollgate.cluster;

import static java.util.Objects.requireNonNull;

import dev.tollgate.iam.Freshness;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The staleness bound of the IAM snapshot: when it was last confirmed current, and whether that
 * is within {@code --iam-max-staleness}. When it is not, a request triggers one check against the
 * database ({@link Check}); concurrent requests wait for that one check instead of each asking,
 * and a failed check is remembered for {@link #RETRY_AFTER} so an unreachable database is not
 * hammered - requests in that window are refused at once.
 */
final class Staleness implements Freshness {
  /** Confirms the snapshot against the database; returns the monotonic time the check began. */
  interface Check {
    long confirm() throws Exception;
  }

  static final Duration RETRY_AFTER = Duration.ofSeconds(1);
  /** How long a request waits for a check another request started. */
  private static final Duration CHECK_WAIT = Duration.ofSeconds(5);

  private final long boundNanos;
  private final LongSupplier nanoTime;
  private final ReentrantLock checking = new ReentrantLock();
  private volatile Check check;
  private volatile long confirmedAt;
  private volatile long failedAt;
  private volatile boolean failedOnce;

  Staleness(Duration bound, LongSupplier nanoTime) {
    this.boundNanos = requireNonNull(bound, "bound").toNanos();
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
  }

  /** From now on the bound applies; before, the server is starting and loads its state itself. */
  void enforce(Check c) {
    this.check = requireNonNull(c, "check");
  }

  /** The snapshot was current as of {@code at} (a {@link System#nanoTime()} reading). */
  synchronized void confirmed(long at) {
    if (at - confirmedAt > 0) {
      confirmedAt = at;
    }
  }

  @Override
  public boolean isCurrent() {
    return check == null || nanoTime.getAsLong() - confirmedAt <= boundNanos;
  }

  /** Nanoseconds since the last confirmation. */
  long ageNanos() {
    return nanoTime.getAsLong() - confirmedAt;
  }

  @Override
  public void requireCurrent() {
    if (isCurrent()) {
      return;
    }
    if (recentlyFailed()) {
      throw Freshness.stale();
    }
    boolean locked;
    try {
      locked = checking.tryLock(CHECK_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Freshness.stale();
    }
    if (!locked) {
      throw Freshness.stale();
    }
    try {
      if (isCurrent()) {
        return; // another request's check confirmed it meanwhile
      }
      if (recentlyFailed()) {
        throw Freshness.stale();
      }
      try {
        confirmed(check.confirm());
      } catch (Exception e) {
        failedAt = nanoTime.getAsLong();
        failedOnce = true;
        throw Freshness.stale();
      }
      if (!isCurrent()) {
        throw Freshness.stale();
      }
    } finally {
      checking.unlock();
    }
  }

  private boolean recentlyFailed() {
    return failedOnce && nanoTime.getAsLong() - failedAt < RETRY_AFTER.toNanos();
  }
}
