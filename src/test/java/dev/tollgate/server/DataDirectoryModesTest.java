package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.StreamRecorder;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Everything the server writes under its data directory is the server user's alone: files 0600,
 * directories 0700 - the SQLite database and its -wal/-shm, segments, debug info, the node id,
 * the lock file, a bootstrap token file placed there - and older, too-open data is narrowed at
 * start with a warning.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class DataDirectoryModesTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private TestServer start() throws Exception {
    Path data = dir.resolve("data");
    // SQLite in its default place, the data directory, so the database files are checked too.
    return TestServer.start(backend, dir, c -> (backend == Backend.SQLITE ? c.withDatabaseUrl(null) : c)
        .withBootstrapTokenFile(data.resolve("bootstrap.token")));
  }

  @Test
  void afterStartAndWrites_everyFileIs0600_andEveryDirectory0700() throws Exception {
    try (TestServer server = start()) {
      String project = server.defaultProjectId();
      String writer = server.mintToken("writer", "system:writer", project);
      writeProfile(server, writer, project);
      uploadDebuginfo(server, writer, project);
      var legacy = server.owner().post("/v1/projects/" + project + "/tokens", Api.json("name", "old"));
      assertThat(legacy.status()).isEqualTo(200);
      writeProfile(server, legacy.body().at("/token/token").asText(), null);

      Map<String, String> modes = modes(dir.resolve("data"));
      assertThat(modes).containsKeys("profiles", "debuginfo", ".lock", "bootstrap.token");
      assertThat(modes.keySet()).anyMatch(p -> p.endsWith(".seg"));
      assertThat(modes.keySet()).anyMatch(p -> p.startsWith("debuginfo/") && p.endsWith("/0"));
      if (backend == Backend.SQLITE) {
        assertThat(modes).containsKeys("tollgate.db", "tollgate.db-wal", "tollgate.db-shm");
      }
      assertPrivate(dir.resolve("data"), modes);
    }
  }

  @Test
  void tooOpenDataOfAnEarlierStart_isNarrowedAtStart_withAWarning() throws Exception {
    Path data = dir.resolve("data");
    Path segment;
    try (TestServer server = start()) {
      String project = server.defaultProjectId();
      writeProfile(server, server.mintToken("writer", "system:profile-writer", project), project);
      try (Stream<Path> all = Files.walk(data)) {
        segment = all.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
      }
    }
    // What an older version (umask 022) left behind.
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(segment, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(segment.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path copied = Files.writeString(data.resolve("notes.txt"), "copied by hand");
    Files.setPosixFilePermissions(copied, PosixFilePermissions.fromString("rw-rw-rw-"));
    if (backend == Backend.SQLITE) {
      Files.setPosixFilePermissions(data.resolve("tollgate.db"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    String log = capturingStderr(() -> {
      try (TestServer again = start()) {
        assertThat(again.owner().get("/v1/auth/me").status()).isEqualTo(200);
      }
    });
    assertPrivate(data, modes(data));
    assertThat(log).contains(segment.toRealPath() + " was accessible to other users (rw-r--r--); changed to rw-------")
        .contains(data.toRealPath() + " was accessible to other users (rwxr-xr-x); changed to rwx------")
        .contains(copied.toRealPath() + " was accessible to other users (rw-rw-rw-); changed to rw-------");
    if (backend == Backend.SQLITE) {
      assertThat(log).contains("tollgate.db was accessible to other users (rw-r--r--); changed to rw-------");
    }
  }

  private static void assertPrivate(Path root, Map<String, String> modes) {
    assertThat(modes).isNotEmpty();
    modes.forEach((path, mode) -> assertThat(mode).as(path)
        .isEqualTo(Files.isDirectory(root.resolve(path), LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------"));
  }

  /** Path relative to {@code root} ("" for root itself) to its mode. */
  private static Map<String, String> modes(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        out.put(root.relativize(p).toString(),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
      }
    }
    return out;
  }

  interface Work {
    void run() throws Exception;
  }

  /** slf4j-simple writes to whatever System.err is when it logs. */
  private static String capturingStderr(Work work) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      work.run();
    } finally {
      System.setErr(original);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    original.print(out);
    return out;
  }

  private static void writeProfile(TestServer server, String token, String project) throws Exception {
    LabelSet labels = LabelSet.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("modes_cpu"))
        .addLabels(Label.newBuilder().setName("job").setValue("modes")).build();
    WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(labels)
        .addSamples(RawSample.newBuilder().setRawProfile(
            ByteString.copyFrom(Files.readAllBytes(TestData.pprofFiles().getFirst()))))).build();
    GrpcTestClients.stub(server.url(), token, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeRaw(req);
  }

  private static void uploadDebuginfo(TestServer server, String token, String project) throws Exception {
    byte[] elf = new byte[10_000];
    new Random(7).nextBytes(elf);
    String buildId = "b1d0000000000000000000000000000000000017";
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(elf));
    var blocking = GrpcTestClients.stub(server.url(), token, project, DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
    String uploadId = blocking.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(buildId).setHash(hash)
        .setSize(elf.length).build()).getUploadInstructions().getUploadId();
    StreamRecorder<UploadResponse> answer = new StreamRecorder<>();
    StreamObserver<UploadRequest> upload = GrpcTestClients.stub(server.url(), token, project,
        DebuginfoServiceGrpc.DebuginfoServiceStub.class).upload(answer);
    upload.onNext(UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder().setBuildId(buildId)
        .setUploadId(uploadId)).build());
    upload.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(elf)).build());
    upload.onCompleted();
    assertThat(answer.first().get(1, TimeUnit.MINUTES).getSize()).isEqualTo(elf.length);
    blocking.markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId)
        .build());
  }
}
