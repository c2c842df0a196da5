package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.debuginfo.DebuginfoStore;
import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.objectstore.ObjectStore;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest.ReportType;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.S3Server;
import dev.tollgate.testing.StreamRecorder;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers sharing one PostgreSQL and one S3 server (s3proxy): what one stored is, once its segment
 * is sealed and uploaded, read from the object by the others with the one that stored it stopped:
 * raw download, series, QueryService merge; debug info likewise; retention deletes the objects.
 */
class ObjectStoreClusterTest {
  private static final String CPU = "parca_agent:samples:count:cpu:nanoseconds:delta";
  @TempDir static Path s3Dir;
  static S3Server s3;
  @TempDir Path dir;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(s3Dir);
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @Test
  void whatServer1Stored_isReadFromObjectStorageByServers2And3_withServer1Stopped() throws Exception {
    byte[] pprof = Files.readAllBytes(TestData.pprofFiles().getFirst());
    String prefix = "cluster-" + UUID.randomUUID();
    try (RootAllocator allocator = new RootAllocator();
        TestServer one = TestServer.start(Backend.POSTGRESQL, dir, c -> c.withObjectStore(s3.settings(prefix)))) {
      String project = one.defaultProjectId();
      String writer = one.mintToken("agent", "system:profile-writer", project);
      String viewer = one.mintToken("reader", "system:viewer", null);
      Instant start = Instant.now().minusSeconds(60);
      storeCpuProfiles(one.url(), writer, project, pprof, allocator);
      Instant end = Instant.now().plusSeconds(60);

      Path localSegments = one.config().dataDir().resolve("profiles").resolve(project);
      awaitUploaded(localSegments, prefix);
      assertThat(s3.keys()).anyMatch(k -> k.startsWith(prefix + "/profiles/" + project + "/"));

      String series = "/v1/projects/" + project + "/series";
      String cpuSeries = Api.withToken(one.url(), viewer).get(series).body().findValues("id").stream()
          .map(n -> n.asText()).filter(id -> !id.isEmpty()).findFirst().orElseThrow();
      String profiles = "/v1/projects/" + project + "/profiles";

      try (TollgateServer two = one.startSecondNode(dir.resolve("node-2"));
          TollgateServer three = one.startSecondNode(dir.resolve("node-3"))) {
        String seriesOnOne = Api.withToken(one.url(), viewer).get(series).body().toString();
        one.close(); // its disk no longer matters: nothing is fetched from it
        for (TollgateServer other : List.of(two, three)) {
          Api api = Api.withToken(other.url(), viewer);
          assertThat(api.get(series).body().toString()).as("series via " + other.url()).isEqualTo(seriesOnOne);
          String rawId = rawPprofId(api, profiles, seriesOnOne);
          HttpResponse<byte[]> raw = download(other.url() + profiles + "/" + rawId + "/raw", viewer);
          assertThat(raw.statusCode()).as("raw download via " + other.url()).isEqualTo(200);
          assertThat(raw.body()).isEqualTo(pprof);

          var q = Queries.query(other.url(), viewer, project);
          assertThat(q.query(Queries.merge(CPU, start, end, ReportType.REPORT_TYPE_TOP)).getTotal())
              .as("QueryService merge via " + other.url()).isEqualTo(7);
        }
        assertThat(cpuSeries).isNotEmpty();
      }
    }
  }

  @Test
  void debugInfoUploadedThroughOneServer_isReadFromObjectStorageByAnother() throws Exception {
    String prefix = "debuginfo-" + UUID.randomUUID();
    byte[] elf = Files.readAllBytes(TestData.pprofFiles().getFirst()); // any bytes: the store does not parse them
    String buildId = "0123456789abcdef0123456789abcdef01234567";
    try (TestServer one = TestServer.start(Backend.POSTGRESQL, dir, c -> c.withObjectStore(s3.settings(prefix)))) {
      String project = one.defaultProjectId();
      String writer = one.mintToken("agent", "system:writer", project);
      upload(one.url(), writer, project, buildId, elf);
      assertThat(s3.keys()).anyMatch(k -> k.startsWith(prefix + "/debuginfo/" + project + "/"));

      try (TollgateServer two = one.startSecondNode(dir.resolve("node-2"))) {
        var onTwo = GrpcTestClients.stub(two.url(), writer, project,
            DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
        assertThat(onTwo.shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder().setBuildId(buildId)
            .setHash(sha256(elf)).build()).getShouldInitiateUpload()).isFalse();
        one.close();
        // The symbolizer of another server reads debug info through its DebuginfoStore: a fresh
        // data directory, the same database and object storage.
        try (ObjectStore objects = new ObjectStore(s3.settings(prefix))) {
          DebuginfoStore elsewhere = new DebuginfoStore(two.components().db(), dir.resolve("node-x/debuginfo"),
              java.time.Clock.systemUTC(), 10_000_000, objects);
          Path file = elsewhere.file(UUID.fromString(project), buildId, 0).orElseThrow();
          assertThat(file).startsWith(dir.resolve("node-x"));
          assertThat(Files.readAllBytes(file)).isEqualTo(elf);
        }
      }
    }
  }

  @Test
  void retention_deletesTheUploadedObjects_andTheirIndexRows() throws Exception {
    String prefix = "retention-" + UUID.randomUUID();
    FakeClock clock = new FakeClock(Instant.now());
    byte[] pprof = Files.readAllBytes(TestData.pprofFiles().getFirst());
    try (TestServer one = TestServer.start(Backend.POSTGRESQL, dir,
        c -> c.withObjectStore(s3.settings(prefix)).withRetention(Duration.ofHours(1)), clock)) {
      String project = one.defaultProjectId();
      String writer = one.mintToken("agent", "system:profile-writer", project);
      String viewer = one.mintToken("reader", "system:viewer", null);
      Queries.push(one.url(), writer, project, Map.of("__name__", "cpu"), pprof);
      clock.advance(Duration.ofSeconds(30)); // past the seal age on the server's clock
      awaitUploaded(one.config().dataDir().resolve("profiles").resolve(project), prefix);
      String objects = prefix + "/profiles/";
      assertThat(s3.keys()).anyMatch(k -> k.startsWith(objects));

      assertThat(one.server().enforceRetention()).as("nothing is old yet").isZero();
      assertThat(s3.keys()).anyMatch(k -> k.startsWith(objects));
      clock.advance(Duration.ofHours(2));
      assertThat(one.server().enforceRetention()).isEqualTo(1);
      assertThat(s3.keys()).noneMatch(k -> k.startsWith(objects));
      assertThat(Api.withToken(one.url(), viewer).get("/v1/projects/" + project + "/series").body()
          .at("/series").size()).isZero();
    }
  }

  @Test
  void objectStorageDown_writesAreBufferedLocally_thenUploadedWhenItIsBack_andAckAfterUploadRefuses()
      throws Exception {
    String prefix = "down-" + UUID.randomUUID();
    byte[] pprof = Files.readAllBytes(TestData.pprofFiles().getFirst());
    try (TestServer one = TestServer.start(Backend.POSTGRESQL, dir, c -> c.withObjectStore(s3.settings(prefix)))) {
      String project = one.defaultProjectId();
      String writer = one.mintToken("agent", "system:profile-writer", project);
      String viewer = one.mintToken("reader", "system:viewer", null);
      Path localSegments = one.config().dataDir().resolve("profiles").resolve(project);
      s3.stop();
      try {
        Queries.push(one.url(), writer, project, Map.of("__name__", "cpu"), pprof); // acknowledged locally
        Thread.sleep(2000); // sealed, and its upload failed at least once
        assertThat(segmentFiles(localSegments)).isEqualTo(1);
        assertThat(s3.keys()).noneMatch(k -> k.startsWith(prefix + "/"));

        try (TollgateServer acking = TollgateServer.start(one.config().withPort(0)
            .withDataDir(dir.resolve("node-ack"))
            .withLegacyKeyEncryptionKeyFile(one.config().dataDir().resolve("legacy-key-encryption.key")).withObjectStore(s3.settings(prefix).withAckAfterUpload(true)))) {
          assertThatThrownBy(() -> Queries.push(acking.url(), writer, project, Map.of("__name__", "refused"), pprof))
              .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class,
                  e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE));
        }
      } finally {
        s3.restart();
      }
      awaitUploaded(localSegments, prefix);
      try (TollgateServer two = one.startSecondNode(dir.resolve("node-2"))) {
        one.close();
        Api api = Api.withToken(two.url(), viewer);
        String seriesJson = api.get("/v1/projects/" + project + "/series").body().toString();
        assertThat(seriesJson).doesNotContain("refused");
        String profiles = "/v1/projects/" + project + "/profiles";
        HttpResponse<byte[]> raw = download(two.url() + profiles + "/" + rawPprofId(api, profiles, seriesJson) + "/raw",
            viewer);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(pprof);
      }
    }
  }

  /**
   * Reads of what is only in object storage, while it is down: the raw download is a 503 and a
   * QueryService merge UNAVAILABLE, both saying why (never a 500 / INTERNAL, which clients do not
   * retry); once it is back, the same reads answer with the stored data.
   */
  @Test
  void objectStorageDown_readsAre503AndUnavailable_thenAnswerOnceItIsBack() throws Exception {
    byte[] pprof = Files.readAllBytes(TestData.pprofFiles().getFirst());
    String prefix = "reads-down-" + UUID.randomUUID();
    try (RootAllocator allocator = new RootAllocator();
        TestServer one = TestServer.start(Backend.POSTGRESQL, dir, c -> c.withObjectStore(s3.settings(prefix)))) {
      String project = one.defaultProjectId();
      String writer = one.mintToken("agent", "system:profile-writer", project);
      String viewer = one.mintToken("reader", "system:viewer", null);
      Instant start = Instant.now().minusSeconds(60);
      storeCpuProfiles(one.url(), writer, project, pprof, allocator);
      Instant end = Instant.now().plusSeconds(60);
      awaitUploaded(one.config().dataDir().resolve("profiles").resolve(project), prefix);
      String profiles = "/v1/projects/" + project + "/profiles";

      try (TollgateServer two = one.startSecondNode(dir.resolve("node-2"))) {
        one.close(); // the objects are the only copy now
        Api api = Api.withToken(two.url(), viewer);
        String rawId = rawPprofId(api, profiles, api.get("/v1/projects/" + project + "/series").body().toString());
        var q = Queries.query(two.url(), viewer, project);
        s3.stop();
        try {
          HttpResponse<byte[]> raw = download(two.url() + profiles + "/" + rawId + "/raw", viewer);
          assertThat(raw.statusCode()).isEqualTo(503);
          assertThat(new String(raw.body(), java.nio.charset.StandardCharsets.UTF_8))
              .contains("\"unavailable\"").contains("object storage");
          assertThatThrownBy(() -> q.query(Queries.merge(CPU, start, end, ReportType.REPORT_TYPE_TOP)))
              .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).contains("object storage");
              });
        } finally {
          s3.restart();
        }
        HttpResponse<byte[]> raw = download(two.url() + profiles + "/" + rawId + "/raw", viewer);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(pprof);
        assertThat(q.query(Queries.merge(CPU, start, end, ReportType.REPORT_TYPE_TOP)).getTotal()).isEqualTo(7);
      }
    }
  }

  /** A pprof in series {__name__=cpu, job=app} and the agent's Arrow scenario, whose CPU rows total 7. */
  private static void storeCpuProfiles(String url, String writer, String project, byte[] pprof,
      RootAllocator allocator) {
    Queries.push(url, writer, project, Map.of("__name__", "cpu", "job", "app"), pprof);
    byte[] ipc = AgentArrowFixtures.v2(allocator, AgentArrowFixtures.scenario(0x1234, "abcdef0123456789"));
    GrpcTestClients.stub(url, writer, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
  }

  /** Until the sealed segments are uploaded: their local files are deleted only once the index points at the objects. */
  private static void awaitUploaded(Path localSegments, String prefix) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (s3.keys().stream().anyMatch(k -> k.startsWith(prefix + "/profiles/")) && segmentFiles(localSegments) == 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("segments in " + localSegments + " were not uploaded within 60 s; objects: " + s3.keys());
  }

  private static long segmentFiles(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 1;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".seg")).count();
    }
  }

  /** The id of the pprof profile in the "cpu" series. */
  private static String rawPprofId(Api api, String profiles, String seriesJson) throws Exception {
    var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(seriesJson);
    for (var s : tree.at("/series")) {
      if (s.toString().contains("\"cpu\"")) {
        return api.get(profiles + "?seriesId=" + s.at("/id").asText()).body().at("/profiles/0/id").asText();
      }
    }
    throw new AssertionError("no cpu series in " + seriesJson);
  }

  private static HttpResponse<byte[]> download(String url, String token) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(HttpRequest.newBuilder(URI.create(url)).header("authorization", "Bearer " + token).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /** Initiate, upload in chunks and mark finished, as an agent does. */
  private static void upload(String url, String token, String project, String buildId, byte[] data) throws Exception {
    var blocking = GrpcTestClients.stub(url, token, project, DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
    String uploadId = blocking.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(buildId)
        .setHash(sha256(data)).setSize(data.length).build()).getUploadInstructions().getUploadId();
    StreamRecorder<UploadResponse> answer = new StreamRecorder<>();
    CompletableFuture<UploadResponse> done = answer.first();
    StreamObserver<UploadRequest> req = GrpcTestClients.stub(url, token, project,
        DebuginfoServiceGrpc.DebuginfoServiceStub.class).upload(answer);
    req.onNext(UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder().setBuildId(buildId).setUploadId(uploadId))
        .build());
    for (int off = 0; off < data.length; off += 8192) {
      req.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(data, off,
          Math.min(8192, data.length - off))).build());
    }
    req.onCompleted();
    assertThat(done.join().getSize()).isEqualTo(data.length);
    blocking.markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId)
        .build());
  }
}
