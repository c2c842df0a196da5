package dev.tollgate.token;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The {@code psc_v1_} token format: the prefix, then 64 lowercase hex characters, of which the
 * first 56 are random (28 bytes from {@link SecureRandom}) and the last 8 are the CRC32 (IEEE)
 * of the ASCII text {@code psc_v1_} + those 56, as 8 lowercase hex digits, most significant
 * first. The checksum lets a typo or a truncated paste be refused without any lookup.
 *
 * <p>Secret-scanning regex: {@code psc_v1_[0-9a-f]{64}}.
 */
public final class TokenFormat {
  public static final String PREFIX = "psc_v1_";
  public static final int LENGTH = PREFIX.length() + 64;

  private final SecureRandom random;

  public TokenFormat(SecureRandom random) {
    this.random = random;
  }

  /** A new token. Hand it to the caller once and keep only {@link Sha256#hex}. */
  public String generate() {
    byte[] body = new byte[28];
    random.nextBytes(body);
    String head = PREFIX + HexFormat.of().formatHex(body);
    return head + checksum(head);
  }

  /** Why a presented string is not even a candidate token. */
  public enum Defect { NONE, MALFORMED, BAD_CHECKSUM }

  /** Checks shape and checksum only; never touches any store. */
  public static Defect check(String token) {
    if (token == null || token.length() != LENGTH || !token.startsWith(PREFIX)) {
      return Defect.MALFORMED;
    }
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      char c = token.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return Defect.MALFORMED;
      }
    }
    String head = token.substring(0, LENGTH - 8);
    return checksum(head).equals(token.substring(LENGTH - 8)) ? Defect.NONE : Defect.BAD_CHECKSUM;
  }

  static String checksum(String head) {
    CRC32 crc = new CRC32();
    crc.update(head.getBytes(StandardCharsets.US_ASCII));
    return String.format("%08x", crc.getValue());
  }
}
