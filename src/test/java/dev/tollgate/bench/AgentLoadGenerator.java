package dev.tollgate.bench;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.server.Server;
import dev.tollgate.ingest.ArrowBenchAccess;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Agents' WriteArrow calls through (a) the real server (token auth, Arrow decoding, durable
 * storage with one index row per label set) and (b) the same server with a no-op WriteArrow and
 * no interceptor, in one JVM, alternating rounds after a warm-up of each, like
 * {@link IngestLoadGenerator}. Each caller is one agent (its own {@code node}) whose every call
 * carries {@code threads} label sets ({@code thread_id}) of {@code samples} rows each. Prints
 * calls/s, label sets/s, the ratio a/b, and how many agents (a) keeps up with at the agent's one
 * call per 5 s.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.tollgate.bench.AgentLoadGenerator
 * [-Dexec.args="<callers=16> <seconds per round=5> <rounds=3> <warm-up seconds per side=20> <threads=500> <samples=4>"]
 * [-Dtollgate.bench.backend=POSTGRESQL]} (needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} in
 * {@code MAVEN_OPTS} for Arrow).
 */
public final class AgentLoadGenerator {
  /** SQLITE (default) or POSTGRESQL (embedded), by {@code -Dtollgate.bench.backend=}. */
  private static final Backend BACKEND = Backend.valueOf(System.getProperty("tollgate.bench.backend", "SQLITE"));

  private AgentLoadGenerator() {}

  public static void main(String[] args) throws Exception {
    int callers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 500;
    int samples = args.length > 5 ? Integer.parseInt(args[5]) : 4;
    List<ByteString> calls = new ArrayList<>();
    try (BufferAllocator a = new RootAllocator()) {
      for (int c = 0; c < callers; c++) {
        calls.add(ByteString.copyFrom(ArrowBenchAccess.agentCall(a, "node-" + c, threads, samples)));
      }
    }
    System.out.printf("database=%s agents=%d seconds/round=%d rounds=%d warm-up/side=%ds label sets/call=%d rows/call=%d"
        + " call=%d bytes cores=%d%n", BACKEND, callers, seconds, rounds, warmup, threads, threads * samples,
        calls.getFirst().size(), Runtime.getRuntime().availableProcessors());
    IngestLoadGenerator.Sender agent = (stub, caller, i) -> {
      stub.writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(calls.get(caller)).build());
      return calls.get(caller).size();
    };
    Path tmp = Files.createTempDirectory("tollgate-bench");
    List<Double> ratios = new ArrayList<>();
    // Each agent replays one prebuilt call, which the retry window would take for retries of it
    // (and not store): every call is stored, as the agent's own calls, each with new sample times, are.
    try (TestServer server = TestServer.start(BACKEND, tmp, c -> c.withRetryWindow(java.time.Duration.ZERO))) {
      String project = server.defaultProjectId();
      String token = server.mintToken("bench-agent", "system:profile-writer", project);
      Server baseline = IngestLoadGenerator.noopServer();
      try {
        String full = server.url();
        String noop = "http://127.0.0.1:" + baseline.activeLocalPort();
        IngestLoadGenerator.run(full, token, project, callers, warmup, agent);
        IngestLoadGenerator.run(noop, token, project, callers, warmup, agent);
        for (int r = 1; r <= rounds; r++) {
          IngestLoadGenerator.Result ra = IngestLoadGenerator.run(full, token, project, callers, seconds, agent);
          IngestLoadGenerator.Result rb = IngestLoadGenerator.run(noop, token, project, callers, seconds, agent);
          IngestLoadGenerator.print("round " + r + " (a) real server: auth + Arrow decoding + storage", ra);
          IngestLoadGenerator.print("round " + r + " (b) no-op WriteArrow, no interceptor", rb);
          double ratio = ra.callsPerSecond() / rb.callsPerSecond();
          ratios.add(ratio);
          System.out.printf("round %d: (a) %.0f label sets/s, keeps up with %.0f agents at one call per 5 s;"
              + " ratio a/b (calls/s) %.2f%n", r, ra.callsPerSecond() * threads, ra.callsPerSecond() * 5, ratio);
        }
      } finally {
        baseline.stop().join();
      }
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    System.out.printf("ratio a/b (calls/s): median %.2f, min %.2f, max %.2f over %d rounds%n",
        sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    IngestLoadGenerator.deleteTree(tmp);
    System.exit(0);
  }
}
