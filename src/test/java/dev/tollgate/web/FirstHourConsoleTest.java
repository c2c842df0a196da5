package dev.tollgate.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.BrowserSession;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new user meets in the console in the first hour (issue 16), in Debian's chromium. */
class FirstHourConsoleTest {
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

  Locator button(String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  Locator dialog() {
    return page.locator("dialog[open]");
  }

  Locator inDialog(String buttonName) {
    return dialog().getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(buttonName).setExact(true));
  }

  @Test
  void anOwnerResetsAMembersPassword_andAUserChangesTheirOwn() {
    Api owner = server.owner();
    assertThat(owner.post("/v1/organizations/" + org + "/users", json("email", "dev@example.com", "password",
        "first-password", "role", "system:viewer")).status()).isEqualTo(200);
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);

    b.open("#/orgs/" + org + "/iam/members");
    button("Reset the password of dev@example.com").click();
    inDialog("Reset password").click();
    Locator reveal = dialog().getByRole(AriaRole.TEXTBOX, new Locator.GetByRoleOptions().setName("New password"));
    assertThat(dialog()).containsText("It will not be shown again");
    String password = reveal.inputValue();
    assertThat(password).hasSizeGreaterThanOrEqualTo(12);
    b.screenshot("members-password-reset");
    assertThat(dialog().locator("button.primary")).hasCount(1);
    inDialog("Done").click();
    assertThatThrownBy(() -> Api.login(server.url(), "dev@example.com", "first-password")).hasMessageContaining("401");
    Api.login(server.url(), "dev@example.com", password);

    // The owner changes their own password from the top bar.
    button("Change password").click();
    dialog().getByLabel("Current password").fill(TestServer.ADMIN_PASSWORD);
    dialog().getByLabel("New password", new Locator.GetByLabelOptions().setExact(true)).fill("a-new-password");
    dialog().getByLabel("New password again").fill("a-new-passwrd");
    inDialog("Change password").click();
    assertThat(dialog().getByRole(AriaRole.ALERT)).containsText("The two new passwords differ.");
    dialog().getByLabel("New password again").fill("a-new-password");
    inDialog("Change password").click();
    assertThat(dialog()).containsText("Your password is changed.");
    b.screenshot("password-changed");
    inDialog("Done").click();
    Api.login(server.url(), TestServer.ADMIN_EMAIL, "a-new-password");
    // Still logged in here: the session that changed it stays.
    b.open("#/orgs/" + org + "/iam/audit");
    assertThat(page.locator("tbody")).containsText("user.password.change");
    assertThat(page.locator("tbody")).containsText("user.password.reset");
    assertThat(page.locator("tbody")).containsText("session.login");
    b.assertClean();
  }

  @Test
  void smallThings_expiryPresets_favicon_nameHints_andBlankNames() {
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    // A favicon, declared and served as SVG.
    assertThat(page.locator("link[rel=icon]")).hasAttribute("href", "/favicon.svg");
    Object type = page.evaluate("() => fetch('/favicon.svg').then(r => r.status + ' ' + r.headers.get('content-type'))");
    assertThat((String) type).startsWith("200 image/svg+xml");

    b.open("#/orgs/" + org + "/iam/serviceaccounts");
    button("Create Service Account").click();
    // The hint says the server's rule; a whitespace-only name gets the server's plain answer.
    assertThat(dialog()).containsText("1-63 lowercase letters, digits and hyphens, e.g. production-scraper.");
    dialog().getByLabel("Name").fill("   ");
    inDialog("Create").click();
    assertThat(dialog().getByRole(AriaRole.ALERT)).containsText("name must not be blank");
    dialog().getByLabel("Name").fill("expiring");
    inDialog("Create").click();
    // The grant step that follows: skip it.
    dialog().getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Skip")).click();

    String sa = server.owner().get("/v1/organizations/" + org + "/serviceaccounts").body().get("serviceAccounts")
        .findParents("name").stream().filter(a -> a.get("name").asText().equals("expiring")).findFirst().orElseThrow()
        .get("id").asText();
    b.open("#/orgs/" + org + "/iam/serviceaccounts/" + sa);
    button("Create Token").click();
    Locator custom = dialog().getByLabel("Expiry date");
    assertThat(custom).isHidden();
    dialog().getByLabel("Expires").selectOption("Custom date...");
    assertThat(custom).isVisible();
    dialog().getByLabel("Expires").selectOption("30 days");
    assertThat(custom).isHidden();
    // One hint for the expiry, not one per input.
    assertThat(dialog().locator(".hint", new Locator.LocatorOptions().setHasText("maximum token lifetime"))).hasCount(1);
    b.screenshot("create-token-expiry");
    dialog().getByLabel("Token name").fill("thirty-days");
    inDialog("Create token").click();
    page.getByText("Copy this token now.").waitFor();
    var tokens = server.owner().get("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens").body().get("tokens");
    java.time.Instant expires = java.time.Instant.parse(tokens.get(0).get("expiresAt").asText());
    java.time.Instant in30 = java.time.Instant.now().plus(java.time.Duration.ofDays(30));
    assertThat(expires).isBetween(in30.minus(java.time.Duration.ofHours(1)), in30.plus(java.time.Duration.ofHours(1)));
    b.assertClean();
  }

  @Test
  void createApiToken_preselectsNoOwner_showsRoles_warnsOfNoRole_andBindingDialogsSayWhatTheyDo() {
    Api owner = server.owner();
    // Owner-bound, like the bootstrap account --bootstrap-token-file creates, and one with no role.
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "bootstrap-admin")).status())
        .isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "serviceaccount:bootstrap-admin", "role", "system:owner")).status()).isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "idle")).status()).isEqualTo(200);
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);

    b.open("#/orgs/" + org + "/iam/serviceaccounts");
    button("Create API Token").click();
    Locator picker = dialog().getByLabel("Service account", new Locator.GetByLabelOptions().setExact(true));
    assertThat(picker).hasValue("__new__");
    assertThat(picker.locator("option")).containsText(new String[] {
        "New service account...", "bootstrap-admin (system:owner)", "idle (no role)"});
    picker.selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("idle (no role)"));
    assertThat(dialog().getByRole(AriaRole.STATUS)).containsText("idle has no role: a token for it can do nothing");
    assertThat(dialog().getByLabel("Role of the new account")).isHidden();
    picker.selectOption(new com.microsoft.playwright.options.SelectOption().setLabel("bootstrap-admin (system:owner)"));
    assertThat(dialog().getByRole(AriaRole.STATUS)).containsText("bootstrap-admin is an owner");
    b.screenshot("create-api-token-owner-warning");
    assertThat(dialog().locator("button.primary")).hasCount(1);
    page.keyboard().press("Escape");

    // "Create Role Binding" opens "Create Role Binding", submitted by "Create Role Binding".
    b.open("#/orgs/" + org + "/iam/rolebindings");
    button("Create Role Binding").click();
    assertThat(dialog().getByRole(AriaRole.HEADING)).hasText("Create Role Binding");
    assertThat(inDialog("Create Role Binding")).isVisible();
    assertThat(dialog().locator("button.primary")).hasCount(1);
    page.keyboard().press("Escape");
    String idle = owner.get("/v1/organizations/" + org + "/serviceaccounts").body().get("serviceAccounts")
        .findParents("name").stream().filter(a -> a.get("name").asText().equals("idle")).findFirst().orElseThrow()
        .get("id").asText();
    b.open("#/orgs/" + org + "/iam/serviceaccounts/" + idle);
    button("Create Role Binding").click();
    assertThat(dialog().getByRole(AriaRole.HEADING)).hasText("Create Role Binding");
    dialog().getByLabel("Role").selectOption("system:viewer");
    inDialog("Create Role Binding").click();
    assertThat(dialog()).hasCount(0);
    // The same binding again: the server's 409 names the existing one, in the dialog.
    button("Create Role Binding").click();
    dialog().getByLabel("Role").selectOption("system:viewer");
    inDialog("Create Role Binding").click();
    assertThat(dialog().getByRole(AriaRole.ALERT)).containsText("an identical role binding already exists");
    b.assertClean();
  }

  java.util.List<String> wordsBrokenInside(String where) {
    return TableWords.brokenInside(page, where);
  }

  @Test
  void noTableCellBreaksInsideAWord_at1366px_andTheAuditLogNamesIdsAndFilters() {
    Api owner = server.owner();
    String payments = owner.post("/v1/organizations/" + org + "/projects", json("name", "payments-production-eu-west"))
        .body().at("/project/id").asText();
    for (String name : new String[] {"production-scraper-with-a-rather-long-name", "ci-debuginfo-uploader"}) {
      assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", name)).status()).isEqualTo(200);
      assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:" + name,
          "role", "system:profile-writer", "projectId", payments)).status()).isEqualTo(200);
    }
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject",
        "serviceaccount:ci-debuginfo-uploader", "role", "system:viewer", "projectId", payments,
        "entity", "serviceaccount:production-scraper-with-a-rather-long-name")).status()).isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/users", json("email", "someone.with.a.long.address@example.com",
        "password", "first-password", "role", "system:viewer", "projectId", payments)).status()).isEqualTo(200);
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);

    java.util.List<String> broken = new java.util.ArrayList<>();
    String[][] pages = {
        {"#/orgs/" + org + "/iam/serviceaccounts", "Service Accounts"},
        {"#/orgs/" + org + "/iam/rolebindings", "Role Bindings"},
        {"#/orgs/" + org + "/iam/members", "Members"},
        {"#/orgs/" + org + "/iam/audit", "Audit log"},
        {"#/orgs/" + org + "/projects", "Projects"},
    };
    for (String[] p : pages) {
      b.open(p[0]);
      page.locator("main h1").first().waitFor();
      page.locator("main table").first().waitFor();
      broken.addAll(wordsBrokenInside(p[1]));
    }
    assertThat(broken).isEmpty();
    b.open("#/orgs/" + org + "/iam/rolebindings");
    page.locator("main table").first().waitFor();
    assertThat(page.locator("tbody")).containsText("serviceaccount:production-scraper-with-a-rather-long-name");
    b.screenshot("role-bindings-wrapping");

    // The audit log: ids with names beside them, and filters by actor, action and time.
    b.open("#/orgs/" + org + "/iam/audit");
    page.getByLabel("Action starts with").fill("rolebinding.create");
    page.getByLabel("Actor contains").fill("admin@");
    button("Filter").click();
    assertThat(page.locator("tbody")).containsText(payments + " (payments-production-eu-west)");
    assertThat(page.locator("tbody tr")).hasCount(4); // three bindings and the member's
    b.screenshot("audit-names");
    page.getByLabel("Actor contains").fill("nobody-like-this");
    button("Filter").click();
    assertThat(page.getByText("No entries.")).isVisible();
    page.getByLabel("Actor contains").fill("");
    page.getByLabel("Until").fill("2020-01-01T00:00");
    button("Filter").click();
    assertThat(page.getByText("No entries.")).isVisible();
    b.assertClean();
  }

  @Test
  void serviceAccountsList_rolesLastUsedSearch_andTheQuotaCounterDisablesCreate() {
    String token = server.mintToken("used-scraper", "system:profile-writer", project);
    assertThat(Api.withToken(server.url(), token).get("/v1/auth/me").status()).isEqualTo(200);
    Api owner = server.owner();
    for (int i = 1; i < 50; i++) {
      assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "account-" + i)).status())
          .isEqualTo(200);
    }
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/orgs/" + org + "/iam/serviceaccounts");
    assertThat(page.getByText("50 of 50 service accounts")).isVisible();
    assertThat(button("Create Service Account")).isDisabled();
    assertThat(button("Create Service Account")).hasAttribute("title",
        "The organization has 50 of 50 service accounts; delete one to create another.");
    Locator used = page.locator("tr", new Page.LocatorOptions().setHasText("used-scraper"));
    assertThat(used).containsText("system:profile-writer in default");
    assertThat(used.locator("td").nth(2)).not().containsText("never");
    assertThat(page.locator("tr", new Page.LocatorOptions().setHasText("account-7"))).containsText("never");

    page.getByLabel("Search").fill("profile-writer");
    assertThat(page.locator("tbody tr")).hasCount(1);
    page.getByLabel("Search").fill("account-4");
    assertThat(page.locator("tbody tr")).hasCount(11); // account-4 and account-40 to account-49
    page.getByLabel("Search").fill("no-such-account");
    assertThat(page.getByText("No service account matches.")).isVisible();
    b.screenshot("service-accounts-quota");
    b.assertClean();
  }

  @Test
  void latestProfiles_openUnderTheRowClicked() throws Exception {
    String token = server.mintToken("agent", "system:writer", project);
    byte[] pprof = java.nio.file.Files.readAllBytes(dev.tollgate.testing.TestData.pprofFiles().get(0));
    var stub = dev.tollgate.testing.GrpcTestClients.stub(server.url(), token, project,
        dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
    for (String job : new String[] {"api", "batch", "web"}) {
      var labels = dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet.newBuilder()
          .addLabels(dev.tollgate.proto.parca.profilestore.v1alpha1.Label.newBuilder().setName("__name__").setValue("process_cpu"))
          .addLabels(dev.tollgate.proto.parca.profilestore.v1alpha1.Label.newBuilder().setName("job").setValue(job));
      stub.writeRaw(dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest.newBuilder()
          .addSeries(dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries.newBuilder().setLabels(labels)
              .addSamples(dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample.newBuilder()
                  .setRawProfile(com.google.protobuf.ByteString.copyFrom(pprof)))).build());
    }
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/projects/" + project);
    // The series table's own rows (its caption says "Series"; the profiles table nested later says "Profiles").
    Locator rows = page.locator("table:has(> caption:text-is('Series')) > tbody > tr");
    assertThat(rows).hasCount(3);
    String clickedLabels = rows.nth(1).locator("td").first().textContent();
    rows.nth(1).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Profiles")).click();
    // The row right after the clicked one holds that series' profiles; the others stay in place.
    assertThat(rows).hasCount(4);
    assertThat(rows.nth(1).locator("td").first()).hasText(clickedLabels);
    assertThat(rows.nth(2)).hasClass("expanded");
    assertThat(rows.nth(2)).containsText("Latest profiles");
    assertThat(rows.nth(2).locator("table:has(> caption:text-is('Profiles')) > tbody > tr")).hasCount(1);
    b.screenshot("latest-profiles-under-row");
    b.assertClean();
  }
}
