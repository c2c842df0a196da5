package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.S3Server;
import dev.tollgate.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    Path tokenFile = dir.resolve("owner.token");
    List<String> args = new ArrayList<>(List.of(flags(db, dataDir, prefix, extra)));
    args.add("--bootstrap-token-file=" + tokenFile);
    ServerProcess first = ServerProcess.start(dir, args.toArray(String[]::new));
    String token = Files.readString(tokenFile).strip();
    String project = first.defaultProjectId();
    AcknowledgedWrites writes = AcknowledgedWrites.start(first.url(), token, project);
    // Past at least one seal (0.5 s), so some segments were uploaded and some were not yet.
    writes.await(100, Duration.ofSeconds(2), Duration.ofSeconds(60));
    first.kill();
    Map<String, byte[]> acknowledged = writes.stop();
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(100);
    return new Run(project, token, acknowledged);
  }

  /** From a server with a new, empty data directory: every profile comes from object storage. */
  private void assertEveryAcknowledgedIsReadable(DatabaseUrl db, String prefix, Run run) throws Exception {
    try (ServerProcess other = ServerProcess.start(dir, flags(db, dir.resolve("data-b"), prefix, List.of()))) {
      AcknowledgedWrites.assertEveryOneReadable(other.url(), run.token(), run.project(), run.acknowledged());
      assertThat(other.terminate(Duration.ofSeconds(30))).isZero();
    }
  }

  /** Every server on one database needs the same legacy key-encryption key. */
  private Path sharedKeyFile() throws Exception {
    Path f = dir.resolve("legacy-kek.b64");
    if (!Files.exists(f)) {
      Files.writeString(f, java.util.Base64.getEncoder().encodeToString(new byte[32]));
      Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    return f;
  }

  private String[] flags(DatabaseUrl db, Path dataDir, String prefix, List<String> extra) throws Exception {
    Path secret = dir.resolve("s3.secret");
    Files.writeString(secret, S3Server.secretEnv());
    List<String> args = new ArrayList<>(List.of("--data-dir=" + dataDir, ServerProcess.databaseFlag(db),
        "--object-store-secret-access-key-file=" + secret, "--legacy-key-encryption-key-file=" + sharedKeyFile()));
    args.addAll(s3.flags(prefix));
    args.addAll(extra);
    return args.toArray(String[]::new);
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
