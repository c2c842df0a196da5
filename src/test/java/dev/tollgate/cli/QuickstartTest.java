package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.ServerProcess;
import dev.tollgate.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quickstart, step by step: a server process, the CLI with the bootstrap owner
 * token, a scraper-style client sending a real profile with a service-account token, and the
 * statistics showing it.
 */
class QuickstartTest {
  @TempDir Path dir;

  @Test
  void fromZeroToAScraperSendingARealProfile() throws Exception {
    Path ownerToken = dir.resolve("owner.token");
    try (ServerProcess server = ServerProcess.start(dir, "--data-dir=" + dir.resolve("data"),
        "--bootstrap-token-file=" + ownerToken)) {
      Matcher m = Pattern.compile("project 'default'\\s+id (\\S+)").matcher(server.output());
      assertThat(m.find()).isTrue();
      String project = m.group(1);
      Cli owner = new Cli(Map.of("TOLLGATE_SERVER", server.url(), "TOLLGATE_TOKEN", Files.readString(ownerToken).strip()));

      assertThat(owner.run("serviceaccounts", "create", "production-scraper").exitCode()).isZero();
      assertThat(owner.run("rolebindings", "create", "--subject", "serviceaccount:production-scraper",
          "--role", "profile-writer", "--project", project).exitCode()).isZero();
      Path scraperToken = dir.resolve("scraper.token");
      var created = owner.run("tokens", "create", "--service-account", "production-scraper", "--name", "k8s",
          "--project", project, "--output-file", scraperToken.toString());
      assertThat(created.exitCode()).as(created.toString()).isZero();

      Path profile = TestData.pprofFiles().stream()
          .filter(p -> p.getFileName().toString().equals("profile1.pb.gz")).findFirst().orElseThrow();
      Cli scraper = new Cli(Map.of("TOLLGATE_SERVER", server.url()));
      var push = scraper.run("push", "--token-file", scraperToken.toString(), "--project", project,
          "--label", "job=quickstart", profile.toString());
      assertThat(push.exitCode()).as(push.toString()).isZero();
      // The scraper's role cannot read; the owner sees the profile arrive, attributed to the account.
      assertThat(scraper.run("stats", "--token-file", scraperToken.toString(), "--project", project).exitCode())
          .isEqualTo(ExitCodes.PERMISSION_DENIED);
      var stats = owner.run("stats", "--project", project);
      assertThat(stats.exitCode()).as(stats.toString()).isZero();
      assertThat(stats.out()).contains("serviceaccount:production-scraper / k8s", "SERIES 5M", "REFUSALS 1H",
          "(no profile with a `node` label yet)");
      String sourceLine = stats.out().lines().filter(l -> l.startsWith("serviceaccount:production-scraper"))
          .findFirst().orElseThrow();
      // calls, bytes, series, refusals for 5 minutes, then for the hour: one call of one series.
      List<String> counts = List.of(sourceLine.trim().split("\\s{2,}"));
      assertThat(counts.subList(2, 10)).as(sourceLine)
          .containsExactly("1", counts.get(3), "1", "0", "1", counts.get(3), "1", "0");
      assertThat(Long.parseLong(counts.get(3))).isGreaterThan(Files.size(profile));
      assertThat(ClientCommandsTest.parse(owner.run("stats", "--project", project, "-o", "json").out())
          .at("/sources/0/last5m/calls").asLong()).isEqualTo(1);

      // Revoking: delete the token, the next push is refused.
      var tokens = owner.run("tokens", "list", "--service-account", "production-scraper", "-o", "json");
      String tokenId = ClientCommandsTest.parse(tokens.out()).get(0).get("id").asText();
      assertThat(owner.run("tokens", "delete", "--service-account", "production-scraper", tokenId).exitCode()).isZero();
      assertThat(scraper.run("push", "--token-file", scraperToken.toString(), "--project", project, profile.toString())
          .exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
      assertThat(server.terminate(Duration.ofSeconds(30))).isZero();
    }
  }
}
