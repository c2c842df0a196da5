package dev.tollgate.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the in-memory IAM and legacy-token snapshots on a fixed period. Changes made through
 * this node are already visible on its next request (every change reloads synchronously); this
 * bounds how long a change made by another node sharing the PostgreSQL database takes to arrive.
 */
final class StateRefresher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateRefresher.class);

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("tollgate-state-refresh").daemon(true).factory());

  StateRefresher(Duration period, List<Runnable> reloads) {
    long ms = period.toMillis();
    scheduler.scheduleWithFixedDelay(() -> {
      for (Runnable r : reloads) {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.warn("periodic state refresh failed; keeping the current snapshot", e);
        }
      }
    }, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
