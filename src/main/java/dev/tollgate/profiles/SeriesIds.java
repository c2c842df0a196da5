package dev.tollgate.profiles;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SortedMap;

/** A series id is the first 16 bytes of SHA-256 over the canonical label JSON, in hex: stable across restarts. */
public final class SeriesIds {
  private SeriesIds() {}

  public static String of(SortedMap<String, String> labels) {
    return ofCanonicalJson(Json.labels(labels));
  }

  /** The id of the label set whose canonical JSON ({@link Json#labels}) is given. */
  static String ofCanonicalJson(String labelsJson) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(labelsJson.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
