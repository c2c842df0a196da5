package dev.tollgate.cli;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The client commands end to end against a real server, on both databases. */
@ParameterizedClass
@EnumSource(Backend.class)
class ClientCommandsTest {
  static final String TOKEN_FORMAT = "psc_v1_[0-9a-f]{64}";

  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  String ownerToken;
  Path ownerTokenFile;
  Cli cli;
  /** Every run of {@link #tollgate}, to check that no output ever carries a token. */
  final List<Cli.Result> runs = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    ownerToken = server.mintToken("cli-admin", "system:owner", null);
    ownerTokenFile = Files.writeString(dir.resolve("owner.token"), ownerToken + "\n");
    cli = new Cli(Map.of("TOLLGATE_SERVER", server.url()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Runs as the owner service account unless the arguments name another --token-file. */
  Cli.Result tollgate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.contains("--token-file")) {
      all.add("--token-file");
      all.add(ownerTokenFile.toString());
    }
    Cli.Result r = cli.run(all.toArray(String[]::new));
    runs.add(r);
    return r;
  }

  static JsonNode parse(String s) throws Exception {
    return ApiClient.JSON.readTree(s);
  }

  void assertNoRunPrinted(String secret) {
    for (Cli.Result r : runs) {
      assertThat(r.out()).doesNotContain(secret);
      assertThat(r.err()).doesNotContain(secret);
    }
  }

  @Test
  void seedSteps_createBindTokenFileCanIListDelete_thenTheTokenIsRefused() throws Exception {
    var r = tollgate("serviceaccounts", "create", "scraper");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("scraper", "active");

    String project = parse(tollgate("projects", "create", "payments", "-o", "json").out()).get("id").asText();
    r = tollgate("rolebindings", "create", "--subject", "serviceaccount:scraper", "--role", "profile-writer",
        "--project", project);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("system:profile-writer", project);

    Path file = dir.resolve("scraper.token");
    r = tollgate("tokens", "create", "--service-account", "scraper", "--name", "host-1", "--project", project,
        "--expires-in", "30d", "--output-file", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    String secret = Files.readString(file).strip();
    assertThat(secret).matches(TOKEN_FORMAT);
    assertThat(Files.readString(file)).isEqualTo(secret); // no newline: parca-push sends the file as it is
    assertThat(r.out()).contains(file.toString()).doesNotContain("psc_v1_");
    String tokenId = r.out().split(" ")[1];

    r = tollgate("can-i", "profile.write", "--project", project, "--token-file", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("yes" + System.lineSeparator());
    r = tollgate("can-i", "profile.read", "--project", project, "--token-file", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NO);
    assertThat(r.out().strip()).isEqualTo("no");
    // A project name is looked up in the list, which shows a profile-writer no project; an owner all.
    r = tollgate("can-i", "profile.write", "--project", "payments", "--token-file", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.err()).contains("project.list", "pass its id");
    assertThat(tollgate("can-i", "profile.write", "--project", "payments").out().strip()).isEqualTo("yes");

    r = tollgate("tokens", "list", "--service-account", "scraper");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains(tokenId, "host-1", project, "LAST USED");
    JsonNode tokens = parse(tollgate("tokens", "list", "--service-account", "scraper", "-o", "json").out());
    assertThat(tokens).hasSize(1);
    assertThat(tokens.get(0).get("id").asText()).isEqualTo(tokenId);
    assertThat(tokens.get(0).has("token")).isFalse();
    assertThat(tokens.get(0).get("expiresAt").asText()).isNotEmpty();

    r = tollgate("tokens", "delete", "--service-account", "scraper", tokenId);
    assertThat(r.exitCode()).as(r.toString()).isZero();

    r = tollgate("can-i", "profile.write", "--project", project, "--token-file", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.UNAUTHENTICATED);
    assertThat(r.err()).startsWith("error: ");
    assertThat(r.out()).isEmpty();
    assertNoRunPrinted(secret);
    assertNoRunPrinted(ownerToken);
  }

  @Test
  void tokenCreate_withoutFile_printsTheSecretOnlyOnStdout_withAWarningOnStderr() throws Exception {
    tollgate("serviceaccounts", "create", "ci");
    var r = tollgate("tokens", "create", "--service-account", "ci", "--name", "pipeline");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String secret = r.out().strip();
    assertThat(secret).matches(TOKEN_FORMAT);
    assertThat(r.err()).contains("only time").doesNotContain(secret);

    r = tollgate("tokens", "create", "--service-account", "ci", "--name", "pipeline-2", "-o", "json");
    JsonNode created = parse(r.out());
    assertThat(created.get("token").asText()).matches(TOKEN_FORMAT);
    assertThat(created.get("name").asText()).isEqualTo("pipeline-2");
    runs.clear();

    // Listing, with and without JSON, never shows either secret.
    tollgate("tokens", "list", "--service-account", "ci");
    tollgate("tokens", "list", "--service-account", "ci", "-o", "json");
    tollgate("serviceaccounts", "list", "-o", "json");
    tollgate("audit", "--all");
    tollgate("audit", "-o", "json");
    assertThat(runs).allSatisfy(x -> assertThat(x.exitCode()).as(x.toString()).isZero());
    assertNoRunPrinted(secret);
    assertNoRunPrinted(created.get("token").asText());
    assertNoRunPrinted(ownerToken);
  }

  @Test
  void outputFile_isNeverOverwrittenWithoutForce() throws Exception {
    tollgate("serviceaccounts", "create", "agent");
    Path file = Files.writeString(dir.resolve("agent.token"), "precious");
    var r = tollgate("tokens", "create", "--service-account", "agent", "--name", "a", "--output-file", file.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(Files.readString(file)).isEqualTo("precious");
    // Refused before the request: no token was created.
    assertThat(parse(tollgate("tokens", "list", "--service-account", "agent", "-o", "json").out())).isEmpty();

    r = tollgate("tokens", "create", "--service-account", "agent", "--name", "a", "--output-file", file.toString(),
        "--force", "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode created = parse(r.out());
    assertThat(created.has("token")).isFalse();
    assertThat(created.get("outputFile").asText()).isEqualTo(file.toString());
    assertThat(Files.readString(file).strip()).matches(TOKEN_FORMAT);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void jsonOutput_isTheUnwrappedServerJson() throws Exception {
    tollgate("serviceaccounts", "create", "scraper");
    JsonNode accounts = parse(tollgate("serviceaccounts", "list", "-o", "json").out());
    assertThat(accounts.isArray()).isTrue();
    assertThat(accounts).extracting(a -> a.get("name").asText()).containsExactlyInAnyOrder("cli-admin", "scraper");
    JsonNode projects = parse(tollgate("projects", "list", "-o", "json").out());
    assertThat(projects).hasSize(1);
    assertThat(projects.get(0).get("id").asText()).isEqualTo(server.defaultProjectId());
    JsonNode binding = parse(tollgate("rolebindings", "create", "--subject", "serviceaccount:scraper",
        "--role", "viewer", "-o", "json").out());
    assertThat(binding.get("role").asText()).isEqualTo("system:viewer");
    JsonNode bindings = parse(tollgate("rolebindings", "list", "-o", "json").out());
    assertThat(bindings).extracting(b -> b.get("id").asText()).contains(binding.get("id").asText());
    assertThat(parse(tollgate("can-i", "project.create", "-o", "json").out()).get("allowed").asBoolean()).isTrue();
    JsonNode audit = parse(tollgate("audit", "-o", "json").out());
    assertThat(audit.isArray()).isTrue();
    assertThat(audit).extracting(e -> e.get("action").asText()).contains("serviceaccount.create");

    var r = tollgate("rolebindings", "delete", binding.get("id").asText());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(parse(tollgate("rolebindings", "list", "-o", "json").out()))
        .extracting(b -> b.get("id").asText()).doesNotContain(binding.get("id").asText());
  }

  @Test
  void tables_areAlignedWithHeaders() {
    var r = tollgate("projects", "list");
    assertThat(r.out().lines().toList()).hasSize(2);
    assertThat(r.out().lines().findFirst().orElseThrow()).matches("ID {36}NAME {5}CREATED");
    assertThat(r.out()).contains(server.defaultProjectId() + "  default  ");
  }

  @Test
  void exitCodes_forDeniedNotFoundConflict() throws Exception {
    Path viewer = Files.writeString(dir.resolve("viewer.token"), server.mintToken("looker", "system:viewer", null));
    var r = tollgate("projects", "create", "nope", "--token-file", viewer.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.PERMISSION_DENIED);
    assertThat(r.err()).startsWith("error: ").contains("project.create");
    assertThat(tollgate("can-i", "project.create", "--token-file", viewer.toString()).exitCode()).isEqualTo(ExitCodes.NO);

    r = tollgate("serviceaccounts", "delete", "no-such-account");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.err()).isEqualTo("error: service account 'no-such-account' not found" + System.lineSeparator());
    r = tollgate("serviceaccounts", "delete", UUID.randomUUID().toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(tollgate("rolebindings", "delete", UUID.randomUUID().toString()).exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(tollgate("projects", "list", "--org", "no-such-org").exitCode()).isEqualTo(ExitCodes.NOT_FOUND);

    tollgate("serviceaccounts", "create", "twice");
    r = tollgate("serviceaccounts", "create", "twice");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(r.err()).contains("already exists");

    r = tollgate("can-i", "root.everything");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.SERVER_ERROR);
    assertThat(r.err()).contains("unknown permission");
    assertNoRunPrinted(ownerToken);
  }

  @Test
  void serviceAccountQuota_isExit7() {
    Api owner = Api.withToken(server.url(), ownerToken);
    String org = server.organizationId();
    // cli-admin is the first of the 50.
    for (int i = 1; i < 50; i++) {
      assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "sa-" + i)).status())
          .isEqualTo(200);
    }
    var r = tollgate("serviceaccounts", "create", "one-too-many");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.QUOTA_EXCEEDED);
    assertThat(r.err()).startsWith("error: ");
  }

  @Test
  void disabledAccount_isRefused_untilEnabledAgain() throws Exception {
    tollgate("serviceaccounts", "create", "agent");
    tollgate("rolebindings", "create", "--subject", "serviceaccount:agent", "--role", "writer");
    Path file = dir.resolve("agent.token");
    assertThat(tollgate("tokens", "create", "--service-account", "agent", "--name", "a", "--output-file",
        file.toString()).exitCode()).isZero();

    var r = tollgate("serviceaccounts", "disable", "agent");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("disabled");
    assertThat(tollgate("can-i", "profile.write", "--token-file", file.toString()).exitCode())
        .isEqualTo(ExitCodes.UNAUTHENTICATED);
    r = tollgate("serviceaccounts", "enable", "agent", "-o", "json");
    assertThat(parse(r.out()).get("disabled").asBoolean()).isFalse();
    assertThat(tollgate("can-i", "profile.write", "--token-file", file.toString()).out().strip()).isEqualTo("yes");

    r = tollgate("serviceaccounts", "delete", "agent");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(tollgate("can-i", "profile.write", "--token-file", file.toString()).exitCode())
        .isEqualTo(ExitCodes.UNAUTHENTICATED);
  }

  @Test
  void environment_suppliesServerTokenAndOrganization() {
    Cli fromEnv = new Cli(Map.of("TOLLGATE_SERVER", server.url() + "/", "TOLLGATE_TOKEN", ownerToken + "\n",
        "TOLLGATE_ORG", server.organizationId()));
    var r = fromEnv.run("projects", "list");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains(server.defaultProjectId());
    // An organization by name works too.
    assertThat(fromEnv.run("projects", "list", "--org", "default").exitCode()).isZero();
    // --token-file wins over TOLLGATE_TOKEN.
    r = fromEnv.run("projects", "list", "--token-file", dir.resolve("missing").toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.UNAUTHENTICATED);
  }

  @Test
  void audit_all_followsCursorsToTheEnd() throws Exception {
    for (int i = 0; i < 5; i++) {
      tollgate("projects", "create", "p" + i);
    }
    JsonNode everything = parse(tollgate("audit", "--limit", "1000", "-o", "json").out());
    assertThat(everything.size()).isGreaterThanOrEqualTo(7);
    JsonNode paged = parse(tollgate("audit", "--limit", "2", "--all", "-o", "json").out());
    assertThat(paged).isEqualTo(everything);
    var firstPage = tollgate("audit", "--limit", "2");
    assertThat(firstPage.out().lines().toList()).hasSize(3);
    assertThat(firstPage.err()).contains("--all");
    JsonNode recent = parse(tollgate("audit", "--since", everything.get(0).get("at").asText(), "-o", "json").out());
    assertThat(recent.size()).isBetween(1, everything.size());
  }
}
