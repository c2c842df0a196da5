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

  private static Path pprofDir() {
    return basedir().resolve("../shared/testdata/pprof").normalize();
  }
}
