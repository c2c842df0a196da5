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
    // Members here start organizations of their own (--org-creation=anyone) to test isolation.
    server = TestServer.start(backend, dir, c -> c.withOrganizationCreation(new dev.tollgate.iam.OrganizationCreation(
        dev.tollgate.iam.OrganizationCreation.Mode.ANYONE, 10)));
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
  void identicalRoleBinding_isRefusedWith409NamingTheExistingOne() {
    String p = owner.post("/v1/organizations/" + org + "/projects", json("name", "p")).body().at("/project/id").asText();
    boundAccount("scraper", "system:profile-writer", p);
    boundAccount("agent", "system:viewer", null);
    String existing = owner.get(bindings()).body().findParents("subject").stream()
        .filter(b -> b.get("subject").asText().equals("serviceaccount:scraper")).findFirst().orElseThrow()
        .get("id").asText();

    // Stray whitespace around the role does not make another binding.
    for (String role : List.of("system:profile-writer", "system:profile-writer ")) {
      var again = owner.post(bindings(), json("subject", "serviceaccount:scraper", "role", role, "projectId", p));
      assertThat(again.status()).as(again.body().toString()).isEqualTo(409);
      assertThat(again.text("code")).isEqualTo("already_exists");
      assertThat(again.error()).isEqualTo("an identical role binding already exists: " + existing
          + " (serviceaccount:scraper -> system:profile-writer in project " + p + ")");
    }
    // Any difference in subject, role, project or entity is another binding.
    assertOk(owner.post(bindings(), json("subject", "serviceaccount:scraper", "role", "system:profile-writer")));
    assertOk(owner.post(bindings(), json("subject", "serviceaccount:scraper", "role", "system:writer", "projectId", p)));
    assertOk(owner.post(bindings(), json("subject", "serviceaccount:agent", "role", "system:profile-writer", "projectId", p)));
    assertOk(owner.post(bindings(), json("subject", "serviceaccount:scraper", "role", "system:profile-writer",
        "projectId", p, "entity", "serviceaccount:agent")));
    var dup = owner.post(bindings(), json("subject", "serviceaccount:scraper", "role", "system:profile-writer",
        "projectId", p, "entity", "serviceaccount:agent"));
    assertThat(dup.status()).isEqualTo(409);
    long scraperBindings = owner.get(bindings()).body().get("roleBindings").findValuesAsText("subject").stream()
        .filter("serviceaccount:scraper"::equals).count();
    assertThat(scraperBindings).isEqualTo(4);
  }

  @Test
  void identicalRoleBindings_createdAtOnce_makeExactlyOne() throws Exception {
    boundAccount("racer", "system:viewer", null);
    int n = 8;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      var start = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        statuses.add(pool.submit(() -> {
          start.await();
          return owner.post(bindings(), json("subject", "serviceaccount:racer", "role", "system:profile-writer")).status();
        }));
      }
      start.countDown();
      List<Integer> got = new java.util.ArrayList<>();
      for (var f : statuses) {
        got.add(f.get());
      }
      assertThat(got).containsOnly(200, 409).containsOnlyOnce(200);
    } finally {
      pool.shutdownNow();
    }
    long racer = owner.get(bindings()).body().get("roleBindings").findValuesAsText("role").stream()
        .filter("system:profile-writer"::equals).count();
    assertThat(racer).isEqualTo(1);
  }

  @Test
  void whitespaceOnlyNames_areRefusedAsBlank_namingTheField() {
    String[][] cases = {
        {"/v1/organizations/" + org + "/serviceaccounts", "name must not be blank"},
        {"/v1/organizations/" + org + "/projects", "name must not be blank"},
        {"/v1/organizations/" + org + "/roles", "role name must not be blank"},
    };
    for (String[] c : cases) {
      var r = owner.post(c[0], json("name", "  \t ", "permissions", List.of("profile.read")));
      assertThat(r.status()).as(c[0]).isEqualTo(400);
      assertThat(r.error()).as(c[0]).isEqualTo(c[1]);
      assertThat(r.text("field")).isEqualTo("name");
    }
    boundAccount("named", "system:viewer", null);
    var token = owner.post(tokens("named"), json("name", "   "));
    assertThat(token.status()).isEqualTo(400);
    assertThat(token.error()).isEqualTo("name must not be blank");
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

  /** What an "iam-admin" needs to hand out roles and tokens, and nothing it could hand out beyond that. */
  static final List<String> IAM_ADMIN = List.of("role.list", "serviceaccount.list", "serviceaccounttoken.list",
      "serviceaccounttoken.create", "rolebinding.list", "rolebinding.create", "invite.list", "invite.create");

  String bindings() {
    return "/v1/organizations/" + org + "/rolebindings";
  }

  String invites() {
    return "/v1/organizations/" + org + "/invites";
  }

  String tokens(String account) {
    return "/v1/organizations/" + org + "/serviceaccounts/" + account + "/tokens";
  }

  /** A service account bound by the owner to {@code role} (org-wide when {@code projectId} is null). */
  void boundAccount(String name, String role, String projectId) {
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", name)).status()).isEqualTo(200);
    var b = owner.post(bindings(), json("subject", "serviceaccount:" + name, "role", role, "projectId", projectId));
    assertThat(b.status()).as(b.body().toString()).isEqualTo(200);
  }

  List<String> ownerSubjects() {
    List<String> out = new java.util.ArrayList<>();
    for (var b : owner.get(bindings()).body().get("roleBindings")) {
      if (b.get("role").asText().equals("system:owner")) {
        out.add(b.get("subject").asText());
      }
    }
    return out;
  }

  static void assertRefused(Api.Response r, String message) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(403);
    assertThat(r.text("code")).isEqualTo("permission_denied");
    assertThat(r.error()).isEqualTo(message);
  }

  static void assertOk(Api.Response r) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
  }

  @Test
  void iamAdmin_cannotGrantOrMintMoreThanItHolds() {
    owner.post("/v1/organizations/" + org + "/roles", json("name", "iam-admin", "permissions", IAM_ADMIN));
    Api admin = addUser("iam@example.com", org + ":iam-admin", null);
    boundAccount("bootstrap-admin", "system:owner", null);
    String owners = "cannot grant system:owner: you lack profile.read in this organization";

    // Binding owner to itself, directly or through the members route, is refused and changes nothing.
    assertRefused(admin.post(bindings(), json("subject", "user:local:iam@example.com", "role", "system:owner")), owners);
    assertRefused(admin.post("/v1/organizations/" + org + "/users",
        json("email", "iam@example.com", "role", "system:owner")), owners);
    assertRefused(admin.post("/v1/organizations/" + org + "/users",
        json("email", "crony@example.com", "password", "password-crony", "role", "system:owner")), owners);
    assertThat(ownerSubjects()).containsExactlyInAnyOrder("user:local:admin@localhost", "serviceaccount:bootstrap-admin");
    assertThat(owner.get("/v1/organizations/" + org + "/users").body().findValuesAsText("email"))
        .doesNotContain("crony@example.com");
    // An owner invite is refused, and none exists afterwards.
    assertRefused(admin.post(invites(), json("role", "system:owner")), owners);
    // (Adding iam@ above made the members route's invite for its own role; no other.)
    assertThat(owner.get(invites()).body().get("invites").findValuesAsText("role")).containsOnly(org + ":iam-admin");
    // A token for the owner-bound account is refused, and none exists afterwards.
    assertRefused(admin.post(tokens("bootstrap-admin"), json("name", "mine")),
        "cannot create a token for serviceaccount:bootstrap-admin: you lack profile.read in this organization");
    assertThat(owner.get(tokens("bootstrap-admin")).body().get("tokens")).isEmpty();
    // Binding a role to an account it can mint tokens for is the same grant, refused the same way.
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "mine")).status()).isEqualTo(200);
    assertRefused(admin.post(bindings(), json("subject", "serviceaccount:mine", "role", "system:writer")),
        "cannot grant system:writer: you lack profile.read in this organization");

    // What it holds, it can hand out: a role of a subset of its permissions, bound, invited and carried by a token.
    owner.post("/v1/organizations/" + org + "/roles", json("name", "auditor",
        "permissions", List.of("rolebinding.list", "invite.list")));
    assertOk(admin.post(bindings(), json("subject", "serviceaccount:mine", "role", org + ":auditor")));
    assertOk(admin.post(invites(), json("role", org + ":auditor")));
    var minted = admin.post(tokens("mine"), json("name", "auditor-token"));
    assertOk(minted);
    var auditor = Api.withToken(server.url(), minted.body().at("/token/token").asText());
    assertThat(auditor.get(bindings()).status()).isEqualTo(200);
    // Its own role too: holding every permission of iam-admin, it may pass iam-admin on.
    assertOk(admin.post(bindings(), json("subject", "serviceaccount:mine", "role", org + ":iam-admin")));
    assertOk(admin.post(tokens("mine"), json("name", "iam-admin-token")));
  }

  @Test
  void projectScopedGrant_allowsGrantingInThatProject_notOrgWideNorElsewhere() {
    String a = owner.post("/v1/organizations/" + org + "/projects", json("name", "a")).body().at("/project/id").asText();
    String b = owner.post("/v1/organizations/" + org + "/projects", json("name", "b")).body().at("/project/id").asText();
    owner.post("/v1/organizations/" + org + "/roles", json("name", "iam-admin", "permissions", IAM_ADMIN));
    Api lead = addUser("lead@example.com", org + ":iam-admin", null);
    assertOk(owner.post(bindings(), json("subject", "user:local:lead@example.com", "role", "system:writer", "projectId", a)));
    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "agent"));

    // Bindings and invites of writer: in project a yes; in project b and org-wide no.
    assertOk(lead.post(bindings(), json("subject", "serviceaccount:agent", "role", "system:writer", "projectId", a)));
    assertOk(lead.post(invites(), json("role", "system:writer", "projectId", a)));
    assertRefused(lead.post(bindings(), json("subject", "serviceaccount:agent", "role", "system:writer", "projectId", b)),
        "cannot grant system:writer: you lack profile.read in project " + b);
    assertRefused(lead.post(invites(), json("role", "system:writer", "projectId", b)),
        "cannot grant system:writer: you lack profile.read in project " + b);
    assertRefused(lead.post(bindings(), json("subject", "serviceaccount:agent", "role", "system:writer")),
        "cannot grant system:writer: you lack profile.read in this organization");
    assertRefused(lead.post(invites(), json("role", "system:writer")),
        "cannot grant system:writer: you lack profile.read in this organization");

    // agent holds writer in project a only: a token for it, bound to a or not, carries no more than lead holds.
    assertOk(lead.post(tokens("agent"), json("name", "in-a", "projectId", a)));
    assertOk(lead.post(tokens("agent"), json("name", "unbound")));
    // fleet holds writer org-wide: lead may mint only a token bound to project a, where it holds writer too.
    boundAccount("fleet", "system:writer", null);
    assertOk(lead.post(tokens("fleet"), json("name", "in-a", "projectId", a)));
    assertRefused(lead.post(tokens("fleet"), json("name", "in-b", "projectId", b)),
        "cannot create a token for serviceaccount:fleet: you lack profile.read in project " + b);
    assertRefused(lead.post(tokens("fleet"), json("name", "everywhere")),
        "cannot create a token for serviceaccount:fleet: you lack profile.read in this organization");
    // A binding of fleet in project b is out of reach of a token bound to project a, and does not block it.
    assertOk(owner.post(bindings(), json("subject", "serviceaccount:fleet", "role", "system:owner", "projectId", b)));
    assertOk(lead.post(tokens("fleet"), json("name", "still-in-a", "projectId", a)));
    assertThat(owner.get(tokens("fleet")).body().get("tokens")).hasSize(2);
  }

  @Test
  void entityScopedGrant_allowsGrantingForThatAccountOnly() {
    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "ci"));
    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "other"));
    owner.post("/v1/organizations/" + org + "/roles", json("name", "sa-admin", "permissions", List.of("serviceaccount.delete")));
    owner.post("/v1/organizations/" + org + "/roles", json("name", "iam-admin", "permissions", IAM_ADMIN));
    Api ops = addUser("ops@example.com", org + ":iam-admin", null);
    assertOk(owner.post(bindings(), json("subject", "user:local:ops@example.com", "role", org + ":sa-admin",
        "entity", "serviceaccount:ci")));
    addUser("helper@example.com", "system:viewer", null);

    assertOk(ops.post(bindings(), json("subject", "user:local:helper@example.com", "role", org + ":sa-admin",
        "entity", "serviceaccount:ci")));
    assertRefused(ops.post(bindings(), json("subject", "user:local:helper@example.com", "role", org + ":sa-admin",
        "entity", "serviceaccount:other")),
        "cannot grant " + org + ":sa-admin: you lack serviceaccount.delete for serviceaccount:other in this organization");
    assertRefused(ops.post(bindings(), json("subject", "user:local:helper@example.com", "role", org + ":sa-admin")),
        "cannot grant " + org + ":sa-admin: you lack serviceaccount.delete in this organization");

    // An account holding sa-admin for ci only carries no more than ops holds; one holding it for other does.
    assertOk(owner.post(bindings(), json("subject", "serviceaccount:other", "role", org + ":sa-admin",
        "entity", "serviceaccount:ci")));
    assertOk(ops.post(tokens("other"), json("name", "t")));
    assertOk(owner.post(bindings(), json("subject", "serviceaccount:ci", "role", org + ":sa-admin",
        "entity", "serviceaccount:other")));
    assertRefused(ops.post(tokens("ci"), json("name", "t")),
        "cannot create a token for serviceaccount:ci: you lack serviceaccount.delete for serviceaccount:other in this organization");
  }

  @Test
  void owner_stillGrantsAndMintsEverything() {
    String a = owner.post("/v1/organizations/" + org + "/projects", json("name", "a")).body().at("/project/id").asText();
    boundAccount("bootstrap-admin", "system:owner", null);
    addUser("second@example.com", "system:viewer", null);
    assertOk(owner.post(bindings(), json("subject", "user:local:second@example.com", "role", "system:owner")));
    assertOk(owner.post(bindings(), json("subject", "user:local:second@example.com", "role", "system:owner", "projectId", a)));
    assertOk(owner.post(invites(), json("role", "system:owner")));
    assertOk(owner.post(invites(), json("role", "system:owner", "projectId", a)));
    assertOk(owner.post(tokens("bootstrap-admin"), json("name", "everything")));
    assertOk(owner.post(tokens("bootstrap-admin"), json("name", "in-a", "projectId", a)));
    // A project owner is an owner there: it grants owner in its project.
    Api projectOwner = addUser("powner@example.com", "system:owner", a);
    // (Another subject than the owner's binding above: an identical binding would be a 409.)
    assertOk(projectOwner.post(bindings(), json("subject", "user:local:third@example.com", "role", "system:owner",
        "projectId", a)));
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
