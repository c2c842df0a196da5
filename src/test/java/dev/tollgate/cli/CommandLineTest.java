package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command line does before, or without, a working server. */
class CommandLineTest {
  @TempDir Path dir;

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String[] with(String[] command, String... more) {
    return Stream.concat(Arrays.stream(command), Arrays.stream(more)).toArray(String[]::new);
  }

  @Test
  void everyClientCommandsHelp_listsTheExitCodes() {
    Cli cli = new Cli(Map.of());
    for (String[] cmd : new String[][] {
        {"projects", "list"}, {"serviceaccounts", "create"}, {"tokens", "create"}, {"rolebindings", "delete"},
        {"audit"}, {"can-i"}}) {
      var r = cli.run(with(cmd, "--help"));
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("Exit codes:", "3   authentication failed", "9   cannot reach the server");
    }
    assertThat(cli.run("can-i", "--help").out()).contains("1   no: the permission is not granted");
  }

  @Test
  void missingArguments_areUsageErrors() {
    Cli cli = new Cli(Map.of("TOLLGATE_TOKEN", "psc_v1_x"));
    assertThat(cli.run("tokens", "create", "--service-account", "sa").exitCode()).isEqualTo(2);
    assertThat(cli.run("tokens").exitCode()).isEqualTo(2);
    assertThat(cli.run("rolebindings", "create", "--role", "viewer").exitCode()).isEqualTo(2);
    assertThat(cli.run("projects", "list", "--output", "yaml").exitCode()).isEqualTo(2);
  }

  @Test
  void badExpiry_isAUsageError_namingTheAcceptedForms() {
    Cli cli = new Cli(Map.of("TOLLGATE_TOKEN", "psc_v1_x"));
    var r = cli.run("tokens", "create", "--service-account", "sa", "--name", "n", "--expires-in", "30x");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("30d");
    r = cli.run("tokens", "create", "--service-account", "sa", "--name", "n", "--expires-at", "tomorrow");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("RFC 3339");
    r = cli.run("tokens", "create", "--service-account", "sa", "--name", "n", "--expires-in", "1d",
        "--expires-at", "2030-01-01T00:00:00Z");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
  }

  @Test
  void noToken_isExit3() {
    var r = new Cli(Map.of()).run("projects", "list");
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.err()).startsWith("error: no token");
  }

  @Test
  void emptyOrMissingTokenFile_isExit3() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    assertThat(new Cli(Map.of()).run("projects", "list", "--token-file", empty.toString()).exitCode()).isEqualTo(3);
    assertThat(new Cli(Map.of()).run("projects", "list", "--token-file", dir.resolve("nope").toString()).exitCode())
        .isEqualTo(3);
  }

  @Test
  void unreachableServer_isExit9() throws Exception {
    var r = new Cli(Map.of("TOLLGATE_TOKEN", "psc_v1_x", "TOLLGATE_SERVER", "http://127.0.0.1:" + closedPort()))
        .run("projects", "list", "--org", "00000000-0000-0000-0000-000000000000");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(9);
    assertThat(r.err()).startsWith("error: cannot reach http://127.0.0.1:");
  }

  /** The commands that create a secret, each with its required arguments. */
  static final String[][] SECRET_CREATORS = {
      {"tokens", "create", "--service-account", "sa", "--name", "n"},
      {"legacy-tokens", "create", "--project", "00000000-0000-0000-0000-000000000000", "--name", "n"},
      {"migrate", "replace", "--project", "00000000-0000-0000-0000-000000000000", "legacy-id",
          "--service-account", "sa", "--role", "writer"}};

  @Test
  void existingOutputFile_isRefusedBeforeAnythingIsCreated() throws Exception {
    Path f = Files.writeString(dir.resolve("token"), "keep");
    Cli cli = new Cli(Map.of("TOLLGATE_TOKEN", "psc_v1_x", "TOLLGATE_SERVER", "http://127.0.0.1:" + closedPort()));
    for (String[] command : SECRET_CREATORS) {
      // The server is unreachable: exit 6, not 9, shows the file was checked before any request.
      var r = cli.run(with(command, "--output-file", f.toString()));
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
      assertThat(r.err()).isEqualTo("error: " + f + " already exists; pass --force to replace it"
          + System.lineSeparator());
      assertThat(Files.readString(f)).isEqualTo("keep");
      // With --force the file check passes, and the request is what fails.
      r = cli.run(with(command, "--output-file", f.toString(), "--force"));
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(9);
      assertThat(Files.readString(f)).isEqualTo("keep");
    }
  }

  @Test
  void everyCommandThatCreatesASecret_offersOutputFileAndForce() {
    Cli cli = new Cli(Map.of());
    for (String[] command : SECRET_CREATORS) {
      var r = cli.run(command[0], command[1], "--help");
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("[--force]", "[--output-file=FILE]",
          "--output-file=FILE   Write the token to this new file (mode 0600) instead",
          "--force              Replace --output-file if it exists.");
    }
  }

  @Test
  void roleShortNames_becomeSystemRoles_orCustomRolesOfTheOrg() {
    assertThat(RoleBindingsCommand.roleId("profile-writer", "o1")).isEqualTo("system:profile-writer");
    assertThat(RoleBindingsCommand.roleId("owner", "o1")).isEqualTo("system:owner");
    assertThat(RoleBindingsCommand.roleId("reader", "o1")).isEqualTo("o1:reader");
    assertThat(RoleBindingsCommand.roleId("system:viewer", "o1")).isEqualTo("system:viewer");
  }

  @Test
  void pushOfAMissingFile_saysNoSuchFile_andSendsNothing() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "psc_v1_x");
    // The server is not even reachable: the files are read before anything is sent.
    var r = new Cli(Map.of("TOLLGATE_SERVER", "http://127.0.0.1:" + closedPort())).run("push", "--token-file",
        token.toString(), "--project", "p", "cpu.pb.gz");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.SERVER_ERROR);
    assertThat(r.err().strip()).isEqualTo("error: no such file: cpu.pb.gz");
  }

  @Test
  void aMissingTokenFile_saysNoSuchFile() {
    var r = new Cli(Map.of()).run("projects", "list", "--token-file", dir.resolve("owner.token").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    assertThat(r.err().strip()).isEqualTo("error: --token-file: no such file: " + dir.resolve("owner.token"));
  }

  @Test
  void sampleProfile_writesAGzippedCpuProfile_andNeverOverwrites() throws Exception {
    Path file = dir.resolve("cpu.pb.gz");
    var r = new Cli(Map.of()).run("sample-profile", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("wrote " + file);
    byte[] raw;
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
      raw = in.readAllBytes();
    }
    var profile = dev.tollgate.proto.pprof.Profile.parseFrom(raw);
    assertThat(profile.getStringTable((int) profile.getSampleType(1).getType())).isEqualTo("cpu");
    assertThat(profile.getSampleCount()).isPositive();
    assertThat(profile.getTimeNanos()).isPositive();

    var again = new Cli(Map.of()).run("sample-profile", file.toString());
    assertThat(again.exitCode()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(again.err()).contains(file + " already exists");
  }

  @Test
  void exitCode8_meansTheSameInTheReadmeAndInHelp() throws Exception {
    String readme = Files.readString(Path.of("README.md")).replaceAll("\\s+", " ");
    assertThat(readme).contains("8 " + ExitCodes.SERVER_ERROR_MEANING + ",");
    String help = new Cli(Map.of()).run("tokens", "create", "--help").out().replaceAll("\\s+", " ");
    assertThat(help).contains("8 " + ExitCodes.SERVER_ERROR_MEANING);
  }
}
