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

  /** A login with the right password: reserved, then succeeded; false when it had to wait. */
  boolean logIn(String email, String ip) {
    if (!throttle.tryBegin(email, ip).isZero()) {
      return false;
    }
    throttle.succeeded(email, ip);
    return true;
  }

  @Test
  void oneAccountFromOneAddress_theSixthWaits_untilThePenaltyIsOver() {
    for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
      assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isZero();
    }
    assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> throttle.begin("a@x", "10.0.0.1")).isInstanceOf(TollgateException.class)
        .hasMessageContaining("too many failed logins");
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isZero();
    // That one also failed: the next penalty doubles.
    assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isEqualTo(Duration.ofSeconds(2));
    // The same account from elsewhere is not held up by this address's guesses.
    assertThat(throttle.tryBegin("a@x", "10.0.0.2")).isZero();
  }

  @Test
  void refusedAttempts_areNotCounted() {
    for (int i = 0; i < LoginThrottle.PAIR_FREE; i++) {
      throttle.tryBegin("a@x", "10.0.0.1");
    }
    for (int i = 0; i < 100; i++) {
      assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isPositive();
    }
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.tryBegin("a@x", "10.0.0.1")).isZero();
  }

  @Test
  void anAttackerBehindTheSameAddress_neverStopsAnAccountItIsNotGuessing() {
    // The attack report's case: one address (a NAT) guesses hard, its other users log in meanwhile.
    int refused = 0;
    for (int round = 0; round < 35; round++) {
      for (int g = 0; g < 10; g++) {
        throttle.tryBegin("victim@x", "203.0.113.7");
        throttle.tryBegin("spray-" + round + "-" + g + "@x", "203.0.113.7");
      }
      if (!logIn("colleague-" + (round % 3) + "@x", "203.0.113.7")) {
        refused++;
      }
      clock.advance(Duration.ofSeconds(20));
    }
    assertThat(refused).isZero();
    // The victim is guessed from that address: there it waits (the one documented case) ...
    assertThat(throttle.tryBegin("victim@x", "203.0.113.7")).isPositive();
    // ... but not from another address.
    assertThat(logIn("victim@x", "198.51.100.1")).isTrue();
  }

  @Test
  void pastTheAddressCap_eachAccountGuessedFromThere_waitsAfterItsFirstFailure() {
    for (int i = 0; i < LoginThrottle.ADDRESS_FREE; i++) {
      assertThat(throttle.tryBegin("u" + i + "@x", "10.0.0.1")).isZero();
    }
    // A spray: a fresh account gets one guess, then waits ...
    assertThat(throttle.tryBegin("fresh@x", "10.0.0.1")).isZero();
    assertThat(throttle.tryBegin("fresh@x", "10.0.0.1")).isPositive();
    assertThat(throttle.tryBegin("u0@x", "10.0.0.1")).isPositive();
    // ... while an account nobody guessed still logs in from there.
    assertThat(logIn("bystander@x", "10.0.0.1")).isTrue();
  }

  @Test
  void oneAccountGuessedFromEverywhere_waitsEverywhere_butWhereItsOwnerLoggedInBefore() {
    assertThat(logIn("owner@x", "192.0.2.10")).isTrue();
    for (int i = 0; i < LoginThrottle.ACCOUNT_FREE; i++) {
      assertThat(throttle.tryBegin("owner@x", "10.1.0." + i)).isZero();
    }
    assertThat(throttle.tryBegin("owner@x", "10.2.0.1")).isPositive();
    assertThat(logIn("owner@x", "192.0.2.10")).isTrue();
    assertThat(logIn("owner@x", "192.0.2.10")).isTrue();
    assertThat(throttle.tryBegin("owner@x", "10.2.0.2")).isPositive();
  }

  @Test
  void success_clearsThePair_andTakesBackOnlyItsOwnAttemptFromTheAddress() {
    for (int i = 0; i < LoginThrottle.ADDRESS_FREE - 1; i++) {
      throttle.tryBegin("guessed-" + i + "@x", "10.0.0.1");
    }
    assertThat(logIn("owner@x", "10.0.0.1")).isTrue();
    // The address has ADDRESS_FREE - 1 failures, not ADDRESS_FREE: one more leaves it under the cap.
    assertThat(throttle.tryBegin("other@x", "10.0.0.1")).isZero();
    assertThat(throttle.tryBegin("guessed-0@x", "10.0.0.1")).isPositive();
  }

  @Test
  void concurrentBurstOnOneAccount_getsOnlyTheFreeAttemptsThrough() throws Exception {
    int threads = 16;
    int attempts = 400;
    AtomicInteger through = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        String ip = "10.0." + (i % 2) + "." + (i % 200); // many addresses: only the account's count stops them
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
    assertThat(through.get()).isEqualTo(LoginThrottle.ACCOUNT_FREE);
  }
}
