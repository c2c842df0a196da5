package dev.tollgate.server;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import dev.tollgate.db.Database;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.testing.Backend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate server} as a process: first-start output, restart, secrets on disk and in logs, SIGTERM. */
@ParameterizedClass
@EnumSource(Backend.class)
class ServerProcessTest {
  @Parameter Backend backend;
  @TempDir Path dir;
  DatabaseUrl db;

  @BeforeEach
  void database() {
    db = backend.newDatabaseUrl(dir);
  }

  String databaseFlag() {
    if (db.user() == null) {
      return "--database-url=" + db.jdbcUrl();
    }
    String sep = db.jdbcUrl().contains("?") ? "&" : "?";
    return "--database-url=" + db.jdbcUrl() + sep + "user=" + db.user() + "&password=" + db.password();
  }

  /** Every value in every table, as text: what the database holds, whatever its file format. */
  String dumpDatabase() throws Exception {
    StringBuilder out = new StringBuilder();
    try (Database d = Database.open(db)) {
      d.jdbi().useHandle(h -> {
        List<String> tables = new ArrayList<>();
        try (var rs = h.getConnection().getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
          while (rs.next()) {
            tables.add(rs.getString("TABLE_NAME"));
          }
        }
        for (String t : tables) {
          h.createQuery("SELECT * FROM " + t).mapToMap().forEach(row -> out.append(row).append('\n'));
        }
      });
    }
    return out.toString();
  }

  @Test
  void firstStartPrintsHowToLogIn_restartDoesNotBootstrapAgain_andSigtermExitsZero() throws Exception {
    Path data = dir.resolve("data");
    String password;
    String orgId;
    try (ServerProcess p = ServerProcess.start(dir, "--data-dir=" + data, databaseFlag())) {
      String out = p.output();
      assertThat(out).contains("organization 'default'").contains("project 'default'").contains("admin@localhost");
      Matcher m = Pattern.compile("password \\(shown once\\)\\s+(\\S+)").matcher(out);
      assertThat(m.find()).isTrue();
      password = m.group(1);
      Matcher org = Pattern.compile("organization 'default'\\s+id (\\S+)").matcher(out);
      assertThat(org.find()).isTrue();
      orgId = org.group(1);
      Api owner = Api.login(p.url(), "admin@localhost", password);
      assertThat(owner.post("/v1/organizations/" + orgId + "/projects", json("name", "survives")).status()).isEqualTo(200);
      assertThat(p.terminate(Duration.ofSeconds(30))).isEqualTo(0);
      assertThat(p.output()).contains("Shutting down").contains("Stopped.");
    }
    try (ServerProcess p = ServerProcess.start(dir, "--data-dir=" + data, databaseFlag())) {
      assertThat(p.output()).doesNotContain("First start").doesNotContain("password (shown once)");
      Api owner = Api.login(p.url(), "admin@localhost", password);
      var projects = owner.get("/v1/organizations/" + orgId + "/projects").body().get("projects");
      assertThat(projects).hasSize(2);
      assertThat(projects.toString()).contains("survives");
      assertThat(p.terminate(Duration.ofSeconds(30))).isEqualTo(0);
    }
  }

  @Test
  void aSecondServerOnTheSameDataDirectory_refusesToStart_namingTheFirst() throws Exception {
    Path data = dir.resolve("data");
    try (ServerProcess first = ServerProcess.start(dir, "--data-dir=" + data, databaseFlag())) {
      assertThatThrownBy(() -> ServerProcess.start(dir, "--data-dir=" + data, databaseFlag()))
          .hasMessageContaining("is in use by another Tollgate server (pid " + first.process().pid() + ")")
          .hasMessageContaining("--data-dir");
      assertThat(first.process().isAlive()).isTrue();
      assertThat(new Api(first.url()).get("/v1/auth/me").status()).isEqualTo(401); // still serving
      assertThat(first.terminate(Duration.ofSeconds(30))).isEqualTo(0);
    }
    // Once the first is gone, the directory is free again.
    try (ServerProcess again = ServerProcess.start(dir, "--data-dir=" + data, databaseFlag())) {
      assertThat(again.terminate(Duration.ofSeconds(30))).isEqualTo(0);
    }
  }

  @Test
  void tokensNeverReachTheDatabaseFilesOrTheLogs() throws Exception {
    Path data = dir.resolve("data");
    Path bootstrapFile = dir.resolve("secrets/owner.token");
    List<String> secrets = new ArrayList<>();
    try (ServerProcess p = ServerProcess.start(dir, "--data-dir=" + data, databaseFlag(), "--admin-password=hunter2-hunter2",
        "--bootstrap-token-file=" + bootstrapFile)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bootstrapFile))).isEqualTo("rw-------");
      String ownerToken = Files.readString(bootstrapFile).strip();
      assertThat(ownerToken).matches("psc_v1_[0-9a-f]{64}");
      secrets.add(ownerToken);
      Api bot = Api.withToken(p.url(), ownerToken);
      String org = bot.get("/v1/organizations").body().at("/organizations/0/id").asText();
      String saId = bot.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "scraper"))
          .body().at("/serviceAccount/id").asText();
      bot.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:scraper", "role", "system:viewer"));
      for (int i = 0; i < 3; i++) {
        String t = bot.post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/tokens", json("name", "t" + i))
            .body().at("/token/token").asText();
        secrets.add(t);
        assertThat(Api.withToken(p.url(), t).get("/v1/auth/me").status()).isEqualTo(200);
        // A near miss of a real token is refused and audited, never logged.
        String typo = t.substring(0, 20) + (t.charAt(20) == '0' ? '1' : '0') + t.substring(21);
        secrets.add(typo);
        assertThat(Api.withToken(p.url(), typo).get("/v1/auth/me").status()).isEqualTo(401);
      }
      // A refusal of a recognized token (here: of a disabled account) is audited in its organization.
      bot.post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/disable", "{}");
      assertThat(Api.withToken(p.url(), secrets.get(1)).get("/v1/auth/me").status()).isEqualTo(401);
      String audit = bot.get("/v1/organizations/" + org + "/audit?limit=1000").body().toString();
      assertThat(audit).contains("auth.refused").contains("reason=disabled");
      assertThat(p.terminate(Duration.ofSeconds(30))).isEqualTo(0);
      String log = p.output();
      for (String s : secrets) {
        assertThat(log).doesNotContain(s).doesNotContain(s.substring(7));
      }
    }
    String everything = dumpDatabase();
    assertThat(everything).contains("serviceaccounttoken.create");
    for (String s : secrets) {
      assertThat(everything).doesNotContain(s.substring(7));
    }
    // The database file (SQLite) and the data directory; not the token file we asked for.
    try (Stream<Path> files = Files.walk(dir).filter(f -> !f.startsWith(bootstrapFile.getParent()))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String s : secrets) {
          assertThat(content).as(f.toString()).doesNotContain(s.substring(7));
        }
      }
    }
  }
}
