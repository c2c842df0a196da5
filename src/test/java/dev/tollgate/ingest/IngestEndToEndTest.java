package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.telemetry.v1alpha1.ReportPanicRequest;
import dev.tollgate.proto.parca.telemetry.v1alpha1.TelemetryServiceGrpc;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.IngestTestServer;
import dev.tollgate.testing.TestData;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import dev.tollgate.db.DatabaseUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class IngestEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameter Backend backend;
  @TempDir Path dir;

  private final UUID project = UUID.randomUUID();
  private DatabaseUrl url;
  private IngestTestServer server;
  private WebClient web;

  @BeforeEach
  void start() {
    url = backend.newDatabaseUrl(dir);
    server = new IngestTestServer(url, dir.resolve("data"), IngestSettings.defaults(), InstantSource.system());
    web = WebClient.of(server.baseUrl());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub profileStore(String token, String projectId) {
    return GrpcTestClients.stub(server.baseUrl(), token, projectId,
        ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
  }

  private ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub good() {
    return profileStore("good-" + project, project.toString());
  }

  static WriteRawRequest writeRaw(Map<String, String> labels, byte[] profile) {
    LabelSet.Builder ls = LabelSet.newBuilder();
    labels.forEach((k, v) -> ls.addLabels(Label.newBuilder().setName(k).setValue(v)));
    return WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(ls)
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(profile)))).build();
  }

  private JsonNode getJson(String path) throws Exception {
    AggregatedHttpResponse r = web.get(path).aggregate().join();
    assertThat(r.status().code()).as(path + " -> " + r.contentUtf8()).isEqualTo(200);
    return JSON.readTree(r.contentUtf8());
  }

  private static long sum(JsonNode entries, String window, String field) {
    long n = 0;
    for (JsonNode e : entries) {
      n += e.get(window).get(field).asLong();
    }
    return n;
  }

  @Test
  void recentStatistics_addUpAcrossServersSharingTheDatabase_andSurviveARestart() throws Exception {
    byte[] profile = Files.readAllBytes(TestData.pprofFiles().get(0));
    good().writeRaw(writeRaw(Map.of("__name__", "process_cpu", "node", "node-a"), profile));
    good().writeRaw(writeRaw(Map.of("__name__", "memory", "node", "node-a"), profile));
    try (IngestTestServer second = new IngestTestServer(url, dir.resolve("data-b"), IngestSettings.defaults(),
        InstantSource.system())) {
      GrpcTestClients.stub(second.baseUrl(), "good-" + project, project.toString(),
          ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
          .writeRaw(writeRaw(Map.of("__name__", "process_cpu", "node", "node-b"), profile));
      server.ingestion.flushStatistics();
      // The second server sees the first one's flushed calls plus its own, not yet flushed.
      AggregatedHttpResponse r = WebClient.of(second.baseUrl()).get("/v1/projects/" + project + "/ingest/stats")
          .aggregate().join();
      JsonNode stats = JSON.readTree(r.contentUtf8());
      assertThat(sum(stats.get("sources"), "last5m", "calls")).isEqualTo(3);
      assertThat(stats.get("sources")).hasSize(1);
      assertThat(stats.get("nodes")).extracting(n -> n.get("node").asText() + "=" + n.at("/lastHour/calls").asLong())
          .containsExactlyInAnyOrder("node-a=2", "node-b=1");
    } // closing flushes the second server's counts

    server.close();
    server = new IngestTestServer(url, dir.resolve("data"), IngestSettings.defaults(), InstantSource.system());
    web = WebClient.of(server.baseUrl());
    JsonNode stats = getJson("/v1/projects/" + project + "/ingest/stats");
    assertThat(sum(stats.get("sources"), "lastHour", "calls")).isEqualTo(3);
    assertThat(sum(stats.get("sources"), "last5m", "bytes")).isGreaterThan(3L * profile.length);
    assertThat(stats.get("sources").get(0).get("lastReceived").asText()).endsWith("Z");
  }

  @Test
  void storageFailure_isUnavailable_keepsNothing_andTheRetrySucceeds() throws Exception {
    // A regular file where the project's segment directory must go: creating the segment fails
    // the way a full or broken disk does.
    Path obstacle = dir.resolve("data").resolve("profiles").resolve(project.toString());
    Files.createDirectories(obstacle.getParent());
    Files.writeString(obstacle, "not a directory");
    byte[] profile = Files.readAllBytes(TestData.pprofFiles().get(0));
    WriteRawRequest req = writeRaw(Map.of("__name__", "process_cpu", "job", "disk"), profile);

    assertThatThrownBy(() -> good().writeRaw(req)).satisfies(e -> {
      Status status = Status.fromThrowable(e);
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription()).contains("nothing was kept, retry");
    });
    assertThat(getJson("/v1/projects/" + project + "/series").get("series")).isEmpty();

    Files.delete(obstacle);
    good().writeRaw(req);
    JsonNode series = getJson("/v1/projects/" + project + "/series").get("series");
    assertThat(series).hasSize(1);
    assertThat(series.get(0).get("count").asLong()).isEqualTo(1);
  }

  @Test
  void everyRealPprofFile_isStored_showsInStatsAndSeries_andDownloadsByteForByte() throws Exception {
    List<Path> files = TestData.pprofFiles();
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);
    int withDuration = 0;
    Map<String, byte[]> sent = new HashMap<>();
    long bytes = 0;
    for (Path f : files) {
      byte[] data = Files.readAllBytes(f);
      String name = f.getFileName().toString().replace(".pb.gz", "").replace('-', '_');
      sent.put(name, data);
      WriteRawRequest req = writeRaw(Map.of("__name__", name, "node", "node-a", "job", "e2e"), data);
      bytes += req.getSerializedSize();
      good().writeRaw(req);
    }
    JsonNode series = getJson("/v1/projects/" + project + "/series").get("series");
    assertThat(series).hasSize(files.size());
    for (JsonNode s : series) {
      String name = s.get("labels").get("__name__").asText();
      assertThat(s.get("count").asLong()).isEqualTo(1);
      assertThat(s.get("profileTypes")).isNotEmpty();
      assertThat(s.get("profileTypes").get(0).asText()).startsWith(name + ":");
      assertThat(s.get("firstSeen").asText()).endsWith("Z");
      JsonNode profiles = getJson("/v1/projects/" + project + "/profiles?seriesId=" + s.get("id").asText())
          .get("profiles");
      assertThat(profiles).hasSize(1);
      // The indexed time range is the profile's own: time_nanos to time_nanos + duration_nanos.
      Profile pprof = Profile.parseFrom(new java.util.zip.GZIPInputStream(
          new java.io.ByteArrayInputStream(sent.get(name))));
      if (pprof.getTimeNanos() == 0) {
        assertThat(profiles.get(0).get("sampleTime").isNull()).as(name).isTrue();
      } else {
        long start = pprof.getTimeNanos() / 1_000_000;
        assertThat(Instant.parse(profiles.get(0).get("sampleTime").asText())).as(name)
            .isEqualTo(Instant.ofEpochMilli(start));
        assertThat(Instant.parse(profiles.get(0).get("sampleEnd").asText())).as(name)
            .isEqualTo(Instant.ofEpochMilli((pprof.getTimeNanos() + pprof.getDurationNanos()) / 1_000_000));
        if (pprof.getDurationNanos() >= 1_000_000) {
          withDuration++;
        }
      }
      AggregatedHttpResponse raw = web.get("/v1/projects/" + project + "/profiles/" + profiles.get(0).get("id").asText()
          + "/raw").aggregate().join();
      assertThat(raw.status().code()).isEqualTo(200);
      assertThat(raw.headers().get("content-disposition")).contains("attachment").contains(".pb.gz");
      assertThat(raw.content().array()).as(name).isEqualTo(sent.get(name));
    }
    assertThat(withDuration).as("profiles with a duration among the test files").isPositive();
    JsonNode stats = getJson("/v1/projects/" + project + "/ingest/stats");
    JsonNode source = stats.get("sources").get(0);
    assertThat(source.get("sourceName").asText()).isEqualTo("serviceaccount:agent");
    assertThat(source.get("last5m").get("calls").asLong()).isEqualTo(files.size());
    assertThat(source.get("lastHour").get("bytes").asLong()).isEqualTo(bytes);
    assertThat(source.get("totalProfiles").asLong()).isEqualTo(files.size());
    assertThat(stats.get("nodes").get(0).get("node").asText()).isEqualTo("node-a");
    assertThat(server.registry.scrape()).contains("tollgate_ingest_calls_total{code=\"OK\",method=\"WriteRaw\",project=\""
        + project + "\"} " + files.size());
  }

  @Test
  void refusals_carryTheAuthorizersStatus_failClosed_andAreCounted() throws Exception {
    byte[] data = Files.readAllBytes(TestData.pprofFiles().getFirst());
    WriteRawRequest req = writeRaw(Map.of("__name__", "cpu"), data);
    assertThatThrownBy(() -> profileStore(null, project.toString()).writeRaw(req))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    assertThatThrownBy(() -> profileStore("good-" + project, null).writeRaw(req))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getDescription()).contains("projectid"));
    assertThatThrownBy(() -> profileStore("good-" + UUID.randomUUID(), project.toString()).writeRaw(req))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThatThrownBy(() -> profileStore("boom", project.toString()).writeRaw(req))
        .satisfies(e -> {
          assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(Status.fromThrowable(e).getDescription()).doesNotContain("boom");
        });
    JsonNode stats = getJson("/v1/projects/" + project + "/ingest/stats");
    assertThat(stats.get("sources").get(0).get("last5m").get("refusals").asLong()).isEqualTo(1);
    assertThat(getJson("/v1/projects/" + project + "/series").get("series")).isEmpty();
  }

  @Test
  void invalidWriteRaw_isInvalidArgument_namingTheSeries() throws Exception {
    byte[] data = Files.readAllBytes(TestData.pprofFiles().getFirst());
    assertThatThrownBy(() -> good().writeRaw(writeRaw(Map.of("job", "x"), data)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).isEqualTo("series 0: missing __name__ label");
        });
    assertThatThrownBy(() -> good().writeRaw(writeRaw(Map.of("__name__", "x"), new byte[] {0x1f, (byte) 0x8b, 1, 2})))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("series 0 sample 0: ");
        });
    // A scraper whose every profile is refused shows up in the statistics as refusals.
    JsonNode sources = getJson("/v1/projects/" + project + "/ingest/stats").get("sources");
    assertThat(sources).singleElement().satisfies(src -> {
      assertThat(src.at("/last5m/refusals").asLong()).isEqualTo(2);
      assertThat(src.at("/last5m/calls").asLong()).isZero();
      assertThat(src.get("sourceName").asText()).isNotEmpty();
    });
  }

  @Test
  void profileList_givesTheNewestOfTheRange_oldestFirst_andSaysWhenOlderOnesWereLeftOut() throws Exception {
    byte[] data = Files.readAllBytes(TestData.pprofFiles().getFirst());
    for (int i = 0; i < 3; i++) {
      // three profiles (the same bytes thrice would be one and its retries)
      good().writeRaw(writeRaw(Map.of("__name__", "latest"), TestData.replay(data, i)));
      Thread.sleep(5); // distinct receive times
    }
    String series = getJson("/v1/projects/" + project + "/series").at("/series/0/id").asText();
    String path = "/v1/projects/" + project + "/profiles?seriesId=" + series;
    JsonNode all = getJson(path);
    assertThat(all.get("profiles")).hasSize(3);
    assertThat(all.get("truncated").asBoolean()).isFalse();
    JsonNode newest = getJson(path + "&limit=2");
    assertThat(newest.get("truncated").asBoolean()).isTrue();
    assertThat(newest.get("profiles")).extracting(p -> p.get("id").asText())
        .containsExactly(all.at("/profiles/1/id").asText(), all.at("/profiles/2/id").asText());
    JsonNode older = getJson(path + "&limit=2&to=" + newest.at("/profiles/0/receivedAt").asText());
    assertThat(older.get("truncated").asBoolean()).isFalse();
    assertThat(older.get("profiles")).extracting(p -> p.get("id").asText())
        .containsExactly(all.at("/profiles/0/id").asText());
    for (String bad : new String[] {"0", "1001", "many"}) {
      AggregatedHttpResponse r = web.get(path + "&limit=" + bad).aggregate().join();
      assertThat(r.status().code()).as(bad).isEqualTo(400);
      assertThat(JSON.readTree(r.contentUtf8()).get("field").asText()).isEqualTo("limit");
    }
  }

  @Test
  void restRoutes_refuseBadParameters_andUnknownProfiles_andAskTheReadSeam() throws Exception {
    AggregatedHttpResponse bad = web.get("/v1/projects/" + project + "/profiles?seriesId=zz").aggregate().join();
    assertThat(bad.status().code()).isEqualTo(400);
    assertThat(JSON.readTree(bad.contentUtf8()).get("field").asText()).isEqualTo("seriesId");
    assertThat(JSON.readTree(bad.contentUtf8()).get("code").asText()).isEqualTo("invalid_argument");
    AggregatedHttpResponse badFrom = web.get("/v1/projects/" + project + "/profiles?seriesId="
        + "0".repeat(32) + "&from=yesterday").aggregate().join();
    assertThat(JSON.readTree(badFrom.contentUtf8()).get("field").asText()).isEqualTo("from");
    AggregatedHttpResponse badProject = web.get("/v1/projects/nope/series").aggregate().join();
    assertThat(badProject.status().code()).isEqualTo(400);
    AggregatedHttpResponse missing = web.get("/v1/projects/" + project + "/profiles/" + UUID.randomUUID() + "/raw")
        .aggregate().join();
    assertThat(missing.status().code()).isEqualTo(404);
    assertThat(JSON.readTree(missing.contentUtf8()).get("code").asText()).isEqualTo("not_found");
    server.hiddenProjects.add(project);
    assertThat(web.get("/v1/projects/" + project + "/series").aggregate().join().status().code()).isEqualTo(404);
  }

  @Test
  void reportPanic_isAnsweredEmpty_andKeptPerProject() {
    GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(),
            TelemetryServiceGrpc.TelemetryServiceBlockingStub.class)
        .reportPanic(ReportPanicRequest.newBuilder().setStderr("panic: boom\n" + "x".repeat(100_000))
            .putMetadata("agent_revision", "v0.40").build());
    long n = server.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT LENGTH(stderr) FROM panic_reports WHERE project_id = :p").bind("p", project.toString())
        .mapTo(Long.class).one());
    assertThat(n).isEqualTo(64 << 10);
  }
}
