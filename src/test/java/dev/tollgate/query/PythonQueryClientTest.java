package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every QueryService RPC from Python's C-core gRPC stack, with stubs generated from our protos. */
class PythonQueryClientTest {
  private static final Path STUBS = TestData.basedir().resolve("target/python-query-stubs");
  @TempDir Path dir;

  @Test
  void pythonClient_callsEveryRpc() throws Exception {
    Files.createDirectories(STUBS);
    Process gen = new ProcessBuilder("/usr/bin/python3", "-m", "grpc_tools.protoc",
        "-I" + TestData.basedir().resolve("src/main/proto"), "--python_out=" + STUBS, "--grpc_python_out=" + STUBS,
        "parca/query/v1alpha1/query.proto", "parca/metastore/v1alpha1/metastore.proto",
        "parca/profilestore/v1alpha1/profilestore.proto").redirectErrorStream(true).start();
    String genOut = new String(gen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(gen.waitFor()).as(genOut).isZero();
    for (String pkg : List.of("parca", "parca/query", "parca/query/v1alpha1", "parca/metastore",
        "parca/metastore/v1alpha1", "parca/profilestore", "parca/profilestore/v1alpha1")) {
      Path init = STUBS.resolve(pkg).resolve("__init__.py");
      if (!Files.exists(init)) {
        Files.createFile(init);
      }
    }
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    FakeClock clock = new FakeClock(t0);
    // the client replays one file as two profiles, which the retry window would take for a retry
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c.withRetryWindow(java.time.Duration.ZERO), clock)) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("agent", "system:profile-writer", project);
      String viewer = server.mintToken("reader", "system:viewer", null);
      byte[] fib = Files.readAllBytes(TestData.pprof("fib.pb.gz"));
      Queries.push(server.url(), writer, project, Map.of("__name__", "process_cpu", "job", "py"), fib);
      clock.advance(Duration.ofSeconds(10));
      Queries.push(server.url(), writer, project, Map.of("__name__", "process_cpu", "job", "py"), fib);
      clock.advance(Duration.ofSeconds(10));
      Profile p = PprofBlobs.decode(fib);
      long one = p.getSampleList().stream().mapToLong(s -> s.getValue(1)).sum();
      String type = "process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta";
      Process py = new ProcessBuilder("/usr/bin/python3",
          TestData.basedir().resolve("src/test/python/query_profiles.py").toString(), STUBS.toString(),
          "127.0.0.1:" + server.port(), project, viewer, type, String.valueOf(t0.getEpochSecond()),
          String.valueOf(clock.instant().getEpochSecond())).redirectErrorStream(true).start();
      String out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(py.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(py.exitValue()).as(out).isZero();
      assertThat(out).contains("types: process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta,"
          + "process_cpu:samples:count:cpu:nanoseconds:delta")
          .contains("labels: job\n", "values: py\n", "has_data: True\n", "range: " + one + "," + one + "\n",
              "pprof_total: " + 2 * one + " gzip: True\n", "top_first: math/big.addVV",
              "flamegraph_root: " + 2 * one + "\n", "arrow_bytes: True nanoseconds\n", "callgraph: UNIMPLEMENTED\n",
              "no_token: UNAUTHENTICATED\n")
          .doesNotContain(viewer);
    }
  }
}
