package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Eight writers that send the test pprof files, each under its own {@code seq} label, until
 * stopped or the server dies, recording exactly the writes the server acknowledged; and the check
 * that every acknowledged write reads back byte for byte. The durability tests kill servers while
 * these run.
 */
final class AcknowledgedWrites {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final ExecutorService writers = Executors.newFixedThreadPool(8);

  private AcknowledgedWrites(String url, String token, String project) {
    List<byte[]> pprofs = pprofs();
    AtomicInteger seq = new AtomicInteger();
    for (int t = 0; t < 8; t++) {
      writers.execute(() -> {
        var stub = GrpcTestClients.stub(url, token, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
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
  }

  static AcknowledgedWrites start(String url, String token, String project) {
    return new AcknowledgedWrites(url, token, project);
  }

  /** The real pprof test files, in the order the writers cycle through them. */
  static List<byte[]> pprofs() {
    List<byte[]> pprofs = new ArrayList<>();
    try {
      for (Path f : TestData.pprofFiles()) {
        pprofs.add(Files.readAllBytes(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pprofs;
  }

  /** Waits until at least {@code count} writes are acknowledged and {@code atLeast} has passed, or {@code timeout}. */
  void await(int count, Duration atLeast, Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while ((acknowledged.size() < count || System.nanoTime() - start < atLeast.toNanos())
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Stops the writers (call once the server is dead) and returns what was acknowledged. */
  Map<String, byte[]> stop() throws InterruptedException {
    stop.set(true);
    writers.shutdown();
    assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    return new HashMap<>(acknowledged);
  }

  /** Every acknowledged write has its series on {@code url}, and its raw download is the bytes sent. */
  static void assertEveryOneReadable(String url, String token, String project, Map<String, byte[]> acknowledged)
      throws IOException {
    WebClient web = WebClient.builder(url).addHeader("authorization", "Bearer " + token).build();
    JsonNode series = JSON.readTree(web.get("/v1/projects/" + project + "/series").aggregate().join().contentUtf8())
        .get("series");
    Map<String, String> seriesBySeq = new HashMap<>();
    for (JsonNode s : series) {
      seriesBySeq.put(s.get("labels").get("seq").asText(), s.get("id").asText());
    }
    assertThat(seriesBySeq.keySet()).containsAll(acknowledged.keySet());
    for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
      JsonNode profile = JSON.readTree(web.get("/v1/projects/" + project + "/profiles?seriesId="
          + seriesBySeq.get(e.getKey())).aggregate().join().contentUtf8()).get("profiles").get(0);
      AggregatedHttpResponse raw = web.get("/v1/projects/" + project + "/profiles/" + profile.get("id").asText()
          + "/raw").aggregate().join();
      assertThat(raw.status().code()).as("seq " + e.getKey() + ": " + raw.contentUtf8()).isEqualTo(200);
      assertThat(raw.content().array()).as("seq " + e.getKey()).isEqualTo(e.getValue());
    }
  }
}
