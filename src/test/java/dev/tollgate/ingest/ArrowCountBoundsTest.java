package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteResponse;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.IngestTestServer;
import dev.tollgate.testing.StreamRecorder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * WriteArrow and Write records are bounded by what they describe, not only by their bytes: a
 * record of 50 M run-end encoded rows (a few KB on the wire) or one with a huge stacktrace list
 * is INVALID_ARGUMENT, counted before any row is read, while an agent-shaped record is stored.
 */
class ArrowCountBoundsTest {
  // the default limits, but 1 M values so that a list over it stays a small test
  static final ProfileLimits LIMITS = new ProfileLimits(1_000_000, 1_000_000, 1_000_000, 2_000_000, 1_000_000);

  @TempDir Path dir;

  private final UUID project = UUID.randomUUID();
  private final BufferAllocator allocator = new RootAllocator();
  private IngestTestServer server;

  @BeforeEach
  void start() {
    server = new IngestTestServer(Backend.SQLITE.newDatabaseUrl(dir), dir.resolve("data"),
        IngestSettings.defaults().withProfileLimits(LIMITS), InstantSource.system());
  }

  @AfterEach
  void stop() {
    server.close();
    allocator.close();
  }

  private ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub blocking() {
    return GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(),
        ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
  }

  private Status writeArrow(byte[] ipc) {
    try {
      blocking().withDeadlineAfter(60, TimeUnit.SECONDS)
          .writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
      return Status.OK;
    } catch (RuntimeException e) {
      return Status.fromThrowable(e);
    }
  }

  @Test
  void writeArrow_fiftyMillionTinyRows_isInvalidArgument_byTheSamplesLimit() {
    byte[] bomb = ArrowFixtures.v2TinyRows(allocator, 50_000_000, 0);
    assertThat(bomb.length).isLessThan(1 << 20);
    Status s = writeArrow(bomb);
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).isEqualTo("ipc_buffer has more than 1000000 rows (--max-arrow-rows)");
  }

  @Test
  void writeArrow_hugeStacktraceList_isInvalidArgument_byTheValuesLimit() {
    byte[] bomb = ArrowFixtures.v2TinyRows(allocator, 3, 2_000_000);
    Status s = writeArrow(bomb);
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).isEqualTo("ipc_buffer holds more than 1000000 values in its columns, lists and"
        + " dictionaries (--max-arrow-values)");
    // the same shape with a real stack is stored
    assertThat(writeArrow(ArrowFixtures.v2TinyRows(allocator, 3, 64))).isEqualTo(Status.OK);
  }

  /**
   * The agent's largest calls hold more values than the largest pprof may (a 32 MiB call of
   * 128-frame stacks is about 51 M): with the default limits a stream of 25 M stack entries is
   * read; with the Arrow limits as low as the pprof ones it would be refused, never retried.
   */
  @Test
  void streamOverThePprofValueLimit_isRead_withTheDefaultArrowLimits() {
    byte[] stream = ArrowFixtures.v2TinyRows(allocator, 200_000, 25_000_000);
    ProfileLimits defaults = ProfileLimits.defaults();
    assertThat(defaults.arrowValues()).isGreaterThan(25_000_000).isGreaterThan(defaults.values());
    try (ArrowMemory memory = new ArrowMemory(1L << 30)) {
      assertThat(new ArrowRecords(memory, 512L << 20, false, defaults).readSamples(stream, "ipc_buffer").rows())
          .isEqualTo(200_000);
      ProfileLimits asPprof = new ProfileLimits(defaults.samples(), defaults.locations(), defaults.functions(),
          defaults.strings(), defaults.values());
      assertThatThrownBy(() -> new ArrowRecords(memory, 512L << 20, false, asPprof).readSamples(stream, "ipc_buffer"))
          .isInstanceOf(InvalidProfileException.class).hasMessageContaining("(--max-arrow-values)");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  @Test
  void writeArrow_agentShapedRecord_isStored() {
    // 600 threads x 4 samples with their stacks and dictionaries, as the agent sends every 5 s
    assertThat(writeArrow(ArrowFixtures.v2Threads(allocator, "n1", 600, 4))).isEqualTo(Status.OK);
  }

  @Test
  void write_recordOfFiftyMillionTinyRows_isInvalidArgument() throws Exception {
    // Built before the stream opens: the server gives a stream 5 s from its start to its records,
    // and building this takes seconds on a loaded machine (CI saw DEADLINE_EXCEEDED).
    ByteString record = ByteString.copyFrom(ArrowFixtures.v2TinyRows(allocator, 50_000_000, 0));
    StreamRecorder<WriteResponse> answers = new StreamRecorder<>();
    StreamObserver<WriteRequest> requests = GrpcTestClients.stub(server.baseUrl(), "good-" + project,
        project.toString(), ProfileStoreServiceGrpc.ProfileStoreServiceStub.class).write(answers);
    requests.onNext(WriteRequest.newBuilder().setRecord(record).build());
    assertThatThrownBy(() -> answers.done().get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .satisfies(e -> {
          Status s = Status.fromThrowable(e.getCause());
          assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(s.getDescription()).isEqualTo("samples record has more than 1000000 rows (--max-arrow-rows)");
        });
  }
}
