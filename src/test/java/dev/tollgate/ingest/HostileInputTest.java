package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.telemetry.v1alpha1.ReportPanicRequest;
import dev.tollgate.proto.parca.telemetry.v1alpha1.TelemetryServiceGrpc;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.IngestTestServer;
import dev.tollgate.testing.TestData;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Input that used to end as INTERNAL (an unknown enum echoed back, NUL bytes PostgreSQL cannot
 * store, a 10 MB build id) is INVALID_ARGUMENT through the real server (NUL in labels was
 * UNAVAILABLE on PostgreSQL, which agents retry for ever).
 */
@ParameterizedClass
@EnumSource(Backend.class)
class HostileInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameter Backend backend;
  @TempDir Path dir;

  private final UUID project = UUID.randomUUID();
  private IngestTestServer server;

  @BeforeEach
  void start() {
    server = new IngestTestServer(backend.newDatabaseUrl(dir), dir.resolve("data"), IngestSettings.defaults(),
        InstantSource.system());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private <T> T stub(Class<T> type) {
    return GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(), type);
  }

  private static void invalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).isEqualTo(message);
    });
  }

  @Test
  void debuginfo_unknownType_controlCharacters_andHugeBuildIds_areInvalidArgument() {
    var debuginfo = stub(DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
    invalid(() -> debuginfo.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId("deadbeef01")
        .setHash("h").setSize(10).setTypeValue(99).build()), "type 99 is not a known debuginfo type");
    invalid(() -> debuginfo.shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder().setBuildId("deadbeef01")
        .setTypeValue(-5).build()), "type -5 is not a known debuginfo type");
    invalid(() -> debuginfo.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId("dead\0beef")
        .setHash("h").setSize(10).build()), "build_id contains a control character");
    invalid(() -> debuginfo.shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder().setBuildId("dead\nbeef")
        .build()), "build_id contains a control character");
    invalid(() -> debuginfo.shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder()
        .setBuildId("a".repeat(10_000_000)).build()), "build_id is longer than 1024 characters");
    // the longest accepted one, and a Go-style one, still work
    assertThat(debuginfo.shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder()
        .setBuildId("a".repeat(1024)).build()).getShouldInitiateUpload()).isTrue();
    String go = "Xn3sP6bQ3m3Kk2Xo8cDq/6mBvYlJv0Mq-1jS_2x9L/Ao0yZ6f2bYHk5y0cL8eD/qGZ1n3oYhUj2yO8d7rT0K";
    assertThat(debuginfo.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(go).setHash("h").setSize(10)
        .setTypeValue(1).build()).getUploadInstructions().getBuildId()).isEqualTo(go);
  }

  @Test
  void panicReport_withNul_isInvalidArgument_andNothingIsKept() {
    var telemetry = stub(TelemetryServiceGrpc.TelemetryServiceBlockingStub.class);
    invalid(() -> telemetry.reportPanic(ReportPanicRequest.newBuilder().setStderr("panic: \0boom").build()),
        "stderr contains a NUL character");
    invalid(() -> telemetry.reportPanic(ReportPanicRequest.newBuilder().setStderr("panic")
        .putMetadata("k", "v\0").build()), "metadata contains a NUL character");
    telemetry.reportPanic(ReportPanicRequest.newBuilder().setStderr("panic: boom").putMetadata("k", "v").build());
    long n = server.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM panic_reports WHERE project_id = :p")
        .bind("p", project.toString()).mapTo(Long.class).one());
    assertThat(n).isOne();
  }

  @Test
  void labelsWithNul_areInvalidArgument_andNothingIsStored() throws Exception {
    byte[] profile = Files.readAllBytes(TestData.pprofFiles().getFirst());
    var store = stub(ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
    // labels in a fixed order (Map.of's is not), so the NUL is in label 1
    Map<String, String> labels = new java.util.LinkedHashMap<>();
    labels.put("__name__", "cpu");
    labels.put("job", "a\0b");
    invalid(() -> store.writeRaw(IngestEndToEndTest.writeRaw(labels, profile)),
        "series 0: label 1 contains a NUL character");
    invalid(() -> store.writeRaw(IngestEndToEndTest.writeRaw(Map.of("__name__", "cpu\0x"), profile)),
        "series 0: label 0 contains a NUL character");
    AggregatedHttpResponse r = WebClient.of(server.baseUrl()).get("/v1/projects/" + project + "/series")
        .aggregate().join();
    assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(200);
    assertThat(JSON.readTree(r.contentUtf8()).get("series")).isEmpty();
  }
}
