package dev.tollgate.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PendingWritesTest {
  @Test
  void valuesOfOneKey_areCombined_untilDrained() {
    PendingWrites<String, Instant> times = new PendingWrites<>(LastUsedTracker::later);
    times.add("a", Instant.ofEpochSecond(20));
    times.add("a", Instant.ofEpochSecond(10));
    times.add("b", Instant.ofEpochSecond(5));

    assertThat(times.drain()).isEqualTo(Map.of("a", Instant.ofEpochSecond(20), "b", Instant.ofEpochSecond(5)));
    assertThat(times.isEmpty()).isTrue();
    assertThat(times.drain()).isEmpty();
  }

  @Test
  void aRestoredBatch_isCombinedWithWhatArrivedMeanwhile() {
    PendingWrites<String, Long> calls = new PendingWrites<>(Long::sum);
    calls.add("a", 3L);
    Map<String, Long> failed = calls.drain();
    calls.add("a", 2L);
    calls.add("b", 1L);

    calls.restore(failed);

    assertThat(calls.drain()).isEqualTo(Map.of("a", 5L, "b", 1L));
  }

  @Test
  void concurrentAdds_whileDraining_loseNothing() throws Exception {
    PendingWrites<Integer, Long> calls = new PendingWrites<>(Long::sum);
    int threads = 4;
    int perThread = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        for (int i = 0; i < perThread; i++) {
          calls.add(i % 7, 1L);
        }
        done.countDown();
      });
    }
    AtomicLong drained = new AtomicLong();
    while (!done.await(1, TimeUnit.MILLISECONDS)) {
      calls.drain().values().forEach(drained::addAndGet);
    }
    calls.drain().values().forEach(drained::addAndGet);
    pool.shutdown();

    assertThat(drained.get()).isEqualTo((long) threads * perThread);
  }
}
