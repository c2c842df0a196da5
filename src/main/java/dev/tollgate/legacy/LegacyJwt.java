package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The legacy token format, written and read strictly: {@code base64url(header) "."
 * base64url(claims) "." base64url(signature)}, no padding, header exactly {@value #HEADER},
 * Ed25519 over the first two segments, claims exactly {@code aud, iat, iss, jti, projectId,
 * version, writeProfiles} with {@code aud == projectId}, {@code iat} in nanoseconds since the
 * epoch, {@code version "1.0.0"}, {@code writeProfiles true} and no {@code exp}.
 *
 * <p>{@link #verify} is a pure function: it answers empty for every failure, whatever the reason,
 * so the caller has one refusal and nothing to leak.
 */
public final class LegacyJwt {
  /** The only header accepted, byte for byte: no {@code typ}, no {@code kid}, no other algorithm. */
  public static final String HEADER = "{\"alg\":\"EdDSA\"}";
  /** Tokens longer than this are refused before any decoding. */
  public static final int MAX_LENGTH = 4096;
  public static final String VERSION = "1.0.0";

  private static final Set<String> CLAIMS = Set.of("aud", "iat", "iss", "jti", "projectId", "version", "writeProfiles");
  private static final String ENCODED_HEADER = b64(HEADER.getBytes(StandardCharsets.UTF_8));
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  /** What a valid token says. */
  public record Claims(String jti, String projectId, String issuer, long issuedAtNanos) {
    public Claims {
      requireNonNull(jti, "jti");
      requireNonNull(projectId, "projectId");
      requireNonNull(issuer, "issuer");
    }
  }

  private LegacyJwt() {}

  /** Nanoseconds since the epoch, the unit of {@code iat}. */
  public static long nanos(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
  }

  /** Signs new claims with an Ed25519 private key. */
  public static String sign(Claims claims, PrivateKey key) {
    ObjectNode c = STRICT.createObjectNode()
        .put("aud", claims.projectId())
        .put("iat", claims.issuedAtNanos())
        .put("iss", claims.issuer())
        .put("jti", claims.jti())
        .put("projectId", claims.projectId())
        .put("version", VERSION)
        .put("writeProfiles", true);
    String signingInput;
    try {
      signingInput = ENCODED_HEADER + "." + b64(STRICT.writeValueAsBytes(c));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with Ed25519", e);
    }
  }

  /**
   * The claims of a token signed by one of {@code keys}, or empty for anything else: too long,
   * not exactly three segments, not canonical unpadded base64url, another header, a bad
   * signature, or claims that are not exactly the documented ones with the documented types.
   */
  public static Optional<Claims> verify(String token, List<PublicKey> keys) {
    if (token == null || token.isEmpty() || token.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second <= first + 1 || second == token.length() - 1 || token.indexOf('.', second + 1) >= 0) {
      return Optional.empty();
    }
    String header = token.substring(0, first);
    String payload = token.substring(first + 1, second);
    String signature = token.substring(second + 1);
    // The header is compared in its encoded form: only the exact bytes of HEADER pass.
    if (!header.equals(ENCODED_HEADER)) {
      return Optional.empty();
    }
    Optional<byte[]> claimBytes = decode(payload);
    Optional<byte[]> sig = decode(signature);
    if (claimBytes.isEmpty() || sig.isEmpty() || sig.get().length != 64) {
      return Optional.empty();
    }
    if (!signedByAny(token.substring(0, second).getBytes(StandardCharsets.US_ASCII), sig.get(), keys)) {
      return Optional.empty();
    }
    try {
      return claims(claimBytes.get());
    } catch (RuntimeException e) {
      return Optional.empty(); // fail closed on anything unforeseen in the claims
    }
  }

  private static boolean signedByAny(byte[] signingInput, byte[] sig, List<PublicKey> keys) {
    for (PublicKey key : keys) {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(signingInput);
        if (s.verify(sig)) {
          return true;
        }
      } catch (GeneralSecurityException | RuntimeException e) {
        // A key or signature the provider rejects is simply not a match.
      }
    }
    return false;
  }

  private static Optional<Claims> claims(byte[] json) {
    JsonNode n;
    try {
      n = STRICT.readTree(json);
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
    if (!(n instanceof ObjectNode o) || !fieldNames(o).equals(new TreeSet<>(CLAIMS))) {
      return Optional.empty();
    }
    JsonNode aud = o.get("aud");
    JsonNode iat = o.get("iat");
    JsonNode iss = o.get("iss");
    JsonNode jti = o.get("jti");
    JsonNode projectId = o.get("projectId");
    JsonNode version = o.get("version");
    JsonNode write = o.get("writeProfiles");
    if (!aud.isTextual() || !iss.isTextual() || !jti.isTextual() || !projectId.isTextual() || !version.isTextual()
        || !write.isBoolean() || !iat.isIntegralNumber() || !iat.canConvertToLong()) {
      return Optional.empty();
    }
    if (!aud.textValue().equals(projectId.textValue()) || !isCanonicalUuid(projectId.textValue())
        || !isCanonicalUuid(jti.textValue()) || !VERSION.equals(version.textValue()) || !write.booleanValue()
        || iat.longValue() <= 0 || iss.textValue().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Claims(jti.textValue(), projectId.textValue(), iss.textValue(), iat.longValue()));
  }

  private static TreeSet<String> fieldNames(ObjectNode o) {
    TreeSet<String> names = new TreeSet<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  static boolean isCanonicalUuid(String s) {
    try {
      return s.length() == 36 && UUID.fromString(s).toString().equals(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Decodes unpadded base64url, refusing any other alphabet, padding or a non-canonical tail. */
  static Optional<byte[]> decode(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return Optional.empty();
      }
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(segment);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // Unused trailing bits must be zero, so every token has exactly one spelling.
    return b64(bytes).equals(segment) ? Optional.of(bytes) : Optional.empty();
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
