package dev.tollgate.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProfileIdsTest {
  private final ProfileIds ids = new ProfileIds();

  @Test
  void version7WithTheTimeUpFront() {
    long now = 1_795_000_000_123L;
    UUID id = UUID.fromString(ids.next(now));
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(now);
  }

  @Test
  void laterIdsSortAfterEarlierOnesAndAllDiffer() {
    Set<String> seen = new HashSet<>();
    String previous = ids.next(1_000);
    for (long t = 1_001; t < 3_000; t++) {
      String id = ids.next(t);
      assertThat(id).isGreaterThan(previous);
      assertThat(seen.add(id)).isTrue();
      previous = id;
    }
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(ids.next(5_000))).isTrue(); // same millisecond: the random part differs
    }
  }
}
