package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.ingest.AgentArrowFixtures.Row;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteResponse;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Mapping;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.ingest.IngestSettings;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GoPprof;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.IngestTestServer;
import dev.tollgate.testing.StreamRecorder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Agent-exact Arrow records through the real server (WriteArrow, and the v1 Write exchange), the
 * stored blobs downloaded back, and {@link ArrowProfiles} turning them into pprof.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class ArrowProfilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long LEAF = 0x1139;
  private static final String BUILD_ID = "0123456789abcdef0123456789abcdef01234567";
  private static final String CPU = "parca_agent:samples:count:cpu:nanoseconds:delta";
  private static final String OFF_CPU = "parca_agent:wallclock:nanoseconds:samples:count:delta";
  private static final Map<String, String> APP = new TreeMap<>(Map.of("comm", "app", "node", "n1", "thread_id", "1"));
  private static final Map<String, String> DB = new TreeMap<>(Map.of("comm", "db", "node", "n1", "thread_id", "2"));

  @Parameter Backend backend;
  @TempDir Path dir;

  private final UUID project = UUID.randomUUID();
  private final BufferAllocator allocator = new RootAllocator();
  private final List<Row> rows = AgentArrowFixtures.scenario(LEAF, BUILD_ID);
  private IngestTestServer server;

  @BeforeEach
  void start() {
    server = new IngestTestServer(backend.newDatabaseUrl(dir), dir.resolve("data"), IngestSettings.defaults(),
        InstantSource.system());
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

  private JsonNode get(String path) throws Exception {
    return JSON.readTree(WebClient.of(server.baseUrl()).get("/v1/projects/" + project + path).aggregate().join()
        .contentUtf8());
  }

  /** A stored blob as the index lists it: its kind, the label sets and types of its rows, and its bytes. */
  private record Stored(BlobKind kind, Map<Map<String, String>, List<String>> series, byte[] bytes) {}

  /**
   * The one blob stored in this test's project, downloaded: each label set has its own index row
   * (profile id) of the blob, and each downloads the same bytes.
   */
  private Stored stored() throws Exception {
    Map<Map<String, String>, List<String>> series = new java.util.HashMap<>();
    byte[] raw = null;
    BlobKind kind = null;
    for (JsonNode s : get("/series").get("series")) {
      Map<String, String> labels = new TreeMap<>();
      s.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      List<String> types = new ArrayList<>();
      s.get("profileTypes").forEach(t -> types.add(t.asText()));
      series.put(labels, types);
      JsonNode profiles = get("/profiles?seriesId=" + s.get("id").asText()).get("profiles");
      assertThat(profiles).hasSize(1);
      kind = BlobKind.valueOf(profiles.get(0).get("kind").asText().toUpperCase(java.util.Locale.ROOT));
      byte[] bytes = WebClient.of(server.baseUrl()).get("/v1/projects/" + project + "/profiles/"
          + profiles.get(0).get("id").asText() + "/raw").aggregate().join().content().array();
      assertThat(raw == null || java.util.Arrays.equals(raw, bytes)).isTrue();
      raw = bytes;
    }
    return new Stored(kind, series, raw);
  }

  private List<LabeledProfile> decode(Stored s) {
    return new ArrowProfiles(allocator, 16 << 20, Symbolizer.NONE).decode(project, s.kind(), s.bytes());
  }

  @Test
  void agentV2WriteArrow_isIndexedUnderEachLabelSetWithItsTypes_andDownloadsByteIdentical() throws Exception {
    byte[] ipc = AgentArrowFixtures.v2(allocator, rows);
    blocking().writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());

    Stored s = stored();
    assertThat(s.kind()).isEqualTo(BlobKind.ARROW);
    assertThat(s.series()).containsOnly(entry(APP, List.of(CPU)), entry(DB, List.of(CPU, OFF_CPU)));
    assertThat(s.bytes()).isEqualTo(ipc);
  }

  @Test
  void storedAgentV2Blob_decodesToOnePprofPerLabelSetAndType_keyedAsTheIndex() throws Exception {
    blocking().writeArrow(WriteArrowRequest.newBuilder()
        .setIpcBuffer(ByteString.copyFrom(AgentArrowFixtures.v2(allocator, rows))).build());
    Stored s = stored();

    List<LabeledProfile> profiles = decode(s);

    Map<Map<String, String>, List<String>> keys = new java.util.HashMap<>();
    profiles.forEach(p -> keys.computeIfAbsent(p.labels(), k -> new ArrayList<>()).add(p.profileType()));
    keys.values().forEach(java.util.Collections::sort);
    assertThat(keys).isEqualTo(s.series());
    assertScenario(profiles);
  }

  @Test
  void buildIdWithoutDebugInfo_isLookedUpOncePerDecode_notOncePerFrame() throws Exception {
    blocking().writeArrow(WriteArrowRequest.newBuilder()
        .setIpcBuffer(ByteString.copyFrom(AgentArrowFixtures.v2(allocator, rows))).build());
    Stored s = stored();
    java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger named = new java.util.concurrent.atomic.AtomicInteger();
    Symbolizer nothingUploaded = new Symbolizer() {
      @Override
      public String symbolize(java.util.UUID p, String buildId, long address) {
        named.incrementAndGet();
        return null;
      }

      @Override
      public boolean knows(java.util.UUID p, String buildId) {
        asked.add(buildId);
        return false;
      }
    };

    List<LabeledProfile> profiles = new ArrowProfiles(allocator, 16 << 20, nothingUploaded)
        .decode(project, s.kind(), s.bytes());

    assertThat(asked).isNotEmpty().doesNotHaveDuplicates();
    assertThat(named).hasValue(0);
    assertScenario(profiles); // bare frames stay addresses, everything else as without a symbolizer
  }

  @Test
  void storedWriteV1Blob_decodesItsSamplesAndLocationsRecords_toTheSamePprof() throws Exception {
    byte[] samples = AgentArrowFixtures.v1Samples(allocator, rows);
    byte[] locations = AgentArrowFixtures.v1Locations(allocator, rows);
    StreamRecorder<WriteResponse> answers = new StreamRecorder<>();
    StreamObserver<WriteRequest> requests = GrpcTestClients.stub(server.baseUrl(), "good-" + project,
        project.toString(), ProfileStoreServiceGrpc.ProfileStoreServiceStub.class).write(answers);
    requests.onNext(WriteRequest.newBuilder().setRecord(ByteString.copyFrom(samples)).build());
    assertThat(answers.next(10, TimeUnit.SECONDS)).isNotNull();
    requests.onNext(WriteRequest.newBuilder().setRecord(ByteString.copyFrom(locations)).build());
    requests.onCompleted();
    answers.done().get(10, TimeUnit.SECONDS);

    Stored s = stored();
    assertThat(s.kind()).isEqualTo(BlobKind.WRITE_V1);
    assertThat(s.bytes()).isEqualTo(AgentArrowFixtures.writeV1Blob(samples, locations));
    assertThat(s.series()).containsOnly(entry(APP, List.of(CPU)), entry(DB, List.of(CPU, OFF_CPU)));

    List<LabeledProfile> profiles = decode(s);
    Map<Map<String, String>, List<String>> keys = new java.util.HashMap<>();
    profiles.forEach(p -> keys.computeIfAbsent(p.labels(), k -> new ArrayList<>()).add(p.profileType()));
    keys.values().forEach(java.util.Collections::sort);
    assertThat(keys).isEqualTo(s.series());
    assertScenario(profiles);
  }

  @Test
  void agentV2StreamOfSeveralBatches_eachWithItsOwnDictionaries_decodesEveryBatch() throws Exception {
    byte[] ipc = AgentArrowFixtures.v2Batches(allocator, List.of(rows.subList(0, 3), rows.subList(3, rows.size())));
    blocking().writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
    Stored s = stored();
    assertThat(s.series()).containsOnly(entry(APP, List.of(CPU)), entry(DB, List.of(CPU, OFF_CPU)));

    assertScenario(decode(s));
  }

  @Test
  void v1SamplesStoredWithoutTheirLocations_decodeToTheirValuesWithoutStacks() throws Exception {
    StreamRecorder<WriteResponse> answers = new StreamRecorder<>();
    StreamObserver<WriteRequest> requests = GrpcTestClients.stub(server.baseUrl(), "good-" + project,
        project.toString(), ProfileStoreServiceGrpc.ProfileStoreServiceStub.class).write(answers);
    requests.onNext(WriteRequest.newBuilder().setRecord(ByteString.copyFrom(
        AgentArrowFixtures.v1Samples(allocator, rows))).build());
    assertThat(answers.next(10, TimeUnit.SECONDS)).isNotNull();
    requests.onCompleted(); // half-closed before the locations record: the samples alone are stored
    answers.done().get(10, TimeUnit.SECONDS);
    Stored s = stored();
    assertThat(s.kind()).isEqualTo(BlobKind.ARROW);

    List<LabeledProfile> profiles = decode(s);
    assertThat(profiles).hasSize(3);
    assertThat(Pprofs.stacks(profile(profiles, APP, CPU))).containsOnly(entry("", 3L));
    assertThat(Pprofs.stacks(profile(profiles, DB, CPU))).containsOnly(entry("", 4L));
    assertThat(Pprofs.stacks(profile(profiles, DB, OFF_CPU))).containsOnly(entry("", 5_000_000L));
  }

  private static Profile profile(List<LabeledProfile> profiles, Map<String, String> labels, String type) {
    return profiles.stream().filter(p -> p.labels().equals(labels) && p.profileType().equals(type)).findFirst()
        .orElseThrow().profile();
  }

  /** What {@link AgentArrowFixtures#scenario} must decode to, v1 or v2. */
  private static void assertScenario(List<LabeledProfile> profiles) {
    assertThat(profiles).hasSize(3);
    String leaf = "0x" + Long.toHexString(LEAF) + "@" + BUILD_ID;
    Profile app = profile(profiles, APP, CPU);
    assertThat(Pprofs.stacks(app)).containsOnly(entry(leaf + ";main", 2L), entry("do_syscall_64;main", 1L));
    assertThat(app.getSampleCount()).isEqualTo(2); // the two rows of one stack are one sample
    assertThat(Pprofs.string(app, app.getSampleType(0).getType())).isEqualTo("samples");
    assertThat(Pprofs.string(app, app.getSampleType(0).getUnit())).isEqualTo("count");
    assertThat(app.getSampleTypeCount()).isEqualTo(1);
    assertThat(Pprofs.string(app, app.getPeriodType().getType())).isEqualTo("cpu");
    assertThat(Pprofs.string(app, app.getPeriodType().getUnit())).isEqualTo("nanoseconds");
    assertThat(app.getPeriod()).isEqualTo(AgentArrowFixtures.PERIOD);
    assertThat(app.getDurationNanos()).isEqualTo(AgentArrowFixtures.DURATION);
    assertThat(app.getTimeNanos()).isEqualTo(AgentArrowFixtures.T0 + 1000); // the earliest of its rows
    assertThat(app.getStringTable(0)).isEmpty();
    assertThat(app.getSampleList()).allSatisfy(x -> assertThat(x.getLabelCount()).isZero());

    // the unsymbolized leaf: address and mapping, no lines
    Location bare = app.getLocationList().stream().filter(l -> l.getLineCount() == 0).findFirst().orElseThrow();
    assertThat(bare.getAddress()).isEqualTo(LEAF);
    Mapping m = Pprofs.mapping(app, bare.getMappingId());
    assertThat(Pprofs.string(app, m.getFilename())).isEqualTo("/usr/bin/app");
    assertThat(Pprofs.string(app, m.getBuildId())).isEqualTo(BUILD_ID);
    assertThat(m.getMemoryStart()).isZero();
    // the agent-symbolized native frame keeps its address, file, start line and line
    Location main = app.getLocationList().stream().filter(l -> l.getLineCount() == 1
        && Pprofs.string(app, Pprofs.function(app, l.getLine(0).getFunctionId()).getName()).equals("main"))
        .findFirst().orElseThrow();
    assertThat(main.getAddress()).isEqualTo(0x2000);
    assertThat(main.getMappingId()).isEqualTo(bare.getMappingId());
    assertThat(main.getLine(0).getLine()).isEqualTo(12);
    assertThat(Pprofs.string(app, Pprofs.function(app, "main").getFilename())).isEqualTo("app.c");
    assertThat(Pprofs.function(app, "main").getStartLine()).isEqualTo(10);
    assertThat(Pprofs.string(app, Pprofs.function(app, "main").getSystemName())).isEqualTo("main");
    // the kernel frame, with its own mapping
    Location kernel = app.getLocationList().stream().filter(l -> l.getAddress() == 0xffffffff81000000L).findFirst()
        .orElseThrow();
    assertThat(Pprofs.string(app, Pprofs.mapping(app, kernel.getMappingId()).getFilename()))
        .isEqualTo("[kernel.kallsyms]");

    Profile db = profile(profiles, DB, CPU);
    assertThat(Pprofs.stacks(db)).containsOnly(entry("inlined_helper>handle_request", 3L), entry(leaf + ";main", 1L));
    Location python = db.getLocationList().stream().filter(l -> l.getLineCount() == 2).findFirst().orElseThrow();
    assertThat(python.getMappingId()).isZero(); // interpreted frames have no mapping
    assertThat(python.getLine(0).getLine()).isEqualTo(51);
    assertThat(python.getLine(1).getLine()).isEqualTo(42);
    assertThat(Pprofs.string(db, Pprofs.function(db, "handle_request").getFilename())).isEqualTo("server.py");
    assertThat(db.getTimeNanos()).isEqualTo(AgentArrowFixtures.T0 + 4000);

    Profile offCpu = profile(profiles, DB, OFF_CPU);
    assertThat(Pprofs.stacks(offCpu)).containsOnly(entry("inlined_helper>handle_request", 5_000_000L));
    assertThat(Pprofs.string(offCpu, offCpu.getSampleType(0).getType())).isEqualTo("wallclock");
    assertThat(Pprofs.string(offCpu, offCpu.getPeriodType().getType())).isEqualTo("samples");
  }

  @Test
  void decodedPprof_readByGoPprof_listsTheExpectedFunctionsWithTheirFlatValues() throws Exception {
    blocking().writeArrow(WriteArrowRequest.newBuilder()
        .setIpcBuffer(ByteString.copyFrom(AgentArrowFixtures.v2(allocator, rows))).build());
    List<LabeledProfile> profiles = decode(stored());

    Path app = dir.resolve("app.pb");
    Files.write(app, profile(profiles, APP, CPU).toByteArray());
    Map<String, Long> flat = GoPprof.flat(app);
    // pprof shows a location without lines by its mapping's file name
    assertThat(flat).containsOnly(entry("[app]", 2L), entry("do_syscall_64", 1L), entry("main", 0L));
    Path db = dir.resolve("db.pb");
    Files.write(db, profile(profiles, DB, CPU).toByteArray());
    // pprof marks all but the last line of a location as inlined
    assertThat(GoPprof.flat(db)).containsOnly(entry("inlined_helper (inline)", 3L), entry("handle_request", 0L),
        entry("[app]", 1L), entry("main", 0L));
  }

  @Test
  void undecodableBlobs_areIllegalArgument_namingWhatIsWrong() {
    ArrowProfiles arrow = new ArrowProfiles(allocator, 16 << 20, Symbolizer.NONE);
    byte[] v2 = AgentArrowFixtures.v2(allocator, rows);
    assertThatThrownBy(() -> arrow.decode(project, BlobKind.ARROW, new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samples record");
    assertThatThrownBy(() -> arrow.decode(project, BlobKind.ARROW, java.util.Arrays.copyOf(v2, v2.length / 2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> arrow.decode(project, BlobKind.PPROF, v2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PPROF");
    assertThatThrownBy(() -> arrow.decode(project, BlobKind.WRITE_V1, new byte[] {0, 0, 0, 9, 1}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samples record length 9");
    assertThatThrownBy(() -> arrow.decode(project, BlobKind.WRITE_V1, AgentArrowFixtures.writeV1Blob(v2, new byte[0])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("locations record");
    assertThatThrownBy(() -> new ArrowProfiles(allocator, 1024, Symbolizer.NONE).decode(project, BlobKind.ARROW, v2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decodes to more than 1024 bytes");
    assertThat(allocator.getAllocatedMemory()).isZero();
  }

  @Test
  void parentAllocatorFullWithOtherStreams_isIllegalState_notTheBlobsFault() {
    byte[] v2 = AgentArrowFixtures.v2(allocator, rows);
    try (BufferAllocator parent = new RootAllocator(4 << 20);
        org.apache.arrow.memory.ArrowBuf others = parent.buffer((4 << 20) - (16 << 10))) {
      assertThatThrownBy(() -> new ArrowProfiles(parent, 2 << 20, Symbolizer.NONE).decode(project, BlobKind.ARROW, v2))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("retry");
      assertThat(parent.getAllocatedMemory()).isEqualTo(others.capacity());
    }
  }
}
