package dev.tollgate.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs steps on a fixed delay in one daemon thread; a failing step is logged and the others
 * still run. Used for the snapshot refresh (which bounds how long a change made by another node
 * sharing the PostgreSQL database takes to arrive; changes made through this node are visible on
 * its next request already) and for housekeeping such as purging expired sessions.
 */
final class PeriodicTask implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

  private final ScheduledExecutorService scheduler;

  PeriodicTask(String name, Duration period, List<Runnable> steps) {
    this.scheduler = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("tollgate-" + name).daemon(true).factory());
    long ms = period.toMillis();
    scheduler.scheduleWithFixedDelay(() -> {
      for (Runnable r : steps) {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.warn("periodic task {} failed; it runs again in {} ms", name, ms, e);
        }
      }
    }, ms, ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
