package dev.tollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code tollgate legacy-tokens} and {@code tollgate migrate} against a real server, on both databases. */
@ParameterizedClass
@EnumSource(Backend.class)
class LegacyCommandsTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  Path ownerTokenFile;
  Cli cli;
  String project;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    ownerTokenFile = Files.writeString(dir.resolve("owner.token"),
        server.mintToken("cli-admin", "system:owner", null) + "\n");
    cli = new Cli(Map.of("TOLLGATE_SERVER", server.url()));
    project = server.defaultProjectId();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Cli.Result tollgate(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--token-file");
    all.add(ownerTokenFile.toString());
    return cli.run(all.toArray(String[]::new));
  }

  @Test
  void createListReportReplaceDelete_rotateKey() throws Exception {
    Path legacyFile = dir.resolve("legacy.jwt");
    var r = tollgate("legacy-tokens", "create", "--project", project, "--name", "old-scraper",
        "--output-file", legacyFile.toString(), "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String id = ApiClient.JSON.readTree(r.out()).get("id").asText();
    String jwt = Files.readString(legacyFile).strip();
    assertThat(jwt.split("\\.")).hasSize(3);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(legacyFile))).isEqualTo("rw-------");

    r = tollgate("legacy-tokens", "list", "--project", project);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("ID", "LAST USED", id, "old-scraper").doesNotContain(jwt);

    r = tollgate("migrate", "report");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("CALLS 24H", id, "0 of 1 legacy tokens replaced");

    Path newFile = dir.resolve("scraper.token");
    r = tollgate("migrate", "replace", "--project", project, id, "--service-account", "prod-scraper",
        "--role", "profile-writer", "--output-file", newFile.toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String newToken = Files.readString(newFile).strip();
    assertThat(newToken).matches("psc_v1_[0-9a-f]{64}");
    assertThat(r.out()).contains("--bearer-token-file=" + newFile.toAbsolutePath().normalize(),
        "serviceaccount:prod-scraper (created)").doesNotContain(newToken).doesNotContain("--grpc-headers");
    assertThat(Api.withToken(server.url(), newToken).get("/v1/auth/me").status()).isEqualTo(200);

    r = tollgate("migrate", "report", "-o", "json");
    JsonNode report = ApiClient.JSON.readTree(r.out());
    assertThat(report.get("replaced").asLong()).isEqualTo(1);
    assertThat(report.at("/tokens/0/replacement/serviceAccountName").asText()).isEqualTo("prod-scraper");

    r = tollgate("migrate", "replace", "--project", project, id, "--service-account", "x", "--role", "owner");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);

    r = tollgate("legacy-tokens", "rotate-key");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("new signing key");

    r = tollgate("legacy-tokens", "delete", "--project", project, id);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(tollgate("legacy-tokens", "delete", "--project", project, id).exitCode()).isEqualTo(ExitCodes.NOT_FOUND);

    server.owner().patch("/v1/organizations/" + server.organizationId(), Api.json("legacyTokensFrozen", true));
    r = tollgate("legacy-tokens", "create", "--project", project, "--name", "late");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(r.err()).contains("frozen");
  }

  @Test
  void outputFile_isNeverOverwrittenWithoutForce_byCreateOrReplace() throws Exception {
    Path legacyFile = Files.writeString(dir.resolve("legacy.jwt"), "precious");
    var r = tollgate("legacy-tokens", "create", "--project", project, "--name", "old-scraper",
        "--output-file", legacyFile.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(r.err()).contains(legacyFile + " already exists; pass --force");
    assertThat(Files.readString(legacyFile)).isEqualTo("precious");
    // Refused before the request: no legacy token was created.
    assertThat(ApiClient.JSON.readTree(tollgate("legacy-tokens", "list", "--project", project, "-o", "json").out()))
        .isInstanceOf(ArrayNode.class).isEmpty();

    r = tollgate("legacy-tokens", "create", "--project", project, "--name", "old-scraper",
        "--output-file", legacyFile.toString(), "--force", "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String id = ApiClient.JSON.readTree(r.out()).get("id").asText();
    assertThat(Files.readString(legacyFile).strip().split("\\.")).hasSize(3);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(legacyFile))).isEqualTo("rw-------");

    Path newFile = Files.writeString(dir.resolve("scraper.token"), "precious");
    r = tollgate("migrate", "replace", "--project", project, id, "--service-account", "prod-scraper",
        "--role", "profile-writer", "--output-file", newFile.toString());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.CONFLICT);
    assertThat(r.err()).contains(newFile + " already exists; pass --force");
    assertThat(Files.readString(newFile)).isEqualTo("precious");
    // Refused before the request: nothing was replaced, no service account created.
    assertThat(ApiClient.JSON.readTree(tollgate("migrate", "report", "-o", "json").out()).get("replaced").asLong())
        .isZero();
    assertThat(tollgate("serviceaccounts", "list").out()).contains("cli-admin").doesNotContain("prod-scraper");

    r = tollgate("migrate", "replace", "--project", project, id, "--service-account", "prod-scraper",
        "--role", "profile-writer", "--output-file", newFile.toString(), "--force");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    String newToken = Files.readString(newFile).strip();
    assertThat(newToken).matches("psc_v1_[0-9a-f]{64}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(newFile))).isEqualTo("rw-------");
    assertThat(r.out()).contains("written to " + newFile, "--bearer-token-file=" + newFile.toAbsolutePath().normalize())
        .doesNotContain(newToken);
  }
}
