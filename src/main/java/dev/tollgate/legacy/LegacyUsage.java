package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import dev.tollgate.token.LastUsedTracker;
import dev.tollgate.token.PendingWrites;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last use and calls per hour of each legacy token: counted in memory on the request path (no
 * IO), written in one batch whenever the server calls {@link #flush} (every 10 s) - at most one
 * last-used update and one counter upsert per token and hour per flush, however busy the token is
 * - and once more on close. Hour buckets older than {@link #RETENTION} are pruned while flushing.
 */
public final class LegacyUsage implements AutoCloseable {
  /** How long hourly counters are kept: the report looks back 7 days. */
  public static final Duration RETENTION = Duration.ofDays(8);

  private static final Logger log = LoggerFactory.getLogger(LegacyUsage.class);

  private final LegacyTokenStore store;
  private final InstantSource clock;
  private final PendingWrites<String, Instant> pendingLastUsed = new PendingWrites<>(LastUsedTracker::later);
  private final ConcurrentHashMap<String, Instant> latest = new ConcurrentHashMap<>();
  private final PendingWrites<LegacyTokenStore.HourKey, Long> pendingCalls = new PendingWrites<>(Long::sum);

  public LegacyUsage(LegacyTokenStore store, InstantSource clock) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
  }

  /** One accepted call; no IO. */
  public void record(String tokenId, Instant at) {
    pendingLastUsed.add(tokenId, at);
    latest.merge(tokenId, at, LastUsedTracker::later);
    pendingCalls.add(new LegacyTokenStore.HourKey(tokenId, hourOf(at)), 1L);
  }

  /** The newest use this node has seen, flushed or not; null if none since start. */
  public Instant lastUsed(String tokenId) {
    return latest.get(tokenId);
  }

  static Instant hourOf(Instant at) {
    return at.truncatedTo(ChronoUnit.HOURS);
  }

  /** Writes everything pending now; on failure it stays pending for the next flush. */
  public synchronized void flush() {
    if (pendingLastUsed.isEmpty() && pendingCalls.isEmpty()) {
      return;
    }
    Map<String, Instant> lastUsed = pendingLastUsed.drain();
    Map<LegacyTokenStore.HourKey, Long> calls = pendingCalls.drain();
    try {
      store.writeUsage(lastUsed, calls, clock.instant().minus(RETENTION));
    } catch (RuntimeException e) {
      pendingLastUsed.restore(lastUsed);
      pendingCalls.restore(calls);
      throw e;
    }
  }

  /** Writes what is left. */
  @Override
  public void close() {
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("could not write legacy token usage at shutdown", e);
    }
  }
}
