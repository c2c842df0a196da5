package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StreamingRefusalsTest}'s refusals from Python's C-core gRPC stack (what Go and C agents
 * look like on the wire): every refused {@code Write} and {@code Upload} gets its real status,
 * never CANCELLED, while the client is still sending; a 70 MB message on WriteRaw and on Write is
 * RESOURCE_EXHAUSTED every time, although C-core is still sending it when the answer comes.
 */
class PythonStreamingRefusalsTest {
  static final int ROUNDS = 60;

  @TempDir static Path dir;
  static TestServer server;
  static String project;
  static String writer;
  static String profileWriter;
  static String viewer;
  static Path stubs;

  @BeforeAll
  static void start() throws Exception {
    stubs = dir.resolve("stubs");
    PythonStubs.generate(stubs);
    server = TestServer.start(Backend.SQLITE, dir);
    project = server.defaultProjectId();
    writer = server.mintToken("agent", "system:writer", project);
    profileWriter = server.mintToken("scraper", "system:profile-writer", project);
    viewer = server.mintToken("dashboard", "system:viewer", project);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void everyRefusedStreamingCall_getsItsRealStatus_neverCancelled() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3",
        TestData.basedir().resolve("src/test/python/streaming_refusals.py").toString(), stubs.toString(),
        "127.0.0.1:" + server.port(), project, Integer.toString(ROUNDS)).redirectErrorStream(true);
    pb.environment().put("WRITER", writer);
    pb.environment().put("PROFILE_WRITER", profileWriter);
    pb.environment().put("VIEWER", viewer);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).doesNotContain(writer).doesNotContain(viewer).doesNotContain(profileWriter)
        .contains("write-no-token: UNAUTHENTICATED=" + ROUNDS + "\n")
        .contains("write-bad-token: UNAUTHENTICATED=" + ROUNDS + "\n")
        .contains("write-viewer: PERMISSION_DENIED=" + ROUNDS + "\n")
        .contains("write-invalid-record: INVALID_ARGUMENT=" + ROUNDS + "\n")
        .contains("upload-no-token: UNAUTHENTICATED=" + ROUNDS + "\n")
        .contains("upload-profile-writer: PERMISSION_DENIED=" + ROUNDS + "\n")
        .contains("upload-chunk-first: INVALID_ARGUMENT=" + ROUNDS + "\n")
        .contains("writeraw-70mb: RESOURCE_EXHAUSTED=3\n")
        .contains("writeraw-70mb details: request message larger than the server's limit of 67108864 bytes\n")
        .contains("write-70mb: RESOURCE_EXHAUSTED=3\n")
        .contains("write-70mb details: request message larger than the server's limit of 67108864 bytes\n");
    assertThat(out).containsPattern("upload-unknown-id: (NOT_FOUND|FAILED_PRECONDITION|INVALID_ARGUMENT)=" + ROUNDS
        + "\n");
  }
}
