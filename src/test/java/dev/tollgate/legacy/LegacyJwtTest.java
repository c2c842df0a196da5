package dev.tollgate.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link LegacyJwt} as a pure function: the exact format out, and only the exact format in. */
class LegacyJwtTest {
  static final SigningKey KEY = SigningKey.generate("k1", Instant.parse("2024-01-01T00:00:00Z"));
  static final List<PublicKey> KEYS = List.of(KEY.verificationKey());
  static final String JTI = UUID.randomUUID().toString();
  static final String PROJECT = UUID.randomUUID().toString();
  static final String ISS = "https://tollgate.example";
  static final Forgery F = new Forgery(KEY.signingKey(), KEY.publicKey());

  static String genuine() {
    return LegacyJwt.sign(new LegacyJwt.Claims(JTI, PROJECT, ISS, 1652350176039885403L), KEY.signingKey());
  }

  @Test
  void signed_hasTheDocumentedHeaderAndClaims_andVerifies() {
    String jwt = genuine();
    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    assertThat(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8))
        .isEqualTo("{\"alg\":\"EdDSA\"}");
    assertThat(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)).isEqualTo(
        "{\"aud\":\"" + PROJECT + "\",\"iat\":1652350176039885403,\"iss\":\"" + ISS + "\",\"jti\":\"" + JTI
            + "\",\"projectId\":\"" + PROJECT + "\",\"version\":\"1.0.0\",\"writeProfiles\":true}");
    assertThat(jwt).doesNotContain("=");
    assertThat(LegacyJwt.verify(jwt, KEYS)).contains(new LegacyJwt.Claims(JTI, PROJECT, ISS, 1652350176039885403L));
  }

  @Test
  void nanos_areNanosecondsSinceTheEpoch() {
    assertThat(LegacyJwt.nanos(Instant.ofEpochSecond(1652350176L, 39885403))).isEqualTo(1652350176039885403L);
  }

  @Test
  void retiredKeys_stillVerify_whenListed() {
    SigningKey other = SigningKey.generate("k2", Instant.now());
    assertThat(LegacyJwt.verify(genuine(), List.of(other.verificationKey(), KEY.retired(Instant.now()).verificationKey())))
        .isPresent();
    assertThat(LegacyJwt.verify(genuine(), List.of(other.verificationKey()))).isEmpty();
  }

  static Stream<Arguments> refused() throws Exception {
    String claims = Forgery.claims(JTI, PROJECT, null, ISS);
    String jwt = genuine();
    return Stream.of(
        Arguments.of("alg none", F.unsigned("{\"alg\":\"none\"}", claims)),
        Arguments.of("HS256 keyed with the public key", F.hs256(claims)),
        Arguments.of("RS256", F.rs256(claims)),
        Arguments.of("header with typ", F.ed25519("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}", claims)),
        Arguments.of("header with kid", F.ed25519("{\"alg\":\"EdDSA\",\"kid\":\"k1\"}", claims)),
        Arguments.of("header alg Ed25519", F.ed25519("{\"alg\":\"Ed25519\"}", claims)),
        Arguments.of("foreign key", F.foreign(claims)),
        Arguments.of("changed claim", Forgery.tamper(jwt)),
        Arguments.of("aud differs", F.ed25519(LegacyJwt.HEADER, Forgery.claims(JTI, UUID.randomUUID().toString(), PROJECT, ISS))),
        Arguments.of("jti not a UUID", F.ed25519(LegacyJwt.HEADER, Forgery.claims("abc", PROJECT, null, ISS))),
        Arguments.of("upper-case UUID", F.ed25519(LegacyJwt.HEADER, Forgery.claims(JTI.toUpperCase(), PROJECT, null, ISS))),
        Arguments.of("exp present", F.ed25519(LegacyJwt.HEADER, claims.replace("}", ",\"exp\":1}"))),
        Arguments.of("claim missing", F.ed25519(LegacyJwt.HEADER, claims.replace(",\"writeProfiles\":true", ""))),
        Arguments.of("writeProfiles false", F.ed25519(LegacyJwt.HEADER, claims.replace("true", "false"))),
        Arguments.of("version 2", F.ed25519(LegacyJwt.HEADER, claims.replace("1.0.0", "2.0.0"))),
        Arguments.of("iat a string", F.ed25519(LegacyJwt.HEADER, claims.replaceFirst("\"iat\":(\\d+)", "\"iat\":\"$1\""))),
        Arguments.of("iat a float", F.ed25519(LegacyJwt.HEADER, claims.replaceFirst("\"iat\":(\\d+)", "\"iat\":$1.5"))),
        Arguments.of("iat too big", F.ed25519(LegacyJwt.HEADER, claims.replaceFirst("\"iat\":(\\d+)", "\"iat\":99999999999999999999999"))),
        Arguments.of("duplicate claim", F.ed25519(LegacyJwt.HEADER, claims.replace("}", ",\"aud\":\"" + PROJECT + "\"}"))),
        Arguments.of("not JSON", F.ed25519(LegacyJwt.HEADER, "{nope")),
        Arguments.of("trailing JSON", F.ed25519(LegacyJwt.HEADER, claims + " {}")),
        Arguments.of("padding", jwt + "="),
        Arguments.of("bad character", jwt.replaceFirst("\\.", ".*")),
        Arguments.of("non-canonical tail", Forgery.noncanonicalSignature(jwt)),
        Arguments.of("short signature", jwt.substring(0, jwt.length() - 4)),
        Arguments.of("four segments", jwt + ".AAAA"),
        Arguments.of("two segments", jwt.substring(0, jwt.lastIndexOf('.'))),
        Arguments.of("empty payload", jwt.substring(0, jwt.indexOf('.') + 1) + jwt.substring(jwt.lastIndexOf('.'))),
        Arguments.of("oversized", jwt + "A".repeat(LegacyJwt.MAX_LENGTH)),
        Arguments.of("empty", ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void refused(String name, String token) {
    assertThat(LegacyJwt.verify(token, KEYS)).as(name).isEmpty();
  }
}
