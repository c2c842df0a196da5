package dev.tollgate.query;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.query.v1alpha1.LabelsRequest;
import dev.tollgate.proto.parca.query.v1alpha1.MetricsSeries;
import dev.tollgate.proto.parca.query.v1alpha1.ProfileTypesRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRangeRequest;
import dev.tollgate.proto.parca.query.v1alpha1.QueryRequest.ReportType;
import dev.tollgate.proto.parca.query.v1alpha1.QueryServiceGrpc;
import dev.tollgate.proto.parca.query.v1alpha1.ValuesRequest;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.S3Server;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The one-server acceptance path, as a user walks it - the steps of IngestEndToEndTest,
 * QuickstartTest, QueryServiceTest and ObjectStoreClusterTest in one journey: log in, create a
 * project, service accounts, role bindings and tokens through REST; send every test pprof with
 * WriteRaw and the agent's Arrow scenario with WriteArrow over gRPC; read them back (series, each
 * profile's raw bytes, QueryService merges); see the ingest statistics; revoke the writer's token
 * and see it refused. Run, with the same assertions, against one server and against three servers
 * on one PostgreSQL and one S3 object store where every REST request and every gRPC call goes to
 * the next server in turn. What needs time across servers (statistics flushed every 10 s, a
 * revocation arriving through the change feed) is awaited with a deadline; the three servers'
 * answers must equal the one server's (compared when both run in one JVM, one server first).
 */
@ParameterizedClass
@EnumSource(RoundRobinAcceptanceTest.Target.class)
class RoundRobinAcceptanceTest {
  /** What the requests go to. */
  enum Target {
    ONE_SERVER(1), THREE_SERVERS_ROUND_ROBIN(3);

    final int servers;

    Target(int servers) {
      this.servers = servers;
    }
  }

  private static final String ARROW_CPU = "parca_agent:samples:count:cpu:nanoseconds:delta";
  /** The one server's answers, by step, for the three servers' run to equal. */
  private static final Map<String, Object> ONE_SERVER_ANSWERS = new ConcurrentHashMap<>();

  @RegisterExtension static final S3Server.PerClass S3 = new S3Server.PerClass();

  @Parameter Target target;
  @TempDir Path dir;

  private TestServer first;
  private final List<TollgateServer> others = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private List<String> urls;
  private Channel grpc;

  private final String prefix = "acceptance-" + UUID.randomUUID();

  @BeforeEach
  void start() throws Exception {
    first = TestServer.start(Backend.POSTGRESQL, dir, c -> c.withObjectStore(S3.server().settings(prefix)));
    for (int i = 1; i < target.servers; i++) {
      others.add(first.startSecondNode(dir.resolve("node-" + i)));
    }
    urls = servers().stream().map(TollgateServer::url).toList();
    for (TollgateServer s : servers()) {
      channels.add(GrpcChannels.plaintext(s.port()));
    }
    grpc = GrpcChannels.roundRobin(channels);
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      GrpcChannels.close(c);
    }
    for (TollgateServer s : others) {
      s.close();
    }
    first.close();
  }

  @Test
  void createSendReadBackSeeStatisticsRevoke() throws Exception {
    // Through REST, every request to the next server: a project, a writer and a reader with a token each.
    Api owner = Api.login(urls, TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    String org = ok(owner.get("/v1/organizations")).body().at("/organizations/0/id").asText();
    String project = ok(owner.post("/v1/organizations/" + org + "/projects", json("name", "acceptance"))).body()
        .at("/project/id").asText();
    Minted writer = mint(owner, org, project, "scraper", "system:profile-writer");
    Minted reader = mint(owner, org, project, "reader", "system:viewer");

    // Over gRPC, every call to the next server: each test pprof (WriteRaw), then the agent's Arrow (WriteArrow).
    var store = ProfileStoreServiceGrpc.newBlockingStub(grpc)
        .withInterceptors(GrpcChannels.headers("Bearer " + writer.token(), project));
    Instant start = Instant.now().minusSeconds(60);
    Map<String, byte[]> sent = new TreeMap<>();
    long bytes = 0;
    for (Path f : TestData.pprofFiles()) {
      String name = f.getFileName().toString().replace(".pb.gz", "").replace('-', '_');
      sent.put(name, Files.readAllBytes(f));
      WriteRawRequest req = Queries.writeRaw(Map.of("__name__", name, "job", "acceptance"), sent.get(name));
      bytes += req.getSerializedSize();
      store.withDeadlineAfter(30, TimeUnit.SECONDS).writeRaw(req);
    }
    try (RootAllocator allocator = new RootAllocator()) {
      WriteArrowRequest arrow = WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(
          AgentArrowFixtures.v2(allocator, AgentArrowFixtures.scenario(0x1234, "abcdef0123456789")))).build();
      bytes += arrow.getIpcBuffer().size(); // a WriteArrow counts its IPC bytes, a WriteRaw the whole request
      store.withDeadlineAfter(30, TimeUnit.SECONDS).writeArrow(arrow);
    }
    Instant end = Instant.now().plusSeconds(60);
    int calls = sent.size() + 1;

    // Read back through REST: the series, and each pprof's own bytes.
    Api viewer = Api.withToken(urls, reader.token());
    String base = "/v1/projects/" + project;
    JsonNode series = ok(viewer.get(base + "/series")).body().get("series");
    List<String> seriesView = new ArrayList<>();
    for (JsonNode s : series) {
      seriesView.add(s.get("labels") + " count=" + s.get("count") + " types=" + s.get("profileTypes"));
    }
    seriesView.sort(null);
    sameAsOneServer("series", seriesView);
    assertThat(series).filteredOn(s -> s.at("/labels/job").asText().equals("acceptance")).hasSize(sent.size())
        .allSatisfy(s -> assertThat(s.get("count").asLong()).isEqualTo(1));
    assertThat(series).filteredOn(s -> s.at("/labels/node").asText().equals("n1")).isNotEmpty();
    assertDownloads(viewer, base, series, sent);
    // Every server took its share of the calls, and each one's stored profiles are read through all.
    for (TollgateServer s : servers()) {
      assertThat(writeRawCalls(s, project)).as("WriteRaw calls served by " + s.url())
          .isBetween((long) sent.size() / target.servers, (long) sent.size() / target.servers + 1);
    }

    // Read back through QueryService: the Arrow CPU rows total 7; each sample type of fib its own total.
    var query = QueryServiceGrpc.newBlockingStub(grpc)
        .withInterceptors(GrpcChannels.headers("Bearer " + reader.token(), project));
    Map<String, Long> totals = new LinkedHashMap<>();
    totals.put(ARROW_CPU, query.query(Queries.merge(ARROW_CPU, start, end, ReportType.REPORT_TYPE_TOP)).getTotal());
    Profile fib = PprofBlobs.decode(sent.get("fib"));
    List<String> fibTypes = Queries.types("fib", fib);
    for (int i = 0; i < fibTypes.size(); i++) {
      String q = fibTypes.get(i) + "{job=\"acceptance\"}";
      totals.put(q, query.query(Queries.merge(q, start, end, ReportType.REPORT_TYPE_TOP)).getTotal());
      int index = i;
      assertThat(totals.get(q)).as(q).isEqualTo(fib.getSampleList().stream().mapToLong(x -> x.getValue(index)).sum());
    }
    assertThat(totals.get(ARROW_CPU)).isEqualTo(7);
    sameAsOneServer("query totals", totals);
    List<String> types = query.profileTypes(ProfileTypesRequest.getDefaultInstance()).getTypesList().stream()
        .map(t -> t.getName() + ":" + t.getSampleType() + ":" + t.getSampleUnit() + ":" + t.getPeriodType() + ":"
            + t.getPeriodUnit() + (t.getDelta() ? ":delta" : "")).sorted().toList();
    assertThat(types).contains(ARROW_CPU).containsAll(fibTypes);
    sameAsOneServer("profile types", types);
    List<String> labels = query.labels(LabelsRequest.getDefaultInstance()).getLabelNamesList();
    assertThat(labels).contains("job", "node", "comm");
    sameAsOneServer("label names", labels);
    assertThat(query.values(ValuesRequest.newBuilder().setLabelName("comm").build()).getLabelValuesList())
        .containsExactly("app", "db");
    List<MetricsSeries> range = query.queryRange(QueryRangeRequest.newBuilder().setQuery(ARROW_CPU)
        .setStart(Queries.ts(start)).setEnd(Queries.ts(end)).build()).getSeriesList();
    assertThat(range.stream().flatMap(r -> r.getSamplesList().stream()).mapToLong(x -> x.getValue()).sum())
        .isEqualTo(7);
    sameAsOneServer("query range", range.stream().map(r -> r.getLabelset() + " " + r.getSamplesList().stream()
        .map(x -> x.getValue()).toList()).sorted().toList());
    sameAsOneServer("flamegraph", query.query(Queries.merge(ARROW_CPU, start, end, ReportType.REPORT_TYPE_FLAMEGRAPH_TABLE))
        .getFlamegraph().toString());

    // The statistics, on whichever server answers, once every server's counts are flushed (every 10 s).
    JsonNode source = awaitValue(() -> {
      JsonNode stats = ok(viewer.get(base + "/ingest/stats")).body();
      return stats.path("sources").size() == 1 && stats.at("/sources/0/lastHour/calls").asLong() == calls
          ? stats.at("/sources/0") : null;
    }, "statistics counting " + calls + " calls");
    assertThat(source.get("sourceName").asText()).isEqualTo("serviceaccount:scraper / t"); // account / token name
    assertThat(source.at("/lastHour/bytes").asLong()).isEqualTo(bytes);
    assertThat(source.at("/last5m/calls").asLong()).isEqualTo(calls);
    assertThat(source.at("/lastHour/refusals").asLong()).isZero();
    sameAsOneServer("statistics", List.of(source.at("/lastHour/calls").asLong(), source.at("/lastHour/bytes").asLong(),
        source.get("totalProfiles").asLong()));

    // Once every server's sealed segments are in the object store (their local files go then),
    // the same bytes are read from the objects.
    awaitValue(() -> S3.server().keys().stream().anyMatch(k -> k.startsWith(prefix + "/profiles/" + project + "/"))
        && dataDirs().stream().allMatch(d -> segmentFiles(d.resolve("profiles").resolve(project)) == 0)
        ? true : null, "every segment uploaded to the object store");
    assertDownloads(viewer, base, series, sent);

    // Revoked through REST: refused by every server once the change reached it.
    ok(owner.delete("/v1/organizations/" + org + "/serviceaccounts/" + writer.serviceAccountId() + "/tokens/"
        + writer.tokenId()));
    WriteRawRequest more = Queries.writeRaw(Map.of("__name__", "after_revocation", "job", "acceptance"), sent.get("fib"));
    awaitValue(() -> {
      for (int i = 0; i < urls.size(); i++) { // one round: each server once
        try {
          store.withDeadlineAfter(30, TimeUnit.SECONDS).writeRaw(more);
          return null;
        } catch (StatusRuntimeException e) {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        }
      }
      return true;
    }, "every server refusing the revoked token");
    // A call a server accepted before the revocation reached it may have added the one series.
    assertThat(ok(viewer.get(base + "/series")).body().get("series").size()).isBetween(series.size(), series.size() + 1);
  }

  /** Each pprof series holds one profile, whose raw download is the bytes sent. */
  private static void assertDownloads(Api viewer, String base, JsonNode series, Map<String, byte[]> sent) {
    for (JsonNode s : series) {
      String name = s.at("/labels/__name__").asText();
      if (!sent.containsKey(name)) {
        continue;
      }
      JsonNode profiles = ok(viewer.get(base + "/profiles?seriesId=" + s.get("id").asText())).body().get("profiles");
      assertThat(profiles).as(name).hasSize(1);
      Api.Bytes raw = viewer.getBytes(base + "/profiles/" + profiles.get(0).get("id").asText() + "/raw");
      assertThat(raw.status()).as("raw " + name).isEqualTo(200);
      assertThat(raw.body()).as("raw " + name).isEqualTo(sent.get(name));
    }
  }

  /** The WriteRaw calls a server answered OK for the project, from its metrics. */
  private static long writeRawCalls(TollgateServer s, String project) {
    Matcher m = Pattern.compile("tollgate_ingest_calls_total\\{code=\"OK\",method=\"WriteRaw\",project=\""
        + project + "\"\\} ([0-9.]+)").matcher(s.components().metrics().scrape());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  private List<TollgateServer> servers() {
    List<TollgateServer> all = new ArrayList<>(List.of(first.server()));
    all.addAll(others);
    return all;
  }

  private List<Path> dataDirs() {
    List<Path> all = new ArrayList<>(List.of(first.config().dataDir()));
    for (int i = 1; i < target.servers; i++) {
      all.add(dir.resolve("node-" + i));
    }
    return all;
  }

  /** The segment files in a project's local directory (none once uploaded, or if it was never made). */
  private static long segmentFiles(Path projectDir) {
    if (!Files.isDirectory(projectDir)) {
      return 0;
    }
    try (var files = Files.list(projectDir)) {
      return files.filter(f -> f.toString().endsWith(".seg")).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  record Minted(String serviceAccountId, String tokenId, String token) {}

  /** A service account bound to {@code role} in the project, and a token for it. */
  private static Minted mint(Api owner, String org, String project, String name, String role) {
    String accounts = "/v1/organizations/" + org + "/serviceaccounts";
    String id = ok(owner.post(accounts, json("name", name))).body().at("/serviceAccount/id").asText();
    ok(owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "serviceaccount:" + name, "role", role, "projectId", project)));
    JsonNode t = ok(owner.post(accounts + "/" + id + "/tokens", json("name", "t"))).body().get("token");
    return new Minted(id, t.get("id").asText(), t.get("token").asText());
  }

  private static Api.Response ok(Api.Response r) {
    assertThat(r.status()).as(r.body().toString()).isBetween(200, 299);
    return r;
  }

  /** Records the one server's answer; the three servers' must equal it. */
  private void sameAsOneServer(String what, Object answer) {
    if (target == Target.ONE_SERVER) {
      ONE_SERVER_ANSWERS.put(what, answer);
    } else if (ONE_SERVER_ANSWERS.containsKey(what)) {
      assertThat(answer).as(what + " through " + target.servers + " servers").isEqualTo(ONE_SERVER_ANSWERS.get(what));
    }
  }

  /** Polls until {@code value} is non-null, for at most 60 s (the statistics flush every 10 s). */
  private static <T> T awaitValue(Supplier<T> value, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
