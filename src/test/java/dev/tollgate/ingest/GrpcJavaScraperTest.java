package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scraper's path end to end on the real server, with grpc-java's own Netty transport (no
 * Armeria on the client side): every real pprof file sent through WriteRaw with a
 * {@code psc_v1_} service-account token and {@code projectID}, listed in the statistics per
 * token and per node, and downloaded byte for byte.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class GrpcJavaScraperTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  @Test
  void everyRealPprofFile_isStored_counted_andDownloadedIdentical() throws Exception {
    try (TestServer server = TestServer.start(backend, dir)) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("scraper", "system:profile-writer", project);
      String reader = server.mintToken("reader", "system:viewer", project);
      List<Path> files = TestData.pprofFiles();
      Map<String, byte[]> sent = new HashMap<>();
      ManagedChannel channel = GrpcChannels.plaintext(server.port());
      try {
        var stub = ProfileStoreServiceGrpc.newBlockingStub(channel)
            .withInterceptors(GrpcChannels.headers("Bearer " + writer, project));
        for (Path f : files) {
          byte[] data = Files.readAllBytes(f);
          String name = f.getFileName().toString().replace(".pb.gz", "").replace('-', '_');
          sent.put(name, data);
          stub.writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
              .setLabels(LabelSet.newBuilder()
                  .addLabels(Label.newBuilder().setName("__name__").setValue(name))
                  .addLabels(Label.newBuilder().setName("node").setValue("node-1")))
              .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(data)))).build());
        }
      } finally {
        GrpcChannels.close(channel);
      }

      Api api = Api.withToken(server.url(), reader);
      JsonNode series = api.get("/v1/projects/" + project + "/series").body().get("series");
      assertThat(series).hasSize(files.size());
      try (HttpClient http = HttpClient.newHttpClient()) {
        for (JsonNode s : series) {
          String name = s.at("/labels/__name__").asText();
          String id = api.get("/v1/projects/" + project + "/profiles?seriesId=" + s.get("id").asText()).body()
              .at("/profiles/0/id").asText();
          HttpResponse<byte[]> raw = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/projects/"
              + project + "/profiles/" + id + "/raw")).header("authorization", "Bearer " + reader).build(),
              HttpResponse.BodyHandlers.ofByteArray());
          assertThat(raw.statusCode()).as(name).isEqualTo(200);
          assertThat(raw.body()).as(name).isEqualTo(sent.get(name));
        }
      }

      JsonNode stats = api.get("/v1/projects/" + project + "/ingest/stats").body();
      JsonNode source = stats.get("sources").get(0);
      assertThat(source.get("sourceName").asText()).startsWith("serviceaccount:scraper");
      assertThat(source.at("/last5m/calls").asLong()).isEqualTo(files.size());
      assertThat(source.at("/last5m/series").asLong()).isEqualTo(files.size());
      assertThat(source.get("totalProfiles").asLong()).isEqualTo(files.size());
      JsonNode node = stats.get("nodes").get(0);
      assertThat(node.get("node").asText()).isEqualTo("node-1");
      assertThat(node.at("/last5m/calls").asLong()).isEqualTo(files.size());
    }
  }
}
