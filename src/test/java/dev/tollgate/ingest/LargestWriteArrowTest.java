package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import dev.tollgate.ingest.AgentArrowFixtures.Fn;
import dev.tollgate.ingest.AgentArrowFixtures.Loc;
import dev.tollgate.ingest.AgentArrowFixtures.Row;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.ServerProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's largest WriteArrow - about 32 MiB compressed, a few hundred MB once LZ4 is undone -
 * against the real server in its own JVM, sized as the README's {@code ./tollgate server} is on a
 * 2-core, 4 GiB machine: {@code -XX:MaxRAM=4g}, so the JVM's default heap is what it would be there
 * (a quarter: 1 GiB), and {@code --decode-memory} 1 GiB (what such a machine gets by default).
 * Three agents send it at once and retry RESOURCE_EXHAUSTED and UNAVAILABLE as the agent does
 * (backoff, 10 tries): every call is accepted in the end, stored exactly once, byte for byte, and
 * the server neither runs out of memory nor stops. The peak RSS is printed (docs/ingestion.md).
 */
class LargestWriteArrowTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int AGENTS = 3;
  static final int THREADS = 100;
  static final int SAMPLES_PER_THREAD = 1000;
  static final int LEAF_FRAMES = 8;
  static final int SHARED_FRAMES = 120;
  static final int LOCATIONS = 100_000;

  static byte[] payload;
  /** The buffers' bytes before compression: what the server decodes. */
  static long decodedBytes;

  @TempDir Path dir;

  @BeforeAll
  static void buildPayload() {
    try (RootAllocator allocator = new RootAllocator()) {
      FastLz4FrameCodec codec = new FastLz4FrameCodec();
      payload = AgentArrowFixtures.v2Batches(allocator, List.of(largest()), codec);
      decodedBytes = codec.uncompressedBytes();
    }
  }

  /**
   * {@link #THREADS} label sets of {@link #SAMPLES_PER_THREAD} CPU rows, each row a distinct stack
   * of {@link #LEAF_FRAMES} leaf frames drawn from {@link #LOCATIONS} symbolized locations on top of
   * one of 40 shared chains of {@link #SHARED_FRAMES} frames (the runtime, framework and main frames
   * real stacks share), every function named as C++ templates are (about 1.5 KB, alike): 12.8 M
   * stack entries and 150 MB of names, inside the default count limits (20 M values), about 30 MiB
   * once compressed and some 200 MB decoded.
   */
  static List<Row> largest() {
    Random random = new Random(7);
    String[] parts = {"std::__1::basic_string<char, std::__1::char_traits<char>, std::__1::allocator<char> >",
        "boost::asio::detail::executor_function<boost::asio::detail::binder2<", "absl::flat_hash_map<",
        "google::protobuf::internal::MapEntryImpl<", "folly::Future<folly::Unit>::thenValue<"};
    List<Loc> pool = new ArrayList<>(LOCATIONS);
    StringBuilder name = new StringBuilder(1600);
    for (int i = 0; i < LOCATIONS; i++) {
      name.setLength(0);
      while (name.length() < 1500) {
        name.append(parts[random.nextInt(parts.length)]).append(random.nextInt(100)).append(", ");
      }
      name.append(">::operator()_").append(i);
      pool.add(new Loc(0x400000L + 0x40L * i, "native", "/usr/lib/libapp.so", "feedface" + i % 7, List.of(
          new Fn(name.toString(), "src/file_" + i % 97 + ".cc", i, i + 3))));
    }
    List<List<Loc>> chains = new ArrayList<>();
    for (int c = 0; c < 40; c++) {
      List<Loc> chain = new ArrayList<>(SHARED_FRAMES);
      for (int d = 0; d < SHARED_FRAMES; d++) {
        chain.add(pool.get(random.nextInt(pool.size())));
      }
      chains.add(chain);
    }
    List<Row> rows = new ArrayList<>(THREADS * SAMPLES_PER_THREAD);
    for (int t = 0; t < THREADS; t++) {
      Map<String, String> labels = Map.of("node", "big-node", "comm", "app", "thread_id", String.valueOf(t));
      for (int s = 0; s < SAMPLES_PER_THREAD; s++) {
        List<Loc> stack = new ArrayList<>(LEAF_FRAMES + SHARED_FRAMES);
        for (int d = 0; d < LEAF_FRAMES; d++) {
          stack.add(pool.get(random.nextInt(pool.size())));
        }
        stack.addAll(chains.get(random.nextInt(chains.size())));
        rows.add(Row.cpu(labels, stack, 1, AgentArrowFixtures.T0 + (long) t * SAMPLES_PER_THREAD + s));
      }
    }
    return rows;
  }

  @Test
  void threeAgentsSendTheLargestCallAtOnce_eachIsAcceptedInTheEnd_withA4GiBMachinesMemory() throws Exception {
    assertThat(payload.length).as("compressed size").isBetween(24 << 20, 40 << 20);
    assertThat(decodedBytes).as("decoded size").isBetween(150L << 20, 400L << 20);
    Path tokenFile = dir.resolve("owner.token");
    // ExitOnOutOfMemoryError: running out of heap ends the process, which the test sees
    try (ServerProcess server = ServerProcess.startWithJvmOptions(dir,
        List.of("-XX:MaxRAM=4g", "-XX:+ExitOnOutOfMemoryError"),
        "--data-dir=" + dir.resolve("data"), ServerProcess.databaseFlag(Backend.SQLITE.newDatabaseUrl(dir)),
        "--bootstrap-token-file=" + tokenFile, "--decode-memory=" + (1L << 30),
        // the three agents send one payload, built once: as three calls, not retries, they are three profiles
        "--retry-window=PT0S")) {
      String token = Files.readString(tokenFile).strip();
      String project = server.defaultProjectId();
      ProfileStoreServiceBlockingStub stub = GrpcTestClients.stub(server.url(), token, project,
          ProfileStoreServiceBlockingStub.class);
      WriteArrowRequest request = WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(payload)).build();

      List<Status> refusals = new CopyOnWriteArrayList<>();
      ExecutorService agents = Executors.newFixedThreadPool(AGENTS);
      List<Future<Integer>> sent = new ArrayList<>();
      for (int i = 0; i < AGENTS; i++) {
        sent.add(agents.submit(() -> sendAsTheAgentDoes(stub, request, refusals)));
      }
      List<Integer> tries = new ArrayList<>();
      for (Future<Integer> f : sent) {
        try {
          tries.add(f.get(10, TimeUnit.MINUTES));
        } catch (java.util.concurrent.ExecutionException e) {
          String out = server.output();
          throw new AssertionError("an agent's call failed; server alive: " + server.process().isAlive()
              + ", its output ends:\n" + out.substring(Math.max(0, out.length() - 4000)), e.getCause());
        }
      }
      agents.shutdown();
      long peakRssKiB = peakRssKiB(server.process().pid());
      System.out.printf("largest WriteArrow: %d bytes compressed, %d decoded, %d agents at once, tries %s, retryable"
          + " refusals %s, server peak RSS %d MiB%n", payload.length, decodedBytes, AGENTS, tries, refusals,
          peakRssKiB >> 10);

      assertThat(refusals).allSatisfy(s -> assertThat(s.getCode()).as(s.toString())
          .isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAVAILABLE));
      assertThat(server.process().isAlive()).as(server.output()).isTrue();
      assertThat(server.output()).doesNotContain("OutOfMemoryError");

      WebClient web = WebClient.builder(server.url()).addHeader("authorization", "Bearer " + token)
          .maxResponseLength(0).build();
      JsonNode stats = JSON.readTree(web.get("/v1/projects/" + project + "/ingest/stats").aggregate().join()
          .contentUtf8());
      assertThat(stats.get("sources").get(0).get("totalBytes").asLong())
          .as("each call stored once").isEqualTo((long) AGENTS * payload.length);
      JsonNode series = JSON.readTree(web.get("/v1/projects/" + project + "/series").aggregate().join()
          .contentUtf8()).get("series");
      assertThat(series).hasSize(THREADS);
      JsonNode profiles = JSON.readTree(web.get("/v1/projects/" + project + "/profiles?seriesId="
          + series.get(0).get("id").asText()).aggregate().join().contentUtf8()).get("profiles");
      assertThat(profiles).hasSize(AGENTS);
      byte[] raw = web.get("/v1/projects/" + project + "/profiles/" + profiles.get(0).get("id").asText() + "/raw")
          .aggregate().join().content().array();
      assertThat(raw).isEqualTo(payload);
    }
  }

  /** One agent's send: RESOURCE_EXHAUSTED and UNAVAILABLE retried with backoff, 10 tries; the tries it took. */
  private static int sendAsTheAgentDoes(ProfileStoreServiceBlockingStub stub, WriteArrowRequest request,
      List<Status> refusals) throws InterruptedException {
    long backoffMillis = 500;
    for (int attempt = 1; ; attempt++) {
      try {
        stub.withDeadlineAfter(2, TimeUnit.MINUTES).writeArrow(request);
        return attempt;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        refusals.add(e.getStatus());
        if (attempt == 10 || (code != Status.Code.RESOURCE_EXHAUSTED && code != Status.Code.UNAVAILABLE)) {
          throw new AssertionError("the agent would drop this batch after try " + attempt + ": " + e.getStatus(), e);
        }
      }
      Thread.sleep(backoffMillis);
      backoffMillis = Math.min(backoffMillis * 2, 8_000);
    }
  }

  /** VmHWM of the process: the most resident memory it has had, in KiB. */
  static long peakRssKiB(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmHWM in /proc/" + pid + "/status");
  }
}
