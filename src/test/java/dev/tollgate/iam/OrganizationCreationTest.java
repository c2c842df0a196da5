package dev.tollgate.iam;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Who may create organizations (--org-creation, --max-orgs-per-user), and that key rotation stays
 * the operator's whatever organizations others create; through the real server, on both databases.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class OrganizationCreationTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  static Api addViewer(TestServer server, String email) {
    Api owner = server.owner();
    var r = owner.post("/v1/organizations/" + server.organizationId() + "/users",
        json("email", email, "password", "password-" + email, "role", "system:viewer"));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return Api.login(server.url(), email, "password-" + email);
  }

  @Test
  void byDefault_onlyTheOperatorsOwnersCreate_andUpToTen() throws Exception {
    try (TestServer server = TestServer.start(backend, dir)) {
      Api viewer = addViewer(server, "viewer@example.com");
      var refused = viewer.post("/v1/organizations", json("name", "mine"));
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.error()).contains("--org-creation=operators");
      assertThat(viewer.get("/v1/organizations").body().get("organizations")).hasSize(1);

      Api owner = server.owner();
      for (int i = 0; i < 10; i++) {
        var r = owner.post("/v1/organizations", json("name", "tenant-" + i));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
      }
      var eleventh = owner.post("/v1/organizations", json("name", "tenant-10"));
      assertThat(eleventh.status()).isEqualTo(429);
      assertThat(eleventh.error()).contains("--max-orgs-per-user=10");
      assertThat(owner.get("/v1/organizations").body().get("organizations")).hasSize(11);
      // An owner of a tenant organization is no operator: it cannot create organizations either.
      String tenant = owner.get("/v1/organizations").body().findValuesAsText("id").stream()
          .filter(id -> !id.equals(server.organizationId())).findFirst().orElseThrow();
      assertThat(owner.post("/v1/organizations/" + tenant + "/users", json("email", "tenant-owner@example.com",
          "password", "tenant-owner-pw", "role", "system:owner")).status()).isEqualTo(200);
      Api tenantOwner = Api.login(server.url(), "tenant-owner@example.com", "tenant-owner-pw");
      assertThat(tenantOwner.post("/v1/organizations", json("name", "more")).status()).isEqualTo(403);
      assertThat(tenantOwner.post("/v1/legacy-tokens/keys/rotate", "{}").status()).isEqualTo(403);
    }
  }

  @Test
  void anyone_withACap_andKeyRotationStaysWithTheOperator() throws Exception {
    try (TestServer server = TestServer.start(backend, dir, c -> c.withOrganizationCreation(
        new OrganizationCreation(OrganizationCreation.Mode.ANYONE, 3)))) {
      Api viewer = addViewer(server, "viewer@example.com");
      for (int i = 0; i < 3; i++) {
        var r = viewer.post("/v1/organizations", json("name", "sprawl-" + i));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
      }
      var fourth = viewer.post("/v1/organizations", json("name", "sprawl-3"));
      assertThat(fourth.status()).isEqualTo(429);
      assertThat(fourth.error()).contains("--max-orgs-per-user=3");
      assertThat(viewer.get("/v1/organizations").body().get("organizations")).hasSize(4);

      // The attack report: each new organization made the operator's rotation a 403.
      var rotated = server.owner().post("/v1/legacy-tokens/keys/rotate", "{}");
      assertThat(rotated.status()).as(rotated.body().toString()).isEqualTo(200);
      assertThat(rotated.body().at("/key/active").asBoolean()).isTrue();
      // Owning organizations of one's own does not make one the operator.
      var theirs = viewer.post("/v1/legacy-tokens/keys/rotate", "{}");
      assertThat(theirs.status()).isEqualTo(403);
      assertThat(theirs.error()).contains("operator's organization");
      // A service account token of the operator's org, org-wide owner, may rotate too.
      String token = server.mintToken("ops", "system:owner", null);
      assertThat(Api.withToken(server.url(), token).post("/v1/legacy-tokens/keys/rotate", "{}").status())
          .isEqualTo(200);
    }
  }

  @Test
  void nobody_refusesEvenTheOperator() throws Exception {
    try (TestServer server = TestServer.start(backend, dir, c -> c.withOrganizationCreation(
        new OrganizationCreation(OrganizationCreation.Mode.NOBODY, 10)))) {
      var r = server.owner().post("/v1/organizations", json("name", "new"));
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.error()).contains("--org-creation=nobody");
      assertThat(server.owner().get("/v1/organizations").body().get("organizations")).hasSize(1);
    }
  }
}
