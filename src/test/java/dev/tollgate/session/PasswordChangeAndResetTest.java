package dev.tollgate.session;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A user changes their own password, an owner resets a member's, and log-ins, failed log-ins,
 * log-outs and those changes are in the audit log of the user's organizations.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class PasswordChangeAndResetTest {
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

  String addUser(String email, String role, String projectId) {
    var r = owner.post("/v1/organizations/" + org + "/users",
        json("email", email, "password", "first-password", "role", role, "projectId", projectId));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    // Adding a member answers with an invite only (it must not tell whether the email had an account).
    for (JsonNode u : owner.get("/v1/organizations/" + org + "/users").body().get("users")) {
      if (u.path("email").asText().equals(email)) {
        return u.path("id").asText();
      }
    }
    throw new AssertionError(email + " was not added");
  }

  List<JsonNode> audit(String action) {
    List<JsonNode> out = new ArrayList<>();
    owner.get("/v1/organizations/" + org + "/audit?limit=1000&action=" + action).body().get("entries")
        .forEach(e -> {
          if (e.get("action").asText().equals(action)) {
            out.add(e);
          }
        });
    return out;
  }

  @Test
  void aUserChangesTheirPassword_andTheirOtherSessionsEnd() {
    addUser("dev@example.com", "system:viewer", null);
    Api laptop = Api.login(server.url(), "dev@example.com", "first-password");
    Api phone = Api.login(server.url(), "dev@example.com", "first-password");

    var wrong = laptop.post("/v1/auth/password", json("currentPassword", "not-it", "newPassword", "second-password"));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.text("field")).isEqualTo("currentPassword");
    var tooShort = laptop.post("/v1/auth/password", json("currentPassword", "first-password", "newPassword", "short"));
    assertThat(tooShort.status()).isEqualTo(400);
    assertThat(tooShort.text("field")).isEqualTo("newPassword");
    assertThat(laptop.withoutCsrf().post("/v1/auth/password",
        json("currentPassword", "first-password", "newPassword", "second-password")).status()).isEqualTo(403);

    var ok = laptop.post("/v1/auth/password", json("currentPassword", "first-password", "newPassword", "second-password"));
    assertThat(ok.status()).as(ok.body().toString()).isEqualTo(200);
    assertThat(laptop.get("/v1/auth/me").status()).isEqualTo(200);
    assertThat(phone.get("/v1/auth/me").status()).isEqualTo(401);
    assertThatThrownBy(() -> Api.login(server.url(), "dev@example.com", "first-password"))
        .hasMessageContaining("401");
    Api.login(server.url(), "dev@example.com", "second-password");

    assertThat(audit("user.password.change")).singleElement().satisfies(e -> {
      assertThat(e.get("actor").asText()).isEqualTo("user:local:dev@example.com");
      assertThat(e.get("detail").asText()).isEqualTo("1 other session ended");
    });
    assertThat(audit("user.password.change.failed")).hasSize(1);
  }

  @Test
  void aServiceAccountToken_hasNoPasswordToChange() {
    String token = server.mintToken("robot", "system:viewer", null);
    var r = Api.withToken(server.url(), token).post("/v1/auth/password",
        json("currentPassword", "x", "newPassword", "second-password"));
    assertThat(r.status()).isEqualTo(403);
  }

  @Test
  void anOwnerResetsAMembersPassword_shownOnce_andTheirSessionsEnd() {
    String dev = addUser("dev@example.com", "system:viewer", null);
    Api devSession = Api.login(server.url(), "dev@example.com", "first-password");

    var reset = owner.post("/v1/organizations/" + org + "/users/" + dev + "/password/reset", "{}");
    assertThat(reset.status()).as(reset.body().toString()).isEqualTo(200);
    String password = reset.text("password");
    assertThat(password).hasSizeGreaterThanOrEqualTo(12);
    assertThat(reset.body().get("sessionsEnded").asInt()).isEqualTo(1);
    assertThat(devSession.get("/v1/auth/me").status()).isEqualTo(401);
    assertThatThrownBy(() -> Api.login(server.url(), "dev@example.com", "first-password")).hasMessageContaining("401");
    Api.login(server.url(), "dev@example.com", password);

    var entry = audit("user.password.reset");
    assertThat(entry).singleElement().satisfies(e -> {
      assertThat(e.get("actor").asText()).isEqualTo("user:local:admin@localhost");
      assertThat(e.get("target").asText()).isEqualTo("user:" + dev);
      assertThat(e.get("detail").asText()).isEqualTo("dev@example.com; 1 session ended").doesNotContain(password);
    });
    assertThat(owner.get("/v1/organizations/" + org + "/audit?limit=1000").body().toString()).doesNotContain(password);
  }

  @Test
  void resettingAPassword_needsEveryPermissionTheMemberHolds() {
    String p = server.defaultProjectId();
    String projectOwner = addUser("powner@example.com", "system:owner", p);
    String viewer = addUser("viewer@example.com", "system:viewer", null);
    Api viewerApi = Api.login(server.url(), "viewer@example.com", "first-password");
    var byViewer = viewerApi.post("/v1/organizations/" + org + "/users/" + projectOwner + "/password/reset", "{}");
    assertThat(byViewer.status()).isEqualTo(403);
    assertThat(byViewer.error()).contains("rolebinding.create");

    // An owner of one project cannot take over an org-wide owner, nor the org-wide viewer (it would read
    // every project): whoever learns a password acts as its user.
    String adminId = owner.get("/v1/organizations/" + org + "/users").body().get("users").findParents("email").stream()
        .filter(u -> u.get("email").asText().equals("admin@localhost")).findFirst().orElseThrow().get("id").asText();
    String secondId = addUser("second@example.com", "system:owner", null);
    Api second = Api.login(server.url(), "second@example.com", "first-password");
    // second (org-wide owner) may reset the viewer ...
    assertThat(second.post("/v1/organizations/" + org + "/users/" + viewer + "/password/reset", "{}").status())
        .isEqualTo(200);
    // ... but not a member who also owns an organization second is not in.
    String otherOrg = owner.post("/v1/organizations", json("name", "other-co")).body().at("/organization/id").asText();
    var refused = second.post("/v1/organizations/" + org + "/users/" + adminId + "/password/reset", "{}");
    assertThat(refused.status()).as(refused.body().toString()).isEqualTo(403);
    assertThat(refused.error()).startsWith("cannot reset the password of admin@localhost (a member of other-co too)");
    assertThat(otherOrg).isNotEmpty();
    assertThat(secondId).isNotEmpty();
    // Not a member here: 404.
    assertThat(owner.post("/v1/organizations/" + org + "/users/" + java.util.UUID.randomUUID() + "/password/reset", "{}")
        .status()).isEqualTo(404);
  }

  @Test
  void logins_failedLogins_andLogouts_areAudited_withoutTheAttemptedEmailOfNoAccount() {
    addUser("dev@example.com", "system:viewer", null);
    Api dev = Api.login(server.url(), "dev@example.com", "first-password");
    assertThat(new Api(server.url()).post("/v1/auth/login", json("email", "dev@example.com", "password", "wrong-one"))
        .status()).isEqualTo(401);
    assertThat(new Api(server.url()).post("/v1/auth/login", json("email", "my-secret-typed-here", "password", "x"))
        .status()).isEqualTo(401);
    assertThat(dev.post("/v1/auth/logout", "{}").status()).isEqualTo(200);

    assertThat(audit("session.login")).anySatisfy(e -> {
      assertThat(e.get("actor").asText()).isEqualTo("user:local:dev@example.com");
      assertThat(e.get("clientIp").asText()).isEqualTo("127.0.0.1");
    });
    List<JsonNode> failed = audit("session.login.failed");
    assertThat(failed).anySatisfy(e -> {
      assertThat(e.get("actor").asText()).isEqualTo("user:local:dev@example.com");
      assertThat(e.get("detail").asText()).isEqualTo("wrong password");
    });
    // The default organization is the operator's: failures of no known account are filed there.
    assertThat(failed).anySatisfy(e -> {
      assertThat(e.get("actor").asText()).isEqualTo("anonymous");
      assertThat(e.get("detail").asText()).isEqualTo("no account with that email");
    });
    assertThat(failed.toString()).doesNotContain("my-secret-typed-here");
    assertThat(audit("session.logout")).singleElement()
        .satisfies(e -> assertThat(e.get("actor").asText()).isEqualTo("user:local:dev@example.com"));
  }
}
