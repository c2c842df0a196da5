package dev.tollgate.iam;

import dev.tollgate.errors.TollgateException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, OWASP's minimum parameters).
 */
public final class Passwords {
  /** The one answer for any bad email/password combination, wherever a password is checked. */
  public static final String BAD_CREDENTIALS = "invalid email or password";
  public static final int MIN_LENGTH = 8;
  public static final int MAX_LENGTH = 1024;
  private static final int MEMORY_KIB = 19456;
  private static final int ITERATIONS = 2;
  private static final int PARALLELISM = 1;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final SecureRandom random;

  public Passwords(SecureRandom random) {
    this.random = random;
  }

  /** Checks the policy (8-1024 characters) and hashes. */
  public String hash(String password) {
    requirePolicy(password);
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    byte[] out = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, 32);
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
        + B64.encodeToString(salt) + "$" + B64.encodeToString(out);
  }

  /**
   * The policy every stored password meets: 8-1024 characters.
   *
   * @throws TollgateException INVALID_ARGUMENT naming {@code password} otherwise
   */
  public static void requirePolicy(String password) {
    if (password == null || password.length() < MIN_LENGTH || password.length() > MAX_LENGTH) {
      throw TollgateException.invalid("password", "password must be " + MIN_LENGTH + "-" + MAX_LENGTH + " characters");
    }
  }

  /**
   * Constant-time comparison against a stored PHC string; malformed strings never match, and
   * neither does a password longer than any stored one may be (refused before hashing it).
   */
  public boolean verify(String password, String phc) {
    if (password == null || phc == null || password.length() > MAX_LENGTH) {
      return false;
    }
    try {
      String[] parts = phc.split("\\$");
      if (parts.length != 6 || !parts[1].equals("argon2id")) {
        return false;
      }
      int m = 0;
      int t = 0;
      int p = 0;
      for (String kv : parts[3].split(",")) {
        String[] pair = kv.split("=");
        switch (pair[0]) {
          case "m" -> m = Integer.parseInt(pair[1]);
          case "t" -> t = Integer.parseInt(pair[1]);
          case "p" -> p = Integer.parseInt(pair[1]);
          default -> { }
        }
      }
      byte[] salt = B64D.decode(parts[4]);
      byte[] expected = B64D.decode(parts[5]);
      byte[] actual = derive(password, salt, m, t, p, expected.length);
      return MessageDigest.isEqual(expected, actual);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** A random password for the bootstrap admin: 20 characters of URL-safe base64. */
  public String randomPassword() {
    byte[] b = new byte[15];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism, int len) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[len];
    gen.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
