package dev.tollgate.iam;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Adding a member by email tells nothing about the email, and makes nobody a member of an
 * organization they did not join: through the real server, on both databases.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class MembersByInviteTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  Api owner;
  String org;
  String otherOrg;
  String aliceId;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    owner = server.owner();
    org = server.organizationId();
    // alice has an account, in another organization only.
    otherOrg = owner.post("/v1/organizations", json("name", "other-co")).body().at("/organization/id").asText();
    assertThat(owner.post("/v1/organizations/" + otherOrg + "/users",
        json("email", "alice@example.com", "password", "alice-own-password", "role", "system:viewer")).status())
        .isEqualTo(200);
    aliceId = Api.login(server.url(), "alice@example.com", "alice-own-password").get("/v1/auth/me")
        .body().at("/user/id").asText();
    assertThat(aliceId).isNotBlank();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Api.Response add(Object... kv) {
    return owner.post("/v1/organizations/" + org + "/users", json(kv));
  }

  List<String> memberEmails() {
    return owner.get("/v1/organizations/" + org + "/users").body().findValuesAsText("email");
  }

  /** Every field path of a JSON answer (the body's shape, without its values). */
  static TreeSet<String> shape(JsonNode n, String at, TreeSet<String> out) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      out.add(at + "/" + f);
      shape(n.get(f), at + "/" + f, out);
    }
    return out;
  }

  @Test
  void existingAndUnknownEmails_getTheSameAnswer_andNobodyJoinsUnasked() {
    var existing = add("email", "alice@example.com", "role", "system:viewer");
    var unknown = add("email", "nobody-here@example.com", "role", "system:viewer");
    // The attack report: 200 with alice's id for her, 400 for an unknown email.
    assertThat(existing.status()).isEqualTo(200).isEqualTo(unknown.status());
    assertThat(shape(existing.body(), "", new TreeSet<>())).isEqualTo(shape(unknown.body(), "", new TreeSet<>()))
        .contains("/invite/token", "/invite/link", "/email");
    assertThat(existing.body().toString()).doesNotContain(aliceId);
    assertThat(memberEmails()).doesNotContain("alice@example.com", "nobody-here@example.com");

    // With a password the answers are alike too, and alice's own password stays hers.
    var existingWithPassword = add("email", "alice@example.com", "password", "chosen-by-admin", "role", "system:viewer");
    var newWithPassword = add("email", "bob@example.com", "password", "chosen-by-admin", "role", "system:viewer");
    assertThat(existingWithPassword.status()).isEqualTo(200).isEqualTo(newWithPassword.status());
    assertThat(shape(existingWithPassword.body(), "", new TreeSet<>()))
        .isEqualTo(shape(newWithPassword.body(), "", new TreeSet<>())).isEqualTo(shape(existing.body(), "", new TreeSet<>()));
    assertThat(existingWithPassword.body().toString()).doesNotContain(aliceId);
    assertThat(server.anonymous().post("/v1/auth/login", json("email", "alice@example.com", "password",
        "chosen-by-admin")).status()).isEqualTo(401);
    assertThat(memberEmails()).doesNotContain("alice@example.com").contains("bob@example.com");
    Api.login(server.url(), "bob@example.com", "chosen-by-admin"); // a new email: the account at once

    // alice joins when she accepts, proving her own password.
    String code = existing.body().at("/invite/token").asText();
    var wrong = server.anonymous().post("/v1/invites/" + code + "/accept",
        json("email", "alice@example.com", "password", "chosen-by-admin"));
    assertThat(wrong.status()).isEqualTo(401);
    var accepted = server.anonymous().post("/v1/invites/" + code + "/accept",
        json("email", "alice@example.com", "password", "alice-own-password"));
    assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(200);
    assertThat(memberEmails()).contains("alice@example.com");
  }

  @Test
  void badInput_isRefusedAlikeForEveryEmail_andTheGrantRulesStillApply() {
    List<Api.Response> shortPasswords = new ArrayList<>();
    for (String email : List.of("alice@example.com", "ghost@example.com")) {
      shortPasswords.add(add("email", email, "password", "short", "role", "system:viewer"));
    }
    assertThat(shortPasswords).extracting(Api.Response::status).containsOnly(400);
    assertThat(shortPasswords.get(0).body()).isEqualTo(shortPasswords.get(1).body());
    // Whoever may not grant the role gets no invite out of this route either.
    var binder = owner.post("/v1/organizations/" + org + "/roles",
        json("name", "binder", "permissions", List.of("rolebinding.create")));
    assertThat(binder.status()).as(binder.body().toString()).isEqualTo(200);
    var carolAdded = add("email", "carol@example.com", "password", "carol-password", "role",
        binder.body().at("/role/id").asText());
    assertThat(carolAdded.status()).as(carolAdded.body().toString()).isEqualTo(200);
    Api carol = Api.login(server.url(), "carol@example.com", "carol-password");
    var escalation = carol.post("/v1/organizations/" + org + "/users", json("email", "alice@example.com",
        "role", "system:owner"));
    assertThat(escalation.status()).isEqualTo(403);
    assertThat(escalation.body().has("invite")).isFalse();
    var invites = owner.get("/v1/organizations/" + org + "/invites").body().get("invites");
    assertThat(invites.findValuesAsText("role")).doesNotContain("system:owner");
  }

  @Test
  void anInviteForAnEmail_canBeAcceptedByThatAddressOnly() {
    // Through "add by email": the link alice gets works for alice alone; forwarded, it adds no one.
    String code = add("email", "Alice@Example.com", "role", "system:viewer").body().at("/invite/token").asText();
    assertThat(server.anonymous().get("/v1/invites/" + code).body().at("/invite/email").asText())
        .isEqualTo("alice@example.com");
    int usersBefore = memberEmails().size();
    for (Object[] other : List.of(new Object[] {"mallory@example.com", "mallory-password"},
        new Object[] {"bob-not-invited@example.com", "another-password"})) {
      var r = server.anonymous().post("/v1/invites/" + code + "/accept", json("email", other[0], "password", other[1]));
      assertThat(r.status()).as(r.body().toString()).isEqualTo(403);
      assertThat(r.error()).isEqualTo(Invites.FOR_ANOTHER_EMAIL);
      // No account was made for the address that tried.
      assertThat(server.anonymous().post("/v1/auth/login", json("email", other[0], "password", other[1])).status())
          .isEqualTo(401);
    }
    assertThat(memberEmails()).hasSize(usersBefore).doesNotContain("mallory@example.com");
    var accepted = server.anonymous().post("/v1/invites/" + code + "/accept",
        json("email", "alice@example.com", "password", "alice-own-password"));
    assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(200);
    assertThat(memberEmails()).contains("alice@example.com");

    // Created on the invites route with an email: listed with it, and bound the same way.
    var created = owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer",
        "email", "dave@example.com"));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    assertThat(created.body().at("/invite/email").asText()).isEqualTo("dave@example.com");
    assertThat(owner.get("/v1/organizations/" + org + "/invites").body().findValuesAsText("email"))
        .contains("dave@example.com", "alice@example.com");
    String daveCode = created.body().at("/invite/token").asText();
    assertThat(server.anonymous().post("/v1/invites/" + daveCode + "/accept",
        json("email", "erin@example.com", "password", "erin-password")).status()).isEqualTo(403);
    assertThat(server.anonymous().post("/v1/invites/" + daveCode + "/accept",
        json("email", "dave@example.com", "password", "dave-password")).status()).isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer",
        "email", "not an email")).status()).isEqualTo(400);
    // Without an email an invite is for anyone holding the link, as before.
    String open = owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer"))
        .body().at("/invite/token").asText();
    assertThat(server.anonymous().get("/v1/invites/" + open).body().at("/invite/email").isNull()).isTrue();
    assertThat(server.anonymous().post("/v1/invites/" + open + "/accept",
        json("email", "frank@example.com", "password", "frank-password")).status()).isEqualTo(200);
  }
}
