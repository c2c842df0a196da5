package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.WebClient;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.ServerProcess;
import dev.tollgate.testing.TestData;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The attack report's object bomb ({@code gzip(b'\x12\x00' * 134217728)}: 261 KB on the wire,
 * 134 M empty samples) against the real server in its own JVM with a 256 MiB heap, where building
 * those samples cannot fit: each of 20 sends is INVALID_ARGUMENT, a normal writer alongside is
 * served throughout, and the server neither runs out of heap nor stops.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class ObjectBombTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameter Backend backend;
  @TempDir Path dir;

  @Test
  void bomb_isInvalidArgument_twentyTimes_inA256MiBHeap_whileANormalWriterIsServed() throws Exception {
    ByteString bomb = ProfileBombs.attackReportBomb();
    byte[] normal = Files.readAllBytes(TestData.pprofFiles().getFirst());
    Path tokenFile = dir.resolve("owner.token");
    // ExitOnOutOfMemoryError: a heap that did not stay flat ends the process, which the test sees
    try (ServerProcess server = ServerProcess.startWithJvmOptions(dir,
        List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
        "--data-dir=" + dir.resolve("data"), ServerProcess.databaseFlag(backend.newDatabaseUrl(dir)),
        "--bootstrap-token-file=" + tokenFile)) {
      String token = Files.readString(tokenFile).strip();
      String project = server.defaultProjectId();
      ProfileStoreServiceBlockingStub stub = GrpcTestClients.stub(server.url(), token, project,
          ProfileStoreServiceBlockingStub.class);

      AtomicBoolean bombing = new AtomicBoolean(true);
      AtomicInteger normalWrites = new AtomicInteger();
      List<Throwable> normalFailures = new CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(3);
      Future<?> writer = pool.submit(() -> {
        while (bombing.get() || normalWrites.get() < 5) {
          try {
            stub.withDeadlineAfter(60, TimeUnit.SECONDS).writeRaw(IngestEndToEndTest.writeRaw(
                Map.of("__name__", "normal", "n", String.valueOf(normalWrites.get())), normal));
            normalWrites.incrementAndGet();
          } catch (RuntimeException e) {
            normalFailures.add(e);
            return;
          }
        }
      });
      List<Status> answers = new CopyOnWriteArrayList<>();
      List<Future<?>> bombers = List.of(pool.submit(() -> bomb(stub, bomb, 10, answers)),
          pool.submit(() -> bomb(stub, bomb, 10, answers)));
      for (Future<?> f : bombers) {
        f.get(5, TimeUnit.MINUTES);
      }
      bombing.set(false);
      writer.get(2, TimeUnit.MINUTES);
      pool.shutdown();

      assertThat(answers).hasSize(20).allSatisfy(s -> {
        assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(s.getDescription()).isEqualTo("series 0 sample 0: raw_profile has more than 1000000 samples,"
            + " the most this server accepts in one profile (--max-profile-samples)");
      });
      assertThat(normalFailures).isEmpty();
      assertThat(normalWrites.get()).isGreaterThanOrEqualTo(5);
      assertThat(server.process().isAlive()).as(server.output()).isTrue();
      assertThat(server.output()).doesNotContain("OutOfMemoryError");
      // the normal writes are stored, the bombs are not
      WebClient web = WebClient.builder(server.url()).addHeader("authorization", "Bearer " + token).build();
      JsonNode series = JSON.readTree(web.get("/v1/projects/" + project + "/series").aggregate().join().contentUtf8());
      assertThat(series.toString()).contains("normal").doesNotContain("bomb");
    }
  }

  private static void bomb(ProfileStoreServiceBlockingStub stub, ByteString bomb, int times, List<Status> answers) {
    for (int i = 0; i < times; i++) {
      try {
        stub.withDeadlineAfter(60, TimeUnit.SECONDS).writeRaw(IngestEndToEndTest.writeRaw(
            Map.of("__name__", "bomb"), bomb.toByteArray()));
        answers.add(Status.OK);
      } catch (StatusRuntimeException e) {
        answers.add(e.getStatus());
      }
    }
  }
}
