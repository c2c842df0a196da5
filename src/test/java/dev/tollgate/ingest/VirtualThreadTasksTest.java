package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtualThreadTasksTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final VirtualThreadTasks tasks = new VirtualThreadTasks(timer);

  @AfterEach
  void stop() {
    tasks.shutdownNow();
    timer.shutdownNow();
  }

  @Test
  void runsEachTaskOnAVirtualThread() throws Exception {
    CompletableFuture<Boolean> virtual = new CompletableFuture<>();
    tasks.execute(() -> virtual.complete(Thread.currentThread().isVirtual()));
    assertThat(virtual.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(tasks.submit(() -> Thread.currentThread().isVirtual()).get(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void delayedTaskRunsOnAVirtualThreadAfterItsDelay() throws Exception {
    long start = System.nanoTime();
    ScheduledFuture<Boolean> f = tasks.schedule(() -> Thread.currentThread().isVirtual(), 50, TimeUnit.MILLISECONDS);
    assertThat(f.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(f.isDone()).isTrue();
  }

  @Test
  void cancelledDelayedTaskNeverRuns() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    ScheduledFuture<?> f = tasks.schedule(() -> ran.set(true), 100, TimeUnit.MILLISECONDS);
    assertThat(f.cancel(false)).isTrue();
    Thread.sleep(250);
    assertThat(ran).isFalse();
    assertThat(f.isCancelled()).isTrue();
  }

  @Test
  void periodicSchedulingIsRefused() {
    assertThatThrownBy(() -> tasks.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.SECONDS))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> tasks.scheduleWithFixedDelay(() -> {}, 1, 1, TimeUnit.SECONDS))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void shutdownWaitsForRunningTasks() throws Exception {
    CompletableFuture<Void> release = new CompletableFuture<>();
    tasks.execute(release::join);
    tasks.shutdown();
    assertThat(tasks.awaitTermination(100, TimeUnit.MILLISECONDS)).isFalse();
    release.complete(null);
    assertThat(tasks.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }
}
