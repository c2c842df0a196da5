package dev.tollgate.api;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Role bindings decide every management call, through the real server, on both databases. */
@ParameterizedClass
@EnumSource(Backend.class)
class AuthorizationTest {
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

  Api addUser(String email, String role, String projectId) {
    var r = owner.post("/v1/organizations/" + org + "/users",
        json("email", email, "password", "password-" + email, "role", role, "projectId", projectId));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return Api.login(server.url(), email, "password-" + email);
  }

  @Test
  void owner_canDoEverything() {
    var p = owner.post("/v1/organizations/" + org + "/projects", json("name", "payments"));
    assertThat(p.status()).isEqualTo(200);
    String pid = p.body().at("/project/id").asText();
    assertThat(owner.patch("/v1/projects/" + pid, json("name", "payments-eu")).body().at("/project/name").asText())
        .isEqualTo("payments-eu");
    assertThat(owner.get("/v1/projects/" + pid).status()).isEqualTo(200);
    assertThat(owner.patch("/v1/organizations/" + org, json("name", "acme")).body().at("/organization/name").asText())
        .isEqualTo("acme");
    var role = owner.post("/v1/organizations/" + org + "/roles", json("name", "reader", "permissions", List.of("profile.read")));
    assertThat(role.status()).isEqualTo(200);
    assertThat(owner.get("/v1/organizations/" + org + "/roles").body().get("roles")).hasSize(6);
    assertThat(owner.delete("/v1/organizations/" + org + "/roles/" + org + ":reader").status()).isEqualTo(200);
    assertThat(owner.delete("/v1/projects/" + pid).status()).isEqualTo(200);
    assertThat(owner.get("/v1/projects/" + pid).status()).isEqualTo(404);
  }

  @Test
  void viewer_listsButCannotCreate() {
    Api viewer = addUser("viewer@example.com", "system:viewer", null);
    assertThat(viewer.get("/v1/organizations/" + org + "/projects").status()).isEqualTo(200);
    assertThat(viewer.get("/v1/organizations/" + org + "/rolebindings").status()).isEqualTo(200);
    var r = viewer.post("/v1/organizations/" + org + "/projects", json("name", "nope"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.text("code")).isEqualTo("permission_denied");
    assertThat(r.error()).contains("project.create");
    assertThat(viewer.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "user:local:viewer@example.com", "role", "system:owner")).status()).isEqualTo(403);
  }

  @Test
  void projectScopedBinding_grantsOnlyInItsProject() {
    String a = owner.post("/v1/organizations/" + org + "/projects", json("name", "a")).body().at("/project/id").asText();
    String b = owner.post("/v1/organizations/" + org + "/projects", json("name", "b")).body().at("/project/id").asText();
    Api dev = addUser("dev@example.com", "system:owner", a);
    assertThat(dev.patch("/v1/projects/" + a, json("name", "a2")).status()).isEqualTo(200);
    var other = dev.patch("/v1/projects/" + b, json("name", "b2"));
    assertThat(other.status()).isEqualTo(403);
    assertThat(other.error()).contains("project.update");
    // The project list shows exactly the projects the binding reaches.
    var visible = dev.get("/v1/organizations/" + org + "/projects").body().get("projects");
    assertThat(visible).hasSize(1);
    assertThat(visible.get(0).get("id").asText()).isEqualTo(a);
    // Org-wide actions are not granted by a project-scoped binding.
    assertThat(dev.post("/v1/organizations/" + org + "/projects", json("name", "c")).status()).isEqualTo(403);
    var can = dev.post("/api/v1alpha1/authorization/cani", json("organizationId", org, "projectId", a, "permission", "project.delete"));
    assertThat(can.body().get("allowed").asBoolean()).isTrue();
    can = dev.post("/api/v1alpha1/authorization/cani", json("organizationId", org, "projectId", b, "permission", "project.delete"));
    assertThat(can.body().get("allowed").asBoolean()).isFalse();
  }

  @Test
  void anotherOrganizationsObjects_areUnreachable() {
    Api other = addUser("other@example.com", "system:viewer", null);
    String otherOrg = other.post("/v1/organizations", json("name", "other-co")).body().at("/organization/id").asText();
    String otherProject = other.post("/v1/organizations/" + otherOrg + "/projects", json("name", "secret"))
        .body().at("/project/id").asText();
    // The owner of "default" is not a member of "other-co": its objects do not exist for them.
    assertThat(owner.get("/v1/organizations/" + otherOrg).status()).isEqualTo(404);
    assertThat(owner.get("/v1/projects/" + otherProject).status()).isEqualTo(404);
    assertThat(owner.delete("/v1/projects/" + otherProject).status()).isEqualTo(404);
    assertThat(owner.get("/v1/organizations/" + otherOrg + "/rolebindings").status()).isEqualTo(404);
    // Nor can a binding in one organization point at another's project.
    var r = owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "user:local:admin@localhost", "role", "system:viewer", "projectId", otherProject));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error()).contains("project");
    assertThat(owner.get("/v1/organizations").body().get("organizations")).hasSize(1);
  }

  @Test
  void lastOwnerBinding_cannotBeDeleted() {
    var bindings = owner.get("/v1/organizations/" + org + "/rolebindings").body().get("roleBindings");
    assertThat(bindings).hasSize(1);
    String id = bindings.get(0).get("id").asText();
    var r = owner.delete("/v1/organizations/" + org + "/rolebindings/" + id);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.error()).contains("last owner");
    // With a second owner it can go.
    addUser("second@example.com", "system:owner", null);
    assertThat(owner.delete("/v1/organizations/" + org + "/rolebindings/" + id).status()).isEqualTo(200);
  }

  @Test
  void customRole_grantsExactlyItsPermissions() {
    owner.post("/v1/organizations/" + org + "/roles", json("name", "project-maker", "permissions", List.of("project.create")));
    Api maker = addUser("maker@example.com", org + ":project-maker", null);
    assertThat(maker.post("/v1/organizations/" + org + "/projects", json("name", "made")).status()).isEqualTo(200);
    // Without project.list or project.read it may still ask: it reads no project, not even its own.
    var list = maker.get("/v1/organizations/" + org + "/projects");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().get("projects")).isEmpty();
    // A role in use cannot be deleted; unknown permissions are refused.
    assertThat(owner.delete("/v1/organizations/" + org + "/roles/" + org + ":project-maker").status()).isEqualTo(409);
    var bad = owner.post("/v1/organizations/" + org + "/roles", json("name", "bad", "permissions", List.of("root.everything")));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.text("field")).isEqualTo("permissions");
    assertThat(owner.delete("/v1/organizations/" + org + "/roles/system:viewer").status()).isEqualTo(409);
  }

  /** Each route needs only what docs/api.md lists for it, checked with callers holding just that. */
  @Test
  void routes_needOnlyTheirDocumentedPermission() {
    // GET projects: membership. A scraper's token (profile.write only) gets an answer, not a 403.
    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "scraper"));
    owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "serviceaccount:scraper", "role", "system:profile-writer"));
    String token = owner.post("/v1/organizations/" + org + "/serviceaccounts/scraper/tokens", json("name", "t"))
        .body().at("/token/token").asText();
    var projects = Api.withToken(server.url(), token).get("/v1/organizations/" + org + "/projects");
    assertThat(projects.status()).as(projects.body().toString()).isEqualTo(200);
    assertThat(projects.body().get("projects")).isEmpty();
    // Non-members still do not see the organization.
    Api outsider = addUser("outsider@example.com", "system:viewer", null);
    String otherOrg = outsider.post("/v1/organizations", json("name", "elsewhere")).body().at("/organization/id").asText();
    assertThat(owner.get("/v1/organizations/" + otherOrg + "/projects").status()).isEqualTo(404);

    // PATCH the organization: organization.update alone.
    owner.post("/v1/organizations/" + org + "/roles", json("name", "renamer", "permissions", List.of("organization.update")));
    Api renamer = addUser("renamer@example.com", org + ":renamer", null);
    var patched = renamer.patch("/v1/organizations/" + org, json("name", "renamed"));
    assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
    assertThat(patched.body().at("/organization/name").asText()).isEqualTo("renamed");

    // DELETE a member: rolebinding.delete alone.
    owner.post("/v1/organizations/" + org + "/roles", json("name", "remover", "permissions", List.of("rolebinding.delete")));
    Api remover = addUser("remover@example.com", org + ":remover", null);
    addUser("leaver@example.com", "system:viewer", null);
    String leaver = null;
    for (var u : owner.get("/v1/organizations/" + org + "/users").body().get("users")) {
      if (u.get("email").asText().equals("leaver@example.com")) {
        leaver = u.get("id").asText();
      }
    }
    assertThat(leaver).isNotNull();
    var removed = remover.delete("/v1/organizations/" + org + "/users/" + leaver);
    assertThat(removed.status()).as(removed.body().toString()).isEqualTo(200);
    assertThat(owner.get("/v1/organizations/" + org + "/rolebindings").body().findValuesAsText("subject"))
        .doesNotContain("user:local:leaver@example.com");
  }

  /** An entity binding is made the way the CLI documents it and then grants exactly what "can I?" says. */
  @Test
  void entityBinding_grantsOnlyForItsAccount_andCanIAgrees() {
    String ci = owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "ci")).body()
        .at("/serviceAccount/id").asText();
    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "other"));
    owner.post("/v1/organizations/" + org + "/roles", json("name", "sa-admin", "permissions", List.of("serviceaccount.delete")));
    Api ops = addUser("ops@example.com", "system:viewer", null);
    String bindings = "/v1/organizations/" + org + "/rolebindings";

    // Anything but serviceaccount:<name> or the id of an account of this organization is refused.
    for (String bad : List.of("ci", "bogus:thing", "serviceaccount:Not_A_Name", "00000000-0000-4000-8000-000000000000")) {
      var r = owner.post(bindings, json("subject", "user:local:ops@example.com", "role", org + ":sa-admin", "entity", bad));
      assertThat(r.status()).as(bad).isEqualTo(400);
      assertThat(r.text("field")).isEqualTo("entity");
      assertThat(r.error()).contains("serviceaccount:<name>");
    }
    var missing = owner.post(bindings, json("subject", "user:local:ops@example.com", "role", org + ":sa-admin",
        "entity", "serviceaccount:gone"));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.error()).contains("no service account named gone");

    // The id (what the CLI help mentions too) is stored in the canonical form.
    var created = owner.post(bindings, json("subject", "user:local:ops@example.com", "role", org + ":sa-admin", "entity", ci));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    assertThat(created.body().at("/roleBinding/entity").asText()).isEqualTo("serviceaccount:ci");

    // The routes honour it for ci only, and "can I?" says the same with either form.
    String accounts = "/v1/organizations/" + org + "/serviceaccounts/";
    assertThat(ops.post(accounts + "ci/disable", "{}").status()).isEqualTo(200);
    assertThat(ops.post(accounts + "other/disable", "{}").status()).isEqualTo(403);
    for (String entity : List.of("serviceaccount:ci", ci)) {
      assertThat(canI(ops, "serviceaccount.delete", entity)).as(entity).isTrue();
    }
    assertThat(canI(ops, "serviceaccount.delete", "serviceaccount:other")).isFalse();
    assertThat(canI(ops, "serviceaccount.delete", null)).isFalse();
    assertThat(ops.post("/api/v1alpha1/authorization/cani", json("organizationId", org,
        "permission", "serviceaccount.delete", "entity", "ci")).status()).isEqualTo(400);
  }

  /** A binding narrowed to an account dies with it: an account re-created under its name starts clean. */
  @Test
  void deletedServiceAccount_takesEntityBindingsAlong_soARecreatedOneInheritsNothing() {
    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "ci"));
    owner.post("/v1/organizations/" + org + "/roles", json("name", "sa-admin", "permissions", List.of("serviceaccount.delete")));
    Api ops = addUser("ops@example.com", "system:viewer", null);
    String bindingId = owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "user:local:ops@example.com",
        "role", org + ":sa-admin", "entity", "serviceaccount:ci")).body().at("/roleBinding/id").asText();
    String accounts = "/v1/organizations/" + org + "/serviceaccounts/";
    assertThat(ops.post(accounts + "ci/disable", "{}").status()).isEqualTo(200);

    assertThat(owner.delete(accounts + "ci").status()).isEqualTo(200);
    assertThat(owner.get("/v1/organizations/" + org + "/rolebindings").body().findValuesAsText("id")).doesNotContain(bindingId);
    var audit = owner.get("/v1/organizations/" + org + "/audit?action=rolebinding.delete").body().toString();
    assertThat(audit).contains("rolebinding:" + bindingId);

    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "ci"));
    var refused = ops.post(accounts + "ci/disable", "{}");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.error()).contains("serviceaccount.delete");
    assertThat(canI(ops, "serviceaccount.delete", "serviceaccount:ci")).isFalse();
    // The ops user itself is untouched: still a member with its own binding.
    assertThat(ops.get("/v1/organizations/" + org + "/rolebindings").status()).isEqualTo(200);
  }

  boolean canI(Api api, String permission, String entity) {
    var r = api.post("/api/v1alpha1/authorization/cani", json("organizationId", org, "permission", permission, "entity", entity));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body().get("allowed").asBoolean();
  }

  @Test
  void newAndDeletedBindings_changeTheVeryNextRequest() {
    Api viewer = addUser("v@example.com", "system:viewer", null);
    assertThat(viewer.post("/v1/organizations/" + org + "/projects", json("name", "p1")).status()).isEqualTo(403);
    String bindingId = owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "user:local:v@example.com", "role", "system:owner")).body().at("/roleBinding/id").asText();
    assertThat(viewer.post("/v1/organizations/" + org + "/projects", json("name", "p2")).status()).isEqualTo(200);
    assertThat(owner.delete("/v1/organizations/" + org + "/rolebindings/" + bindingId).status()).isEqualTo(200);
    assertThat(viewer.post("/v1/organizations/" + org + "/projects", json("name", "p3")).status()).isEqualTo(403);
  }

  @Test
  void canI_explainsWhichBindingGranted() {
    var r = owner.post("/api/v1alpha1/authorization/cani",
        json("organizationId", org, "permission", "rolebinding.create", "explain", true));
    assertThat(r.body().get("allowed").asBoolean()).isTrue();
    assertThat(r.body().at("/explanation/roleBinding/role").asText()).isEqualTo("system:owner");
    var no = server.anonymous().post("/api/v1alpha1/authorization/cani", json("organizationId", org, "permission", "project.read"));
    assertThat(no.status()).isEqualTo(401);
  }

  @Test
  void permissionsCatalogue_isExactlyIamMdPlusExtensions() {
    var perms = owner.get("/v1/permissions").body().get("permissions");
    assertThat(perms).hasSize(37);
    assertThat(perms.get(0).asText()).isEqualTo("profile.read");
    assertThat(perms.get(35).asText()).isEqualTo("billing.modify");
    assertThat(perms.get(36).asText()).isEqualTo("audit.read");
    var roles = owner.get("/v1/organizations/" + org + "/roles").body().get("roles");
    assertThat(roles.get(3).get("id").asText()).isEqualTo("system:profile-writer");
    assertThat(roles.get(3).get("permissions")).hasSize(1);
    assertThat(roles.get(3).get("permissions").get(0).asText()).isEqualTo("profile.write");
  }

  @Test
  void permissionsCatalogue_isPublic() {
    var anonymous = server.anonymous().get("/v1/permissions");
    assertThat(anonymous.status()).isEqualTo(200);
    assertThat(anonymous.body().get("permissions")).isEqualTo(owner.get("/v1/permissions").body().get("permissions"));
    // A presented but bad credential is still refused, as on every route.
    assertThat(Api.withToken(server.url(), "psc_v1_" + "0".repeat(64)).get("/v1/permissions").status()).isEqualTo(401);
  }

  @Test
  void deletingAProject_removesItsBindings() {
    String p = owner.post("/v1/organizations/" + org + "/projects", json("name", "tmp")).body().at("/project/id").asText();
    addUser("scoped@example.com", "system:viewer", p);
    assertThat(owner.get("/v1/organizations/" + org + "/rolebindings?projectId=" + p).body().get("roleBindings")).hasSize(1);
    owner.delete("/v1/projects/" + p);
    assertThat(owner.get("/v1/organizations/" + org + "/rolebindings").body().get("roleBindings")).hasSize(1);
  }
}
