package dev.tollgate.ingest;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ExecutableInfo;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LoadSegment;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteResponse;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
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
 * What today's Parca clients send, through the real server with real tokens: grpc-java (Netty)
 * and Python's C-core stack (what grpc-go clients look like on the wire).
 */
@ParameterizedClass
@EnumSource(Backend.class)
class ParcaClientsTodayTest {
  static final Path STUBS = TestData.basedir().resolve("target/python-stubs-clients");
  static final Path SCRIPT = TestData.basedir().resolve("src/test/python/parca_clients.py");

  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  ManagedChannel channel;
  Api owner;
  String org;
  String project;
  Path pprofFile;
  byte[] pprof;
  final BufferAllocator allocator = new RootAllocator();

  @BeforeAll
  static void generateStubs() throws Exception {
    PythonStubs.generate(STUBS);
  }

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    channel = GrpcChannels.plaintext(server.port());
    owner = server.owner();
    org = server.organizationId();
    project = server.defaultProjectId();
    pprofFile = TestData.pprofFiles().stream().filter(p -> p.getFileName().toString().equals("profile1.pb.gz"))
        .findFirst().orElseThrow();
    pprof = Files.readAllBytes(pprofFile);
  }

  @AfterEach
  void stop() throws Exception {
    GrpcChannels.close(channel);
    server.close();
    allocator.close();
  }

  static WriteRawRequest writeRaw(Map<String, String> labels, byte[] profile) {
    LabelSet.Builder ls = LabelSet.newBuilder();
    labels.forEach((k, v) -> ls.addLabels(Label.newBuilder().setName(k).setValue(v)));
    return WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(ls)
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(profile)))).build();
  }

  Status call(String authorization, String projectId, WriteRawRequest req) {
    try {
      ProfileStoreServiceGrpc.newBlockingStub(channel).withInterceptors(GrpcChannels.headers(authorization, projectId))
          .withDeadlineAfter(30, TimeUnit.SECONDS).writeRaw(req);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  String python(String token, String command, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", SCRIPT.toString(), STUBS.toString(),
        "127.0.0.1:" + server.port(), token, command));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).doesNotContain(token);
    return out;
  }

  /** A token of a new service account with {@code system:profile-writer} in the project, bound to it. */
  String projectBoundToken(String account) {
    server.mintToken(account, "system:profile-writer", project);
    String saId = owner.get("/v1/organizations/" + org + "/serviceaccounts/" + account).body()
        .at("/serviceAccount/id").asText();
    return owner.post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/tokens",
        json("name", "push", "projectId", project)).body().at("/token/token").asText();
  }

  JsonNode series(String projectId) {
    return owner.get("/v1/projects/" + projectId + "/series").body().get("series");
  }

  @Test
  void parcaPushShapedCall_withoutAnyHeaderButTheToken_writesToTheProjectTheTokenIsBoundTo() throws Exception {
    String token = projectBoundToken("pusher");
    // parca-push: only `authorization` arrives (its headers interceptor is dropped by grpc-go)
    assertThat(call("Bearer " + token, null, writeRaw(Map.of("__name__", "parca_push", "job", "java"), pprof))
        .getCode()).isEqualTo(Status.Code.OK);
    assertThat(python(token, "push", pprofFile.toString())).contains("push: OK");
    assertThat(series(project)).hasSize(2).allSatisfy(s ->
        assertThat(s.at("/labels/__name__").asText()).isEqualTo("parca_push"));

    // a header naming another project is still refused
    String other = owner.post("/v1/organizations/" + org + "/projects", json("name", "other")).body()
        .at("/project/id").asText();
    assertThat(call("Bearer " + token, other, writeRaw(Map.of("__name__", "x"), pprof)).getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(series(other)).isEmpty();
  }

  @Test
  void tokenNotBoundToAProject_withoutHeader_isRefused_withAMessageNamingBothWays() {
    String token = server.mintToken("scraper", "system:profile-writer", project);
    Status s = call("Bearer " + token, null, writeRaw(Map.of("__name__", "cpu"), pprof));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("projectid").contains("--remote-store-grpc-headers=projectID=")
        .contains("token bound to one project").doesNotContain(token);
    assertThat(call("Bearer " + token, project, writeRaw(Map.of("__name__", "cpu"), pprof)).getCode())
        .isEqualTo(Status.Code.OK);
  }

  @Test
  void labelNames_areValidatedAsParcasServerDoes_fromGrpcJavaAndPython() throws Exception {
    String token = server.mintToken("scraper", "system:profile-writer", project);
    // name -> accepted (UTF-8 validation of prometheus/common 0.67, as Parca's server uses it)
    Map<String, Boolean> table = new LinkedHashMap<>();
    table.put("k8s.pod.name", true);
    table.put("service.name", true);
    table.put("app.kubernetes.io/name", true);
    table.put("1job", true);
    table.put("job-x", true);
    table.put("Größe", true);
    table.put("thread_id", true);
    table.put("", false);
    for (Map.Entry<String, Boolean> e : table.entrySet()) {
      Status s = call("Bearer " + token, project, writeRaw(Map.of("__name__", "java_labels", e.getKey(), "v"), pprof));
      assertThat(s.getCode()).as(e.getKey()).isEqualTo(e.getValue() ? Status.Code.OK : Status.Code.INVALID_ARGUMENT);
    }
    Status missingName = call("Bearer " + token, project, writeRaw(Map.of("service.name", "checkout"), pprof));
    assertThat(missingName.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(missingName.getDescription()).isEqualTo("series 0: missing __name__ label");

    String out = python(token, "labels", project, pprofFile.toString(), "k8s.pod.name", "service.name", "");
    assertThat(out).contains("k8s.pod.name: OK").contains("service.name: OK")
        .contains(": INVALID_ARGUMENT series 0: label 1 has invalid name \"\"");
    List<String> names = new ArrayList<>();
    for (JsonNode s : series(project)) {
      s.get("labels").fieldNames().forEachRemaining(names::add);
    }
    assertThat(names).contains("k8s.pod.name", "service.name", "app.kubernetes.io/name", "Größe");
  }

  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  };

  @Test
  void unknownServiceOrMethod_isGrpcUnimplemented_forGrpcJavaAndPython() throws Exception {
    String token = server.mintToken("scraper", "system:profile-writer", project);
    for (String method : List.of("no.such.v1.Service/Method",
        "parca.profilestore.v1alpha1.ProfileStoreService/NoSuchMethod",
        "opentelemetry.proto.collector.trace.v1.TraceService/Export")) {
      MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
          .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
      Status s;
      try {
        ClientCalls.blockingUnaryCall(channel.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
            new byte[] {8, 1});
        s = Status.OK;
      } catch (StatusRuntimeException e) {
        s = e.getStatus();
      }
      assertThat(s.getCode()).as(method + ": " + s).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
    assertThat(python(token, "unknown", project))
        .contains("/no.such.v1.Service/Method: UNIMPLEMENTED")
        .contains("/parca.profilestore.v1alpha1.ProfileStoreService/NoSuchMethod: UNIMPLEMENTED");
    // what is not gRPC still goes to the console as before
    AggregatedHttpResponse browser = WebClient.of(server.url()).get("/no.such.v1.Service/Method").aggregate().join();
    assertThat(browser.headers().get("grpc-status")).isNull();
    assertThat(WebClient.of(server.url()).get("/").aggregate().join().status().code()).isEqualTo(200);
  }

  @Test
  void writeRaw_keepsNormalizedAndExecutableInfo_inTheWriteRawDownload_andTheRawBytesAsSent() throws Exception {
    String token = server.mintToken("agent", "system:profile-writer", project);
    Profile parsed;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(pprof))) {
      parsed = Profile.parseFrom(in);
    }
    RawSample.Builder sample = RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof));
    for (int i = 0; i < parsed.getMappingCount(); i++) {
      sample.addExecutableInfo(ExecutableInfo.newBuilder().setElfType(i % 2 == 0 ? 2 : 3) // ET_EXEC / ET_DYN
          .setLoadSegment(LoadSegment.newBuilder().setOffset(0x1000L * i).setVaddr(0xffff_ffff_ffff_f000L - i)));
    }
    WriteRawRequest sent = WriteRawRequest.newBuilder().setNormalized(true).addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("parca_agent_cpu"))
            .addLabels(Label.newBuilder().setName("node").setValue("n1")))
        .addSamples(sample)).build();
    assertThat(parsed.getMappingCount()).isPositive();
    assertThat(call("Bearer " + token, project, sent).getCode()).isEqualTo(Status.Code.OK);

    String seriesId = series(project).get(0).get("id").asText();
    String profileId = owner.get("/v1/projects/" + project + "/profiles?seriesId=" + seriesId).body()
        .at("/profiles/0/id").asText();
    WebClient web = WebClient.builder(server.url()).addHeader("cookie", owner.cookie()).build();
    AggregatedHttpResponse raw = web.get("/v1/projects/" + project + "/profiles/" + profileId + "/raw")
        .aggregate().join();
    assertThat(raw.content().array()).isEqualTo(pprof);
    AggregatedHttpResponse replay = web.get("/v1/projects/" + project + "/profiles/" + profileId + "/writeraw")
        .aggregate().join();
    assertThat(replay.status().code()).isEqualTo(200);
    assertThat(replay.contentType().toString()).startsWith("application/x-protobuf");
    WriteRawRequest got = WriteRawRequest.parseFrom(replay.content().array());
    assertThat(got).isEqualTo(sent);

    // the download is a request Parca clients can send again as it is
    assertThat(call("Bearer " + token, project, got).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void v2RecordOnWrite_andV1RecordOnWriteArrow_areValidatedAndStored() throws Exception {
    String token = server.mintToken("agent", "system:profile-writer", project);
    var stub = ProfileStoreServiceGrpc.newStub(channel).withInterceptors(GrpcChannels.headers("Bearer " + token,
        project));
    List<WriteResponse> answers = new ArrayList<>();
    CompletableFuture<Status> ended = new CompletableFuture<>();
    StreamObserver<WriteRequest> requests = stub.write(new StreamObserver<>() {
      @Override
      public void onNext(WriteResponse value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        ended.complete(Status.OK);
      }
    });
    requests.onNext(WriteRequest.newBuilder().setRecord(ByteString.copyFrom(ArrowFixtures.v2(allocator))).build());
    // the server stores the v2 record and ends the call: it needs no locations for it
    assertThat(ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    requests.onCompleted();
    assertThat(answers).isEmpty();
    int afterWrite = series(project).size();
    assertThat(afterWrite).isPositive();

    ProfileStoreServiceGrpc.newBlockingStub(channel).withInterceptors(GrpcChannels.headers("Bearer " + token,
        project)).writeArrow(WriteArrowRequest.newBuilder()
        .setIpcBuffer(ByteString.copyFrom(ArrowFixtures.v1Samples(allocator))).build());
    JsonNode all = series(project);
    assertThat(all.size()).isGreaterThan(afterWrite);

    // both paths validate as usual: a broken record is INVALID_ARGUMENT on either
    Status broken;
    try {
      ProfileStoreServiceGrpc.newBlockingStub(channel).withInterceptors(GrpcChannels.headers("Bearer " + token,
          project)).writeArrow(WriteArrowRequest.newBuilder()
          .setIpcBuffer(ByteString.copyFrom(ArrowFixtures.v2(allocator, "v1", true))).build());
      broken = Status.OK;
    } catch (StatusRuntimeException e) {
      broken = e.getStatus();
    }
    assertThat(broken.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(broken.getDescription()).contains("parca_write_schema_version");
  }

  static dev.tollgate.proto.otlp.common.v1.KeyValue kv(String k, String v) {
    return dev.tollgate.proto.otlp.common.v1.KeyValue.newBuilder().setKey(k)
        .setValue(dev.tollgate.proto.otlp.common.v1.AnyValue.newBuilder().setStringValue(v)).build();
  }

  @Test
  void otlpLogsAndMetrics_asTheAgentExportsThem_areStoredPerProject_andShown() throws Exception {
    String token = server.mintToken("agent", "system:writer", project);
    long now = System.currentTimeMillis() * 1_000_000L;
    // parca-agent's log streamer: resource service.name/host.name, scope parca-agent, WARN record
    var logs = dev.tollgate.proto.otlp.collector.logs.v1.ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(dev.tollgate.proto.otlp.logs.v1.ResourceLogs.newBuilder()
            .setResource(dev.tollgate.proto.otlp.resource.v1.Resource.newBuilder()
                .addAttributes(kv("service.name", "parca-agent")).addAttributes(kv("host.name", "node-a")))
            .addScopeLogs(dev.tollgate.proto.otlp.logs.v1.ScopeLogs.newBuilder()
                .setScope(dev.tollgate.proto.otlp.common.v1.InstrumentationScope.newBuilder().setName("parca-agent"))
                .addLogRecords(dev.tollgate.proto.otlp.logs.v1.LogRecord.newBuilder().setTimeUnixNano(now)
                    .setObservedTimeUnixNano(now).setSeverityNumber(13).setSeverityText("WARN")
                    .setBody(dev.tollgate.proto.otlp.common.v1.AnyValue.newBuilder().setStringValue("java says hello"))
                    .addAttributes(kv("level", "WARN"))))).build();
    // parca-agent's metricexport: resource {node}, one scope per producer, gauge points
    var metrics = dev.tollgate.proto.otlp.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(dev.tollgate.proto.otlp.metrics.v1.ResourceMetrics.newBuilder()
            .setResource(dev.tollgate.proto.otlp.resource.v1.Resource.newBuilder().addAttributes(kv("node", "node-a")))
            .addScopeMetrics(dev.tollgate.proto.otlp.metrics.v1.ScopeMetrics.newBuilder()
                .setScope(dev.tollgate.proto.otlp.common.v1.InstrumentationScope.newBuilder().setName("gpumetrics"))
                .addMetrics(dev.tollgate.proto.otlp.metrics.v1.Metric.newBuilder().setName("gpu_utilization")
                    .setUnit("%").setGauge(dev.tollgate.proto.otlp.metrics.v1.Gauge.newBuilder()
                        .addDataPoints(dev.tollgate.proto.otlp.metrics.v1.NumberDataPoint.newBuilder()
                            .setTimeUnixNano(now).setAsDouble(87.5).addAttributes(kv("gpu", "0"))))))).build();
    var headers = GrpcChannels.headers("Bearer " + token, project);
    dev.tollgate.proto.otlp.collector.logs.v1.LogsServiceGrpc.newBlockingStub(channel).withInterceptors(headers)
        .withDeadlineAfter(30, TimeUnit.SECONDS).export(logs);
    dev.tollgate.proto.otlp.collector.metrics.v1.MetricsServiceGrpc.newBlockingStub(channel).withInterceptors(headers)
        .withDeadlineAfter(30, TimeUnit.SECONDS).export(metrics);
    assertThat(python(token, "otlp", project, "node-b")).contains("logs: OK").contains("metrics: OK");

    JsonNode shown = owner.get("/v1/projects/" + project + "/otlp/logs").body().get("logs");
    assertThat(shown).hasSize(2);
    assertThat(shown.toString()).contains("java says hello").contains("python says hello").contains("node-a")
        .contains("node-b");
    assertThat(shown.get(0).get("severityText").asText()).isEqualTo("WARN");
    // a time range that ends before the records holds none of them
    String before = java.time.Instant.ofEpochSecond(0, now).minusSeconds(3600).toString();
    assertThat(owner.get("/v1/projects/" + project + "/otlp/logs?to=" + before).body().get("logs")).isEmpty();

    JsonNode listed = owner.get("/v1/projects/" + project + "/otlp/metrics").body().get("metrics");
    assertThat(listed).hasSize(2).allSatisfy(m -> {
      assertThat(m.get("name").asText()).isEqualTo("gpu_utilization");
      assertThat(m.get("type").asText()).isEqualTo("gauge");
      assertThat(m.get("points").asLong()).isEqualTo(1);
    });
    assertThat(listed.get(0).get("node").asText()).isEqualTo("node-a");
    assertThat(listed.get(0).get("lastValue").asDouble()).isEqualTo(87.5);

    JsonNode nodes = owner.get("/v1/projects/" + project + "/ingest/stats").body().get("otlpNodes");
    assertThat(nodes).hasSize(2);
    assertThat(nodes.get(0).get("node").asText()).isEqualTo("node-a");
    assertThat(nodes.get(0).get("logRecords").asLong()).isEqualTo(1);
    assertThat(nodes.get(0).get("metricPoints").asLong()).isEqualTo(1);

    // same authentication and routing as profiles: a viewer may not write, another project sees nothing
    String viewer = server.mintToken("dashboard", "system:viewer", project);
    try {
      dev.tollgate.proto.otlp.collector.logs.v1.LogsServiceGrpc.newBlockingStub(channel)
          .withInterceptors(GrpcChannels.headers("Bearer " + viewer, project)).export(logs);
      throw new AssertionError("a viewer wrote logs");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(e.getStatus().getDescription()).contains("profile.write");
    }
    String other = owner.post("/v1/organizations/" + org + "/projects", json("name", "other")).body()
        .at("/project/id").asText();
    assertThat(owner.get("/v1/projects/" + other + "/otlp/logs").body().get("logs")).isEmpty();
  }
}
