package dev.tollgate.api;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/api.md's "needs" column is what the code checks: for every route whose column names one
 * permission (org-wide, or "in the project"), a service account holding a custom role with
 * exactly that permission, bound where the page says, is let through, and one holding another
 * permission there is refused with 403. Through the real server, on both databases. Routes whose
 * column says more (grant rules, "any credential", public) are covered by AuthorizationTest.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RoutePermissionsTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private static final Pattern ROW = Pattern.compile(
      "^\\| `(GET|POST|PATCH|DELETE) ([^`]+)` \\|.*\\| `([a-z]+\\.[a-z]+)`( in the project)? \\|$", Pattern.MULTILINE);

  record Route(String method, String path, String permission, boolean inProject) {}

  static List<Route> documented() throws Exception {
    List<Route> out = new ArrayList<>();
    Matcher m = ROW.matcher(Files.readString(TestData.basedir().resolve("docs/api.md")));
    while (m.find()) {
      out.add(new Route(m.group(1), m.group(2), m.group(3), m.group(4) != null));
    }
    return out;
  }

  /** Bodies a permitted caller's request is valid with (others send {@code {}}). */
  static final Map<String, String> BODIES = Map.of(
      "PATCH /v1/organizations/{organization_id}", json("name", "default"),
      "POST /v1/organizations/{organization_id}/projects", json("name", "made-by-permission"),
      "PATCH /v1/projects/{project_id}", json("name", "renamed"),
      "POST /v1/organizations/{organization_id}/roles", json("name", "made-by-permission", "permissions",
          List.of("profile.read")),
      "POST /v1/organizations/{organization_id}/serviceaccounts", json("name", "made-by-permission"));

  TestServer server;
  Api owner;
  String org;
  int n;
  /** Accounts made for one route, deleted after it (at most 50 per organization). */
  final List<String> accounts = new ArrayList<>();

  String account(String name) {
    var sa = owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", name));
    assertThat(sa.status()).as(sa.body().toString()).isEqualTo(200);
    String id = sa.body().at("/serviceAccount/id").asText();
    accounts.add(id);
    return id;
  }

  String roleWith(String permission) {
    var r = owner.post("/v1/organizations/" + org + "/roles", json("name", "only-" + (n++), "permissions",
        List.of(permission)));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body().at("/role/id").asText();
  }

  /** A token of a new service account bound to a role with only {@code permission}. */
  String callerWith(String permission, String projectId) {
    String name = "caller-" + (n++);
    String sa = account(name);
    var b = owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:" + name,
        "role", roleWith(permission), "projectId", projectId));
    assertThat(b.status()).as(b.body().toString()).isEqualTo(200);
    var t = owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens", json("name", "t", "projectId", projectId));
    assertThat(t.status()).as(t.body().toString()).isEqualTo(200);
    return t.body().at("/token/token").asText();
  }

  /** The route's path with fresh objects of the organization for its parameters. */
  String fill(String path, String project) {
    String p = path.replace("{organization_id}", org).replace("{project_id}", project);
    if (p.contains("/serviceaccounts/{id}")) {
      String sa = account("target-" + (n++));
      p = p.replace("{id}", sa);
      if (p.contains("{token_id}")) {
        p = p.replace("{token_id}", owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens",
            json("name", "victim")).body().at("/token/id").asText());
      }
    }
    if (p.contains("/rolebindings/{id}")) {
      account("bound-" + n);
      p = p.replace("{id}", owner.post("/v1/organizations/" + org + "/rolebindings", json("subject",
          "serviceaccount:bound-" + (n++), "role", "system:viewer")).body().at("/roleBinding/id").asText());
    }
    if (p.contains("/invites/{id}")) {
      p = p.replace("{id}", owner.post("/v1/organizations/" + org + "/invites", json("role", "system:viewer"))
          .body().at("/invite/id").asText());
    }
    if (p.contains("{role_id}")) {
      p = p.replace("{role_id}", roleWith("profile.read"));
    }
    if (p.contains("{user_id}")) {
      String email = "member-" + (n++) + "@example.com";
      owner.post("/v1/organizations/" + org + "/users", json("email", email, "password", "member-password",
          "role", "system:viewer"));
      String id = owner.get("/v1/organizations/" + org + "/users").body().findParents("email").stream()
          .filter(u -> u.path("email").asText().equals(email)).findFirst().orElseThrow().path("id").asText();
      p = p.replace("{user_id}", id);
    }
    if (p.contains("/tokens/{token_id}")) { // a legacy project token
      p = p.replace("{token_id}", owner.post("/v1/projects/" + project + "/tokens", json("name", "legacy"))
          .body().at("/token/id").asText());
    }
    // A profile id nobody stored: the permitted caller gets past the check to a 404.
    return p.replace("{profile_id}", UUID.randomUUID().toString());
  }

  @Test
  void everyRouteNeedsExactlyTheDocumentedPermission() throws Exception {
    List<Route> routes = documented();
    assertThat(routes).as("single-permission routes parsed from docs/api.md").hasSizeGreaterThan(30);
    try (TestServer s = TestServer.start(backend, dir)) {
      server = s;
      owner = s.owner();
      org = s.organizationId();
      List<String> wrong = new ArrayList<>();
      for (Route r : routes) {
        String project = owner.post("/v1/organizations/" + org + "/projects", json("name", "p-" + (n++)))
            .body().at("/project/id").asText();
        String scope = r.inProject() ? project : null;
        String other = r.permission().equals("invite.list") ? "role.list" : "invite.list";
        String path = fill(r.path(), project);
        String body = r.method().equals("GET") || r.method().equals("DELETE") ? null
            : BODIES.getOrDefault(r.method() + " " + r.path(), "{}");
        var refused = Api.withToken(s.url(), callerWith(other, scope)).send(r.method(), path, body);
        if (refused.status() != 403) {
          wrong.add(r + " without it: " + refused.status() + " " + refused.body());
        }
        var allowed = Api.withToken(s.url(), callerWith(r.permission(), scope)).send(r.method(), path, body);
        if (allowed.status() == 401 || allowed.status() == 403 || allowed.status() >= 500) {
          wrong.add(r + " with it: " + allowed.status() + " " + allowed.body());
        }
        for (String id : accounts) {
          owner.delete("/v1/organizations/" + org + "/serviceaccounts/" + id); // 404 once the route deleted it
        }
        accounts.clear();
      }
      assertThat(wrong).isEmpty();
    }
  }
}
