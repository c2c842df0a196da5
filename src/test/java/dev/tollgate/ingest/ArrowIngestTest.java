package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
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
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class ArrowIngestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameter Backend backend;
  @TempDir Path dir;

  private final UUID project = UUID.randomUUID();
  private final BufferAllocator allocator = new RootAllocator();
  private IngestTestServer server;

  @BeforeEach
  void start() {
    IngestSettings d = IngestSettings.defaults();
    IngestSettings settings = new IngestSettings(d.retention(), d.debuginfoMaxSize(), d.maxDecompressedProfileBytes(),
        d.segmentMaxBytes(), d.segmentMaxAge(), Duration.ofSeconds(2), d.maxPanicReportBytes());
    server = new IngestTestServer(backend.newDatabaseUrl(dir), dir.resolve("data"), settings, InstantSource.system());
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

  private JsonNode series() throws Exception {
    return JSON.readTree(WebClient.of(server.baseUrl()).get("/v1/projects/" + project + "/series").aggregate().join()
        .contentUtf8()).get("series");
  }

  @Test
  void writeArrow_v2WithLz4ReeLabelsAndListViewStacktraces_isStoredUnderEachLabelSet() throws Exception {
    byte[] ipc = ArrowFixtures.v2(allocator);
    ArrowRecords.Summary summary = new ArrowRecords(new ArrowMemory(1 << 24), 1 << 20).readV2(ipc);
    assertThat(summary.rows()).isEqualTo(3);

    blocking().writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
    JsonNode series = series();
    assertThat(series).hasSize(2);
    List<String> nodes = new ArrayList<>();
    for (JsonNode s : series) {
      nodes.add(s.get("labels").get("node").asText() + "/" + s.get("labels").get("comm").asText());
      assertThat(s.get("profileTypes").get(0).asText()).isEqualTo("parca_agent:samples:count:cpu:nanoseconds:delta");
    }
    assertThat(nodes).containsExactlyInAnyOrder("n1/app", "n2/db");
    String seriesId = series.get(0).get("id").asText();
    JsonNode profiles = JSON.readTree(WebClient.of(server.baseUrl())
        .get("/v1/projects/" + project + "/profiles?seriesId=" + seriesId).aggregate().join().contentUtf8()).get("profiles");
    // the rows' timestamps (1,700,000,000 s plus a few ns) give the indexed time range
    assertThat(java.time.Instant.parse(profiles.get(0).get("sampleTime").asText()))
        .isEqualTo(java.time.Instant.ofEpochSecond(1_700_000_000L));
    assertThat(java.time.Instant.parse(profiles.get(0).get("sampleEnd").asText()))
        .isEqualTo(java.time.Instant.ofEpochSecond(1_700_000_000L));
    byte[] raw = WebClient.of(server.baseUrl()).get("/v1/projects/" + project + "/profiles/"
        + profiles.get(0).get("id").asText() + "/raw").aggregate().join().content().array();
    assertThat(raw).isEqualTo(ipc);
  }

  @Test
  void writeArrow_agentSizedCall_storesEveryThreadsLabelSet_andCountsTheCallsBytesOnce() throws Exception {
    // 600 threads x 4 samples: one label set per thread, as the agent sends them every 5 s
    byte[] first = ArrowFixtures.v2Threads(allocator, "n1", 600, 4);
    byte[] second = ArrowFixtures.v2Threads(allocator, "n1", 600, 2);
    blocking().writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(first)).build());
    blocking().writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(second)).build());

    JsonNode series = series();
    assertThat(series).hasSize(600);
    List<String> threads = new ArrayList<>();
    for (JsonNode s : series) {
      threads.add(s.get("labels").get("thread_id").asText());
      assertThat(s.get("labels").get("node").asText()).isEqualTo("n1");
      assertThat(s.get("count").asLong()).isEqualTo(2);
    }
    assertThat(threads).doesNotHaveDuplicates().contains("0", "15", "16", "599");
    for (JsonNode s : series) {
      if (s.get("labels").get("thread_id").asText().equals("599")) {
        JsonNode profiles = JSON.readTree(WebClient.of(server.baseUrl()).get("/v1/projects/" + project
            + "/profiles?seriesId=" + s.get("id").asText()).aggregate().join().contentUtf8()).get("profiles");
        assertThat(profiles).hasSize(2);
        byte[] raw = WebClient.of(server.baseUrl()).get("/v1/projects/" + project + "/profiles/"
            + profiles.get(1).get("id").asText() + "/raw").aggregate().join().content().array();
        assertThat(raw).isEqualTo(second);
      }
    }
    JsonNode stats = JSON.readTree(WebClient.of(server.baseUrl()).get("/v1/projects/" + project + "/ingest/stats")
        .aggregate().join().contentUtf8());
    JsonNode source = stats.get("sources").get(0);
    assertThat(source.get("totalProfiles").asLong()).isEqualTo(1200);
    assertThat(source.get("totalBytes").asLong()).isEqualTo(first.length + second.length);
    assertThat(stats.get("nodes").get(0).get("totalBytes").asLong()).isEqualTo(first.length + second.length);
  }

  @Test
  void writeArrow_severalRecordBatches_eachWithItsOwnDictionaries_areAllIndexed() throws Exception {
    byte[] ipc = ArrowFixtures.v2Batches(allocator, "v2", true,
        List.of(List.of("n1", "n2", "app", "db"), List.of("n3", "n4", "web", "cache")));
    ArrowRecords.Summary summary = new ArrowRecords(new ArrowMemory(1 << 24), 1 << 20).readV2(ipc);
    assertThat(summary.rows()).isEqualTo(6);

    blocking().writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
    List<String> labelSets = new ArrayList<>();
    for (JsonNode s : series()) {
      labelSets.add(s.get("labels").get("node").asText() + "/" + s.get("labels").get("comm").asText());
    }
    // the second batch's labels come from its replacement dictionary, not the first one's
    assertThat(labelSets).containsExactlyInAnyOrder("n1/app", "n2/db", "n3/web", "n4/cache");
  }

  @Test
  void writeArrow_lz4Bomb_isRefusedWithinTheDecodeLimit_whileRealBatchesPass() throws Exception {
    server.close();
    IngestSettings d = IngestSettings.defaults();
    long limit = 1 << 20;
    server = new IngestTestServer(backend.newDatabaseUrl(dir), dir.resolve("data-limited"), new IngestSettings(
        d.retention(), d.debuginfoMaxSize(), limit, d.segmentMaxBytes(), d.segmentMaxAge(), Duration.ofSeconds(2),
        d.maxPanicReportBytes()), InstantSource.system());
    byte[] bomb = ArrowFixtures.v2ZerosBomb(allocator, 1 << 20); // 8 MiB of zeros once decoded
    assertThat(bomb.length).isLessThan((int) limit / 2); // small on the wire, 8x the limit once decoded

    assertThatThrownBy(() -> blocking().writeArrow(WriteArrowRequest.newBuilder()
        .setIpcBuffer(ByteString.copyFrom(bomb)).build())).satisfies(e -> {
          assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(Status.fromThrowable(e).getDescription()).isEqualTo("ipc_buffer decodes to more than " + limit
              + " bytes");
        });
    blocking().writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ArrowFixtures.v2(allocator)))
        .build());
    assertThat(series()).hasSize(2);
  }

  @Test
  void arrowDecoding_whileOtherStreamsFillTheSharedAllocator_isResourceExhausted_thenWorksAgain() {
    byte[] ipc = ArrowFixtures.v2(allocator);
    try (ArrowMemory memory = new ArrowMemory(8 << 20);
        BufferAllocator others = memory.root().newChildAllocator("other calls", 0, 8 << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 2 << 20);
      org.apache.arrow.memory.ArrowBuf held = others.buffer(8 << 20);
      assertThatThrownBy(() -> records.readV2(ipc)).satisfies(e -> {
        Status status = GrpcErrors.toStatus(e).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).contains("retry");
      });
      held.close();
      assertThat(records.readV2(ipc).rows()).isEqualTo(3);
    }
  }

  @Test
  void writeArrow_malformedStreams_areInvalidArgument() {
    List<byte[]> bad = List.of(
        new byte[] {1, 2, 3, 4, 5},
        ArrowFixtures.v2(allocator, "v1", true),
        ArrowFixtures.v2(allocator, "v2", false));
    List<String> messages = new ArrayList<>();
    for (byte[] ipc : bad) {
      assertThatThrownBy(() -> blocking().writeArrow(WriteArrowRequest.newBuilder()
          .setIpcBuffer(ByteString.copyFrom(ipc)).build()))
          .satisfies(e -> {
            assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            messages.add(Status.fromThrowable(e).getDescription());
          });
    }
    assertThat(messages.get(1)).contains("parca_write_schema_version");
    assertThat(messages.get(2)).isEqualTo("column stacktrace is missing");
  }

  /** One client-side Write stream of this test's project: the server's answers, and what it sends. */
  private final class WriteStream {
    final StreamRecorder<WriteResponse> answers = new StreamRecorder<>();
    final StreamObserver<WriteRequest> requests = GrpcTestClients.stub(server.baseUrl(), "good-" + project,
        project.toString(), ProfileStoreServiceGrpc.ProfileStoreServiceStub.class).write(answers);

    void send(byte[] record) {
      requests.onNext(WriteRequest.newBuilder().setRecord(ByteString.copyFrom(record)).build());
    }
  }

  @Test
  void write_v1Exchange_answersAllStacktraceIds_thenEndsOk() throws Exception {
    WriteStream stream = new WriteStream();
    byte[] samples = ArrowFixtures.v1Samples(allocator);
    stream.send(samples);
    WriteResponse answer = stream.answers.next(10, TimeUnit.SECONDS);
    assertThat(answer).isNotNull();
    List<Integer> firstBytes = new ArrayList<>();
    try (ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(answer.getRecord().toByteArray()),
        allocator, CommonsCompressionFactory.INSTANCE)) {
      assertThat(r.getVectorSchemaRoot().getSchema().getFields()).singleElement()
          .satisfies(f -> assertThat(f.getName()).isEqualTo("stacktrace_id"));
      while (r.loadNextBatch()) {
        VarBinaryVector v = (VarBinaryVector) r.getVectorSchemaRoot().getVector(0);
        for (int i = 0; i < v.getValueCount(); i++) {
          assertThat(v.get(i)).hasSize(16);
          firstBytes.add((int) v.get(i)[0]);
        }
      }
    }
    assertThat(firstBytes).containsExactly(1, 2);
    byte[] locations = ArrowFixtures.v1Locations(allocator);
    stream.send(locations);
    stream.requests.onCompleted();
    stream.answers.done().get(10, TimeUnit.SECONDS);
    assertStoredWriteV1(samples, locations);
  }

  /**
   * The only stored profile is a {@code write_v1} blob under both series whose download is the
   * samples record and the locations record, each after its 4-byte big-endian length, byte for
   * byte what the agent sent.
   */
  private void assertStoredWriteV1(byte[] samples, byte[] locations) throws Exception {
    JsonNode series = series();
    assertThat(series).hasSize(2);
    JsonNode profiles = JSON.readTree(WebClient.of(server.baseUrl()).get("/v1/projects/" + project
        + "/profiles?seriesId=" + series.get(0).get("id").asText()).aggregate().join().contentUtf8()).get("profiles");
    assertThat(profiles).hasSize(1);
    assertThat(profiles.get(0).get("kind").asText()).isEqualTo("write_v1");
    var download = WebClient.of(server.baseUrl()).get("/v1/projects/" + project + "/profiles/"
        + profiles.get(0).get("id").asText() + "/raw").aggregate().join();
    assertThat(download.headers().get("content-disposition")).endsWith(".write-v1\"");
    java.nio.ByteBuffer raw = java.nio.ByteBuffer.wrap(download.content().array());
    byte[] storedSamples = new byte[raw.getInt()];
    raw.get(storedSamples);
    byte[] storedLocations = new byte[raw.getInt()];
    raw.get(storedLocations);
    assertThat(raw.hasRemaining()).isFalse();
    assertThat(storedSamples).isEqualTo(samples);
    assertThat(storedLocations).isEqualTo(locations);
  }

  @Test
  void write_agentThatWaitsForTheEndWithoutHalfClosing_getsOkOnceTheLocationsAreStored() throws Exception {
    // Some agents call Recv() until the server ends the stream instead of half-closing (Parca answers
    // right after the locations record). The test server's bound is 2 s: waiting on a half-close
    // would end in DEADLINE_EXCEEDED with nothing stored.
    sendBothRecordsWithoutHalfClosing(false);
  }

  @Test
  void write_recordAfterTheLocationsRecord_isIgnored() throws Exception {
    sendBothRecordsWithoutHalfClosing(true);
  }

  private void sendBothRecordsWithoutHalfClosing(boolean thenAThirdRecord) throws Exception {
    WriteStream stream = new WriteStream();
    byte[] samples = ArrowFixtures.v1Samples(allocator);
    stream.send(samples);
    assertThat(stream.answers.next(10, TimeUnit.SECONDS)).isNotNull();
    byte[] locations = ArrowFixtures.v1Locations(allocator);
    stream.send(locations);
    if (thenAThirdRecord) {
      stream.send(ArrowFixtures.v1Samples(allocator));
    }
    stream.answers.done().get(10, TimeUnit.SECONDS);
    assertStoredWriteV1(samples, locations);
  }

  @Test
  void write_locationsRecordWithoutLocationsColumn_isInvalidArgument() throws Exception {
    WriteStream stream = new WriteStream();
    stream.send(ArrowFixtures.v1Samples(allocator));
    stream.send(ArrowFixtures.v1Locations(allocator, false));
    stream.requests.onCompleted();
    assertThatThrownBy(() -> stream.answers.done().get(10, TimeUnit.SECONDS)).satisfies(e -> {
      assertThat(Status.fromThrowable(e.getCause()).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(Status.fromThrowable(e.getCause()).getDescription())
          .isEqualTo("locations record: column locations is missing");
    });
    assertThat(series()).isEmpty();
  }

  @Test
  void write_streamThatNeverSendsItsLocationsRecord_isRefusedAfterTheBound_andStoresNothing() throws Exception {
    WriteStream stream = new WriteStream();
    stream.send(ArrowFixtures.v1Samples(allocator));
    assertThat(stream.answers.next(10, TimeUnit.SECONDS)).isNotNull();
    assertThatThrownBy(() -> stream.answers.done().get(10, TimeUnit.SECONDS)).satisfies(e -> {
      assertThat(Status.fromThrowable(e.getCause()).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(Status.fromThrowable(e.getCause()).getDescription())
          .startsWith("Write stream did not send its locations record within 2000 ms");
    });
    assertThat(series()).isEmpty();
  }

  @Test
  void write_silentStream_isRefusedAfterTheBound() {
    WriteStream stream = new WriteStream();
    assertThatThrownBy(() -> stream.answers.done().get(10, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void write_boundCountsFromTheStreamsStart_notFromItsLastMessage() throws Exception {
    // The bound is 2 s. Samples sent 1.7 s in: an idle timer would refuse 2 s after them, the bound
    // about 0.3 s after them; the threshold leaves most of a second either way for a slow machine.
    WriteStream stream = new WriteStream();
    Thread.sleep(1700);
    long sent = System.nanoTime();
    stream.send(ArrowFixtures.v1Samples(allocator));
    assertThatThrownBy(() -> stream.answers.done().get(10, TimeUnit.SECONDS))
        .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofMillis(1200));
  }
}
