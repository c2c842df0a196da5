package dev.tollgate.bench;

import dev.tollgate.testing.TestData;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.query.v1alpha1.MergeProfile;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Merge of one series over an hour: {@code profiles} WriteRaw pushes 10 s apart (the real cpu
 * test files fib, profile1, labels in turn), then Query MODE_MERGE REPORT_TYPE_PPROF through the
 * real server, {@code rounds} times; in the same run {@code go tool pprof -proto} merges the same
 * files. Prints milliseconds and the ratio Tollgate / go (lower is better), then the time of the same
 * merge as the console's flame graph reports.
 *
 * <p>Args: profiles (default 360), rounds (default 3).
 */
public final class QueryMergeBenchmark {
  private QueryMergeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int profiles = args.length > 0 ? Integer.parseInt(args[0]) : 360;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("query-bench");
    List<Path> files = List.of(TestData.pprof("fib.pb.gz"),
        TestData.pprof("profile1.pb.gz"), TestData.pprof("labels.pb.gz"));
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    FakeClock clock = new FakeClock(t0);
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c, clock)) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("agent", "system:profile-writer", project);
      String viewer = server.mintToken("reader", "system:viewer", null);
      var push = GrpcTestClients.stub(server.url(), writer, project,
          ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
      List<String> inputs = new ArrayList<>();
      for (int i = 0; i < profiles; i++) {
        Path f = files.get(i % files.size());
        inputs.add(f.toString());
        push.writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
            .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("process_cpu"))
                .addLabels(Label.newBuilder().setName("job").setValue("bench")))
            .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(Files.readAllBytes(f))))).build());
        clock.advance(Duration.ofSeconds(10));
      }
      var query = GrpcTestClients.stub(server.url(), viewer, project, QueryServiceGrpc.QueryServiceBlockingStub.class);
      QueryRequest req = QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_MERGE)
          .setReportType(QueryRequest.ReportType.REPORT_TYPE_PPROF)
          .setMerge(MergeProfile.newBuilder().setQuery("process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta{job=\"bench\"}")
              .setStart(ts(t0)).setEnd(ts(clock.instant()))).build();
      for (int r = 1; r <= rounds; r++) {
        long a = System.nanoTime();
        QueryResponse resp = query.query(req);
        long tollgate = (System.nanoTime() - a) / 1_000_000;
        List<String> cmd = new ArrayList<>(List.of("go", "tool", "pprof", "-proto", "-sample_index=1"));
        cmd.addAll(inputs);
        long b = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("go.pb.gz").toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
          throw new IllegalStateException("go tool pprof failed");
        }
        long go = (System.nanoTime() - b) / 1_000_000;
        System.out.printf("round %d: %d profiles, tollgate %d ms (total %d, %d bytes), go tool pprof -proto %d ms,"
            + " ratio %.2f%n", r, profiles, tollgate, resp.getTotal(), resp.getPprof().size(), go, (double) tollgate / go);
        // What the console asks for: the same merge as flame graphs (the table and the Arrow record).
        for (QueryRequest.ReportType type : List.of(QueryRequest.ReportType.REPORT_TYPE_FLAMEGRAPH_TABLE,
            QueryRequest.ReportType.REPORT_TYPE_FLAMEGRAPH_ARROW)) {
          long c = System.nanoTime();
          QueryResponse fg = query.query(req.toBuilder().setReportType(type).build());
          System.out.printf("round %d: %s %d ms (%d bytes)%n", r, type, (System.nanoTime() - c) / 1_000_000,
              fg.getSerializedSize());
        }
      }
    }
  }

  private static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
