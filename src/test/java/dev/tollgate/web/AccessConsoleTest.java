package dev.tollgate.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.BrowserSession;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, the rest: the data page says why calls were refused and from where and marks deleted
 * tokens; project settings show who has access; the migration page follows legacy tokens until
 * they are replaced; the ENTITY column says what a binding applies to. In Debian's chromium.
 */
class AccessConsoleTest {
  static final String XSS = "<img src=x onerror=window.__xss=1>";

  @TempDir Path dir;

  TestServer server;
  BrowserSession b;
  Page page;
  String org;
  String project;
  byte[] pprof;

  @BeforeEach
  void start() throws Exception {
    BrowserSession.requireChromium();
    server = TestServer.start(Backend.SQLITE, dir);
    org = server.organizationId();
    project = server.defaultProjectId();
    pprof = Files.readAllBytes(TestData.pprofFiles().get(0));
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

  WriteRawRequest profile(String node) {
    return WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("process_cpu"))
            .addLabels(Label.newBuilder().setName("node").setValue(node)))
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof)))).build();
  }

  Status write(String token, String node) {
    try {
      GrpcTestClients.stub(server.url(), token, project, ProfileStoreServiceBlockingStub.class).writeRaw(profile(node));
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  String serviceAccountId(Api owner, String name) {
    return owner.get("/v1/organizations/" + org + "/serviceaccounts").body().get("serviceAccounts")
        .findParents("name").stream().filter(a -> a.get("name").asText().equals(name)).findFirst().orElseThrow()
        .get("id").asText();
  }

  Locator table(String caption) {
    return page.locator("table:has(> caption:text-is('" + caption + "'))");
  }

  Locator row(String caption, String text) {
    return table(caption).locator("tbody > tr", new Locator.LocatorOptions().setHasText(text));
  }

  @Test
  void dataPage_saysWhyCallsWereRefusedAndFromWhere_andMarksDeletedTokens_escapingNames() {
    Api owner = server.owner();
    String viewer = server.mintToken("only-reads", "system:viewer", project);
    assertThat(write(viewer, "node-1").getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(write("psc_v1_" + "0".repeat(40), "node-1").getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    // An agent whose token has a hostile name sends, then its token is deleted.
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "gone-agent")).status())
        .isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:gone-agent",
        "role", "system:writer", "projectId", project)).status()).isEqualTo(200);
    String sa = serviceAccountId(owner, "gone-agent");
    var created = owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens", json("name", XSS));
    assertThat(created.status()).as(created.body().toString()).isEqualTo(200);
    assertThat(write(created.body().at("/token/token").asText(), "node-1").getCode()).isEqualTo(Status.Code.OK);
    // Its next call carries no profile: refused for its data, after authorization.
    Status invalid;
    try {
      GrpcTestClients.stub(server.url(), created.body().at("/token/token").asText(), project,
          ProfileStoreServiceBlockingStub.class).writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries
              .newBuilder().setLabels(profile("node-1").getSeries(0).getLabels())
              .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFromUtf8("not a profile")))).build());
      invalid = Status.OK;
    } catch (StatusRuntimeException e) {
      invalid = e.getStatus();
    }
    assertThat(invalid.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(owner.delete("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens/"
        + created.body().at("/token/id").asText()).status()).isBetween(200, 204);

    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/projects/" + project);
    Locator denied = row("Refused calls", "Permission denied");
    assertThat(denied).containsText("missing permission profile.write in project " + project);
    assertThat(denied).containsText("serviceaccount:only-reads");
    assertThat(denied).containsText("WriteRaw");
    assertThat(denied.locator("td").nth(3)).containsText("armeria"); // the client's user agent
    assertThat(denied.locator("td").nth(3)).not().containsText("address not recorded");
    // A caller without a valid token is not the project's, whatever project it names (docs/ingestion.md).
    assertThat(row("Refused calls", "Unauthenticated")).hasCount(0);
    Locator bad = row("Refused calls", "Invalid argument");
    assertThat(bad).containsText(invalid.getDescription());
    assertThat(bad.locator("td").nth(2)).containsText("serviceaccount:gone-agent / " + XSS);
    assertThat(bad.locator("td").nth(2).locator(".badge")).hasText("deleted");
    // No blank source and no "unknown" anywhere in the sources.
    assertThat(table("Sources")).not().containsText("unknown");
    Locator gone = row("Sources", "gone-agent");
    assertThat(gone).containsText("serviceaccount:gone-agent / " + XSS);
    assertThat(gone.locator(".badge")).hasText("deleted");
    assertThat(row("Sources", "only-reads").locator(".badge")).hasCount(0);
    assertThat(page.locator("main img")).hasCount(0);
    assertThat(page.evaluate("() => window.__xss === undefined")).isEqualTo(true);
    assertThat(TableWords.brokenInside(page, "data page")).isEmpty();
    b.screenshot("data-page-refusals");
    b.assertClean();
  }

  @Test
  void projectSettingsShowWhoHasAccess_andTheMigrationPageFollowsALegacyTokenUntilReplaced() {
    Api owner = server.owner();
    // A legacy token an agent on node-legacy-1 still uses.
    var legacy = owner.post("/v1/projects/" + project + "/tokens", json("name", "old-agent"));
    assertThat(legacy.status()).as(legacy.body().toString()).isEqualTo(200);
    String legacyId = legacy.body().at("/token/id").asText();
    assertThat(write(legacy.body().at("/token/token").asText(), "node-legacy-1").getCode()).isEqualTo(Status.Code.OK);
    // A service account with a project-bound token and a project-scoped binding, one org-wide viewer.
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "bound-agent")).status())
        .isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:bound-agent",
        "role", "system:writer", "projectId", project)).status()).isEqualTo(200);
    String sa = serviceAccountId(owner, "bound-agent");
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens",
        json("name", "bound-token", "projectId", project)).status()).isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens",
        json("name", "unbound-token")).status()).isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "org-reader")).status())
        .isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:org-reader",
        "role", "system:viewer")).status()).isEqualTo(200);
    String other = owner.post("/v1/organizations/" + org + "/projects", json("name", "elsewhere")).body()
        .at("/project/id").asText();
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:org-reader",
        "role", "system:writer", "projectId", other)).status()).isEqualTo(200);

    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/projects/" + project + "/settings");
    String granting = "Bindings granting in this project";
    Locator writer = row(granting, "serviceaccount:bound-agent");
    assertThat(writer).containsText("this project");
    assertThat(writer).containsText("profile.write");
    assertThat(writer).containsText("debuginfo.write");
    Locator reader = row(granting, "serviceaccount:org-reader");
    assertThat(reader).hasCount(1); // its writer binding in the other project grants nothing here
    assertThat(reader).containsText("organization-wide");
    assertThat(reader).containsText("profile.read");
    assertThat(reader).not().containsText("profile.write");
    assertThat(row(granting, "user:local:" + TestServer.ADMIN_EMAIL)).containsText("organization-wide");
    String bound = "Tokens bound to this project";
    assertThat(table(bound).locator("tbody > tr")).hasCount(1);
    assertThat(row(bound, "bound-token")).containsText("serviceaccount:bound-agent");
    Locator old = row("Legacy tokens", "old-agent");
    assertThat(old.locator("td").nth(2)).not().hasText("never");
    assertThat(old).containsText("1 in 24 h, 1 in 7 days");
    assertThat(old).containsText("node-legacy-1");
    assertThat(old).containsText("not replaced");
    assertThat(TableWords.brokenInside(page, "project settings")).isEmpty();
    b.screenshot("project-access");

    // The migration page: still used, by node-legacy-1, not replaced; Replace leads to the flow.
    b.open("#/orgs/" + org + "/migration");
    Locator entry = row("Legacy tokens", "old-agent");
    assertThat(entry).containsText("still used");
    assertThat(entry).containsText("node-legacy-1");
    assertThat(entry).containsText("not replaced");
    assertThat(page.getByText("0 of 1 legacy tokens replaced")).isVisible();
    assertThat(TableWords.brokenInside(page, "migration")).isEmpty();
    b.screenshot("migration-before");
    entry.getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Replace old-agent")).click();
    row("Legacy tokens", "old-agent").getByRole(AriaRole.BUTTON,
        new Locator.GetByRoleOptions().setName("Replace with a service account")).click();
    Locator dialog = page.locator("dialog[open]");
    dialog.getByLabel("New service account name").fill("old-agent-replacement");
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create service account and token")).click();
    assertThat(page.getByText("Switch your client to the service account")).isVisible();

    b.open("#/orgs/" + org + "/migration");
    entry = row("Legacy tokens", "old-agent");
    assertThat(entry).containsText("serviceaccount:old-agent-replacement");
    assertThat(entry).containsText("system:writer");
    assertThat(entry.getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Replace old-agent"))).hasCount(0);
    assertThat(page.getByText("1 of 1 legacy tokens replaced")).isVisible();
    var report = owner.get("/v1/organizations/" + org + "/migration").body();
    assertThat(report.at("/tokens/0/id").asText()).isEqualTo(legacyId);
    assertThat(entry).containsText(" / " + owner.get("/v1/organizations/" + org + "/serviceaccounts/"
        + report.at("/tokens/0/replacement/serviceAccountId").asText() + "/tokens").body().at("/tokens/0/name").asText());
    b.screenshot("migration-after");
    b.assertClean();
  }

  @Test
  void entityColumn_saysWhatEachBindingAppliesTo_withoutScrollingSideways() {
    Api owner = server.owner();
    String payments = owner.post("/v1/organizations/" + org + "/projects", json("name", "payments-production-eu-west"))
        .body().at("/project/id").asText();
    for (String name : new String[] {"production-scraper-with-a-rather-long-name", "ci-uploader"}) {
      assertThat(owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", name)).status()).isEqualTo(200);
    }
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:ci-uploader",
        "role", "system:profile-writer", "projectId", payments)).status()).isEqualTo(200);
    assertThat(owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:ci-uploader",
        "role", "system:viewer", "entity", "serviceaccount:production-scraper-with-a-rather-long-name")).status())
        .isEqualTo(200);
    b.login(TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    b.open("#/orgs/" + org + "/iam/rolebindings");
    Locator rows = table("Role bindings").locator("tbody > tr");
    Locator scoped = rows.filter(new Locator.FilterOptions().setHasText("system:profile-writer"));
    Locator entityCell = scoped.locator("td").nth(2);
    assertThat(entityCell).hasText("payments-production-eu-west");
    assertThat(entityCell.locator("[title]")).hasAttribute("title", "project " + payments);
    Locator narrowed = rows.filter(new Locator.FilterOptions().setHasText("system:viewer"))
        .filter(new Locator.FilterOptions().setHasText("ci-uploader"));
    assertThat(narrowed.locator("td").nth(2))
        .hasText("service account production-scraper-with-a-rather-long-namein whole organization");
    Locator owners = rows.filter(new Locator.FilterOptions().setHasText("system:owner"));
    assertThat(owners.locator("td").nth(2)).hasText("whole organization");
    // Readable at 1366 px without scrolling sideways.
    Object fits = page.evaluate("() => [...document.querySelectorAll('main table')].every("
        + "(t) => t.scrollWidth <= t.parentElement.clientWidth + 1)");
    assertThat(fits).isEqualTo(true);
    assertThat(TableWords.brokenInside(page, "role bindings")).isEmpty();
    b.screenshot("role-bindings-entity");
    b.assertClean();
  }
}
