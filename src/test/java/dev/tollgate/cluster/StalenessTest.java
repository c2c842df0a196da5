package dev.tollgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.errors.TollgateException;
import dev.tollgate.iam.Freshness;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The staleness bound on a hand-driven monotonic clock. */
class StalenessTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(100 * SECOND);
  private final Staleness staleness = new Staleness(Duration.ofSeconds(5), now::get);
  private final AtomicInteger checks = new AtomicInteger();

  @Test
  void currentUntilTheBoundThenCheckedAgainstTheDatabase() {
    staleness.enforce(() -> {
      checks.incrementAndGet();
      return now.get();
    });
    staleness.confirmed(now.get());
    now.addAndGet(5 * SECOND);
    staleness.requireCurrent();
    assertThat(checks).hasValue(0);

    now.addAndGet(1);
    assertThat(staleness.isCurrent()).isFalse();
    staleness.requireCurrent(); // checks, and the check confirms for another bound
    assertThat(checks).hasValue(1);
    assertThat(staleness.isCurrent()).isTrue();
    now.addAndGet(4 * SECOND);
    staleness.requireCurrent();
    assertThat(checks).hasValue(1);
  }

  @Test
  void anUnreachableDatabaseRefusesWithUnavailableAndIsAskedAtMostOncePerRetryPeriod() {
    staleness.enforce(() -> {
      checks.incrementAndGet();
      throw new java.sql.SQLException("connection refused");
    });
    staleness.confirmed(now.get());
    now.addAndGet(6 * SECOND);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(staleness::requireCurrent).isInstanceOfSatisfying(TollgateException.class, e -> {
        assertThat(e.kind()).isEqualTo(TollgateException.Kind.UNAVAILABLE);
        assertThat(e.getMessage()).isEqualTo(Freshness.STALE_MESSAGE);
      });
    }
    assertThat(checks).hasValue(1);

    now.addAndGet(Staleness.RETRY_AFTER.toNanos());
    assertThatThrownBy(staleness::requireCurrent).isInstanceOf(TollgateException.class);
    assertThat(checks).hasValue(2);
  }

  @Test
  void beforeTheFeedStartsTheServerCountsAsCurrent() {
    now.addAndGet(60 * SECOND);
    assertThat(staleness.isCurrent()).isTrue();
  }
}
