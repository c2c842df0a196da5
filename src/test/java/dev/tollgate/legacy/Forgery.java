package dev.tollgate.legacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made tokens for the refusal tests: other algorithms, other keys, other claims. */
final class Forgery {
  private final PrivateKey realKey;
  private final byte[] realPublicKey;

  Forgery(PrivateKey realKey, String publicX) {
    this.realKey = realKey;
    this.realPublicKey = Base64.getUrlDecoder().decode(publicX);
  }

  static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Claims in the documented shape; {@code projectId} null means the same as {@code aud}. */
  static String claims(String jti, String aud, String projectId, String iss) {
    return claims(jti, aud, projectId, iss, LegacyJwt.nanos(Instant.now()));
  }

  static String claims(String jti, String aud, String projectId, String iss, long iat) {
    return "{\"aud\":\"" + aud + "\",\"iat\":" + iat + ",\"iss\":\"" + iss + "\",\"jti\":\"" + jti
        + "\",\"projectId\":\"" + (projectId == null ? aud : projectId) + "\",\"version\":\"1.0.0\",\"writeProfiles\":true}";
  }

  String unsigned(String header, String claims) {
    return b64(header) + "." + b64(claims) + ".";
  }

  String ed25519(String header, String claims) {
    return sign(header, claims, "Ed25519", realKey);
  }

  String foreign(String claims) throws GeneralSecurityException {
    return sign(LegacyJwt.HEADER, claims, "Ed25519", KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate());
  }

  String rs256(String claims) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return sign("{\"alg\":\"RS256\"}", claims, "SHA256withRSA", g.generateKeyPair().getPrivate());
  }

  /** The classic confusion: HMAC keyed with the server's public key. */
  String hs256(String claims) throws GeneralSecurityException {
    String input = b64("{\"alg\":\"HS256\"}") + "." + b64(claims);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(realPublicKey, "HmacSHA256"));
    return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  /** A validly signed token rewritten in the standard base64 alphabet (+ and /). */
  String standardAlphabet(String jti, String project, String iss) {
    long iat = LegacyJwt.nanos(Instant.now());
    for (int i = 0; ; i++) {
      String t = ed25519(LegacyJwt.HEADER, claims(jti, project, null, iss, iat + i));
      if (t.indexOf('-') >= 0 || t.indexOf('_') >= 0) {
        return t.replace('-', '+').replace('_', '/');
      }
    }
  }

  /** The same token with iat one more: the signature no longer matches. */
  static String tamper(String jwt) {
    String[] p = jwt.split("\\.");
    String claims = new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"iat\":(\\d+)").matcher(claims);
    if (!m.find()) {
      throw new IllegalArgumentException("no iat");
    }
    String changed = claims.substring(0, m.start(1)) + (Long.parseLong(m.group(1)) + 1) + claims.substring(m.end(1));
    return p[0] + "." + b64(changed) + "." + p[2];
  }

  /** The claims JSON of a token, as it was signed. */
  static String claimsOf(String jwt) {
    return new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
  }

  /** The same signature bytes spelled with non-zero unused trailing bits. */
  static String noncanonicalSignature(String jwt) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char last = jwt.charAt(jwt.length() - 1);
    return jwt.substring(0, jwt.length() - 1) + alphabet.charAt(alphabet.indexOf(last) + 1);
  }

  private static String sign(String header, String claims, String algorithm, PrivateKey key) {
    String input = b64(header) + "." + b64(claims);
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
