package dev.tollgate.token;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records when tokens were last used, in memory on the request path, and writes them in
 * batches: one flush per interval (default 10 s), so each token gets at most one write per
 * interval however busy it is, plus a final flush on close.
 */
public final class LastUsedTracker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LastUsedTracker.class);

  private final TokenStore store;
  private final ConcurrentHashMap<String, Instant> pending = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Instant> latest = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final AtomicLong writes = new AtomicLong();

  public LastUsedTracker(TokenStore store, Duration interval) {
    this.store = requireNonNull(store, "store");
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tollgate-last-used-flusher");
      t.setDaemon(true);
      return t;
    });
    long ms = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Called on every successful authentication; no IO. */
  public void record(String tokenId, Instant at) {
    pending.merge(tokenId, at, (a, b) -> a.isAfter(b) ? a : b);
    latest.merge(tokenId, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** The newest use seen by this node, flushed or not; null if none since start. */
  public Instant lastUsed(String tokenId) {
    return latest.get(tokenId);
  }

  /** Number of token rows written so far (for tests and metrics). */
  public long writes() {
    return writes.get();
  }

  /** Writes everything pending now. */
  public synchronized void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, Instant> batch = new HashMap<>();
    for (String id : pending.keySet()) {
      Instant at = pending.remove(id);
      if (at != null) {
        batch.put(id, at);
      }
    }
    try {
      store.writeLastUsed(batch);
      writes.addAndGet(batch.size());
    } catch (RuntimeException e) {
      // Put them back; the next flush retries. Newer times win.
      batch.forEach((id, at) -> pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
      throw e;
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("could not write last-used times; will retry", e);
    }
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
