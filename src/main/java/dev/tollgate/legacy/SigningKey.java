package dev.tollgate.legacy;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * An Ed25519 key that signs (while active) and verifies (always) legacy tokens. Retired keys
 * have no private part any more: they only verify tokens issued before the rotation.
 *
 * @param publicKey the raw 32-byte public key, base64url without padding (the JWK {@code x})
 * @param privateKeyPkcs8 the PKCS#8 private key, base64; null once retired
 * @param retiredAt when a rotation replaced it; null for the active key
 */
public record SigningKey(String id, String publicKey, String privateKeyPkcs8, Instant createdAt, Instant retiredAt) {
  /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410); the raw key follows. */
  private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  public SigningKey {
    requireNonNull(id, "id");
    requireNonNull(publicKey, "publicKey");
    requireNonNull(createdAt, "createdAt");
    if (LegacyJwt.decode(publicKey).map(b -> b.length != 32).orElse(true)) {
      throw new IllegalArgumentException("publicKey must be 32 bytes of base64url");
    }
  }

  /** A fresh key pair. */
  public static SigningKey generate(String id, Instant now) {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] spki = kp.getPublic().getEncoded();
      byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      return new SigningKey(id, LegacyJwt.b64(raw), Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded()),
          now, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  public boolean active() {
    return retiredAt == null && privateKeyPkcs8 != null;
  }

  public PublicKey verificationKey() {
    byte[] raw = LegacyJwt.decode(publicKey).orElseThrow();
    byte[] spki = new byte[X509_PREFIX.length + raw.length];
    System.arraycopy(X509_PREFIX, 0, spki, 0, X509_PREFIX.length);
    System.arraycopy(raw, 0, spki, X509_PREFIX.length, raw.length);
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stored legacy public key " + id + " is unusable", e);
    }
  }

  public PrivateKey signingKey() {
    if (privateKeyPkcs8 == null) {
      throw new IllegalStateException("legacy key " + id + " is retired and cannot sign");
    }
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privateKeyPkcs8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("stored legacy private key " + id + " is unusable", e);
    }
  }

  /** This key without its private part. */
  public SigningKey retired(Instant at) {
    return new SigningKey(id, publicKey, null, createdAt, at);
  }

  @Override
  public String toString() {
    return "SigningKey[" + id + ", " + (active() ? "active" : "retired") + ", private=<secret>]";
  }
}
