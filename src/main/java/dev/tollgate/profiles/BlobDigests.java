package dev.tollgate.profiles;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The content digest of a blob to store: SHA-256 over its kind, bytes, label sets, profile types,
 * sample times and what a WriteRaw call said about it - everything a retry of the same call
 * repeats, nothing the server adds (ids, receive time, source). Profiles carry their own sample
 * times, so two different profiles do not share one.
 */
final class BlobDigests {
  private BlobDigests() {}

  static String of(NewBlob blob) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    field(sha, blob.kind().name());
    sha.update(longBytes(blob.bytes().length));
    sha.update(blob.bytes());
    for (SeriesEntry e : blob.entries()) {
      for (Map.Entry<String, String> l : e.labels().entrySet()) {
        field(sha, l.getKey());
        field(sha, l.getValue());
      }
      field(sha, "|");
      for (String type : e.profileTypes()) {
        field(sha, type);
      }
      sha.update(longBytes(e.sampleTimeMillis()));
      sha.update(longBytes(e.sampleEndMillis()));
    }
    // a record of booleans, longs and lists of them: its text is the same in every JVM
    field(sha, String.valueOf(blob.rawSample()));
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Length-prefixed, so that ("ab", "c") and ("a", "bc") differ. */
  private static void field(MessageDigest sha, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    sha.update(longBytes(b.length));
    sha.update(b);
  }

  private static byte[] longBytes(long v) {
    return java.nio.ByteBuffer.allocate(8).putLong(v).array();
  }
}
