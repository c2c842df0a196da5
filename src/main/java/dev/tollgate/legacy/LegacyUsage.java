package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last use and calls per hour of each legacy token: counted in memory on the request path (no
 * IO), written in one batch per interval (default 10 s) - at most one last-used update and one
 * counter upsert per token and hour per flush, however busy the token is - plus a final flush on
 * close. Hour buckets older than {@link #RETENTION} are pruned while flushing.
 */
public final class LegacyUsage implements AutoCloseable {
  /** How long hourly counters are kept: the report looks back 7 days. */
  public static final Duration RETENTION = Duration.ofDays(8);

  private static final Logger log = LoggerFactory.getLogger(LegacyUsage.class);

  private final LegacyTokenStore store;
  private final InstantSource clock;
  private final ConcurrentHashMap<String, Instant> pendingLastUsed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Instant> latest = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<LegacyTokenStore.HourKey, Long> pendingCalls = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;

  public LegacyUsage(LegacyTokenStore store, InstantSource clock, Duration interval) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tollgate-legacy-usage-flusher");
      t.setDaemon(true);
      return t;
    });
    long ms = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** One accepted call; no IO. */
  public void record(String tokenId, Instant at) {
    pendingLastUsed.merge(tokenId, at, LegacyUsage::later);
    latest.merge(tokenId, at, LegacyUsage::later);
    pendingCalls.merge(new LegacyTokenStore.HourKey(tokenId, hourOf(at)), 1L, Long::sum);
  }

  /** The newest use this node has seen, flushed or not; null if none since start. */
  public Instant lastUsed(String tokenId) {
    return latest.get(tokenId);
  }

  static Instant hourOf(Instant at) {
    return at.truncatedTo(ChronoUnit.HOURS);
  }

  /** Writes everything pending now. */
  public synchronized void flush() {
    if (pendingLastUsed.isEmpty() && pendingCalls.isEmpty()) {
      return;
    }
    Map<String, Instant> lastUsed = new HashMap<>();
    for (String id : pendingLastUsed.keySet()) {
      Instant at = pendingLastUsed.remove(id);
      if (at != null) {
        lastUsed.put(id, at);
      }
    }
    // remove() is atomic per key; a call counted after it starts a new entry for the next flush.
    Map<LegacyTokenStore.HourKey, Long> calls = new HashMap<>();
    for (LegacyTokenStore.HourKey k : pendingCalls.keySet()) {
      Long n = pendingCalls.remove(k);
      if (n != null) {
        calls.put(k, n);
      }
    }
    try {
      store.writeUsage(lastUsed, calls, clock.instant().minus(RETENTION));
    } catch (RuntimeException e) {
      lastUsed.forEach((id, at) -> pendingLastUsed.merge(id, at, LegacyUsage::later));
      calls.forEach((k, n) -> pendingCalls.merge(k, n, Long::sum));
      throw e;
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("could not write legacy token usage; will retry", e);
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  public void close() {
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushQuietly();
  }
}
