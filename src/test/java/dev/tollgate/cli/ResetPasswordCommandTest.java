package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate reset-password} on the server's machine: the bootstrap owner's lost password is
 * replaced while the server runs, with no token, and the reset is audited. SQLite in the data
 * directory, as a first-time user runs it: the command
 * reaches PostgreSQL through the same {@code Database.open} the server uses.
 */
class ResetPasswordCommandTest {
  @TempDir Path dir;

  @Test
  void theOperatorResetsTheBootstrapOwnersPassword_whileTheServerRuns() throws Exception {
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c.withDatabaseUrl(null))) {
      var r = new Cli(Map.of()).run("reset-password", "--data-dir", dir.resolve("data").toString());
      assertThat(r.exitCode()).as(r.toString()).isZero();
      Matcher m = Pattern.compile("New password for admin@localhost \\(shown once\\): (\\S+)").matcher(r.out());
      assertThat(m.find()).as(r.out()).isTrue();

      assertThatThrownBy(() -> Api.login(server.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD))
          .hasMessageContaining("401");
      Api owner = Api.login(server.url(), TestServer.ADMIN_EMAIL, m.group(1));
      var audit = owner.get("/v1/organizations/" + server.organizationId() + "/audit?action=user.password.reset");
      var e = audit.body().get("entries").get(0);
      assertThat(e.get("actor").asText()).isEqualTo("operator (command line)");
      assertThat(e.get("detail").asText()).startsWith("admin@localhost; ").doesNotContain(m.group(1));
    }
  }

  @Test
  void anUnknownEmail_orNoDatabase_saysSo() throws Exception {
    var none = new Cli(Map.of()).run("reset-password", "--data-dir", dir.resolve("nothing").toString());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("no Tollgate database in " + dir.resolve("nothing"));
    try (TestServer server = TestServer.start(Backend.SQLITE, dir, c -> c.withDatabaseUrl(null))) {
      var r = new Cli(Map.of()).run("reset-password", "--data-dir", dir.resolve("data").toString(),
          "--email", "nobody@example.com");
      assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(r.err().strip()).isEqualTo("error: no user with email nobody@example.com");
    }
  }
}
