package dev.tollgate.audit;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The audit log pages through IAM changes and refusals; invites turn people into members. */
@ParameterizedClass
@EnumSource(Backend.class)
class AuditAndInvitesTest {
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

  @Test
  void auditLog_filtersByActorAndTime_andNamesTheIdsItMentions() {
    String before = java.time.Instant.now().minusSeconds(1).toString();
    String payments = owner.post("/v1/organizations/" + org + "/projects", json("name", "payments"))
        .body().at("/project/id").asText();
    assertThat(owner.post("/v1/organizations/" + org + "/users", json("email", "dev@example.com", "password",
        "dev-password-1", "role", "system:owner")).status()).isEqualTo(200);
    Api dev = Api.login(server.url(), "dev@example.com", "dev-password-1");
    assertThat(dev.post("/v1/organizations/" + org + "/projects", json("name", "search")).status()).isEqualTo(200);

    var byDev = owner.get("/v1/organizations/" + org + "/audit?actor=DEV@example&action=project.").body().get("entries");
    assertThat(byDev).hasSize(1);
    assertThat(byDev.get(0).get("actor").asText()).isEqualTo("user:local:dev@example.com");
    var byAdmin = owner.get("/v1/organizations/" + org + "/audit?actor=admin@&action=project.").body().get("entries");
    assertThat(byAdmin).hasSize(1);
    // The project's id is shown with its name.
    assertThat(byAdmin.get(0).at("/names/" + payments).asText()).isEqualTo("payments");
    // A binding's target names the binding.
    var binding = owner.get("/v1/organizations/" + org + "/audit?action=rolebinding.create").body().get("entries").get(0);
    String bindingId = binding.get("target").asText().substring("rolebinding:".length());
    assertThat(binding.at("/names/" + bindingId).asText()).isEqualTo("user:local:dev@example.com -> system:owner");

    // Only this test's project entries: the bootstrap's own entries may be older than `before` on a slow machine.
    assertThat(owner.get("/v1/organizations/" + org + "/audit?until=" + before + "&action=project.").body()
        .get("entries")).isEmpty();
    assertThat(owner.get("/v1/organizations/" + org + "/audit?since=" + before + "&action=project.").body()
        .get("entries")).hasSize(2);
    assertThat(owner.get("/v1/organizations/" + org + "/audit?until=yesterday").status()).isEqualTo(400);
    // LIKE wildcards are matched literally.
    assertThat(owner.get("/v1/organizations/" + org + "/audit?actor=%25").body().get("entries")).isEmpty();
  }

  @Test
  void auditLog_recordsWhoDidWhatFromWhere_andPagesWithACursor() {
    for (int i = 0; i < 7; i++) {
      owner.post("/v1/organizations/" + org + "/projects", json("name", "p" + i));
    }
    var first = owner.get("/v1/organizations/" + org + "/audit?limit=3&action=project.");
    assertThat(first.body().get("entries")).hasSize(3);
    var e = first.body().get("entries").get(0);
    assertThat(e.get("actor").asText()).isEqualTo("user:local:admin@localhost");
    assertThat(e.get("action").asText()).isEqualTo("project.create");
    assertThat(e.get("clientIp").asText()).isEqualTo("127.0.0.1");
    Set<Long> seen = new HashSet<>();
    String cursor = first.text("nextCursor");
    first.body().get("entries").forEach(x -> seen.add(x.get("seq").asLong()));
    while (cursor != null && !cursor.isEmpty() && !cursor.equals("null")) {
      var page = owner.get("/v1/organizations/" + org + "/audit?limit=3&action=project.&cursor=" + cursor);
      page.body().get("entries").forEach(x -> seen.add(x.get("seq").asLong()));
      cursor = page.body().get("nextCursor").isNull() ? null : page.text("nextCursor");
    }
    assertThat(seen).hasSize(7);
    assertThat(owner.get("/v1/organizations/" + org + "/audit?limit=0").status()).isEqualTo(400);
    assertThat(owner.get("/v1/organizations/" + org + "/audit?since=yesterday").text("field")).isEqualTo("since");
  }

  @Test
  void refusedAuthentications_areAuditedWithoutTheSecret() {
    String token = server.mintToken("soon-disabled", "system:viewer", null);
    String saId = owner.get("/v1/organizations/" + org + "/serviceaccounts/soon-disabled").body().at("/serviceAccount/id").asText();
    owner.post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/disable", "{}");
    assertThat(Api.withToken(server.url(), token).get("/v1/auth/me").status()).isEqualTo(401);
    var audit = owner.get("/v1/organizations/" + org + "/audit?action=auth.");
    assertThat(audit.body().get("entries")).hasSize(1);
    var entry = audit.body().get("entries").get(0);
    assertThat(entry.get("detail").asText()).contains("reason=disabled");
    assertThat(entry.get("target").asText()).startsWith("token:");
    assertThat(audit.body().toString()).doesNotContain(token.substring(7));
  }

  @Test
  void viewerMayReadTheAuditLog_profileWriterMayNot() {
    Api viewer = Api.withToken(server.url(), server.mintToken("auditor", "system:viewer", null));
    assertThat(viewer.get("/v1/organizations/" + org + "/audit").status()).isEqualTo(200);
    Api writer = Api.withToken(server.url(), server.mintToken("scraper", "system:profile-writer", null));
    var r = writer.get("/v1/organizations/" + org + "/audit");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.error()).contains("audit.read");
  }

  @Test
  void invite_isAcceptedOnce_createsTheUserWithTheBinding_andCanBeExpired() {
    String project = server.defaultProjectId();
    var created = owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer", "projectId", project));
    assertThat(created.status()).isEqualTo(200);
    String code = created.body().at("/invite/token").asText();
    String inviteId = created.body().at("/invite/id").asText();
    var shown = server.anonymous().get("/v1/invites/" + code);
    assertThat(shown.body().at("/invite/organizationName").asText()).isEqualTo("default");
    var accepted = server.anonymous().post("/v1/invites/" + code + "/accept",
        json("email", "new@example.com", "password", "a-long-password"));
    assertThat(accepted.status()).isEqualTo(200);
    Api newcomer = Api.login(server.url(), "new@example.com", "a-long-password");
    assertThat(newcomer.get("/v1/projects/" + project).status()).isEqualTo(200);
    // The binding is scoped to the project: organization-wide lists stay closed.
    assertThat(newcomer.get("/v1/organizations/" + org + "/rolebindings").status()).isEqualTo(403);
    assertThat(newcomer.post("/v1/organizations/" + org + "/projects", json("name", "x")).status()).isEqualTo(403);
    var acceptances = owner.get("/v1/organizations/" + org + "/invites/" + inviteId + "/acceptances");
    assertThat(acceptances.body().get("acceptances")).hasSize(1);
    assertThat(acceptances.body().at("/acceptances/0/email").asText()).isEqualTo("new@example.com");
    assertThat(owner.get("/v1/organizations/" + org + "/invites").body().at("/invites/0/acceptanceCount").asLong()).isEqualTo(1);

    assertThat(owner.post("/v1/organizations/" + org + "/invites/" + inviteId + "/expire", "{}").status()).isEqualTo(200);
    assertThat(server.anonymous().get("/v1/invites/" + code).status()).isEqualTo(404);
    assertThat(server.anonymous().post("/v1/invites/" + code + "/accept",
        json("email", "late@example.com", "password", "a-long-password")).status()).isEqualTo(404);
    String expiresAt = owner.get("/v1/organizations/" + org + "/invites").body().at("/invites/0/expiresAt").asText();
    assertThat(java.time.Instant.parse(expiresAt)).isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(6)));
  }

  @Test
  void invite_stopsWorkingOnceItsCreatorMayNoLongerGrantItsRole() {
    Api recruiter = Api.withToken(server.url(), server.mintToken("recruiter", "system:owner", null));
    String invites = "/v1/organizations/" + org + "/invites";
    String first = recruiter.post(invites, json("role", "system:viewer")).body().at("/invite/token").asText();
    String second = recruiter.post(invites, json("role", "system:viewer")).body().at("/invite/token").asText();
    assertThat(server.anonymous().post("/v1/invites/" + first + "/accept",
        json("email", "early@example.com", "password", "a-long-password")).status()).isEqualTo(200);

    // The recruiter loses its owner binding: its open invite no longer grants anything.
    String bindingId = null;
    for (var b : owner.get("/v1/organizations/" + org + "/rolebindings").body().get("roleBindings")) {
      if (b.get("subject").asText().equals("serviceaccount:recruiter")) {
        bindingId = b.get("id").asText();
      }
    }
    assertThat(owner.delete("/v1/organizations/" + org + "/rolebindings/" + bindingId).status()).isEqualTo(200);
    var shown = server.anonymous().get("/v1/invites/" + second);
    assertThat(shown.status()).isEqualTo(409);
    assertThat(shown.error()).contains("serviceaccount:recruiter who created it may no longer grant system:viewer");
    var late = server.anonymous().post("/v1/invites/" + second + "/accept",
        json("email", "late@example.com", "password", "a-long-password"));
    assertThat(late.status()).isEqualTo(409);
    assertThat(server.anonymous().post("/v1/auth/login", json("email", "late@example.com", "password",
        "a-long-password")).status()).isEqualTo(401); // no account was made
    // An owner's invite still works.
    String fromOwner = owner.post(invites, json("role", "system:viewer")).body().at("/invite/token").asText();
    assertThat(server.anonymous().post("/v1/invites/" + fromOwner + "/accept",
        json("email", "late@example.com", "password", "a-long-password")).status()).isEqualTo(200);
  }

  @Test
  void inviteAccept_withWrongPasswords_isThrottled_andThrottlesLoginToo() {
    String code = owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer")).body()
        .at("/invite/token").asText();
    for (int i = 0; i < 5; i++) {
      var r = server.anonymous().post("/v1/invites/" + code + "/accept",
          json("email", "ADMIN@localhost", "password", "wrong-password-" + i));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.error()).isEqualTo(dev.tollgate.session.Sessions.BAD_CREDENTIALS); // the words of a failed login
    }
    var right = server.anonymous().post("/v1/invites/" + code + "/accept",
        json("email", "admin@localhost", "password", TestServer.ADMIN_PASSWORD));
    assertThat(right.status()).isEqualTo(429);
    assertThat(right.error()).contains("too many failed logins");
    var viaLogin = server.anonymous().post("/v1/auth/login",
        json("email", "admin@localhost", "password", TestServer.ADMIN_PASSWORD));
    assertThat(viaLogin.status()).isEqualTo(429);
  }

  @Test
  void inviteAccept_withAMalformedPassword_answersTheSame_whetherTheEmailHasAnAccountOrNot() {
    String code = owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer")).body()
        .at("/invite/token").asText();
    for (String password : new String[] {"x", "y".repeat(1025)}) {
      var known = server.anonymous().post("/v1/invites/" + code + "/accept",
          json("email", "admin@localhost", "password", password));
      var unknown = server.anonymous().post("/v1/invites/" + code + "/accept",
          json("email", "ghost@example.com", "password", password));
      assertThat(known.status()).isEqualTo(400).isEqualTo(unknown.status());
      assertThat(known.body()).isEqualTo(unknown.body());
      assertThat(known.text("field")).isEqualTo("password");
    }
  }
}
