package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.StreamRecorder;
import dev.tollgate.testing.TestServer;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the real server's transport settings decide: messages past gRPC's 4 MiB default,
 * debug info uploads past 64 MiB in total (the limit is per message, not per stream), and the
 * reflection service next to the Parca services on the one port.
 */
class LargeMessagesTest {
  @TempDir static Path dir;
  static TestServer server;
  static String project;
  static String writer;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Backend.SQLITE, dir);
    project = server.defaultProjectId();
    writer = server.mintToken("agent", "system:writer", project);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aWriteRawOfSeveralMebibytes_isStored_andDownloadsIdentical() throws Exception {
    // An uncompressed pprof with a ~6 MiB string table: over grpc-java's 4 MiB default.
    Random random = new Random(7);
    Profile.Builder p = WriteRawValidationTest.valid().toBuilder();
    byte[] chars = new byte[96];
    for (int i = 0; i < 65_536; i++) {
      random.nextBytes(chars);
      p.addStringTable(HexFormat.of().formatHex(chars));
    }
    byte[] pprof = p.build().toByteArray();
    assertThat(pprof.length).isGreaterThan(6 << 20);
    GrpcTestClients.stub(server.url(), writer, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
            .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("large")))
            .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof)))).build());

    String reader = server.mintToken("large-reader", "system:viewer", project);
    Api api = Api.withToken(server.url(), reader);
    String series = api.get("/v1/projects/" + project + "/series").body().at("/series/0/id").asText();
    String id = api.get("/v1/projects/" + project + "/profiles?seriesId=" + series).body().at("/profiles/0/id").asText();
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<byte[]> raw = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/projects/" + project
          + "/profiles/" + id + "/raw")).header("authorization", "Bearer " + reader).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(raw.body()).isEqualTo(pprof);
    }
  }

  @Test
  void aDebuginfoUploadOfMoreThan64MiB_in8MiBChunks_completes() throws Exception {
    byte[] elf = new byte[72 << 20];
    new Random(3).nextBytes(elf);
    String buildId = "b1d0000000000000000000000000000000000072";
    String hash = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(elf));
    var blocking = GrpcTestClients.stub(server.url(), writer, project,
        DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
    assertThat(blocking.shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder().setBuildId(buildId)
        .setHash(hash).build()).getShouldInitiateUpload()).isTrue();
    String uploadId = blocking.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(buildId).setHash(hash)
        .setSize(elf.length).build()).getUploadInstructions().getUploadId();

    StreamRecorder<UploadResponse> answer = new StreamRecorder<>();
    StreamObserver<UploadRequest> upload = GrpcTestClients.stub(server.url(), writer, project,
        DebuginfoServiceGrpc.DebuginfoServiceStub.class).upload(answer);
    upload.onNext(UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder().setBuildId(buildId)
        .setUploadId(uploadId)).build());
    int chunk = 8 << 20; // what agents send
    for (int off = 0; off < elf.length; off += chunk) {
      upload.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(elf, off,
          Math.min(chunk, elf.length - off))).build());
    }
    upload.onCompleted();
    UploadResponse done = answer.first().get(2, TimeUnit.MINUTES);
    assertThat(done.getSize()).isEqualTo(elf.length);
    blocking.markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId)
        .build());
    assertThat(blocking.shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder().setBuildId(buildId)
        .setHash(hash).build()).getShouldInitiateUpload()).isFalse();
  }

  @Test
  void reflection_listsTheParcaServices() throws Exception {
    StreamRecorder<ServerReflectionResponse> answer = new StreamRecorder<>();
    StreamObserver<ServerReflectionRequest> req = GrpcTestClients.stub(server.url(), null, null,
        ServerReflectionGrpc.ServerReflectionStub.class).serverReflectionInfo(answer);
    req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    ServerReflectionResponse listed = answer.first().get(30, TimeUnit.SECONDS);
    req.onCompleted();
    assertThat(listed.getListServicesResponse().getServiceList()).extracting(s -> s.getName())
        .contains("parca.profilestore.v1alpha1.ProfileStoreService", "parca.debuginfo.v1alpha1.DebuginfoService",
            "parca.telemetry.v1alpha1.TelemetryService", "grpc.health.v1.Health");
  }
}
