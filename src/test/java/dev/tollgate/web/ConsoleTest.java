package dev.tollgate.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.tollgate.testing.Api;
import org.assertj.core.api.Assertions;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.BrowserSession;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web console in Debian's chromium against the real server on SQLite. */
class ConsoleTest {
  @TempDir Path dir;

  TestServer server;
  BrowserSession b;
  Page page;
  String org;
  String project;

  @BeforeEach
  void start() throws Exception {
    BrowserSession.requireChromium();
    server = TestServer.start(Backend.SQLITE, dir);
    org = server.organizationId();
    project = server.defaultProjectId();
    b = new BrowserSession(server.url());
    page = b.page;
  }

  @AfterEach
  void stop() {
    if (b != null) {
      b.close();
    }
    server.close();
  }

  /** One real pprof profile over gRPC WriteRaw, as an agent sends it. */
  void writeProfile(String token, String projectId) throws Exception {
    byte[] pprof = Files.readAllBytes(TestData.pprofFiles().get(0));
    LabelSet.Builder labels = LabelSet.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue("alloc_objects"))
        .addLabels(Label.newBuilder().setName("job").setValue("web"))
        .addLabels(Label.newBuilder().setName("node").setValue("node-a"));
    GrpcTestClients.stub(server.url(), token, projectId, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
        .writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(labels)
            .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof)))).build());
  }

  Locator button(String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  Locator dialog() {
    return page.locator("dialog[open]");
  }

  Locator inDialog(String buttonName) {
    return dialog().getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(buttonName).setExact(true));
  }

  Locator heading(String name) {
    return page.locator("main").getByRole(AriaRole.HEADING, new Locator.GetByRoleOptions().setName(name).setExact(true));
  }

  @Test
  void seedSteps_createAccountBindTokenCopyWriteSeeDataDeleteRefuse() throws Exception {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    // First login into an organization without service accounts starts the guided set-up.
    heading("Connect a client").waitFor();

    b.open("#/orgs/" + org + "/iam/serviceaccounts");
    heading("Service Accounts").waitFor();
    b.screenshot("service-accounts-empty");
    // Keyboard: the dialog takes focus and Escape closes it.
    button("Create Service Account").click();
    assertThat(dialog().getByLabel("Name")).isFocused();
    page.keyboard().press("Escape");
    assertThat(dialog()).hasCount(0);
    button("Create Service Account").click();
    dialog().getByLabel("Name").fill("production-scraper");
    inDialog("Create").click();

    // The new account is offered the role-binding step right away.
    assertThat(dialog().getByRole(AriaRole.HEADING)).hasText("Grant production-scraper a role");
    dialog().getByLabel("Role").selectOption("system:profile-writer");
    dialog().getByLabel("Project").selectOption(project);
    b.screenshot("service-account-bind-role");
    inDialog("Grant role").click();
    assertThat(dialog()).hasCount(0);
    b.screenshot("service-accounts");

    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("production-scraper")).click();
    heading("production-scraper").waitFor();
    assertThat(page.locator("section", new Page.LocatorOptions().setHas(
        page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Role bindings")))))
        .containsText("system:profile-writer");

    button("Create Token").click();
    dialog().getByLabel("Token name").fill("prod-cluster-1");
    dialog().getByLabel("Project").selectOption(project);
    inDialog("Create token").click();
    Locator box = page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("API token"));
    assertThat(page.getByText("It will not be shown again")).isVisible();
    String shown = box.inputValue();
    assertThat(shown).matches("psc_v1_[0-9a-f]{64}");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Copy API token")).click();
    assertThat(page.getByText("Copied to the clipboard.")).isVisible();
    String token = (String) page.evaluate("() => navigator.clipboard.readText()");
    assertThat(token).isEqualTo(shown);
    b.screenshot("service-account-token-created");

    // The copied token writes a profile over gRPC with the projectid header.
    writeProfile(token, project);
    Api machine = Api.withToken(server.url(), token);
    assertThat(machine.get("/v1/auth/me").status()).isEqualTo(200);

    // The project page shows the data arriving from this token and node, and the series.
    b.open("#/projects/" + project);
    Locator source = page.locator("tr", new Page.LocatorOptions().setHasText("serviceaccount:production-scraper"));
    assertThat(source).isVisible();
    assertThat(source).not().containsText("never");
    assertThat(page.locator("tr", new Page.LocatorOptions().setHasText("node-a")).first()).isVisible();
    assertThat(page.locator("main")).containsText("job=\"web\"");
    button("Profiles").click();
    Locator download = page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("pprof (.pb.gz)"));
    assertThat(download).hasCount(1);
    assertThat(download).hasAttribute("href", java.util.regex.Pattern.compile("/v1/projects/" + project + "/profiles/[0-9a-f-]{36}/raw"));
    b.screenshot("project-data-arriving");

    b.open("#/orgs/" + org + "/iam/serviceaccounts");
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("production-scraper")).click();
    Locator row = page.locator("tr", new Page.LocatorOptions().setHasText("prod-cluster-1"));
    assertThat(row).not().containsText("never"); // last used is shown
    assertThat(row).containsText("default");     // the project it is tied to
    b.screenshot("service-account-detail");

    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Delete token prod-cluster-1")).click();
    inDialog("Delete").click();
    assertThat(page.locator("tr", new Page.LocatorOptions().setHasText("prod-cluster-1"))).hasCount(0);
    assertThat(machine.get("/v1/auth/me").status()).isEqualTo(401);
    assertThatThrownBy(() -> writeProfile(token, project))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    b.assertClean();
  }

  @Test
  void createApiTokenDialog_newAccountGetsItsRoleBeforeTheToken() {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/orgs/" + org + "/iam/serviceaccounts");
    button("Create API Token").click();
    dialog().getByLabel("Service account", new Locator.GetByLabelOptions().setExact(true)).selectOption("__new__");
    dialog().getByLabel("New service account name").fill("ci-uploader");
    dialog().getByLabel("Role of the new account").selectOption("system:debuginfo-writer");
    dialog().getByLabel("Token name").fill("github-actions");
    b.screenshot("create-api-token-dialog");
    inDialog("Create token").click();
    assertThat(dialog().getByRole(AriaRole.TEXTBOX, new Locator.GetByRoleOptions().setName("API token"))).hasValue(java.util.regex.Pattern.compile("psc_v1_[0-9a-f]{64}"));
    assertThat(dialog().locator("button.primary")).hasCount(1);
    inDialog("Done").click();
    assertThat(page.locator("tr", new Page.LocatorOptions().setHasText("ci-uploader"))).containsText("1");
    var bindings = server.owner().get("/v1/organizations/" + org + "/rolebindings").body().path("roleBindings");
    assertThat(bindings.toString()).contains("serviceaccount:ci-uploader").contains("system:debuginfo-writer");
    b.assertClean();
  }

  @Test
  void userNamedThings_areShownAsTextAndRunNothing() {
    String evil = "<img src=x onerror=alert(1)>";
    Api owner = server.owner();
    String saId = owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "xss-check"))
        .body().at("/serviceAccount/id").asText();
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);

    // A project with such a name, created in the console.
    b.open("#/orgs/" + org + "/projects");
    button("Create Project").click();
    dialog().getByLabel("Project name").fill(evil);
    inDialog("Create").click();
    heading("Connect a client").waitFor();
    b.open("#/orgs/" + org + "/projects");
    assertThat(page.locator("main").getByText(evil, new Locator.GetByTextOptions().setExact(true))).isVisible();
    assertThat(page.locator("nav").getByText(evil, new Locator.GetByTextOptions().setExact(true))).isVisible();
    b.screenshot("projects");

    // A token with such a name, created in the console.
    b.open("#/orgs/" + org + "/iam/serviceaccounts/" + saId);
    button("Create Token").click();
    dialog().getByLabel("Token name").fill(evil);
    inDialog("Create token").click();
    assertThat(page.locator("td").getByText(evil, new Locator.GetByTextOptions().setExact(true))).isVisible();
    assertThat(page.locator("main img")).hasCount(0);
    page.reload();
    assertThat(page.locator("td").getByText(evil, new Locator.GetByTextOptions().setExact(true))).isVisible();
    b.screenshot("xss-token-name");
    page.waitForTimeout(300);
    b.assertClean();
  }

  @Test
  void viewer_seesPagesWithoutCreateButtons_andTheApiRefuses() {
    Api owner = server.owner();
    var added = owner.post("/v1/organizations/" + org + "/users",
        json("email", "viewer@example.com", "password", "viewer-password-1", "role", "system:viewer"));
    assertThat(added.status()).as(added.body().toString()).isEqualTo(200);
    owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "existing-agent"));

    b.login("viewer@example.com", "viewer-password-1");
    b.open("#/orgs/" + org + "/iam/serviceaccounts");
    assertThat(page.getByText("existing-agent")).isVisible();
    assertThat(button("Create Service Account")).hasCount(0);
    assertThat(button("Create API Token")).hasCount(0);
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete existing-agent"))).hasCount(0);
    b.screenshot("viewer-service-accounts");

    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("existing-agent")).click();
    heading("Tokens").waitFor();
    assertThat(button("Create Token")).hasCount(0);
    assertThat(button("Create Role Binding")).hasCount(0);
    assertThat(button("Disable")).hasCount(0);

    b.open("#/projects/" + project);
    heading("Data arriving").waitFor();
    assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Connect a client"))).hasCount(0);
    b.open("#/projects/" + project + "/settings");
    heading("Project settings").waitFor();
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Rename"))).hasCount(0);
    assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete project"))).hasCount(0);

    b.open("#/orgs/" + org + "/iam/rolebindings");
    heading("Role Bindings").waitFor();
    assertThat(page.locator("tbody tr").first()).isVisible();
    assertThat(button("Create Role Binding")).hasCount(0);
    assertThat(page.locator("tbody button")).hasCount(0);

    b.open("#/orgs/" + org + "/iam/roles");
    heading("System roles").waitFor();
    assertThat(button("Create Role")).hasCount(0);

    b.open("#/orgs/" + org + "/iam/members");
    assertThat(page.locator("main").getByText("viewer@example.com")).isVisible();
    assertThat(button("Add Member")).hasCount(0);

    b.open("#/orgs/" + org + "/projects");
    heading("Projects").waitFor();
    assertThat(button("Create Project")).hasCount(0);
    b.screenshot("viewer-projects");

    // Forcing it anyway: the API refuses, with the session's CSRF token sent by the page itself.
    Object status = page.evaluate("async (org) => {"
        + "const me = await (await fetch('/v1/auth/me')).json();"
        + "const r = await fetch(`/v1/organizations/${org}/serviceaccounts`, {method: 'POST',"
        + " headers: {'content-type': 'application/json', 'x-csrf-token': me.csrfToken},"
        + " body: JSON.stringify({name: 'forced'})});"
        + "return r.status; }", org);
    assertThat(((Number) status).intValue()).isEqualTo(403);
    b.assertClean();
  }

  @Test
  void onboarding_leastRoleBoundToTheProject_filledInFlags_thenFirstProfileReceived() throws Exception {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    heading("Connect a client").waitFor();
    b.screenshot("onboarding-start");
    page.getByLabel("Project name").fill("production");
    button("Continue").click();
    page.getByLabel("Parca scraper").check();
    assertThat(page.getByLabel("Service account name")).hasValue("production-scraper");
    button("Create service account").click();
    assertThat(page.locator("main")).containsText("with system:profile-writer in production");
    page.getByLabel("Token name").fill("scraper-token");
    button("Create token").click();
    String token = page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("API token")).inputValue();
    assertThat(token).matches("psc_v1_[0-9a-f]{64}");
    String flags = page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Parca (scraper) flags")).inputValue();
    assertThat(flags)
        .contains("--store-address=localhost:" + server.port())
        .contains("--bearer-token-file=/var/run/secrets/tollgate/token")
        .doesNotContain("--grpc-headers");
    String k8s = page.getByRole(AriaRole.TEXTBOX,
        new Page.GetByRoleOptions().setName("Kubernetes Secret and Deployment for Parca (scraper)")).inputValue();
    assertThat(k8s).contains("token: \"" + token + "\"").contains("--mode=scraper-only")
        .doesNotContain("--grpc-headers").contains("mountPath: /var/run/secrets/tollgate");
    assertThat(page.getByRole(AriaRole.STATUS).filter(new Locator.FilterOptions()
        .setHasText("Waiting for the first profile"))).isVisible();
    b.screenshot("onboarding-flags");

    writeProfile(token, project);
    assertThat(page.getByRole(AriaRole.STATUS).filter(new Locator.FilterOptions()
        .setHasText("First profile received at"))).isVisible();
    b.screenshot("onboarding-first-profile");

    // What the flow created: the least role, bound to this project only; the project renamed.
    Api owner = server.owner();
    var bindings = owner.get("/v1/organizations/" + org + "/rolebindings").body().path("roleBindings");
    assertThat(bindings.toString()).contains("\"subject\":\"serviceaccount:production-scraper\"")
        .contains("\"projectId\":\"" + project + "\",\"entity\":null,\"role\":\"system:profile-writer\"");
    assertThat(owner.get("/v1/projects/" + project).body().at("/project/name").asText()).isEqualTo("production");
    assertThat(Api.withToken(server.url(), token).get("/v1/auth/me").status()).isEqualTo(200);
    b.assertClean();
  }

  @Test
  void ownerPages_roleBindingsRolesMembersAuditSettingsProject() {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);

    // The last owner binding cannot go; the server's explanation is shown.
    b.open("#/orgs/" + org + "/iam/rolebindings");
    heading("Role Bindings").waitFor();
    page.getByLabel("Role", new Page.GetByLabelOptions().setExact(true)).selectOption("system:owner");
    page.locator("tbody tr").first().getByRole(AriaRole.BUTTON).click();
    inDialog("Delete").click();
    assertThat(page.getByRole(AriaRole.ALERT)).containsText("last owner binding");
    b.screenshot("role-bindings");

    b.open("#/orgs/" + org + "/iam/roles");
    button("Create Role").click();
    dialog().getByLabel("Name").fill("ci-uploader");
    dialog().getByLabel("debuginfo.write").check();
    dialog().getByLabel("debuginfo.list").check();
    b.screenshot("roles-create");
    inDialog("Create").click();
    assertThat(page.locator("article.role", new Page.LocatorOptions().setHasText("ci-uploader")))
        .containsText("debuginfo.write");
    b.screenshot("roles");

    b.open("#/orgs/" + org + "/iam/members");
    button("Add Member").click();
    dialog().getByLabel("Email").fill("dev@example.com");
    dialog().getByLabel("Initial password").fill("dev-password-123");
    dialog().getByLabel("Role").selectOption("system:writer");
    inDialog("Add").click();
    assertThat(page.locator("tr", new Page.LocatorOptions().setHasText("dev@example.com"))).containsText("system:writer");
    b.screenshot("members");

    b.open("#/orgs/" + org + "/settings");
    page.getByLabel("Organization name").fill("Acme");
    page.getByLabel("Maximum token lifetime (days)").fill("90");
    page.getByLabel("Legacy project tokens frozen").check();
    button("Save").click();
    assertThat(page.getByText("Saved.")).isVisible();
    var o = server.owner().get("/v1/organizations/" + org).body().path("organization");
    assertThat(o.path("name").asText()).isEqualTo("Acme");
    assertThat(o.at("/settings/maxTokenLifetimeSeconds").asLong()).isEqualTo(90L * 86400);
    assertThat(o.at("/settings/legacyTokensFrozen").asBoolean()).isTrue();
    b.screenshot("organization-settings");

    b.open("#/orgs/" + org + "/iam/audit");
    page.getByLabel("Action starts with").fill("role.");
    button("Filter").click();
    assertThat(page.locator("tbody")).containsText("role.create");
    assertThat(page.locator("tbody")).not().containsText("user.create");
    b.screenshot("audit-log");

    b.open("#/projects/" + project + "/settings");
    heading("Project settings").waitFor();
    assertThat(page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Project id"))).hasValue(project);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Copy Project id")).click();
    assertThat((String) page.evaluate("() => navigator.clipboard.readText()")).isEqualTo(project);
    b.screenshot("project-settings");

    b.open("#/projects/" + project);
    heading("Data arriving").waitFor();
    b.screenshot("project-overview");
    b.assertClean();
  }

  /**
   * The legacy-token replace flow in the browser, against the real legacy routes: a legacy token
   * exists, the user replaces it with a service account, and the flags page shows the new token.
   */
  @Test
  void legacyTokenReplace_endsOnThePageWithAgentScraperAndKubernetesFlags() {
    Api owner = server.owner();
    var legacy = owner.post("/v1/projects/" + project + "/tokens", Api.json("name", "Old Agent Token"));
    Assertions.assertThat(legacy.status()).isEqualTo(200);
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/projects/" + project + "/settings");
    assertThat(page.getByRole(AriaRole.NOTE)).containsText("Move to service accounts");
    b.screenshot("project-settings-legacy-tokens");
    button("Replace with a service account").click();
    dialog().getByLabel("The client using this token is").selectOption("system:writer");
    assertThat(dialog().getByLabel("New service account name")).hasValue("old-agent-token");
    inDialog("Create service account and token").click();

    heading("Switch your client to the service account").waitFor();
    String newToken = page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("API token")).inputValue();
    Assertions.assertThat(newToken).matches("psc_v1_[0-9a-f]{64}");
    // The server made the account, bound it Writer in this project, and the new token works there.
    var bindings = owner.get("/v1/organizations/" + server.organizationId() + "/rolebindings?projectId=" + project);
    Assertions.assertThat(bindings.body().toString())
        .contains("serviceaccount:old-agent-token").contains("system:writer");
    Assertions.assertThat(Api.withToken(server.url(), newToken).get("/v1/auth/me").status())
        .isEqualTo(200);
    String agent = page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Parca Agent flags").setExact(true))
        .inputValue();
    assertThat(agent)
        .contains("--remote-store-address=localhost:" + server.port())
        .contains("--remote-store-bearer-token-file=/var/run/secrets/tollgate/token")
        .contains("--remote-store-grpc-headers=projectID=" + project);
    String k8s = page.getByRole(AriaRole.TEXTBOX,
        new Page.GetByRoleOptions().setName("Kubernetes Secret and DaemonSet for Parca Agent")).inputValue();
    assertThat(k8s).contains("kind: Secret").contains("kind: DaemonSet").contains(newToken)
        .contains("- --remote-store-grpc-headers=projectID=" + project)
        .contains("mountPath: /var/run/secrets/tollgate");
    page.getByText("Flags for a Parca scraper instead").click();
    assertThat(page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Parca (scraper) flags")))
        .hasValue(java.util.regex.Pattern.compile("--store-address=[\\s\\S]*--bearer-token-file=/var/run/secrets/tollgate/token$"));
    b.screenshot("legacy-replace-flags");
    b.assertClean();
  }

  /** An owner invites with a project-scoped role; the invited person opens the link, joins, and sees that project. */
  @Test
  void invite_linkLetsAPersonSetAPasswordAndJoin() {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/orgs/" + org + "/iam/invites");
    heading("Invites").waitFor();
    button("Invite someone").click();
    dialog().getByLabel("Role").selectOption("system:viewer");
    dialog().getByLabel("Project").selectOption(project);
    inDialog("Create invite").click();
    String link = page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Invite link")).inputValue();
    Assertions.assertThat(link).matches(".*/#/invite/[0-9a-f]{48}");
    b.screenshot("invites");

    // The invited person, in a fresh session.
    page.context().clearCookies();
    page.navigate(link);
    heading("Join default").waitFor();
    b.screenshot("invite-accept");
    page.getByLabel("Email").fill("invited@example.com");
    page.getByLabel("Password").fill("a-good-long-password");
    button("Join").click();
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("default").setExact(true)).first().waitFor();
    Api invited = Api.login(server.url(), "invited@example.com", "a-good-long-password");
    Assertions.assertThat(invited.get("/v1/organizations/" + org + "/projects").body().get("projects")).hasSize(1);
    Assertions.assertThat(invited.post("/v1/organizations/" + org + "/projects", Api.json("name", "x")).status())
        .isEqualTo(403);
    // The link works once per person but stays valid until expired; the owner sees the acceptance.
    Assertions.assertThat(server.owner().get("/v1/organizations/" + org + "/invites").body()
        .at("/invites/0/acceptanceCount").asLong()).isEqualTo(1);
    b.assertClean();
  }
  /** A person logged in to the console opens an invite link in a fresh page and joins: the accept call carries the CSRF token. */
  @Test
  void invite_acceptedFromALoggedInBrowser() {
    Api owner = server.owner();
    assertThat(owner.post("/v1/organizations/" + org + "/users", json("email", "member@example.com",
        "password", "member-password", "role", "system:viewer", "projectId", project)).status()).isEqualTo(200);
    String code = owner.post("/v1/organizations/" + org + "/invites", json("role", "system:writer"))
        .body().at("/invite/token").asText();
    b.login("member@example.com", "member-password");
    page.navigate("about:blank");
    b.open("#/invite/" + code);
    heading("Join default").waitFor();
    page.getByLabel("Email").fill("member@example.com");
    page.getByLabel("Password").fill("member-password");
    button("Join").click();
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("default").setExact(true)).first().waitFor();
    assertThat(page.getByRole(AriaRole.ALERT)).hasCount(0);
    var bindings = owner.get("/v1/organizations/" + org + "/rolebindings").body().get("roleBindings");
    Assertions.assertThat(bindings.findValuesAsText("role")).contains("system:writer");
    Assertions.assertThat(bindings.findValuesAsText("subject")).filteredOn("user:local:member@example.com"::equals).hasSize(2);
    b.assertClean();
  }

  /** An invite for one email: created with it in the console, the accept page shows that address fixed. */
  @Test
  void invite_forOneEmail_isListedWithIt_andTheAcceptPageFixesTheAddress() {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/orgs/" + org + "/iam/invites");
    heading("Invites").waitFor();
    button("Invite someone").click();
    dialog().getByLabel("Role").selectOption("system:viewer");
    dialog().getByLabel("For email").fill("only-her@example.com");
    inDialog("Create invite").click();
    String link = page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Invite link")).inputValue();
    assertThat(page.getByText("only only-her@example.com can join with it")).isVisible();
    button("Done").click();
    assertThat(page.getByRole(AriaRole.CELL, new Page.GetByRoleOptions().setName("only-her@example.com"))).isVisible();

    page.context().clearCookies();
    page.navigate(link);
    heading("Join default").waitFor();
    var email = page.getByLabel("Email");
    Assertions.assertThat(email.inputValue()).isEqualTo("only-her@example.com");
    Assertions.assertThat(email.isEditable()).isFalse();
    page.getByLabel("Password").fill("her-own-long-password");
    button("Join").click();
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("default").setExact(true)).first().waitFor();
    Api.login(server.url(), "only-her@example.com", "her-own-long-password");
    b.assertClean();
  }
}
