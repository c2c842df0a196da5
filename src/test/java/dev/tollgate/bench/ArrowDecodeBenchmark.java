package dev.tollgate.bench;

import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.query.ArrowProfiles;
import dev.tollgate.query.LabeledProfile;
import dev.tollgate.query.Symbolizer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ArrowProfiles#decode} of one agent-sized {@code WriteArrow} blob in the agent's exact
 * shape ({@link AgentArrowFixtures#agentSized}): {@code threads} label sets of {@code samples}
 * rows, stacks of {@code depth} frames; no symbolizer (its lookups are per distinct frame).
 *
 * <p>Run: see docs/benchmarks.md. {@link #main} measures the same decode by the thread's CPU
 * time instead of wall time, which stays meaningful on a machine busy with other work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED"})
public class ArrowDecodeBenchmark {
  @Param({"600"})
  public int threads;

  @Param({"4"})
  public int samples;

  @Param({"24"})
  public int depth;

  private BufferAllocator allocator;
  private ArrowProfiles arrow;
  private byte[] blob;
  private final UUID project = UUID.randomUUID();

  @Setup
  public void setup() {
    allocator = new RootAllocator();
    blob = AgentArrowFixtures.v2(allocator, AgentArrowFixtures.agentSized("n1", threads, samples, depth));
    arrow = new ArrowProfiles(allocator, 512L << 20, Symbolizer.NONE);
    List<LabeledProfile> once = arrow.decode(project, BlobKind.ARROW, blob);
    if (once.size() != threads) {
      throw new IllegalStateException("expected " + threads + " profiles, got " + once.size());
    }
    System.out.printf("%nblob: %d bytes, %d rows%n", blob.length, threads * samples);
  }

  @TearDown
  public void tearDown() {
    allocator.close();
  }

  @Benchmark
  public List<LabeledProfile> decodeAgentCall() {
    return arrow.decode(project, BlobKind.ARROW, blob);
  }

  /** The part of {@link #decodeAgentCall} that only reads the IPC stream (LZ4_FRAME decompression, buffers). */
  @Benchmark
  public long readStreamOnly() throws java.io.IOException {
    long rows = 0;
    try (BufferAllocator memory = allocator.newChildAllocator("bench", 0, 512L << 20);
        org.apache.arrow.vector.ipc.ArrowStreamReader r = new org.apache.arrow.vector.ipc.ArrowStreamReader(
            new java.io.ByteArrayInputStream(blob), memory, org.apache.arrow.compression.CommonsCompressionFactory.INSTANCE)) {
      while (r.loadNextBatch()) {
        rows += r.getVectorSchemaRoot().getRowCount();
      }
    }
    return rows;
  }

  /** {@code <threads=600> <samples=4> <depth=24> <decodes=200>}: CPU milliseconds per decode after a warm-up. */
  public static void main(String[] args) throws Exception {
    ArrowDecodeBenchmark b = new ArrowDecodeBenchmark();
    b.threads = args.length > 0 ? Integer.parseInt(args[0]) : 600;
    b.samples = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    b.depth = args.length > 2 ? Integer.parseInt(args[2]) : 24;
    int n = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    b.setup();
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    for (int i = 0; i < n; i++) {
      b.decodeAgentCall(); // warm-up
    }
    for (String what : List.of("decode", "read stream only")) {
      long t0 = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        if (what.equals("decode")) {
          b.decodeAgentCall();
        } else {
          b.readStreamOnly();
        }
      }
      System.out.printf("%s: %.1f ms CPU per call (%d calls)%n", what, (cpu.getCurrentThreadCpuTime() - t0) / 1e6 / n, n);
    }
    b.tearDown();
  }
}
