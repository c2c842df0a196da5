package dev.tollgate.profiles;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Profile ids: UUIDs of version 7 (RFC 9562), i.e. the receive time in milliseconds followed by
 * 74 random bits. Ids made close in time sort close together, so each group commit adds its index
 * entries at the end of the primary-key index instead of in as many random pages as it has rows
 * (fewer pages written per commit). Still unique across nodes sharing a database by the random part.
 * Thread-safe: callers make the ids of their own profiles.
 */
final class ProfileIds {
  private final SecureRandom random = new SecureRandom();

  String next(long nowMillis) {
    byte[] bytes = new byte[10];
    random.nextBytes(bytes);
    long randA = (bytes[0] & 0xffL) << 8 | (bytes[1] & 0xffL);
    long msb = (nowMillis & 0xffff_ffff_ffffL) << 16 | 0x7000L | (randA & 0x0fffL);
    long randB = 0;
    for (int i = 2; i < 10; i++) {
      randB = randB << 8 | (bytes[i] & 0xffL);
    }
    long lsb = randB & 0x3fff_ffff_ffff_ffffL | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb).toString();
  }
}
