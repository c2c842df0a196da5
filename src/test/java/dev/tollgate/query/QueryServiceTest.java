package dev.tollgate.query;

import dev.tollgate.testing.TestData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import dev.tollgate.proto.parca.query.v1alpha1.DiffProfile;
import dev.tollgate.proto.parca.query.v1alpha1.FlamegraphNode;
import dev.tollgate.proto.parca.query.v1alpha1.HasProfileDataRequest;
import dev.tollgate.proto.parca.query.v1alpha1.LabelsRequest;
import dev.tollgate.proto.parca.query.v1alpha1.MergeProfile;
import dev.tollgate.proto.parca.query.v1alpha1.MetricsSeries;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileDiffSelection;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileType;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileTypesRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRangeRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest.ReportType;
import dev.tollgate.proto.parca.query.v1alpha1.QueryResponse;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc.QueryServiceBlockingStub;
import dev.tollgate.proto.parca.query.v1alpha1.SingleProfile;
import dev.tollgate.proto.parca.query.v1alpha1.TopNode;
import dev.tollgate.proto.parca.query.v1alpha1.ValuesRequest;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Every QueryService RPC from grpc-java against the real server, on SQLite and PostgreSQL, and who may call them. */
@ParameterizedClass
@EnumSource(Backend.class)
class QueryServiceTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String CPU = "process_cpu:samples:count:cpu:nanoseconds:delta";
  private static final String CPU_NS = "process_cpu:cpu:nanoseconds:cpu:nanoseconds:delta";

  @Parameter Backend backend;
  @TempDir Path dir;

  private FakeClock clock;
  private TestServer server;
  private String project;
  private String viewer;
  private Profile fib;
  private Profile profile1;

  @BeforeEach
  void start() throws Exception {
    clock = new FakeClock(T0);
    // replays files as several profiles, which the retry window would take for one and its retries
    server = TestServer.start(backend, dir, c -> c.withRetryWindow(java.time.Duration.ZERO), clock);
    project = server.defaultProjectId();
    String writer = server.mintToken("agent", "system:profile-writer", project);
    viewer = server.mintToken("reader", "system:viewer", null);
    byte[] fibBytes = Files.readAllBytes(TestData.pprof("fib.pb.gz"));
    byte[] p1Bytes = Files.readAllBytes(TestData.pprof("profile1.pb.gz"));
    fib = PprofBlobs.decode(fibBytes);
    profile1 = PprofBlobs.decode(p1Bytes);
    Map<String, String> a = Map.of("__name__", "process_cpu", "job", "demo", "node", "n1");
    Map<String, String> b = Map.of("__name__", "process_cpu", "job", "demo", "node", "n2");
    Queries.push(server.url(), writer, project, a, fibBytes);
    Queries.push(server.url(), writer, project, Map.of("__name__", "memory", "job", "other"),
        Files.readAllBytes(TestData.pprof("alloc_objects.pb.gz")));
    clock.advance(java.time.Duration.ofSeconds(10));
    Queries.push(server.url(), writer, project, a, fibBytes);
    Queries.push(server.url(), writer, project, b, p1Bytes);
    clock.advance(java.time.Duration.ofSeconds(10));
    Queries.push(server.url(), writer, project, a, fibBytes);
    clock.advance(java.time.Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private QueryServiceBlockingStub q() {
    return Queries.query(server.url(), viewer, project);
  }

  private static long total(Profile p, int index) {
    return p.getSampleList().stream().mapToLong(s -> s.getValue(index)).sum();
  }

  @Test
  void profileTypesLabelsValuesAndHasProfileData_describeWhatArrived() {
    List<String> types = q().profileTypes(ProfileTypesRequest.getDefaultInstance()).getTypesList().stream()
        .map(t -> t.getName() + ":" + t.getSampleType() + ":" + t.getSampleUnit() + ":" + t.getPeriodType() + ":"
            + t.getPeriodUnit() + (t.getDelta() ? ":delta" : "")).toList();
    assertThat(types).contains(CPU, CPU_NS, "memory:alloc_space:bytes:space:bytes");
    ProfileType t = q().profileTypes(ProfileTypesRequest.getDefaultInstance()).getTypesList().stream()
        .filter(x -> x.getName().equals("process_cpu")).findFirst().orElseThrow();
    assertThat(t.getDelta()).isTrue();
    // a window after everything arrived has no types
    assertThat(q().profileTypes(ProfileTypesRequest.newBuilder().setStart(Queries.ts(T0.plusSeconds(3600)))
        .setEnd(Queries.ts(T0.plusSeconds(7200))).build()).getTypesList()).isEmpty();

    assertThat(q().labels(LabelsRequest.getDefaultInstance()).getLabelNamesList()).containsExactly("job", "node");
    assertThat(q().labels(LabelsRequest.newBuilder().addMatch("{job=\"other\"}").build()).getLabelNamesList())
        .containsExactly("job");
    assertThat(q().values(ValuesRequest.newBuilder().setLabelName("node").build()).getLabelValuesList())
        .containsExactly("n1", "n2");
    assertThat(q().values(ValuesRequest.newBuilder().setLabelName("job").addMatch(CPU + "{node=~\"n.*\"}").build())
        .getLabelValuesList()).containsExactly("demo");
    assertThat(q().hasProfileData(HasProfileDataRequest.getDefaultInstance()).getHasData()).isTrue();

    String org = server.organizationId();
    String other = server.owner().post("/v1/organizations/" + org + "/projects", Api.json("name", "empty"))
        .body().at("/project/id").asText();
    assertThat(Queries.query(server.url(), viewer, other).hasProfileData(HasProfileDataRequest.getDefaultInstance())
        .getHasData()).isFalse();
  }

  @Test
  void queryRange_givesOnePointPerProfile_orPerStep_andSumsBy() {
    long fibCpu = total(fib, 1);
    long p1Cpu = total(profile1, 1);
    QueryRangeRequest.Builder req = QueryRangeRequest.newBuilder().setQuery(CPU_NS + "{job=\"demo\"}")
        .setStart(Queries.ts(T0)).setEnd(Queries.ts(clock.instant()));
    List<MetricsSeries> series = q().queryRange(req.build()).getSeriesList();
    assertThat(series).hasSize(2);
    MetricsSeries n1 = series.stream().filter(s -> s.getLabelset().toString().contains("n1")).findFirst().orElseThrow();
    assertThat(n1.getSamplesList()).extracting(s -> s.getValue()).containsExactly(fibCpu, fibCpu, fibCpu);
    assertThat(n1.getSamples(1).getTimestamp()).isEqualTo(Queries.ts(T0.plusSeconds(10)));
    assertThat(n1.getSamples(0).getDuration()).isEqualTo(fib.getDurationNanos());
    assertThat(n1.getSamples(0).getValuePerSecond()).isCloseTo(fibCpu / (fib.getDurationNanos() / 1e9),
        org.assertj.core.data.Offset.offset(1e-6));
    assertThat(n1.getSampleType().getType()).isEqualTo("cpu");
    assertThat(n1.getPeriodType().getUnit()).isEqualTo("nanoseconds");

    List<MetricsSeries> byJob = q().queryRange(req.clone().addSumBy("job").build()).getSeriesList();
    assertThat(byJob).hasSize(1);
    assertThat(byJob.get(0).getLabelset().getLabelsList()).extracting(l -> l.getName() + "=" + l.getValue())
        .containsExactly("job=demo");
    assertThat(byJob.get(0).getSamplesList()).extracting(s -> s.getValue()).containsExactly(fibCpu, fibCpu + p1Cpu, fibCpu);

    List<MetricsSeries> stepped = q().queryRange(req.clone().addSumBy("job")
        .setStep(Duration.newBuilder().setSeconds(20)).build()).getSeriesList();
    assertThat(stepped.get(0).getSamplesList()).extracting(s -> s.getValue())
        .containsExactly(2 * fibCpu + p1Cpu, fibCpu);
    assertThat(stepped.get(0).getSamples(0).getDuration())
        .isEqualTo(2 * fib.getDurationNanos() + profile1.getDurationNanos());
    assertThat(stepped.get(0).getSamples(1).getTimestamp()).isEqualTo(Queries.ts(T0.plusSeconds(20)));
  }

  @Test
  void singleAndDiff_selectTheirProfiles() {
    long fibCpu = total(fib, 1);
    long p1Cpu = total(profile1, 1);
    SingleProfile single = SingleProfile.newBuilder().setQuery(CPU_NS + "{job=\"demo\"}")
        .setTime(Queries.ts(T0.plusSeconds(10))).build();
    QueryResponse one = q().query(QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_SINGLE_UNSPECIFIED)
        .setSingle(single).setReportType(ReportType.REPORT_TYPE_PPROF).build());
    assertThat(one.getTotal()).isEqualTo(fibCpu + p1Cpu); // both series have a profile at that time
    assertThatThrownBy(() -> q().query(QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_SINGLE_UNSPECIFIED)
        .setSingle(single.toBuilder().setTime(Queries.ts(T0.plusSeconds(5))))
        .setReportType(ReportType.REPORT_TYPE_PPROF).build()))
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND));

    ProfileDiffSelection a = ProfileDiffSelection.newBuilder().setMode(ProfileDiffSelection.Mode.MODE_SINGLE_UNSPECIFIED)
        .setSingle(SingleProfile.newBuilder().setQuery(CPU_NS + "{node=\"n1\"}").setTime(Queries.ts(T0))).build();
    ProfileDiffSelection b = ProfileDiffSelection.newBuilder().setMode(ProfileDiffSelection.Mode.MODE_MERGE)
        .setMerge(MergeProfile.newBuilder().setQuery(CPU_NS + "{job=\"demo\"}").setStart(Queries.ts(T0))
            .setEnd(Queries.ts(clock.instant()))).build();
    QueryRequest diff = QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_DIFF)
        .setDiff(DiffProfile.newBuilder().setA(a).setB(b)).setReportType(ReportType.REPORT_TYPE_TOP).build();
    QueryResponse top = q().query(diff);
    assertThat(top.getTotal()).isEqualTo(3 * fibCpu + p1Cpu);
    TopNode addVV = top.getTop().getListList().stream()
        .filter(n -> n.getMeta().getFunction().getName().equals("math/big.addVV")).findFirst().orElseThrow();
    QueryResponse aOnly = q().query(QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_SINGLE_UNSPECIFIED)
        .setSingle(a.getSingle()).setReportType(ReportType.REPORT_TYPE_TOP).build());
    long aCum = aOnly.getTop().getListList().stream()
        .filter(n -> n.getMeta().getFunction().getName().equals("math/big.addVV")).findFirst().orElseThrow()
        .getCumulative();
    assertThat(aCum).isPositive();
    assertThat(addVV.getDiff()).isEqualTo(addVV.getCumulative() - aCum);
    QueryResponse pprof = q().query(diff.toBuilder().setReportType(ReportType.REPORT_TYPE_PPROF).build());
    assertThat(Queries.gunzip(pprof.getPprof()).getSampleList().stream().mapToLong(s -> s.getValue(0)).sum())
        .isEqualTo(2 * fibCpu + p1Cpu);
  }

  @Test
  void flamegraphReports_holdTheWholeTree() throws Exception {
    long fibCpu = total(fib, 1);
    QueryRequest req = Queries.merge(CPU_NS + "{node=\"n1\"}", T0, clock.instant(), ReportType.REPORT_TYPE_FLAMEGRAPH_TABLE);
    var fg = q().query(req).getFlamegraph();
    assertThat(fg.getRoot().getCumulative()).isEqualTo(3 * fibCpu);
    assertThat(fg.getRoot().getChildrenList().stream().mapToLong(FlamegraphNode::getCumulative).sum())
        .isEqualTo(3 * fibCpu);
    assertThat(fg.getUnit()).isEqualTo("nanoseconds");
    assertThat(fg.getHeight()).isGreaterThan(5);
    assertThat(fg.getStringTable(0)).isEmpty();
    List<String> names = new ArrayList<>();
    walk(fg.getRoot().getChildrenList(), n -> {
      var loc = fg.getLocations(n.getMeta().getLocationIndex() - 1);
      var fn = fg.getFunction(loc.getLines(n.getMeta().getLineIndex()).getFunctionIndex() - 1);
      names.add(fg.getStringTable(fn.getNameStringIndex()));
      assertThat(n.getChildrenList().stream().mapToLong(FlamegraphNode::getCumulative).sum())
          .isLessThanOrEqualTo(n.getCumulative());
    });
    assertThat(names).contains("math/big.addVV", "main.calculateFib");
    // Grouped by function, as Parca's flame graph is: fib's addVV is sampled at many addresses,
    // yet under one caller it is one frame.
    walk(List.of(FlamegraphNode.newBuilder().addAllChildren(fg.getRoot().getChildrenList()).build()), n -> {
      List<String> siblings = n.getChildrenList().stream().map(c -> {
        var loc = fg.getLocations(c.getMeta().getLocationIndex() - 1);
        return loc.getLinesCount() == 0 ? "address " + loc.getAddress()
            : fg.getStringTable(fg.getFunction(loc.getLines(c.getMeta().getLineIndex()).getFunctionIndex() - 1)
                .getNameStringIndex());
      }).toList();
      assertThat(siblings).doesNotHaveDuplicates();
    });

    QueryResponse arrow = q().query(req.toBuilder().setReportType(ReportType.REPORT_TYPE_FLAMEGRAPH_ARROW).build());
    assertThat(arrow.getFlamegraphArrow().getUnit()).isEqualTo("nanoseconds");
    assertThat(arrow.getTotal()).isEqualTo(3 * fibCpu);
    try (var alloc = new RootAllocator();
        var reader = new ArrowStreamReader(new ByteArrayInputStream(arrow.getFlamegraphArrow().getRecord().toByteArray()),
            alloc)) {
      assertThat(reader.loadNextBatch()).isTrue();
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertThat(root.getSchema().getFields()).extracting(f -> f.getName()).containsExactly("labels_only",
          "mapping_start", "mapping_limit", "mapping_offset", "mapping_file", "mapping_build_id", "location_address",
          "location_folded", "location_line", "function_startline", "function_name", "function_system_name",
          "function_file_name", "children", "cumulative", "diff");
      BigIntVector cum = (BigIntVector) root.getVector("cumulative");
      assertThat(cum.get(0)).isEqualTo(3 * fibCpu);
      ListVector children = (ListVector) root.getVector("children");
      long sum = 0;
      for (Object c : children.getObject(0)) {
        sum += cum.get(((Number) c).intValue());
      }
      assertThat(sum).isEqualTo(3 * fibCpu);
      var nameDict = reader.getDictionaryVectors().get(2L).getVector();
      List<String> dictNames = new ArrayList<>();
      for (int i = 0; i < nameDict.getValueCount(); i++) {
        dictNames.add(String.valueOf(nameDict.getObject(i)));
      }
      assertThat(dictNames).contains("math/big.addVV");
      assertThat(root.getRowCount()).isGreaterThan(fg.getHeight());
    }
  }

  private static void walk(List<FlamegraphNode> nodes, Consumer<FlamegraphNode> f) {
    for (FlamegraphNode n : nodes) {
      f.accept(n);
      walk(n.getChildrenList(), f);
    }
  }

  @Test
  void badRequests_areInvalidArgument_andOtherReportTypesUnimplemented() {
    assertThat(code(() -> q().query(Queries.merge(CPU + "{job=\"demo\"", T0, clock.instant(), ReportType.REPORT_TYPE_PPROF))))
        .isEqualTo("INVALID_ARGUMENT: 1:59: unexpected end of input, expected \",\" or \"}\"");
    assertThat(code(() -> q().query(Queries.merge("{job=\"demo\"}", T0, clock.instant(), ReportType.REPORT_TYPE_PPROF))))
        .startsWith("INVALID_ARGUMENT: 1:1: the query must start with a profile type");
    assertThat(code(() -> q().query(Queries.merge(CPU, clock.instant(), T0, ReportType.REPORT_TYPE_PPROF))))
        .startsWith("INVALID_ARGUMENT: end (").contains("is before start");
    assertThat(code(() -> q().queryRange(QueryRangeRequest.newBuilder().setQuery(CPU).build())))
        .isEqualTo("INVALID_ARGUMENT: start and end are required");
    assertThat(code(() -> q().query(QueryRequest.newBuilder().setMode(QueryRequest.Mode.MODE_MERGE)
        .setReportType(ReportType.REPORT_TYPE_PPROF).build())))
        .startsWith("INVALID_ARGUMENT: mode MODE_MERGE needs the merge options");
    for (ReportType t : List.of(ReportType.REPORT_TYPE_CALLGRAPH, ReportType.REPORT_TYPE_SOURCE,
        ReportType.REPORT_TYPE_TABLE_ARROW, ReportType.REPORT_TYPE_FLAMEGRAPH_UNSPECIFIED)) {
      assertThat(code(() -> q().query(Queries.merge(CPU, T0, clock.instant(), t))))
          .startsWith("UNIMPLEMENTED: report type " + t.name() + " is not implemented");
    }
  }

  /** Each RPC, called through a stub. */
  private static Map<String, Consumer<QueryServiceBlockingStub>> rpcs(Instant end) {
    Map<String, Consumer<QueryServiceBlockingStub>> m = new LinkedHashMap<>();
    m.put("ProfileTypes", s -> s.profileTypes(ProfileTypesRequest.getDefaultInstance()));
    m.put("Labels", s -> s.labels(LabelsRequest.getDefaultInstance()));
    m.put("Values", s -> s.values(ValuesRequest.newBuilder().setLabelName("job").build()));
    m.put("HasProfileData", s -> s.hasProfileData(HasProfileDataRequest.getDefaultInstance()));
    m.put("QueryRange", s -> s.queryRange(QueryRangeRequest.newBuilder().setQuery(CPU).setStart(Queries.ts(T0))
        .setEnd(Queries.ts(end)).build()));
    m.put("Query", s -> s.query(Queries.merge(CPU, T0, end, ReportType.REPORT_TYPE_TOP)));
    return m;
  }

  @Test
  void everyRpc_readsOnlyWithProfileReadInTheNamedProject() {
    String org = server.organizationId();
    String otherProject = server.owner().post("/v1/organizations/" + org + "/projects", Api.json("name", "other"))
        .body().at("/project/id").asText();
    String writerOnly = server.mintToken("pusher", "system:profile-writer", project);
    String boundToOther = server.mintToken("other-reader", "system:viewer", otherProject);
    String owner = server.mintToken("boss", "system:owner", null);
    String writerRole = server.mintToken("editor", "system:writer", null);
    String gone = server.mintToken("gone", "system:viewer", null);
    String goneId = server.owner().get("/v1/organizations/" + org + "/serviceaccounts/gone").body()
        .at("/serviceAccount/id").asText();
    assertThat(server.owner().delete("/v1/organizations/" + org + "/serviceaccounts/" + goneId).status()).isBetween(200, 204);
    for (var rpc : rpcs(clock.instant()).entrySet()) {
      String name = rpc.getKey();
      for (String reader : List.of(viewer, owner, writerRole)) {
        rpc.getValue().accept(Queries.query(server.url(), reader, project));
      }
      rpc.getValue().accept(Queries.query(server.url(), boundToOther, otherProject));
      assertThat(code(() -> rpc.getValue().accept(Queries.query(server.url(), writerOnly, project)))).as(name)
          .startsWith("PERMISSION_DENIED: permission denied: missing permission profile.read in project " + project);
      assertThat(code(() -> rpc.getValue().accept(Queries.query(server.url(), boundToOther, project)))).as(name)
          .startsWith("PERMISSION_DENIED: permission denied: missing permission profile.read");
      assertThat(code(() -> rpc.getValue().accept(Queries.query(server.url(), null, project)))).as(name)
          .startsWith("UNAUTHENTICATED: missing authorization header");
      assertThat(code(() -> rpc.getValue().accept(Queries.query(server.url(), gone, project)))).as(name)
          .isEqualTo("UNAUTHENTICATED: invalid or unknown token");
      assertThat(code(() -> rpc.getValue().accept(Queries.query(server.url(), "psc_v1_forged", project)))).as(name)
          .isEqualTo("UNAUTHENTICATED: invalid or unknown token");
      String unknown = java.util.UUID.randomUUID().toString();
      assertThat(code(() -> rpc.getValue().accept(Queries.query(server.url(), viewer, unknown)))).as(name)
          .isEqualTo("NOT_FOUND: project " + unknown + " not found in this token's organization");
    }
  }

  @Test
  void consoleSession_readsByUnframedJsonPost_onlyWithItsCsrfToken() throws Exception {
    Api owner = server.owner();
    String csrf = owner.get("/v1/auth/me").body().path("csrfToken").asText();
    for (String rpc : List.of("ProfileTypes", "Labels", "HasProfileData")) {
      HttpResponse<String> ok = unframed(rpc, owner.cookie(), csrf, project);
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(unframed(rpc, owner.cookie(), null, project).statusCode()).isEqualTo(403);
      assertThat(unframed(rpc, owner.cookie(), "wrong", project).statusCode()).isEqualTo(403);
      assertThat(unframed(rpc, "tollgate_session=" + "0".repeat(64), csrf, project).statusCode()).isEqualTo(401);
    }
    assertThat(unframed("ProfileTypes", owner.cookie(), csrf, project).body()).contains("process_cpu");
    assertThat(unframed("ProfileTypes", owner.cookie(), csrf, java.util.UUID.randomUUID().toString()).statusCode())
        .isEqualTo(404);
  }

  private HttpResponse<String> unframed(String rpc, String cookie, String csrf, String projectId) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.url() + "/parca.query.v1alpha1.QueryService/" + rpc))
        .header("content-type", "application/json").header("cookie", cookie).header("projectid", projectId)
        .POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (csrf != null) {
      r.header("x-csrf-token", csrf);
    }
    try (HttpClient c = HttpClient.newHttpClient()) {
      return c.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static String code(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
    }
    return "OK";
  }
}
