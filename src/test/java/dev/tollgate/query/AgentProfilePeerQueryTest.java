package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.query.v1alpha1.MetricsSeries;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRangeRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest.ReportType;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two servers on one PostgreSQL: each merges the agent calls both stored, fetching the other's blobs from it. */
class AgentProfilePeerQueryTest {
  private static final String CPU = "parca_agent:samples:count:cpu:nanoseconds:delta";
  @TempDir Path dir;

  @Test
  void serverB_mergesAgentCallsServerAStored_eachLabelSetItsOwn() throws Exception {
    try (RootAllocator allocator = new RootAllocator(); TestServer a = TestServer.start(Backend.POSTGRESQL, dir,
        // replays one call as several, which the retry window would take for retries
        c -> c.withRetryWindow(java.time.Duration.ZERO))) {
      String project = a.defaultProjectId();
      String writer = a.mintToken("agent", "system:profile-writer", project);
      String viewer = a.mintToken("reader", "system:viewer", null);
      byte[] ipc = AgentArrowFixtures.v2(allocator, AgentArrowFixtures.scenario(0x1234, "abcdef0123456789"));
      Instant start = Instant.now().minusSeconds(60);
      write(a.url(), writer, project, ipc);
      try (TollgateServer b = a.startSecondNode(dir.resolve("node-b"))) {
        write(b.url(), writer, project, ipc);
        Instant end = Instant.now().plusSeconds(60);
        for (String url : new String[] {a.url(), b.url()}) {
          var q = Queries.query(url, viewer, project);
          assertThat(q.query(Queries.merge(CPU, start, end, ReportType.REPORT_TYPE_TOP)).getTotal()).as(url)
              .isEqualTo(2 * 7);
          List<MetricsSeries> series = q.queryRange(QueryRangeRequest.newBuilder().setQuery(CPU + "{comm=\"app\"}")
              .setStart(Queries.ts(start)).setEnd(Queries.ts(end)).build()).getSeriesList();
          assertThat(series).as(url).singleElement().satisfies(s -> assertThat(s.getSamplesList())
              .extracting(p -> p.getValue()).containsExactly(3L, 3L));
        }
      }
    }
  }

  private static void write(String url, String token, String project, byte[] ipc) {
    GrpcTestClients.stub(url, token, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
  }
}
