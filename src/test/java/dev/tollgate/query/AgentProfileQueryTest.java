package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.ingest.AgentArrowFixtures.Row;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteResponse;
import dev.tollgate.proto.parca.query.v1alpha1.FlamegraphNode;
import dev.tollgate.proto.parca.query.v1alpha1.LabelsRequest;
import dev.tollgate.proto.parca.query.v1alpha1.MetricsSeries;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileTypesRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRangeRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest.ReportType;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc.QueryServiceBlockingStub;
import dev.tollgate.proto.parca.query.v1alpha1.ValuesRequest;
import dev.tollgate.proto.pprof.Function;
import dev.tollgate.proto.pprof.Line;
import dev.tollgate.proto.pprof.Location;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.proto.pprof.Sample;
import dev.tollgate.proto.pprof.ValueType;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.Elves;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.StreamRecorder;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Agent profiles (a v2 WriteArrow, a v1 Write stream) sent over gRPC to the real server are what
 * QueryService answers, on SQLite and PostgreSQL: their types, labels, merges (checked with
 * {@code go tool pprof} against the pprof {@link ArrowProfiles} makes of the same bytes, and
 * against the fixture's known values), flame graph and range; native frames the agent left as
 * addresses are named once their ELF is uploaded through the DebuginfoService; and a merge adds an
 * agent profile to a WriteRaw profile of the same type and label set.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class AgentProfileQueryTest {
  private static final String CPU = "parca_agent:samples:count:cpu:nanoseconds:delta";
  private static final String OFF_CPU = "parca_agent:wallclock:nanoseconds:samples:count:delta";
  private static final String SOURCE = """
      #include <stdio.h>
      __attribute__((noinline)) long tollgate_leaf(long n) {
        long s = 0;
        for (long i = 0; i < n; i++) s += i * i;
        return s;
      }
      int main(int argc, char **argv) { printf("%ld\\n", tollgate_leaf(argc)); return 0; }
      """;
  private static Elves.Elf elf;

  @Parameter Backend backend;
  @TempDir Path dir;

  private final BufferAllocator allocator = new RootAllocator();
  private FakeClock clock;
  private TestServer server;
  private String project;
  private String writer;
  private String viewer;
  private long leaf;
  private List<Row> rows;

  @BeforeAll
  static void compile() throws Exception {
    elf = Elves.compile(TestData.basedir().resolve("target/agent-query-fixture"), "app", SOURCE, "-pie", "-fPIE");
  }

  @BeforeEach
  void start() throws Exception {
    GoPprof.go();
    clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
    server = TestServer.start(backend, dir.resolve("server"), c -> c, clock);
    project = server.defaultProjectId();
    writer = server.mintToken("agent", "system:writer", project); // profiles and debug info, as an agent
    viewer = server.mintToken("reader", "system:viewer", null);
    leaf = elf.functions().get("tollgate_leaf")[0] + 5;
    rows = AgentArrowFixtures.scenario(leaf, elf.buildId());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    allocator.close();
  }

  private QueryServiceBlockingStub q() {
    return Queries.query(server.url(), viewer, project);
  }

  private void writeArrow(byte[] ipc) {
    GrpcTestClients.stub(server.url(), writer, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
  }

  /** A v1 Write stream as parca-agent runs it: samples, the server asks for stacks, locations, done. */
  private void writeV1(byte[] samples, byte[] locations) throws Exception {
    StreamRecorder<WriteResponse> answers = new StreamRecorder<>();
    StreamObserver<WriteRequest> requests = GrpcTestClients.stub(server.url(), writer, project,
        ProfileStoreServiceGrpc.ProfileStoreServiceStub.class).write(answers);
    requests.onNext(WriteRequest.newBuilder().setRecord(ByteString.copyFrom(samples)).build());
    assertThat(answers.next(10, TimeUnit.SECONDS)).isNotNull();
    requests.onNext(WriteRequest.newBuilder().setRecord(ByteString.copyFrom(locations)).build());
    requests.onCompleted();
    answers.done().get(10, TimeUnit.SECONDS);
  }

  /** Initiate, upload in chunks and mark finished, as an agent does. */
  private void uploadDebuginfo(String buildId, byte[] data) throws Exception {
    var blocking = GrpcTestClients.stub(server.url(), writer, project,
        DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    String uploadId = blocking.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(buildId).setHash(hash)
        .setSize(data.length).build()).getUploadInstructions().getUploadId();
    StreamRecorder<UploadResponse> answer = new StreamRecorder<>();
    CompletableFuture<UploadResponse> done = answer.first();
    StreamObserver<UploadRequest> req = GrpcTestClients.stub(server.url(), writer, project,
        DebuginfoServiceGrpc.DebuginfoServiceStub.class).upload(answer);
    req.onNext(UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder().setBuildId(buildId).setUploadId(uploadId))
        .build());
    for (int off = 0; off < data.length; off += 8192) {
      req.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(data, off,
          Math.min(8192, data.length - off))).build());
    }
    req.onCompleted();
    assertThat(done.get(10, TimeUnit.SECONDS).getSize()).isEqualTo(data.length);
    blocking.markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId)
        .build());
  }

  /** The pprof files ArrowProfiles makes of {@code blob} for {@code type} (no symbolizer), one per label set. */
  private List<Path> reference(BlobKind kind, byte[] blob, String type, String name) throws Exception {
    List<Path> files = new ArrayList<>();
    for (LabeledProfile p : new ArrowProfiles(allocator, 64 << 20, Symbolizer.NONE)
        .decode(UUID.fromString(project), kind, blob)) {
      if (p.profileType().equals(type)) {
        Path f = dir.resolve(name + "-" + files.size() + ".pb");
        Files.write(f, p.profile().toByteArray());
        files.add(f);
      }
    }
    assertThat(files).as(type).isNotEmpty();
    return files;
  }

  private Map<String, GoPprof.Totals> goTopOfMerge(String query, Instant from, Instant to, String unit, String name)
      throws Exception {
    QueryResponse r = q().query(Queries.merge(query, from, to, ReportType.REPORT_TYPE_PPROF));
    Path merged = dir.resolve(name + ".pb.gz");
    Files.write(merged, r.getPprof().toByteArray());
    return GoPprof.top(null, unit, List.of(merged));
  }

  @Test
  void agentV2WriteArrow_isListedMergedFlamegraphedAndRanged_asGoPprofReadsItsDecodedProfiles() throws Exception {
    byte[] ipc = AgentArrowFixtures.v2(allocator, rows);
    Instant from = clock.instant();
    writeArrow(ipc);
    clock.advance(Duration.ofSeconds(10));
    writeArrow(AgentArrowFixtures.v2(allocator, AgentArrowFixtures.later(rows, 10_000_000_000L)));
    clock.advance(Duration.ofSeconds(10));
    Instant to = clock.instant();

    List<String> types = q().profileTypes(ProfileTypesRequest.getDefaultInstance()).getTypesList().stream()
        .map(t -> t.getName() + ":" + t.getSampleType() + ":" + t.getSampleUnit() + ":" + t.getPeriodType() + ":"
            + t.getPeriodUnit() + (t.getDelta() ? ":delta" : "")).toList();
    assertThat(types).containsExactlyInAnyOrder(CPU, OFF_CPU);
    assertThat(q().labels(LabelsRequest.getDefaultInstance()).getLabelNamesList())
        .containsExactly("comm", "node", "thread_id");
    assertThat(q().values(ValuesRequest.newBuilder().setLabelName("comm").build()).getLabelValuesList())
        .containsExactly("app", "db");
    assertThat(q().values(ValuesRequest.newBuilder().setLabelName("thread_id").addMatch(OFF_CPU + "{}").build())
        .getLabelValuesList()).containsExactly("2");

    // Merge: Tollgate's pprof read by go tool pprof equals go tool pprof over ArrowProfiles' pprof of
    // both calls, and the fixture's values (twice each).
    List<Path> once = reference(BlobKind.ARROW, ipc, CPU, "v2-cpu");
    List<Path> twice = new ArrayList<>(once);
    twice.addAll(once);
    Map<String, GoPprof.Totals> expected = GoPprof.top(null, null, twice);
    Map<String, GoPprof.Totals> merged = goTopOfMerge(CPU, from, to, null, "v2-cpu-merged");
    GoPprof.assertSame(merged, expected, CPU);
    assertThat(merged).containsEntry("main", new GoPprof.Totals(0, 8))
        .containsEntry("do_syscall_64", new GoPprof.Totals(2, 2))
        .containsEntry("inlined_helper", new GoPprof.Totals(6, 6))
        .containsEntry("handle_request", new GoPprof.Totals(0, 6));
    assertThat(q().query(Queries.merge(CPU, from, to, ReportType.REPORT_TYPE_PPROF)).getTotal()).isEqualTo(14);
    // one label set's own profile, not its blob's other label set
    assertThat(goTopOfMerge(CPU + "{comm=\"app\"}", from, to, null, "v2-app"))
        .containsEntry("main", new GoPprof.Totals(0, 6)).doesNotContainKey("handle_request");
    Map<String, GoPprof.Totals> offCpu = goTopOfMerge(OFF_CPU, from, to, "ns", "v2-off-cpu");
    assertThat(offCpu).containsEntry("inlined_helper", new GoPprof.Totals(10_000_000, 10_000_000))
        .containsEntry("handle_request", new GoPprof.Totals(0, 10_000_000));
    Path offCpuOnce = reference(BlobKind.ARROW, ipc, OFF_CPU, "v2-off").get(0);
    GoPprof.assertSame(offCpu, GoPprof.top(null, "ns", List.of(offCpuOnce, offCpuOnce)), OFF_CPU);

    var fg = q().query(Queries.merge(CPU, from, to, ReportType.REPORT_TYPE_FLAMEGRAPH_TABLE)).getFlamegraph();
    assertThat(fg.getRoot().getCumulative()).isEqualTo(14);
    List<String> names = new ArrayList<>();
    walk(fg.getRoot().getChildrenList(), n -> {
      var loc = fg.getLocations(n.getMeta().getLocationIndex() - 1);
      if (loc.getLinesCount() > 0) {
        var fn = fg.getFunction(loc.getLines(n.getMeta().getLineIndex()).getFunctionIndex() - 1);
        names.add(fg.getStringTable(fn.getNameStringIndex()));
      }
    });
    assertThat(names).contains("main", "do_syscall_64", "handle_request", "inlined_helper");

    List<MetricsSeries> series = q().queryRange(QueryRangeRequest.newBuilder().setQuery(CPU)
        .setStart(Queries.ts(from)).setEnd(Queries.ts(to)).build()).getSeriesList();
    assertThat(series).hasSize(2);
    assertThat(valuesOf(series, "app")).containsExactly(3L, 3L);
    assertThat(valuesOf(series, "db")).containsExactly(4L, 4L);
    assertThat(series.get(0).getSamples(0).getDuration()).isEqualTo(AgentArrowFixtures.DURATION);
  }

  private static List<Long> valuesOf(List<MetricsSeries> series, String comm) {
    return series.stream().filter(s -> s.getLabelset().getLabelsList().stream()
            .anyMatch(l -> l.getName().equals("comm") && l.getValue().equals(comm)))
        .findFirst().orElseThrow().getSamplesList().stream().map(s -> s.getValue()).toList();
  }

  private static void walk(List<FlamegraphNode> nodes, Consumer<FlamegraphNode> f) {
    for (FlamegraphNode n : nodes) {
      f.accept(n);
      walk(n.getChildrenList(), f);
    }
  }

  @Test
  void agentV1WriteStream_isMergedAndRanged_likeItsDecodedProfiles() throws Exception {
    byte[] samples = AgentArrowFixtures.v1Samples(allocator, rows);
    byte[] locations = AgentArrowFixtures.v1Locations(allocator, rows);
    Instant from = clock.instant();
    writeV1(samples, locations);
    clock.advance(Duration.ofSeconds(10));
    Instant to = clock.instant();

    List<String> types = q().profileTypes(ProfileTypesRequest.getDefaultInstance()).getTypesList().stream()
        .map(t -> t.getName() + ":" + t.getSampleType()).toList();
    assertThat(types).containsExactlyInAnyOrder("parca_agent:samples", "parca_agent:wallclock");
    assertThat(q().labels(LabelsRequest.getDefaultInstance()).getLabelNamesList())
        .containsExactly("comm", "node", "thread_id");

    Map<String, GoPprof.Totals> merged = goTopOfMerge(CPU, from, to, null, "v1-cpu");
    GoPprof.assertSame(merged, GoPprof.top(null, null, reference(BlobKind.WRITE_V1,
        AgentArrowFixtures.writeV1Blob(samples, locations), CPU, "v1-cpu-ref")), CPU);
    assertThat(merged).containsEntry("main", new GoPprof.Totals(0, 4))
        .containsEntry("do_syscall_64", new GoPprof.Totals(1, 1))
        .containsEntry("inlined_helper", new GoPprof.Totals(3, 3));

    List<MetricsSeries> series = q().queryRange(QueryRangeRequest.newBuilder().setQuery(CPU)
        .setStart(Queries.ts(from)).setEnd(Queries.ts(to)).build()).getSeriesList();
    assertThat(valuesOf(series, "app")).containsExactly(3L);
    assertThat(valuesOf(series, "db")).containsExactly(4L);
  }

  @Test
  void unsymbolizedNativeFrame_isAnAddressInItsBuildIdsMapping_untilItsElfIsUploaded_thenItsFunction()
      throws Exception {
    Instant from = clock.instant();
    writeArrow(AgentArrowFixtures.v2(allocator, rows));
    clock.advance(Duration.ofSeconds(10));
    Instant to = clock.instant();
    String app = CPU + "{comm=\"app\"}";

    Profile before = Queries.gunzip(q().query(Queries.merge(app, from, to, ReportType.REPORT_TYPE_PPROF)).getPprof());
    Location bare = before.getLocationList().stream().filter(l -> l.getAddress() == leaf).findFirst().orElseThrow();
    assertThat(bare.getLineCount()).isZero();
    assertThat(Pprofs.string(before, Pprofs.mapping(before, bare.getMappingId()).getBuildId())).isEqualTo(elf.buildId());
    assertThat(before.getFunctionList()).extracting(fn -> Pprofs.string(before, fn.getName()))
        .doesNotContain("tollgate_leaf");

    uploadDebuginfo(elf.buildId(), Files.readAllBytes(elf.path()));

    Profile after = Queries.gunzip(q().query(Queries.merge(app, from, to, ReportType.REPORT_TYPE_PPROF)).getPprof());
    Location named = after.getLocationList().stream().filter(l -> l.getAddress() == leaf).findFirst().orElseThrow();
    assertThat(Pprofs.frame(after, named)).isEqualTo("tollgate_leaf");
    assertThat(Pprofs.string(after, Pprofs.mapping(after, named.getMappingId()).getBuildId())).isEqualTo(elf.buildId());
    assertThat(Pprofs.stacks(after)).containsOnly(Map.entry("tollgate_leaf;main", 2L),
        Map.entry("do_syscall_64;main", 1L));
    Path file = dir.resolve("after.pb.gz");
    Files.write(file, q().query(Queries.merge(app, from, to, ReportType.REPORT_TYPE_PPROF)).getPprof().toByteArray());
    assertThat(GoPprof.top(null, null, List.of(file))).containsEntry("tollgate_leaf", new GoPprof.Totals(2, 2))
        .containsEntry("main", new GoPprof.Totals(0, 3));
  }

  @Test
  void mergeOfAWriteRawProfileAndAnAgentProfile_ofOneTypeAndLabelSet_addsUp() throws Exception {
    Instant from = clock.instant();
    byte[] ipc = AgentArrowFixtures.v2(allocator, rows);
    writeArrow(ipc);
    SortedMap<String, String> labels = new TreeMap<>(Map.of("__name__", "parca_agent", "node", "n1", "comm", "app",
        "thread_id", "1"));
    Profile raw = cpuProfile();
    Queries.push(server.url(), writer, project, labels, raw.toByteArray());
    clock.advance(Duration.ofSeconds(10));
    Instant to = clock.instant();
    String query = CPU + "{comm=\"app\",thread_id=\"1\"}";

    Path rawFile = dir.resolve("raw.pb");
    Files.write(rawFile, raw.toByteArray());
    Path agentFile = dir.resolve("agent-app.pb");
    Files.write(agentFile, new ArrowProfiles(allocator, 64 << 20, Symbolizer.NONE)
        .decode(UUID.fromString(project), BlobKind.ARROW, ipc).stream()
        .filter(p -> p.profileType().equals(CPU) && "app".equals(p.labels().get("comm"))).findFirst().orElseThrow()
        .profile().toByteArray());
    Map<String, GoPprof.Totals> expected = GoPprof.top(null, null, List.of(rawFile, agentFile));
    Map<String, GoPprof.Totals> merged = goTopOfMerge(query, from, to, null, "raw-and-agent");
    GoPprof.assertSame(merged, expected, query);
    assertThat(merged).containsEntry("main", new GoPprof.Totals(0, 3 + 10))
        .containsEntry("raw_work", new GoPprof.Totals(10, 10))
        .containsEntry("do_syscall_64", new GoPprof.Totals(1, 1));
    assertThat(q().query(Queries.merge(query, from, to, ReportType.REPORT_TYPE_PPROF)).getTotal()).isEqualTo(13);
    List<MetricsSeries> series = q().queryRange(QueryRangeRequest.newBuilder().setQuery(query).addSumBy("comm")
        .setStart(Queries.ts(from)).setEnd(Queries.ts(to)).build()).getSeriesList();
    assertThat(series).singleElement().satisfies(s -> assertThat(s.getSamplesList()).singleElement()
        .satisfies(p -> assertThat(p.getValue()).isEqualTo(13)));
  }

  /** A WriteRaw pprof of the agent's CPU type: samples/count per cpu/nanoseconds, a duration, main > raw_work x10. */
  private static Profile cpuProfile() {
    return Profile.newBuilder()
        .addAllStringTable(List.of("", "samples", "count", "cpu", "nanoseconds", "main", "raw_work", "raw.c"))
        .addSampleType(ValueType.newBuilder().setType(1).setUnit(2))
        .setPeriodType(ValueType.newBuilder().setType(3).setUnit(4)).setPeriod(AgentArrowFixtures.PERIOD)
        .setDurationNanos(AgentArrowFixtures.DURATION).setTimeNanos(AgentArrowFixtures.T0)
        .addFunction(Function.newBuilder().setId(1).setName(5).setSystemName(5).setFilename(7))
        .addFunction(Function.newBuilder().setId(2).setName(6).setSystemName(6).setFilename(7))
        .addLocation(Location.newBuilder().setId(1).setAddress(0x9000).addLine(Line.newBuilder().setFunctionId(1)))
        .addLocation(Location.newBuilder().setId(2).setAddress(0x9100).addLine(Line.newBuilder().setFunctionId(2)))
        .addSample(Sample.newBuilder().addLocationId(2).addLocationId(1).addValue(10))
        .build();
  }
}
