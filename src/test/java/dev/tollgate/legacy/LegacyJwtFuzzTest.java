package dev.tollgate.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@link LegacyJwt#verify} on any input answers (empty, or claims that meet every documented rule)
 * and never throws. The fuzzed claims are signed with the real key, so the fuzzer reaches the
 * claims parser, not just the signature check. Regression mode (every build) runs the stored
 * inputs; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} (docs/benchmarks.md, "Fuzzing").
 */
class LegacyJwtFuzzTest {
  static final SigningKey KEY = SigningKey.generate("fuzz", Instant.parse("2024-01-01T00:00:00Z"));
  static final List<PublicKey> KEYS = List.of(KEY.verificationKey());
  static final Forgery F = new Forgery(KEY.signingKey(), KEY.publicKey());

  @FuzzTest(maxDuration = "20s")
  void anyTokenOrSignedClaims_isAnswered_neverAnException(FuzzedDataProvider data) {
    boolean signClaims = data.consumeBoolean();
    String input = data.consumeRemainingAsString();
    String token = signClaims ? F.ed25519(LegacyJwt.HEADER, input) : input;
    Optional<LegacyJwt.Claims> claims = LegacyJwt.verify(token, KEYS);
    LegacyCredentials.isOurs(token);
    if (claims.isPresent()) {
      LegacyJwt.Claims c = claims.get();
      assertThat(signClaims).as("an unsigned input verified").isTrue();
      assertThat(LegacyJwt.isCanonicalUuid(c.jti())).isTrue();
      assertThat(LegacyJwt.isCanonicalUuid(c.projectId())).isTrue();
      assertThat(c.issuedAtNanos()).isPositive();
      assertThat(c.issuer()).isNotEmpty();
      // Only the one documented spelling of the claims is accepted: re-signing them gives the token back.
      assertThat(LegacyJwt.sign(c, KEY.signingKey())).isEqualTo(token);
    }
  }
}
