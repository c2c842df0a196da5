package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.S3Server;
import dev.tollgate.testing.ServerProcess;
import dev.tollgate.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real server processes on one PostgreSQL and one S3 server, SIGKILLed during concurrent writes:
 * every acknowledged profile is then readable from another server, from object storage alone.
 */
class ObjectStoreDurabilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path s3Dir;
  static S3Server s3;
  @TempDir Path dir;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(s3Dir);
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @Test
  void sigkill_thenRestart_uploadsWhatItHadNot_andAnotherServerReadsEveryAcknowledgedProfile() throws Exception {
    String prefix = "durability-buffer";
    DatabaseUrl db = Backend.POSTGRESQL.newDatabaseUrl(dir);
    Path dataDir = dir.resolve("data-a");
    Run run = writeUntilKilled(db, dataDir, prefix, List.of());
    // The killed server's restart finds its unsent segments and uploads them.
    try (ServerProcess restarted = ServerProcess.start(dir, flags(db, dataDir, prefix, List.of()))) {
      awaitNoSegments(dataDir.resolve("profiles").resolve(run.project()));
      restarted.process().destroyForcibly();
      restarted.process().waitFor(30, TimeUnit.SECONDS);
    }
    assertEveryAcknowledgedIsReadable(db, prefix, run);
  }

  @Test
  void ackAfterUpload_sigkill_andTheDataDirectoryLost_everyAcknowledgedProfileIsReadableFromAnotherServer()
      throws Exception {
    String prefix = "durability-ack";
    DatabaseUrl db = Backend.POSTGRESQL.newDatabaseUrl(dir);
    Path dataDir = dir.resolve("data-a");
    Run run = writeUntilKilled(db, dataDir, prefix, List.of("--ack-after-upload"));
    deleteRecursively(dataDir); // the disk is gone with the server
    assertEveryAcknowledgedIsReadable(db, prefix, run);
  }

  private record Run(String project, String token, Map<String, byte[]> acknowledged) {}

  private Run writeUntilKilled(DatabaseUrl db, Path dataDir, String prefix, List<String> extra) throws Exception {
    List<byte[]> pprofs = new ArrayList<>();
    for (Path f : TestData.pprofFiles()) {
      pprofs.add(Files.readAllBytes(f));
    }
    Path tokenFile = dir.resolve("owner.token");
    List<String> args = new ArrayList<>(List.of(flags(db, dataDir, prefix, extra)));
    args.add("--bootstrap-token-file=" + tokenFile);
    ServerProcess first = ServerProcess.start(dir, args.toArray(String[]::new));
    String token = Files.readString(tokenFile).strip();
    Matcher m = Pattern.compile("project 'default'\\s+id (\\S+)").matcher(first.output());
    assertThat(m.find()).isTrue();
    String project = m.group(1);
    Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger seq = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      writers.execute(() -> {
        var stub = GrpcTestClients.stub(first.url(), token, project,
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
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // Past at least one seal (0.5 s), so some segments were uploaded and some were not yet.
    while ((acknowledged.size() < 100 || System.nanoTime() < deadline - TimeUnit.SECONDS.toNanos(58))
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    first.process().destroyForcibly();
    first.process().waitFor(30, TimeUnit.SECONDS);
    stop.set(true);
    writers.shutdown();
    assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(100);
    return new Run(project, token, acknowledged);
  }

  /** From a server with a new, empty data directory: every profile comes from object storage. */
  private void assertEveryAcknowledgedIsReadable(DatabaseUrl db, String prefix, Run run) throws Exception {
    try (ServerProcess other = ServerProcess.start(dir, flags(db, dir.resolve("data-b"), prefix, List.of()))) {
      WebClient web = WebClient.builder(other.url()).addHeader("authorization", "Bearer " + run.token()).build();
      JsonNode series = JSON.readTree(web.get("/v1/projects/" + run.project() + "/series").aggregate().join()
          .contentUtf8()).get("series");
      Map<String, String> seriesBySeq = new ConcurrentHashMap<>();
      for (JsonNode s : series) {
        seriesBySeq.put(s.get("labels").get("seq").asText(), s.get("id").asText());
      }
      assertThat(seriesBySeq.keySet()).containsAll(run.acknowledged().keySet());
      for (Map.Entry<String, byte[]> e : run.acknowledged().entrySet()) {
        JsonNode profile = JSON.readTree(web.get("/v1/projects/" + run.project() + "/profiles?seriesId="
            + seriesBySeq.get(e.getKey())).aggregate().join().contentUtf8()).get("profiles").get(0);
        var raw = web.get("/v1/projects/" + run.project() + "/profiles/" + profile.get("id").asText() + "/raw")
            .aggregate().join();
        assertThat(raw.status().code()).as("seq " + e.getKey() + ": " + raw.contentUtf8()).isEqualTo(200);
        assertThat(raw.content().array()).as("seq " + e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(other.terminate(java.time.Duration.ofSeconds(30))).isZero();
    }
  }

  private String[] flags(DatabaseUrl db, Path dataDir, String prefix, List<String> extra) throws Exception {
    Path secret = dir.resolve("s3.secret");
    Files.writeString(secret, S3Server.secretEnv());
    List<String> args = new ArrayList<>(List.of("--data-dir=" + dataDir, databaseFlag(db),
        "--object-store-secret-access-key-file=" + secret));
    args.addAll(s3.flags(prefix));
    args.addAll(extra);
    return args.toArray(String[]::new);
  }

  private static String databaseFlag(DatabaseUrl url) {
    String sep = url.jdbcUrl().contains("?") ? "&" : "?";
    return "--database-url=" + url.jdbcUrl() + sep + "user=" + url.user() + "&password=" + url.password();
  }

  private static void awaitNoSegments(Path dir) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try (Stream<Path> files = Files.list(dir)) {
        if (files.noneMatch(f -> f.toString().endsWith(".seg"))) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the restarted server did not upload its segments within 60 s");
  }

  private static void deleteRecursively(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
