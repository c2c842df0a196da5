package dev.tollgate.debuginfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.ingest.IngestSettings;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoType;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadResponse;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.StreamRecorder;
import dev.tollgate.testing.IngestTestServer;
import dev.tollgate.testing.TestData;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class DebuginfoUploadTest {
  private static Path elf;
  private static String buildId;

  @Parameter Backend backend;
  @TempDir Path dir;

  private final FakeClock clock = new FakeClock(Instant.parse("2025-03-01T10:00:00Z"));
  private final UUID project = UUID.randomUUID();
  private IngestTestServer server;

  /** A real ELF with a GNU build id, compiled into target/ at test time. */
  @BeforeAll
  static void compileElf() throws Exception {
    Path out = TestData.basedir().resolve("target/debuginfo-fixture");
    Files.createDirectories(out);
    Path src = out.resolve("hello.c");
    Files.writeString(src, "#include <stdio.h>\nint main(void) { puts(\"hello tollgate\"); return 0; }\n");
    elf = out.resolve("hello");
    Process gcc = new ProcessBuilder("gcc", "-g", "-Wl,--build-id", "-o", elf.toString(), src.toString())
        .inheritIO().start();
    assertThat(gcc.waitFor()).isZero();
    Process readelf = new ProcessBuilder("readelf", "-n", elf.toString()).redirectErrorStream(true).start();
    String notes = new String(readelf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    readelf.waitFor();
    Matcher m = Pattern.compile("Build ID: ([0-9a-f]+)").matcher(notes);
    assertThat(m.find()).as(notes).isTrue();
    buildId = m.group(1);
  }

  @BeforeEach
  void start() {
    server = new IngestTestServer(backend.newDatabaseUrl(dir), dir.resolve("data"),
        IngestSettings.defaults().withDebuginfoMaxSize(1_000_000), clock);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private DebuginfoServiceGrpc.DebuginfoServiceBlockingStub blocking(String token) {
    return GrpcTestClients.stub(server.baseUrl(), token, project.toString(),
        DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
  }

  private DebuginfoServiceGrpc.DebuginfoServiceBlockingStub blocking() {
    return blocking("good-" + project);
  }

  private ShouldInitiateUploadResponse should(String id, String hash) {
    return blocking().shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder().setBuildId(id).setHash(hash)
        .setType(DebuginfoType.DEBUGINFO_TYPE_DEBUGINFO_UNSPECIFIED).build());
  }

  private String initiate(String id, String hash, long size) {
    return blocking().initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(id).setHash(hash).setSize(size)
        .build()).getUploadInstructions().getUploadId();
  }

  private UploadResponse upload(String id, String uploadId, byte[] data, int chunk) {
    var stub = GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(),
        DebuginfoServiceGrpc.DebuginfoServiceStub.class);
    StreamRecorder<UploadResponse> answer = new StreamRecorder<>();
    CompletableFuture<UploadResponse> result = answer.first();
    StreamObserver<UploadRequest> req = stub.upload(answer);
    req.onNext(UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder().setBuildId(id).setUploadId(uploadId)).build());
    for (int off = 0; off < data.length; off += chunk) {
      req.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(data, off,
          Math.min(chunk, data.length - off))).build());
    }
    req.onCompleted();
    try {
      return result.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  private static Status.Code code(Throwable t) {
    return Status.fromThrowable(t).getCode();
  }

  @Test
  void storageFailureDuringUpload_isUnavailable_andTheSameUploadCanBeRetried() throws Exception {
    byte[] data = Files.readAllBytes(elf);
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    String uploadId = initiate(buildId, hash, data.length);
    // A regular file where the project's debug-info directory must go, as a broken disk would fail.
    Path obstacle = dir.resolve("data").resolve("debuginfo").resolve(project.toString());
    Files.createDirectories(obstacle.getParent());
    Files.writeString(obstacle, "not a directory");

    assertThatThrownBy(() -> upload(buildId, uploadId, data, 4096))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.UNAVAILABLE));

    Files.delete(obstacle);
    assertThat(upload(buildId, uploadId, data, 4096).getSize()).isEqualTo(data.length);
    blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId)
        .build());
    assertThat(should(buildId, hash).getShouldInitiateUpload()).isFalse();
  }

  @Test
  void wrongUploadIdOnFinish_isInvalidArgument_andForce_replacesAFinishedUpload() throws Exception {
    byte[] data = Files.readAllBytes(elf);
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    String uploadId = initiate(buildId, hash, data.length);
    upload(buildId, uploadId, data, 4096);
    assertThatThrownBy(() -> blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId)
        .setUploadId(UUID.randomUUID().toString()).build()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
    blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId)
        .build());

    // Finished: no new upload, unless forced - then a new one replaces the stored file.
    ShouldInitiateUploadResponse forced = blocking().shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder()
        .setBuildId(buildId).setHash("other-hash").setForce(true).build());
    assertThat(forced.getShouldInitiateUpload()).isTrue();
    assertThat(forced.getReason()).isEqualTo(DebuginfoStore.REASON_EXISTS_FORCED);
    byte[] rebuilt = "a rebuilt binary".getBytes(StandardCharsets.UTF_8);
    String second = blocking().initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(buildId)
        .setHash("other-hash").setSize(rebuilt.length).setForce(true).build()).getUploadInstructions().getUploadId();
    assertThat(second).isNotEqualTo(uploadId);
    assertThat(upload(buildId, second, rebuilt, 5).getSize()).isEqualTo(rebuilt.length);
    blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(second)
        .build());
    DebuginfoStore store = new DebuginfoStore(server.db, dir.resolve("data/debuginfo"), clock, 1_000_000);
    assertThat(Files.readAllBytes(store.file(project, buildId, 0).orElseThrow())).isEqualTo(rebuilt);
  }

  @Test
  void gccElf_fullUploadFlow_thenInProgressAndAlreadyExistsAnswers() throws Exception {
    byte[] data = Files.readAllBytes(elf);
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));

    assertThat(should(buildId, hash).getShouldInitiateUpload()).isTrue();
    String uploadId = initiate(buildId, hash, data.length);
    ShouldInitiateUploadResponse during = should(buildId, hash);
    assertThat(during.getShouldInitiateUpload()).isFalse();
    assertThat(during.getReason()).isEqualTo(
        "A previous upload is still in-progress and not stale yet (only stale uploads can be retried).");
    assertThatThrownBy(() -> initiate(buildId, hash, data.length))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION));

    UploadResponse up = upload(buildId, uploadId, data, 1000);
    assertThat(up.getBuildId()).isEqualTo(buildId);
    assertThat(up.getSize()).isEqualTo(data.length);
    blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId).build());

    DebuginfoStore store = new DebuginfoStore(server.db, dir.resolve("data/debuginfo"), clock, 1_000_000);
    assertThat(Files.readAllBytes(store.file(project, buildId, 0).orElseThrow())).isEqualTo(data);
    assertThat(should(buildId, hash).getShouldInitiateUpload()).isFalse();
    assertThatThrownBy(() -> initiate(buildId, hash, data.length))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.ALREADY_EXISTS));
  }

  @Test
  void staleSweep_dropsAnAbandonedReuploadsFiles_butNotTheFinishedDebuginfo() throws Exception {
    String id = "deadbeef0009";
    byte[] first = "finished debug info".getBytes(StandardCharsets.UTF_8);
    String a = initiate(id, "h1", first.length);
    upload(id, a, first, 4);
    blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(id).setUploadId(a).build());
    // A forced re-upload sends its data (<type>.<id>.data) but is never marked finished.
    String b = blocking().initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(id).setHash("h2").setSize(5)
        .setForce(true).build()).getUploadInstructions().getUploadId();
    upload(id, b, new byte[5], 5);
    Path buildDir = dir.resolve("data/debuginfo").resolve(project.toString())
        .resolve(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8))));
    assertThat(buildDir.resolve("0." + b + ".data")).exists();

    clock.advance(DebuginfoStore.STALE_AFTER.plusMinutes(1));
    DebuginfoStore store = new DebuginfoStore(server.db, dir.resolve("data/debuginfo"), clock, 1_000_000);
    assertThat(store.sweepStaleUploads()).isEqualTo(1);
    assertThat(buildDir.resolve("0." + b + ".data")).doesNotExist();
    assertThat(Files.readAllBytes(buildDir.resolve("0"))).isEqualTo(first);
    assertThatThrownBy(() -> blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(id)
        .setUploadId(b).build())).satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION));
  }

  @Test
  void replacingAStaleUpload_deletesWhatItLeft() throws Exception {
    String id = "deadbeef0010";
    String a = initiate(id, "h1", 10);
    upload(id, a, new byte[10], 4); // sent, never marked finished
    Path buildDir = dir.resolve("data/debuginfo").resolve(project.toString())
        .resolve(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8))));
    assertThat(buildDir.resolve("0." + a + ".data")).exists();

    clock.advance(DebuginfoStore.STALE_AFTER.plusSeconds(1));
    String b = initiate(id, "h1", 10);

    assertThat(buildDir.resolve("0." + a + ".data")).doesNotExist();
    upload(id, b, new byte[10], 4);
    blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(id).setUploadId(b).build());
    try (var files = Files.list(buildDir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("0");
    }
  }

  @Test
  void uploadNotFinishedIn17Minutes_isStale_andMayBeRetried() {
    String id = "deadbeef0001";
    initiate(id, "h1", 10);
    clock.advance(Duration.ofMinutes(17));
    assertThat(should(id, "h1").getShouldInitiateUpload()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    ShouldInitiateUploadResponse stale = should(id, "h1");
    assertThat(stale.getShouldInitiateUpload()).isTrue();
    String second = initiate(id, "h1", 10);
    assertThat(upload(id, second, new byte[10], 4).getSize()).isEqualTo(10);
  }

  @Test
  void refusals_useParcasStatusCodes() {
    assertThatThrownBy(() -> should("ab", "h"))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> initiate("deadbeef0002", "h", 1_000_001))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> initiate("deadbeef0002", "", 10))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> upload("deadbeef0003", UUID.randomUUID().toString(), new byte[3], 3))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION));
    initiate("deadbeef0004", "h", 10);
    assertThatThrownBy(() -> upload("deadbeef0004", UUID.randomUUID().toString(), new byte[3], 3))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> blocking().markUploadFinished(MarkUploadFinishedRequest.newBuilder()
        .setBuildId("deadbeef0005").setUploadId("x").build()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(() -> blocking("profiles-" + project).shouldInitiateUpload(
        ShouldInitiateUploadRequest.newBuilder().setBuildId("deadbeef0006").build()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.PERMISSION_DENIED));
  }

  @Test
  void uploadStreamWithoutInfo_isAnsweredInvalidArgument() throws Exception {
    initiate("deadbeef0008", "h", 10);
    var stub = GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(),
        DebuginfoServiceGrpc.DebuginfoServiceStub.class);
    // Half-closed at once: no info, no chunk.
    StreamRecorder<UploadResponse> empty = new StreamRecorder<>();
    stub.upload(empty).onCompleted();
    // A chunk first, then half-closed.
    StreamRecorder<UploadResponse> chunkFirst = new StreamRecorder<>();
    StreamObserver<UploadRequest> req = stub.upload(chunkFirst);
    req.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(new byte[3])).build());
    req.onCompleted();
    for (StreamRecorder<UploadResponse> answer : java.util.List.of(empty, chunkFirst)) {
      assertThatThrownBy(() -> answer.done().get(10, java.util.concurrent.TimeUnit.SECONDS)).satisfies(e -> {
        assertThat(code(e.getCause())).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Status.fromThrowable(e.getCause()).getDescription()).isEqualTo("upload stream must start with info");
      });
    }
  }

  @Test
  void uploadBeyondTheSizeLimit_isRefusedWhileStreaming() {
    String id = initiate("deadbeef0007", "h", 1_000_000);
    assertThatThrownBy(() -> upload("deadbeef0007", id, new byte[1_000_001], 256 << 10))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }
}
