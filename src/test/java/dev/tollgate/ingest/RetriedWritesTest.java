package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that retries a call whose answer it never saw (deadline passed during the commit, a
 * dropped connection) sends the same bytes again: the retry is acknowledged and not stored a second
 * time, whichever server it reaches, while profiles that differ in anything are all kept.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RetriedWritesTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private static WriteRawRequest writeRaw(Path pprof, String node) throws Exception {
    return WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("process_cpu"))
            .addLabels(Label.newBuilder().setName("node").setValue(node)))
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(Files.readAllBytes(pprof))))).build();
  }

  private static ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub stub(String url, String token, String project) {
    return GrpcTestClients.stub(url, token, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
  }

  /** Profiles stored in the project, over all its series. */
  private static List<String> storedProfiles(Api viewer, String project) {
    List<String> ids = new ArrayList<>();
    for (JsonNode s : viewer.get("/v1/projects/" + project + "/series").body().get("series")) {
      for (JsonNode p : viewer.get("/v1/projects/" + project + "/profiles?seriesId=" + s.get("id").asText()).body()
          .get("profiles")) {
        ids.add(p.get("id").asText());
      }
    }
    return ids;
  }

  /** tollgate_ingest_retries_recognized_total, from /metrics. */
  private static double retriesRecognized(String url) throws Exception {
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      return metrics.lines().filter(l -> l.startsWith("tollgate_ingest_retries_recognized_total"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
  }

  @Test
  void writeRawAndWriteArrow_sentTwice_areStoredOnce_andDifferentProfilesAreAllKept() throws Exception {
    try (TestServer server = TestServer.start(backend, dir);
        RootAllocator allocator = new RootAllocator()) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("agent", "system:profile-writer", project);
      Api viewer = Api.withToken(server.url(), server.mintToken("reader", "system:viewer", null));
      var grpc = stub(server.url(), writer, project);
      List<Path> files = TestData.pprofFiles();

      WriteRawRequest first = writeRaw(files.get(0), "n1");
      grpc.writeRaw(first);
      grpc.writeRaw(first); // the retry
      assertThat(storedProfiles(viewer, project)).hasSize(1);

      grpc.writeRaw(writeRaw(files.get(1), "n1")); // another profile of the same series
      grpc.writeRaw(writeRaw(files.get(0), "n2")); // the same bytes from another node
      assertThat(storedProfiles(viewer, project)).hasSize(3);

      byte[] arrow = AgentArrowFixtures.v2(allocator, AgentArrowFixtures.scenario(0x401000, "f00dfeed"));
      grpc.writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(arrow)).build());
      int withArrow = storedProfiles(viewer, project).size();
      assertThat(withArrow).isGreaterThan(3);
      grpc.writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(arrow)).build());
      assertThat(storedProfiles(viewer, project)).hasSize(withArrow);
      assertThat(retriesRecognized(server.url())).isEqualTo(2);
    }
  }

  /** Two servers on one PostgreSQL: the first attempt reached one, the retry the other. */
  @Test
  void aRetryThatReachesAnotherServer_isNotStoredAgain() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(backend == Backend.POSTGRESQL, "several servers share PostgreSQL");
    try (TestServer a = TestServer.start(backend, dir);
        TollgateServer b = a.startSecondNode(dir.resolve("node-b"))) {
      String project = a.defaultProjectId();
      String writer = a.mintToken("agent", "system:profile-writer", project);
      Api viewer = Api.withToken(a.url(), a.mintToken("reader", "system:viewer", null));
      WriteRawRequest call = writeRaw(TestData.pprofFiles().getFirst(), "n1");
      stub(a.url(), writer, project).writeRaw(call);
      stub(b.url(), writer, project).writeRaw(call);
      assertThat(storedProfiles(viewer, project)).hasSize(1);
      assertThat(retriesRecognized(b.url())).isEqualTo(1);
    }
  }
}
