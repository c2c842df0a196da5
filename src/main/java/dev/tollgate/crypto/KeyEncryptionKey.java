package dev.tollgate.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A 256-bit key that encrypts other secrets for storage: AES-256-GCM, a random 96-bit nonce per
 * value, the value's owner (e.g. a row id) as associated data so a sealed value cannot be moved
 * to another row. A sealed value reads {@code v1:<fingerprint>:<base64(nonce | ciphertext | tag)>};
 * the fingerprint (the first 8 bytes of SHA-256 of the key, hex) names the key without revealing
 * it, so a wrong key is told apart from a damaged value.
 */
public final class KeyEncryptionKey {
  public static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final String fingerprint;
  private final String source;
  private final SecureRandom random;

  /** Thrown when a value was sealed with another key, or is damaged. */
  public static final class WrongKeyException extends IllegalStateException {
    WrongKeyException(String message) {
      super(message);
    }
  }

  /**
   * @param raw exactly 32 bytes
   * @param source where the key came from, for messages (never the key itself)
   */
  public KeyEncryptionKey(byte[] raw, String source, SecureRandom random) {
    if (raw == null || raw.length != 32) {
      throw new IllegalArgumentException(source + " must hold 32 bytes (256 bits), base64-encoded");
    }
    this.key = new SecretKeySpec(raw.clone(), "AES");
    this.fingerprint = HexFormat.of().formatHex(Arrays.copyOf(Sha256.digest(raw), 8));
    this.source = source;
    this.random = random;
  }

  /** Parses the base64 (standard or URL alphabet, padding optional) text of a 32-byte key. */
  public static KeyEncryptionKey parse(String base64, String source, SecureRandom random) {
    String s = base64 == null ? "" : base64.strip();
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(s.replace('-', '+').replace('_', '/'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " is not base64: it must hold a 32-byte key, e.g. from"
          + " `openssl rand -base64 32`");
    }
    if (raw.length != 32) {
      throw new IllegalArgumentException(source + " holds " + raw.length + " bytes; it must hold 32 (256 bits),"
          + " e.g. from `openssl rand -base64 32`");
    }
    return new KeyEncryptionKey(raw, source, random);
  }

  /** A new random key, as base64 text. */
  public static String generate(SecureRandom random) {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  public static boolean isSealed(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  public String fingerprint() {
    return fingerprint;
  }

  public String source() {
    return source;
  }

  public String seal(byte[] plaintext, String owner) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(plaintext);
      byte[] out = ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
      return PREFIX + fingerprint + ":" + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * Opens a value {@link #seal}ed for {@code owner}.
   *
   * @throws WrongKeyException when it was sealed with another key, for another owner, or is damaged
   */
  public byte[] open(String sealed, String owner) {
    Optional<String> otherKey = keyOf(sealed).filter(f -> !f.equals(fingerprint));
    if (otherKey.isPresent()) {
      throw new WrongKeyException("it was encrypted with the key of fingerprint " + otherKey.get()
          + ", but this server's key (" + source + ") has fingerprint " + fingerprint);
    }
    int colon = sealed.indexOf(':', PREFIX.length());
    byte[] in;
    try {
      in = Base64.getDecoder().decode(sealed.substring(colon + 1));
    } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
      throw new WrongKeyException("the stored value is damaged (not base64)");
    }
    if (colon < 0 || in.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new WrongKeyException("the stored value is damaged (too short)");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      c.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new WrongKeyException("it does not decrypt with this server's key (" + source
          + "): damaged, or moved from another row");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The fingerprint a sealed value names, if it is one. */
  public static Optional<String> keyOf(String sealed) {
    if (!isSealed(sealed)) {
      return Optional.empty();
    }
    int colon = sealed.indexOf(':', PREFIX.length());
    return colon < 0 ? Optional.empty() : Optional.of(sealed.substring(PREFIX.length(), colon));
  }

  @Override
  public String toString() {
    return "KeyEncryptionKey[" + fingerprint + " from " + source + "]";
  }
}
