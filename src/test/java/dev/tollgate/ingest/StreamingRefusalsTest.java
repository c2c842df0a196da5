package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteResponse;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Refusals of the streaming calls (bidi {@code Write}, client-streaming {@code Upload}) reach a
 * client that keeps sending after the refusal as their real status, every time: the server drains
 * the rest of the request instead of resetting the stream (which clients read as CANCELLED). A
 * message over the 64 MiB limit is RESOURCE_EXHAUSTED. Run with grpc-java (Netty) here and with
 * Python's C-core client in {@link PythonStreamingRefusalsTest}.
 */
class StreamingRefusalsTest {
  static final int ROUNDS = 60;
  /** Messages the client sends after the first one, without waiting for the answer. */
  static final int MORE_MESSAGES = 8;

  @TempDir static Path dir;
  static TestServer server;
  static ManagedChannel channel;
  static String project;
  static String writer;
  static String profileWriter;
  static String viewer;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(Backend.SQLITE, dir);
    channel = GrpcChannels.plaintext(server.port());
    project = server.defaultProjectId();
    writer = server.mintToken("agent", "system:writer", project);
    profileWriter = server.mintToken("scraper", "system:profile-writer", project);
    viewer = server.mintToken("dashboard", "system:viewer", project);
  }

  @AfterAll
  static void stop() throws Exception {
    GrpcChannels.close(channel);
    server.close();
  }

  static ByteString junk(int bytes) {
    return ByteString.copyFrom(new byte[bytes]);
  }

  /** One Write stream: the first record, then {@link #MORE_MESSAGES} more without waiting, then half-close. */
  static Status write(String token, ByteString record, int more) throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    StreamObserver<WriteRequest> req = ProfileStoreServiceGrpc.newStub(channel)
        .withInterceptors(GrpcChannels.headers(token == null ? null : "Bearer " + token, project))
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .write(new StreamObserver<WriteResponse>() {
          @Override public void onNext(WriteResponse value) {}
          @Override public void onError(Throwable t) {
            done.complete(Status.fromThrowable(t));
          }
          @Override public void onCompleted() {
            done.complete(Status.OK);
          }
        });
    req.onNext(WriteRequest.newBuilder().setRecord(record).build());
    for (int i = 0; i < more; i++) {
      req.onNext(WriteRequest.newBuilder().setRecord(junk(64 << 10)).build());
    }
    req.onCompleted();
    return done.get(90, TimeUnit.SECONDS);
  }

  /** One Upload stream: {@code first}, then chunks without waiting, then half-close. */
  static Status upload(String token, UploadRequest first, int more) throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    StreamObserver<UploadRequest> req = DebuginfoServiceGrpc.newStub(channel)
        .withInterceptors(GrpcChannels.headers(token == null ? null : "Bearer " + token, project))
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .upload(new StreamObserver<UploadResponse>() {
          @Override public void onNext(UploadResponse value) {}
          @Override public void onError(Throwable t) {
            done.complete(Status.fromThrowable(t));
          }
          @Override public void onCompleted() {
            done.complete(Status.OK);
          }
        });
    req.onNext(first);
    for (int i = 0; i < more; i++) {
      req.onNext(UploadRequest.newBuilder().setChunkData(junk(64 << 10)).build());
    }
    req.onCompleted();
    return done.get(90, TimeUnit.SECONDS);
  }

  static UploadRequest info() {
    return UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder().setBuildId("b1d0ff").setUploadId("nope"))
        .build();
  }

  /** How often each code came back over {@link #ROUNDS} calls. */
  static Map<Status.Code, Integer> codes(Function<Integer, Status> call) {
    Map<Status.Code, Integer> seen = new TreeMap<>();
    for (int i = 0; i < ROUNDS; i++) {
      seen.merge(call.apply(i).getCode(), 1, Integer::sum);
    }
    return seen;
  }

  static Status unchecked(java.util.concurrent.Callable<Status> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void write_refusedBeforeTheService_isTheRealStatusEveryTime() {
    assertThat(codes(i -> unchecked(() -> write(null, junk(1024), MORE_MESSAGES))))
        .isEqualTo(Map.of(Status.Code.UNAUTHENTICATED, ROUNDS));
    assertThat(codes(i -> unchecked(() -> write("psc_v1_nothex", junk(1024), MORE_MESSAGES))))
        .isEqualTo(Map.of(Status.Code.UNAUTHENTICATED, ROUNDS));
    assertThat(codes(i -> unchecked(() -> write(viewer, junk(1024), MORE_MESSAGES))))
        .isEqualTo(Map.of(Status.Code.PERMISSION_DENIED, ROUNDS));
  }

  @Test
  void write_refusedByTheService_isInvalidArgumentEveryTime() {
    assertThat(codes(i -> unchecked(() -> write(writer, junk(1024), MORE_MESSAGES))))
        .isEqualTo(Map.of(Status.Code.INVALID_ARGUMENT, ROUNDS));
  }

  /**
   * Each refused stream's client goes on sending 2 MiB, more than the connection's flow-control
   * window, which the server drains for 10 s after answering. Unread, those bytes stopped the
   * server reading the connection: the next call's first record arrived only when an earlier
   * drain ended, after the stream's 5 s limit (DEADLINE_EXCEEDED).
   */
  @Test
  void write_refusedStreamsStillSending_doNotHoldUpTheNextCalls() {
    Map<Status.Code, Integer> seen = new TreeMap<>();
    for (int i = 0; i < 12; i++) {
      seen.merge(unchecked(() -> write(writer, junk(1024), 32)).getCode(), 1, Integer::sum);
    }
    assertThat(seen).isEqualTo(Map.of(Status.Code.INVALID_ARGUMENT, 12));
  }

  @Test
  void upload_refusedBeforeTheService_isTheRealStatusEveryTime() {
    assertThat(codes(i -> unchecked(() -> upload(null, info(), MORE_MESSAGES))))
        .isEqualTo(Map.of(Status.Code.UNAUTHENTICATED, ROUNDS));
    assertThat(codes(i -> unchecked(() -> upload(profileWriter, info(), MORE_MESSAGES))))
        .isEqualTo(Map.of(Status.Code.PERMISSION_DENIED, ROUNDS));
  }

  @Test
  void upload_refusedByTheService_isTheRealStatusEveryTime() {
    // chunk data first: INVALID_ARGUMENT; an unknown upload id: the store's refusal
    assertThat(codes(i -> unchecked(() -> upload(writer, UploadRequest.newBuilder().setChunkData(junk(1024)).build(),
        MORE_MESSAGES)))).isEqualTo(Map.of(Status.Code.INVALID_ARGUMENT, ROUNDS));
    Status unknown = unchecked(() -> upload(writer, info(), MORE_MESSAGES));
    assertThat(unknown.getCode()).isNotEqualTo(Status.Code.CANCELLED).isNotEqualTo(Status.Code.OK);
    assertThat(codes(i -> unchecked(() -> upload(writer, info(), MORE_MESSAGES))))
        .isEqualTo(Map.of(unknown.getCode(), ROUNDS));
  }

  /**
   * A message over 64 MiB is RESOURCE_EXHAUSTED with the limit in its message, on the unary and
   * the streaming call, and the connection goes on: a good call after it on the same channel works.
   */
  @Test
  void aMessageOver64MiB_isResourceExhausted_onWriteRawAndWrite() throws Exception {
    ByteString big = junk(70_000_000);
    for (int i = 0; i < 3; i++) {
      StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
          () -> ProfileStoreServiceGrpc.newBlockingStub(channel)
              .withInterceptors(GrpcChannels.headers("Bearer " + writer, project))
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
                  .addSamples(RawSample.newBuilder().setRawProfile(big))).build()));
      assertThat(e).as("WriteRaw of 70 MB answered without an error").isNotNull();
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(e.getStatus().getDescription()).contains("67108864");
      Status streamed = write(writer, big, 2);
      assertThat(streamed.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(streamed.getDescription()).isEqualTo(e.getStatus().getDescription());
    }
    assertThat(write(writer, junk(1024), 0).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }
}
