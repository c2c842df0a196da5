package dev.tollgate.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.errors.TollgateException;
import dev.tollgate.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
  final LoginThrottle throttle = new LoginThrottle(clock);

  @Test
  void attemptsCountFromTheirStart_soTheSixthWaits_untilThePenaltyIsOver() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
      assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isZero();
    }
    assertThat(throttle.tryBegin("a@x", "10.0.0.2")).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> throttle.begin("a@x", "10.0.0.3")).isInstanceOf(TollgateException.class)
        .hasMessageContaining("too many failed logins");
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.tryBegin("a@x", "10.0.0.2")).isZero();
    // That one also failed: the next penalty doubles.
    assertThat(throttle.tryBegin("a@x", "10.0.0.2")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void refusedAttempts_areNotCounted() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) {
      throttle.tryBegin("a@x", "10.0.0.1");
    }
    for (int i = 0; i < 100; i++) {
      assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isPositive();
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isZero();
  }

  @Test
  void success_clearsTheEmail_andTakesBackOnlyItsOwnAttemptFromTheAddress() {
    for (int i = 0; i < LoginThrottle.FREE_FAILURES - 1; i++) {
      throttle.tryBegin("guessed@x", "10.0.0.1");
    }
    throttle.tryBegin("owner@x", "10.0.0.1");
    throttle.succeeded("owner@x", "10.0.0.1");
    // The address has 4 failures, not 5: one more attempt is free, the next is not.
    assertThat(throttle.tryBegin("other@x", "10.0.0.1")).isZero();
    assertThat(throttle.tryBegin("other2@x", "10.0.0.1")).isPositive();
    assertThat(throttle.tryBegin("guessed@x", "10.0.0.9")).isZero();
  }

  @Test
  void concurrentBurst_getsOnlyTheFreeAttemptsThrough() throws Exception {
    int threads = 16;
    int attempts = 400;
    AtomicInteger through = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        String ip = "10.0.0." + (i % 200); // many addresses: only the email's count can stop them
        done.add(pool.submit(() -> {
          start.await();
          if (throttle.tryBegin("victim@x", ip).isZero()) {
            through.incrementAndGet();
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(through.get()).isEqualTo(LoginThrottle.FREE_FAILURES);
  }
}
