package dev.tollgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared test data, found relative to the Maven basedir (never copied into the repository). */
public final class TestData {
  private TestData() {}

  public static Path basedir() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  }

  /** One of the real gzipped pprof files by name, e.g. {@code fib.pb.gz}. */
  public static Path pprof(String name) {
    return pprofDir().resolve(name);
  }

  /** The real gzipped pprof files in {@code ../shared/testdata/pprof}, sorted by name. */
  public static List<Path> pprofFiles() {
    Path dir = pprofDir();
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".pb.gz")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code gzip} (a gzipped pprof) as the {@code n}-th replay of it: the same profile, other bytes
   * (the gzip header's modification time, which decoders ignore, is {@code n}). The server takes
   * byte-identical calls for retries and stores one; load generators that replay one file as many
   * calls, as real clients never do, use this so each call is a profile of its own.
   */
  public static byte[] replay(byte[] gzip, int n) {
    if (gzip.length < 10 || gzip[0] != 0x1f || (gzip[1] & 0xff) != 0x8b) {
      throw new IllegalArgumentException("not gzip");
    }
    byte[] copy = gzip.clone();
    java.nio.ByteBuffer.wrap(copy, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(n);
    return copy;
  }

  private static Path pprofDir() {
    return basedir().resolve("../shared/testdata/pprof").normalize();
  }
}
