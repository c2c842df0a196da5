package dev.tollgate.ingest;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** Profiles that are small on the wire and describe a huge number of tiny objects. */
final class ProfileBombs {
  private ProfileBombs() {}

  /** The attack report's bomb: {@code gzip(b'\x12\x00' * 134217728)}, 256 MiB of empty samples. */
  static final int EMPTY_SAMPLES = 134_217_728;

  private static ByteString attackReportBomb;

  static synchronized ByteString attackReportBomb() {
    if (attackReportBomb == null) {
      attackReportBomb = gzipRepeated(new byte[] {0x12, 0x00}, EMPTY_SAMPLES, new byte[0]);
    }
    return attackReportBomb;
  }

  /** gzip of {@code prefix} then {@code unit} {@code times} times. */
  static ByteString gzipRepeated(byte[] unit, long times, byte[] prefix) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
      gz.write(prefix);
      byte[] chunk = new byte[unit.length * 32768];
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = unit[i % unit.length];
      }
      long left = times;
      while (left > 0) {
        int n = (int) Math.min(left, 32768);
        gz.write(chunk, 0, n * unit.length);
        left -= n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(out.toByteArray());
  }
}
