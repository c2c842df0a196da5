package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.query.v1alpha1.MergeProfile;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileTypesRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Until the Arrow decoder is wired into the read path, profiles stored by WriteArrow are listed
 * (types, labels) but skipped by merges, and the answer says so in a {@code tollgate-warning} trailer.
 */
class QueryOfArrowBlobsTest {
  @TempDir Path dir;

  @Test
  void arrowProfiles_areSkippedByMerges_withAWarningTrailer() throws Exception {
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    FakeClock clock = new FakeClock(t0);
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c, clock);
        RootAllocator allocator = new RootAllocator()) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("agent", "system:profile-writer", project);
      String viewer = server.mintToken("reader", "system:viewer", null);
      GrpcTestClients.stub(server.url(), writer, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
          .writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ArrowFixtures.v2(allocator))).build());
      clock.advance(Duration.ofSeconds(10));

      ManagedChannel ch = GrpcChannels.plaintext(server.port());
      try {
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        var stub = QueryServiceGrpc.newBlockingStub(ch).withInterceptors(
            GrpcChannels.headers("Bearer " + viewer, project),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        assertThat(stub.profileTypes(ProfileTypesRequest.getDefaultInstance()).getTypesList())
            .extracting(t -> t.getName()).contains("parca_agent");
        QueryResponse r = stub.query(QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_MERGE)
            .setReportType(QueryRequest.ReportType.REPORT_TYPE_TOP)
            .setMerge(MergeProfile.newBuilder().setQuery("parca_agent:samples:count:cpu:nanoseconds:delta")
                .setStart(ts(t0.minusSeconds(60))).setEnd(ts(clock.instant()))).build());
        assertThat(r.getTotal()).isZero();
        assertThat(trailers.get().get(Metadata.Key.of("tollgate-warning", Metadata.ASCII_STRING_MARSHALLER)))
            .isEqualTo("profiles stored as ARROW were skipped: this server cannot decode them yet");
      } finally {
        GrpcChannels.close(ch);
      }
    }
  }

  private static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
