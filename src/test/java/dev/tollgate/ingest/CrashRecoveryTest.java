package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.ServerProcess;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.tollgate.testing.TestData;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** SIGKILL during concurrent writes, garbage on a segment tail: every acknowledged write survives the restart. */
@ParameterizedClass
@EnumSource(Backend.class)
class CrashRecoveryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameter Backend backend;
  @TempDir Path dir;

  private static String databaseFlag(DatabaseUrl url) {
    if (url.user() == null) {
      return "--database-url=" + url.jdbcUrl();
    }
    String sep = url.jdbcUrl().contains("?") ? "&" : "?";
    return "--database-url=" + url.jdbcUrl() + sep + "user=" + url.user() + "&password=" + url.password();
  }

  @Test
  void sigkillDuringConcurrentWrites_garbageTail_everyAcknowledgedWriteIsReadable() throws Exception {
    DatabaseUrl url = backend.newDatabaseUrl(dir);
    Path dataDir = dir.resolve("data");
    Path tokenFile = dir.resolve("owner.token");
    List<byte[]> pprofs = new ArrayList<>();
    for (Path f : TestData.pprofFiles()) {
      pprofs.add(Files.readAllBytes(f));
    }
    // The real server, as users run it; its owner token may write profiles.
    ServerProcess first = ServerProcess.start(dir, "--data-dir=" + dataDir, databaseFlag(url),
        "--bootstrap-token-file=" + tokenFile);
    String token = Files.readString(tokenFile).strip();
    Matcher m = Pattern.compile("project 'default'\\s+id (\\S+)").matcher(first.output());
    assertThat(m.find()).isTrue();
    String project = m.group(1);
    Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger seq = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(8);
    String base = first.url();
    for (int t = 0; t < 8; t++) {
      writers.execute(() -> {
        var stub = GrpcTestClients.stub(base, token, project,
            ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
        while (!stop.get()) {
          int n = seq.incrementAndGet();
          byte[] data = pprofs.get(n % pprofs.size());
          try {
            stub.writeRaw(IngestEndToEndTest.writeRaw(Map.of("__name__", "crash", "seq", String.valueOf(n)), data));
            acknowledged.put(String.valueOf(n), data);
          } catch (RuntimeException e) {
            return; // the server died; this write was not acknowledged
          }
        }
      });
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acknowledged.size() < 150 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    first.process().destroyForcibly();
    first.process().waitFor(30, TimeUnit.SECONDS);
    stop.set(true);
    writers.shutdown();
    assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(150);

    Path segments = dataDir.resolve("profiles").resolve(project);
    Path last;
    try (Stream<Path> files = Files.list(segments)) {
      last = files.max(Comparator.comparing(Path::toString)).orElseThrow();
    }
    long before = Files.size(last);
    Files.write(last, "torn tail: not a frame at all".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

    try (ServerProcess second = ServerProcess.start(dir, "--data-dir=" + dataDir, databaseFlag(url))) {
      assertThat(second.output()).doesNotContain("First start");
      assertThat(Files.size(last)).isLessThanOrEqualTo(before);
      WebClient web = WebClient.builder(second.url()).addHeader("authorization", "Bearer " + token).build();
      JsonNode series = JSON.readTree(web.get("/v1/projects/" + project + "/series").aggregate().join().contentUtf8())
          .get("series");
      Map<String, String> seriesBySeq = new ConcurrentHashMap<>();
      for (JsonNode s : series) {
        seriesBySeq.put(s.get("labels").get("seq").asText(), s.get("id").asText());
      }
      assertThat(seriesBySeq.keySet()).containsAll(acknowledged.keySet());
      for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
        JsonNode profile = JSON.readTree(web.get("/v1/projects/" + project + "/profiles?seriesId="
            + seriesBySeq.get(e.getKey())).aggregate().join().contentUtf8()).get("profiles").get(0);
        AggregatedHttpResponse raw = web.get("/v1/projects/" + project + "/profiles/" + profile.get("id").asText()
            + "/raw").aggregate().join();
        assertThat(raw.content().array()).as("seq " + e.getKey()).isEqualTo(e.getValue());
      }
      // and it keeps accepting writes after recovery
      GrpcTestClients.stub(second.url(), token, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
          .writeRaw(IngestEndToEndTest.writeRaw(Map.of("__name__", "after"), pprofs.getFirst()));
      assertThat(second.terminate(java.time.Duration.ofSeconds(30))).isZero();
    }
  }
}
