package dev.tollgate.bench;

import com.google.protobuf.ByteString;
import dev.tollgate.ingest.PprofBenchAccess;
import dev.tollgate.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decode + validate of one {@code raw_profile}, as {@code WriteRaw} does it: the full parse
 * ({@code Profile.parseFrom} + validator) against the single-pass scan, per file of
 * {@code ../shared/testdata/pprof} ("all" = every file once per invocation, reported per file).
 *
 * <p>Run: see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PprofValidateBenchmark {
  private static final long MAX = 512L << 20;

  @Param({"all", "alloc_objects.pb.gz", "fib.pb.gz", "two-stacks.pb.gz"})
  public String file;

  private ByteString[] profiles;
  private ByteString[] inflated;

  @Setup
  public void setup() {
    List<Path> files = TestData.pprofFiles().stream()
        .filter(f -> file.equals("all") || f.getFileName().toString().equals(file)).toList();
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no file " + file);
    }
    profiles = files.stream().map(f -> {
      try {
        return ByteString.copyFrom(Files.readAllBytes(f));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }).toArray(ByteString[]::new);
    inflated = new ByteString[profiles.length];
    for (int i = 0; i < profiles.length; i++) {
      try {
        inflated[i] = ByteString.readFrom(new java.util.zip.GZIPInputStream(profiles[i].newInput()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Benchmark
  public void fullParse(Blackhole bh) {
    for (ByteString p : profiles) {
      bh.consume(PprofBenchAccess.fullParse(p, MAX));
    }
  }

  @Benchmark
  public void scan(Blackhole bh) {
    for (ByteString p : profiles) {
      bh.consume(PprofBenchAccess.scan(p, MAX));
    }
  }

  @Benchmark
  public void inflateOnly(Blackhole bh) {
    for (ByteString p : profiles) {
      bh.consume(PprofBenchAccess.inflateOnly(p));
    }
  }

  /** The scan of already inflated bytes (the non-gzip path): the scan's own cost. */
  @Benchmark
  public void scanPlain(Blackhole bh) {
    for (ByteString p : inflated) {
      bh.consume(PprofBenchAccess.scan(p, MAX));
    }
  }
}
