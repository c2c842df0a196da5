package dev.tollgate.cli;

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
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code tollgate stats}, {@code GET /ingest/stats} and {@code GET /series} count the same series:
 * distinct label sets, however many calls sent them and however many profile types each holds.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class StatsSeriesAgreementTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  String project;

  @BeforeEach
  void start() throws Exception {
    // replays one file as eleven profiles, which the retry window would take for one and its retries
    server = TestServer.start(backend, dir, c -> c.withRetryWindow(java.time.Duration.ZERO));
    project = server.defaultProjectId();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static byte[] pprof(String name) throws Exception {
    return Files.readAllBytes(TestData.pprofFiles().stream().filter(p -> p.getFileName().toString().equals(name))
        .findFirst().orElseThrow());
  }

  static WriteRawRequest call(String job, byte[] profile) {
    return WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("memory"))
            .addLabels(Label.newBuilder().setName("job").setValue(job))
            .addLabels(Label.newBuilder().setName("node").setValue("node-a")))
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(profile)))).build();
  }

  @Test
  void elevenCallsOfOneLabelSetWithSeveralProfileTypes_andOneOther_areTwoSeriesEverywhere() throws Exception {
    String writer = server.mintToken("agent", "system:writer", project);
    String reader = server.mintToken("reader", "system:viewer", project);
    var stub = GrpcTestClients.stub(server.url(), writer, project,
        ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
    byte[] heap = pprof("alloc_objects.pb.gz");
    for (int i = 0; i < 11; i++) {
      stub.writeRaw(call("api", heap));
    }
    stub.writeRaw(call("batch", pprof("two-stacks.pb.gz")));

    Api api = Api.withToken(server.url(), reader);
    JsonNode series = api.get("/v1/projects/" + project + "/series").body().get("series");
    assertThat(series).hasSize(2);
    JsonNode api11 = series.findParents("labels").stream()
        .filter(s -> s.at("/labels/job").asText().equals("api")).findFirst().orElseThrow();
    assertThat(api11.get("count").asLong()).isEqualTo(11);
    assertThat(api11.get("profileTypes").size()).as("several profile types in one label set").isGreaterThan(1);

    // Two identical refusals (a token without profile.write) are one entry of two calls, also after a restart.
    for (int i = 0; i < 2; i++) {
      var refused = org.assertj.core.api.Assertions.catchThrowableOfType(io.grpc.StatusRuntimeException.class,
          () -> GrpcTestClients.stub(server.url(), reader, project,
              ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class).writeRaw(call("api", heap)));
      assertThat(refused.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
    }
    assertRefusal(api);
    assertAgree(api, 2);
    // After a restart the windows come from the table (flushed at shutdown), not from memory.
    server.restart();
    assertAgree(Api.withToken(server.url(), reader), 2);
    assertRefusal(Api.withToken(server.url(), reader));

    Cli cli = new Cli(Map.of("TOLLGATE_SERVER", server.url(), "TOLLGATE_TOKEN", reader));
    Cli.Result r = cli.run("stats", "--project", project);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String sourceLine = r.out().lines().filter(l -> l.startsWith("serviceaccount:agent")).findFirst().orElseThrow();
    // SOURCE, LAST RECEIVED, then calls, bytes, series, refusals for 5 minutes and for the hour.
    List<String> cells = List.of(sourceLine.trim().split("\\s{2,}"));
    assertThat(cells.get(2)).as(sourceLine).isEqualTo("12");
    assertThat(cells.get(4)).as(sourceLine).isEqualTo("2");
    assertThat(cells.get(8)).as(sourceLine).isEqualTo("2");
    String nodeLine = r.out().lines().filter(l -> l.startsWith("node-a")).findFirst().orElseThrow();
    assertThat(List.of(nodeLine.trim().split("\\s{2,}")).get(4)).as(nodeLine).isEqualTo("2");
  }

  void assertRefusal(Api api) {
    JsonNode refusals = api.get("/v1/projects/" + project + "/ingest/stats").body().get("refusals");
    assertThat(refusals).hasSize(1);
    JsonNode r = refusals.get(0);
    assertThat(r.get("status").asText()).isEqualTo("PERMISSION_DENIED");
    assertThat(r.get("reason").asText()).contains("missing permission profile.write");
    assertThat(r.get("method").asText()).isEqualTo("WriteRaw");
    assertThat(r.get("calls").asLong()).isEqualTo(2);
    assertThat(r.get("sourceId").isNull()).isFalse();
    assertThat(r.get("clientIp").asText()).isIn("127.0.0.1", "::1");
    assertThat(r.get("userAgent").asText()).startsWith("armeria/");
  }

  void assertAgree(Api api, int expected) {
    assertThat(api.get("/v1/projects/" + project + "/series").body().get("series")).hasSize(expected);
    JsonNode stats = api.get("/v1/projects/" + project + "/ingest/stats").body();
    JsonNode source = stats.get("sources").get(0);
    assertThat(source.at("/last5m/calls").asLong()).isEqualTo(12);
    assertThat(source.at("/last5m/series").asLong()).isEqualTo(expected);
    assertThat(source.at("/lastHour/series").asLong()).isEqualTo(expected);
    JsonNode node = stats.get("nodes").get(0);
    assertThat(node.at("/lastHour/series").asLong()).isEqualTo(expected);
  }
}
