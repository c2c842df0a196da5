package dev.tollgate.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link TokenFormat#check} on any string answers one of its three verdicts and never throws; a
 * string it passes has the documented shape and checksum. Regression mode (every build) runs the
 * stored inputs; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration}.
 */
class TokenFormatFuzzTest {
  @FuzzTest(maxDuration = "20s")
  void anyString_getsAVerdict_neverAnException(FuzzedDataProvider data) {
    boolean prefixed = data.consumeBoolean();
    String s = (prefixed ? TokenFormat.PREFIX : "") + data.consumeRemainingAsString();
    TokenFormat.Defect d = TokenFormat.check(s);
    assertThat(d).isNotNull();
    if (d == TokenFormat.Defect.NONE) {
      assertThat(s).matches("psc_v1_[0-9a-f]{64}");
      assertThat(TokenFormat.checksum(s.substring(0, TokenFormat.LENGTH - 8)))
          .isEqualTo(s.substring(TokenFormat.LENGTH - 8));
    }
  }
}
