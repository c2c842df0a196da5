package dev.tollgate.cli;

import dev.tollgate.testing.TestData;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate query}: the merged pprof of the last --since, and the top table, over gRPC with the same token. */
class QueryCommandTest {
  @TempDir Path dir;

  @Test
  void query_writesTheMergedPprof_andPrintsTheTopFunctions() throws Exception {
    FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
    // replays one request as distinct profiles, which the retry window would take for retries
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c.withRetryWindow(java.time.Duration.ZERO), clock)) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("agent", "system:profile-writer", project);
      String reader = server.mintToken("reader", "system:viewer", null);
      byte[] fib = Files.readAllBytes(TestData.pprof("fib.pb.gz"));
      var push = GrpcTestClients.stub(server.url(), writer, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
      WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
          .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("process_cpu"))
              .addLabels(Label.newBuilder().setName("job").setValue("demo")))
          .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(fib)))).build();
      push.writeRaw(req);
      clock.advance(Duration.ofMinutes(2));
      push.writeRaw(req); // two in the last hour
      clock.advance(Duration.ofMinutes(1));

      Cli cli = new Cli(Map.of("TOLLGATE_SERVER", server.url(), "TOLLGATE_TOKEN", reader), clock);
      Path out = dir.resolve("cpu.pb.gz");
      var r = cli.run("query", "--project", project, "--type", "process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta",
          "--selector", "{job=\"demo\"}", "--since", "1h", "--output-file", out.toString());
      assertThat(r.exitCode()).as(r.toString()).isZero();
      Profile merged;
      try (var in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(out)))) {
        merged = Profile.parseFrom(in);
      }
      Profile original;
      try (var in = new GZIPInputStream(new ByteArrayInputStream(fib))) {
        original = Profile.parseFrom(in);
      }
      long one = original.getSampleList().stream().mapToLong(s -> s.getValue(1)).sum();
      assertThat(merged.getSampleList().stream().mapToLong(s -> s.getValue(0)).sum()).isEqualTo(2 * one);

      var top = cli.run("query", "--project", project, "--type", "process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta",
          "--since", "2m", "--report", "top", "--limit", "3");
      assertThat(top.exitCode()).as(top.toString()).isZero();
      assertThat(top.out()).contains("FLAT (nanoseconds)", "math/big.addVV", "total " + one + " nanoseconds");
      assertThat(top.out().lines().count()).isEqualTo(5);

      var bad = cli.run("query", "--project", project, "--type", "process_cpu:cpu", "--report", "top");
      assertThat(bad.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(bad.err()).contains("1:1: invalid profile type");
      var denied = new Cli(Map.of("TOLLGATE_SERVER", server.url(), "TOLLGATE_TOKEN", writer), clock)
          .run("query", "--project", project, "--type", "process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta");
      assertThat(denied.exitCode()).isEqualTo(ExitCodes.PERMISSION_DENIED);
      assertThat(denied.err()).contains("profile.read").doesNotContain(writer);
    }
  }
}
