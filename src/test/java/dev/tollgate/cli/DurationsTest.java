package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({
      "30d, P30D",
      "12h, PT12H",
      "90m, PT90M",
      "45s, PT45S",
      "2w, P14D",
      "' 7d ', P7D",
      "P30D, P30D",
      "PT1H30M, PT1H30M"})
  void parses(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "30", "d", "30x", "30D", "-1d", "0d", "PT0S", "-PT1H", "1.5d", "thirty days"})
  void refuses(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duration");
  }
}
