package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate} as a process, the way scripts see it: {@link Main#main} turns the answer into
 * the process exit code. SQLite only - what is under test is the exit path, not storage, which
 * {@link ClientCommandsTest} covers on both databases.
 */
class CliProcessTest {
  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  Run tollgate(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.tollgate.cli.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_"));
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
  }

  @Test
  void exitCodes_reachTheShell() throws Exception {
    try (TestServer server = TestServer.start(Backend.SQLITE, dir)) {
      String token = server.mintToken("scripts", "system:viewer", null);
      Path tokenFile = Files.writeString(dir.resolve("token"), token);
      String[] common = {"--server", server.url(), "--token-file", tokenFile.toString()};

      Run yes = tollgate(concat(new String[] {"can-i", "project.list"}, common));
      assertThat(yes.exitCode()).as(yes.err()).isZero();
      assertThat(yes.out().strip()).isEqualTo("yes");

      Run no = tollgate(concat(new String[] {"can-i", "project.create"}, common));
      assertThat(no.exitCode()).as(no.err()).isEqualTo(1);
      assertThat(no.out().strip()).isEqualTo("no");

      Run denied = tollgate(concat(new String[] {"projects", "create", "x"}, common));
      assertThat(denied.exitCode()).isEqualTo(4);
      assertThat(denied.err()).startsWith("error: ").doesNotContain(token);

      assertThat(tollgate("tokens", "create").exitCode()).isEqualTo(2);
    }
  }

  static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
