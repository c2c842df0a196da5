package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quickstart, in the README's order: its {@code ./tollgate} lines are read from
 * README.md and run as a user runs them - the server and every CLI command as processes in one
 * working directory, so relative paths ({@code ./owner.token}, {@code cpu.pb.gz}) mean what they
 * mean in a shell. Then the checks a user would make: the scraper's profile arrived, attributed
 * to its account, and deleting its token refuses the next push.
 */
class QuickstartTest {
  @TempDir Path dir;

  /** The {@code ./tollgate} lines of the README's quickstart code blocks, in order. */
  static List<String> readmeQuickstartCommands() throws Exception {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("## Quickstart");
    String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
    List<String> commands = new ArrayList<>();
    boolean inCode = false;
    for (String line : section.lines().toList()) {
      String t = line.strip();
      if (t.startsWith("```")) {
        inCode = !inCode;
      } else if (inCode && t.startsWith("./tollgate ")) {
        commands.add(t.replaceAll("\\s+#.*$", ""));
      }
    }
    return commands;
  }

  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** One README line as a process in {@link #dir}, with {@code $P} and the exported environment. */
  Run shell(String line, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The JVM flags ./tollgate passes.
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.tollgate.cli.Main");
    for (String word : line.substring("./tollgate ".length()).split("\\s+")) {
      cmd.add(word.replace("$P", env.get("P")));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve(".out").toFile()).redirectError(dir.resolve(".err").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("TOLLGATE_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(line).isTrue();
    return new Run(p.exitValue(), Files.readString(dir.resolve(".out")), Files.readString(dir.resolve(".err")));
  }

  @Test
  void theReadmesQuickstart_inItsOrder_takesAScraperFromZeroToProfilesArriving() throws Exception {
    List<String> readme = readmeQuickstartCommands();
    assertThat(readme).containsExactly(
        "./tollgate server --bootstrap-token-file=./owner.token",
        "./tollgate serviceaccounts create production-scraper",
        "./tollgate rolebindings create --subject serviceaccount:production-scraper --role profile-writer --project $P",
        "./tollgate tokens create --service-account production-scraper --name k8s --project $P --output-file ./scraper.token",
        "./tollgate sample-profile cpu.pb.gz",
        "./tollgate push --token-file ./scraper.token --project $P --label job=demo cpu.pb.gz",
        "./tollgate stats --project $P");

    // Step 1: the server, with the flags of the README's line (and a free port instead of 7070).
    String[] serverFlags = readme.get(0).substring("./tollgate server ".length()).split("\\s+");
    try (ServerProcess server = ServerProcess.start(dir, serverFlags)) {
      Path ownerToken = dir.resolve("owner.token");
      assertThat(server.output()).contains("owner token for the CLI  written to " + ownerToken.toRealPath());
      assertThat(ownerToken).exists();
      Matcher m = Pattern.compile("project 'default'\\s+id (\\S+)").matcher(server.output());
      assertThat(m.find()).isTrue();
      // Step 2's export and P=.
      Map<String, String> env = new HashMap<>(Map.of("TOLLGATE_SERVER", server.url(),
          "TOLLGATE_TOKEN", Files.readString(ownerToken).strip(), "P", m.group(1)));
      String project = m.group(1);

      Map<String, Run> runs = new java.util.LinkedHashMap<>();
      for (String line : readme.subList(1, readme.size())) {
        Run r = shell(line, env);
        assertThat(r.exitCode()).as(line + "\n" + r).isZero();
        // The CLI prints its answer, not the HTTP library's log lines.
        assertThat(r.err()).as(line).isEmpty();
        runs.put(line.split(" ")[1], r);
      }
      assertThat(dir.resolve("scraper.token")).exists();
      assertThat(runs.get("push").out()).startsWith("sent cpu.pb.gz (");

      // The owner sees the profile arrive, attributed to the account: one call of one series.
      String stats = runs.get("stats").out();
      assertThat(stats).contains("serviceaccount:production-scraper / k8s", "SERIES 5M", "REFUSALS 1H",
          "(no profile with a `node` label yet)");
      String sourceLine = stats.lines().filter(l -> l.startsWith("serviceaccount:production-scraper"))
          .findFirst().orElseThrow();
      // calls, bytes, series, refusals for 5 minutes, then for the hour.
      List<String> counts = List.of(sourceLine.trim().split("\\s{2,}"));
      assertThat(counts.subList(2, 10)).as(sourceLine)
          .containsExactly("1", counts.get(3), "1", "0", "1", counts.get(3), "1", "0");
      assertThat(Long.parseLong(counts.get(3))).isGreaterThan(Files.size(dir.resolve("cpu.pb.gz")));

      // The scraper's role cannot read.
      Cli scraper = new Cli(Map.of("TOLLGATE_SERVER", server.url()));
      Path scraperToken = dir.resolve("scraper.token");
      assertThat(scraper.run("stats", "--token-file", scraperToken.toString(), "--project", project).exitCode())
          .isEqualTo(ExitCodes.PERMISSION_DENIED);

      // Revoking, as the README's last sentence says: delete the token, the next push is refused.
      Cli owner = new Cli(env);
      var tokens = owner.run("tokens", "list", "--service-account", "production-scraper", "-o", "json");
      String tokenId = ClientCommandsTest.parse(tokens.out()).get(0).get("id").asText();
      assertThat(owner.run("tokens", "delete", "--service-account", "production-scraper", tokenId).exitCode()).isZero();
      assertThat(scraper.run("push", "--token-file", scraperToken.toString(), "--project", project,
          dir.resolve("cpu.pb.gz").toString()).exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
      assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void bootstrapTokenFile_onALaterStart_isIgnoredOutLoud_withHowToGetAToken() throws Exception {
    // First start without the flag (the order the README used to lead into).
    try (ServerProcess first = ServerProcess.start(dir)) {
      assertThat(first.output()).contains("No CLI token was written (no --bootstrap-token-file on this first start)",
          "create one under Service accounts");
      assertThat(first.terminate(Duration.ofSeconds(30))).isZero();
    }
    try (ServerProcess second = ServerProcess.start(dir, "--bootstrap-token-file=./owner.token")) {
      assertThat(second.output()).contains("--bootstrap-token-file ignored: this is not the first start",
          "no token was written to " + dir.toRealPath().resolve("owner.token"),
          "To get a token for the CLI: log in to the console at " + second.url() + "/",
          "Lost the owner's password? On this machine: tollgate reset-password --email <owner email>");
      assertThat(dir.resolve("owner.token")).doesNotExist();
      assertThat(second.terminate(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void bootstrapTokenFile_thatAlreadyExists_isNeverOverwritten_andTheServerSaysSo() throws Exception {
    Path file = Files.writeString(dir.resolve("owner.token"), "mine");
    try (ServerProcess server = ServerProcess.start(dir, "--bootstrap-token-file=" + file)) {
      assertThat(server.output()).contains("--bootstrap-token-file ignored: " + file.toRealPath()
          + " already exists and is never overwritten");
      assertThat(Files.readString(file)).isEqualTo("mine");
      assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
    }
  }
}
