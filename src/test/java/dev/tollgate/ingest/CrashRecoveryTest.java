package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
  @Parameter Backend backend;
  @TempDir Path dir;

  @Test
  void sigkillDuringConcurrentWrites_garbageTail_everyAcknowledgedWriteIsReadable() throws Exception {
    DatabaseUrl url = backend.newDatabaseUrl(dir);
    Path dataDir = dir.resolve("data");
    Path tokenFile = dir.resolve("owner.token");
    List<byte[]> pprofs = AcknowledgedWrites.pprofs();
    // The real server, as users run it; its owner token may write profiles.
    ServerProcess first = ServerProcess.start(dir, "--data-dir=" + dataDir, ServerProcess.databaseFlag(url),
        "--bootstrap-token-file=" + tokenFile);
    String token = Files.readString(tokenFile).strip();
    String project = first.defaultProjectId();
    AcknowledgedWrites writes = AcknowledgedWrites.start(first.url(), token, project);
    writes.await(150, Duration.ZERO, Duration.ofSeconds(30));
    first.kill();
    Map<String, byte[]> acknowledged = writes.stop();
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(150);

    Path segments = dataDir.resolve("profiles").resolve(project);
    Path last;
    try (Stream<Path> files = Files.list(segments)) {
      last = files.max(Comparator.comparing(Path::toString)).orElseThrow();
    }
    long before = Files.size(last);
    Files.write(last, "torn tail: not a frame at all".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

    try (ServerProcess second = ServerProcess.start(dir, "--data-dir=" + dataDir, ServerProcess.databaseFlag(url))) {
      assertThat(second.output()).doesNotContain("First start");
      assertThat(Files.size(last)).isLessThanOrEqualTo(before);
      AcknowledgedWrites.assertEveryOneReadable(second.url(), token, project, acknowledged);
      // and it keeps accepting writes after recovery
      GrpcTestClients.stub(second.url(), token, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
          .writeRaw(IngestEndToEndTest.writeRaw(Map.of("__name__", "after"), pprofs.getFirst()));
      assertThat(second.terminate(Duration.ofSeconds(30))).isZero();
    }
  }
}
