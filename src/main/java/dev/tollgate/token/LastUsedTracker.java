package dev.tollgate.token;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records when tokens were last used, in memory on the request path, and writes them in
 * batches: the server calls {@link #flush} periodically (every 10 s), so each token gets at most
 * one write per period however busy it is, and {@link #close} writes what is left.
 */
public final class LastUsedTracker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LastUsedTracker.class);

  private final TokenStore store;
  private final PendingWrites<String, Instant> pending = new PendingWrites<>(LastUsedTracker::later);
  private final ConcurrentHashMap<String, Instant> latest = new ConcurrentHashMap<>();
  private final AtomicLong writes = new AtomicLong();

  public LastUsedTracker(TokenStore store) {
    this.store = requireNonNull(store, "store");
  }

  /** Called on every successful authentication; no IO. */
  public void record(String tokenId, Instant at) {
    pending.add(tokenId, at);
    latest.merge(tokenId, at, LastUsedTracker::later);
  }

  /** The newest use seen by this node, flushed or not; null if none since start. */
  public Instant lastUsed(String tokenId) {
    return latest.get(tokenId);
  }

  /**
   * The last-used times any server has written to the database so far (read now) of the tokens
   * of these service accounts, by token id. Another server's uses reach this one only this way:
   * its IAM snapshot is not reloaded for a use.
   */
  public Map<String, Instant> writtenByAnyServer(Collection<String> serviceAccountIds) {
    return store.readLastUsed(serviceAccountIds);
  }

  /** Number of token rows written so far (for tests and metrics). */
  public long writes() {
    return writes.get();
  }

  /** Writes everything pending now; on failure it stays pending for the next flush. */
  public synchronized void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, Instant> batch = pending.drain();
    try {
      store.writeLastUsed(batch);
      writes.addAndGet(batch.size());
    } catch (RuntimeException e) {
      pending.restore(batch);
      throw e;
    }
  }

  /** The newer of two times. */
  public static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** The newest of these times, nulls skipped; null if all are. */
  public static Instant newest(Instant... times) {
    Instant newest = null;
    for (Instant at : times) {
      if (at != null && (newest == null || at.isAfter(newest))) {
        newest = at;
      }
    }
    return newest;
  }

  /** Writes what is left. */
  @Override
  public void close() {
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("could not write the last-used times of {} tokens at shutdown", pending.drain().size(), e);
    }
  }
}
