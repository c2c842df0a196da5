package dev.tollgate.query;

import dev.tollgate.testing.TestData;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.proto.parca.query.v1alpha1.QueryRangeRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest.ReportType;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queries over what storage keeps: across the retention boundary, and on a server that did not store the data. */
class QueryStorageTest {
  private static final String TYPE = "process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta";
  @TempDir Path dir;

  private static long oneFib() throws Exception {
    Profile p = PprofBlobs.decode(Files.readAllBytes(TestData.pprof("fib.pb.gz")));
    return p.getSampleList().stream().mapToLong(s -> s.getValue(1)).sum();
  }

  @Test
  void aQueryAcrossTheRetentionBoundary_mergesOnlyWhatIsKept() throws Exception {
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    FakeClock clock = new FakeClock(t0);
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c.withRetention(Duration.ofHours(1)), clock)) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("agent", "system:profile-writer", project);
      String viewer = server.mintToken("reader", "system:viewer", null);
      byte[] fib = Files.readAllBytes(TestData.pprof("fib.pb.gz"));
      Queries.push(server.url(), writer, project, Map.of("__name__", "process_cpu", "job", "r"), fib);
      clock.advance(Duration.ofMinutes(50));
      Queries.push(server.url(), writer, project, Map.of("__name__", "process_cpu", "job", "r"), fib);
      clock.advance(Duration.ofMinutes(20)); // the first is now past the one-hour retention

      var q = Queries.query(server.url(), viewer, project);
      QueryResponse merged = q.query(Queries.merge(TYPE, t0.minusSeconds(60), clock.instant(), ReportType.REPORT_TYPE_PPROF));
      assertThat(merged.getTotal()).isEqualTo(oneFib());
      assertThat(q.queryRange(QueryRangeRequest.newBuilder().setQuery(TYPE).setStart(Queries.ts(t0.minusSeconds(60)))
          .setEnd(Queries.ts(clock.instant())).build()).getSeries(0).getSamplesCount()).isEqualTo(1);
      // a window entirely before the retention holds nothing
      assertThat(q.query(Queries.merge(TYPE, t0.minusSeconds(60), t0.plusSeconds(60), ReportType.REPORT_TYPE_PPROF))
          .getTotal()).isZero();
    }
  }

  @Test
  void serverB_mergesProfilesServerAStored_sharingPostgres() throws Exception {
    // replays one file as two profiles, which the retry window would take for one and its retry
    try (TestServer a = TestServer.start(Backend.POSTGRESQL, dir, c -> c.withRetryWindow(Duration.ZERO))) {
      String project = a.defaultProjectId();
      String writer = a.mintToken("agent", "system:profile-writer", project);
      String viewer = a.mintToken("reader", "system:viewer", null);
      Instant start = Instant.now().minusSeconds(60);
      byte[] fib = Files.readAllBytes(TestData.pprof("fib.pb.gz"));
      Queries.push(a.url(), writer, project, Map.of("__name__", "process_cpu", "job", "two"), fib);
      try (TollgateServer b = a.startSecondNode(dir.resolve("node-b"))) {
        Queries.push(b.url(), writer, project, Map.of("__name__", "process_cpu", "job", "two"), fib);
        Instant end = Instant.now().plusSeconds(60);
        for (String url : new String[] {a.url(), b.url()}) {
          QueryResponse r = Queries.query(url, viewer, project)
              .query(Queries.merge(TYPE + "{job=\"two\"}", start, end, ReportType.REPORT_TYPE_TOP));
          assertThat(r.getTotal()).as(url).isEqualTo(2 * oneFib());
        }
        // The peer decides again with the caller's own credentials.
        String wrongProject = a.mintToken("elsewhere", "system:viewer",
            a.owner().post("/v1/organizations/" + a.organizationId() + "/projects",
                dev.tollgate.testing.Api.json("name", "p2")).body().at("/project/id").asText());
        assertThat(QueryServiceTestCodes.code(() -> Queries.query(b.url(), wrongProject, project)
            .query(Queries.merge(TYPE, start, end, ReportType.REPORT_TYPE_TOP)))).startsWith("PERMISSION_DENIED");
      }
    }
  }
}
