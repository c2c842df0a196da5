package dev.tollgate.api;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ambiguous or unsafe input is a 400 naming the problem and stores nothing (never a 500, as a NUL
 * byte was on PostgreSQL): through the real server, on both databases.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class StrictInputTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  Api owner;
  String org;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    owner = server.owner();
    org = server.organizationId();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  void assertRefused(Api.Response r, String field, String words) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
    assertThat(r.text("field")).isEqualTo(field);
    assertThat(r.error()).contains(words);
  }

  int projects() {
    return owner.get("/v1/organizations/" + org + "/projects").body().get("projects").size();
  }

  @Test
  void trailingDataAndDuplicateKeys_areRefused() {
    String projects = "/v1/organizations/" + org + "/projects";
    int before = projects();
    assertRefused(owner.post(projects, "{\"name\": \"a\"} {\"name\": \"b\"}"), "body", "something after");
    assertRefused(owner.post(projects, "{\"name\": \"a\"} x"), "body", "not valid JSON");
    assertRefused(owner.post(projects, "{\"name\": \"a\", \"name\": \"b\"}"), "body", "a field twice");
    assertRefused(owner.post("/v1/organizations/" + org + "/rolebindings",
        "{\"subject\": \"serviceaccount:x\", \"role\": \"system:viewer\", \"role\": \"system:owner\"}"),
        "body", "a field twice");
    assertThat(projects()).isEqualTo(before);
    assertThat(owner.post(projects, "{\"name\": \"fine\"}  \n").status()).isEqualTo(200);
  }

  @Test
  void namesWithBidiControlsSurrogatesOrControls_areRefused() {
    String projects = "/v1/organizations/" + org + "/projects";
    int before = projects();
    assertRefused(owner.post(projects, json("name", "invoice\u202Egpj.exe")), "name", "bidirectional control");
    assertRefused(owner.post(projects, json("name", "a\u2066b")), "name", "bidirectional control");
    assertRefused(owner.post(projects, json("name", "a\u200Fb")), "name", "bidirectional control");
    assertRefused(owner.post(projects, json("name", "a\u061Cb")), "name", "bidirectional control");
    assertRefused(owner.post(projects, "{\"name\": \"lone \\ud800 half\"}"), "name", "lone surrogate");
    assertRefused(owner.post(projects, json("name", "tab\there")), "name", "control characters");
    assertRefused(owner.post(projects, json("name", "nul\u0000")), "name", "NUL");
    assertRefused(owner.patch("/v1/organizations/" + org, json("name", "\u202Bdefault")), "name", "bidirectional");
    assertRefused(owner.post("/v1/organizations", json("name", "x\u2069")), "name", "bidirectional");
    String sa = owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "ci")).body()
        .at("/serviceAccount/id").asText();
    assertRefused(owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens",
        json("name", "ci\u202E")), "name", "bidirectional");
    assertThat(projects()).isEqualTo(before);
    // An emoji (a proper surrogate pair) and other scripts are names like any other.
    assertThat(owner.post(projects, json("name", "payments \uD83D\uDCB3 \u05E9\u05DC\u05D5\u05DD")).status()).isEqualTo(200);
    assertThat(owner.get("/v1/organizations/" + org).body().at("/organization/name").asText()).isEqualTo("default");
  }

  @Test
  void emailsAndSubjectsWithNul_areRefused_neverA500() {
    String users = "/v1/organizations/" + org + "/users";
    assertRefused(owner.post(users, json("email", "a\u0000b@example.com", "role", "system:viewer")), "email", "NUL");
    assertRefused(owner.post(users, "{\"email\": \"x@example.com\", \"role\": \"system:viewer\", \"projectId\\u0000\": 1}"),
        "body", "NUL");
    assertRefused(owner.post(users, json("email", "a\u202E@example.com", "role", "system:viewer")), "email",
        "bidirectional");
    String bindings = "/v1/organizations/" + org + "/rolebindings";
    assertRefused(owner.post(bindings, json("subject", "user:local:a\u0000@example.com", "role", "system:viewer")),
        "subject", "NUL");
    assertRefused(owner.post(bindings, json("subject", "user:lo\u0007cal:a@example.com", "role", "system:viewer")),
        "subject", "user:<provider>:<email>");
    var cani = owner.post("/api/v1alpha1/authorization/cani", json("organizationId", org + "\u0000",
        "permission", "project.read"));
    assertRefused(cani, "organizationId", "NUL");
    // Log-in and invite acceptance: a NUL email is no account, the same answer as any wrong one.
    var nulLogin = server.anonymous().post("/v1/auth/login", json("email", "admin@localhost\u0000", "password",
        TestServer.ADMIN_PASSWORD));
    assertThat(nulLogin.status()).isEqualTo(400);
    String code = owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer")).body()
        .at("/invite/token").asText();
    assertRefused(server.anonymous().post("/v1/invites/" + code + "/accept",
        json("email", "n\u0000@example.com", "password", "a-long-password")), "email", "NUL");
    assertThat(owner.get(users).body().findValuesAsText("email")).containsExactly(TestServer.ADMIN_EMAIL);
  }
}
