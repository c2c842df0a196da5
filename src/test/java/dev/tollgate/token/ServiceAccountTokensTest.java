package dev.tollgate.token;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The seeds' service-account steps and the token rules, through the real server on both databases. */
@ParameterizedClass
@EnumSource(Backend.class)
class ServiceAccountTokensTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  Api owner;
  String org;
  String base;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    owner = server.owner();
    org = server.organizationId();
    base = "/v1/organizations/" + org + "/serviceaccounts";
  }

  @AfterEach
  void stop() {
    server.close();
  }

  String createAccount(String name) {
    var r = owner.post(base, json("name", name));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body().at("/serviceAccount/id").asText();
  }

  @Test
  void seedSteps_createBindTokenUseListDeleteRefuse() {
    String project = server.defaultProjectId();
    String saId = createAccount("production-scraper");
    var bind = owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "serviceaccount:production-scraper", "role", "system:profile-writer", "projectId", project));
    assertThat(bind.status()).isEqualTo(200);
    var created = owner.post(base + "/" + saId + "/tokens", json("name", "k8s"));
    assertThat(created.status()).isEqualTo(200);
    String token = created.body().at("/token/token").asText();
    assertThat(token).matches("psc_v1_[0-9a-f]{64}");
    String tokenId = created.body().at("/token/id").asText();

    Api machine = Api.withToken(server.url(), token);
    var me = machine.get("/v1/auth/me");
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.text("subject")).isEqualTo("serviceaccount:production-scraper");
    var can = machine.post("/api/v1alpha1/authorization/cani",
        json("organizationId", org, "projectId", project, "permission", "profile.write"));
    assertThat(can.body().get("allowed").asBoolean()).isTrue();

    server.server().components().lastUsed().flush();
    var list = owner.get(base + "/" + saId + "/tokens");
    assertThat(list.body().get("tokens")).hasSize(1);
    assertThat(list.body().get("tokens").get(0).get("lastUsedAt").isNull()).isFalse();
    assertThat(list.body().toString()).doesNotContain(token).doesNotContain("sha256");
    assertThat(owner.get(base + "/" + saId + "/rolebindings").body().get("roleBindings")).hasSize(1);

    assertThat(owner.delete(base + "/" + saId + "/tokens/" + tokenId).status()).isEqualTo(200);
    var refused = machine.get("/v1/auth/me");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.error()).isEqualTo("invalid or unknown token");
  }

  @Test
  void ownerBoundServiceAccount_canManageIamWithItsToken() {
    String token = server.mintToken("automation", "system:owner", null);
    Api bot = Api.withToken(server.url(), token);
    assertThat(bot.post(base, json("name", "made-by-bot")).status()).isEqualTo(200);
    assertThat(bot.get("/v1/organizations/" + org + "/rolebindings").status()).isEqualTo(200);
    // Cookie-less bearer requests need no CSRF token, and cannot create organizations.
    assertThat(bot.post("/v1/organizations", json("name", "x")).status()).isEqualTo(403);
  }

  @Test
  void oneCharacterTypo_isRefusedWithoutAnyLookup() {
    String token = server.mintToken("typo", "system:viewer", null);
    TokenAuthenticator auth = server.server().components().tokenAuthenticator();
    long before = auth.storeLookups();
    char last = token.charAt(token.length() - 1);
    String typo = token.substring(0, token.length() - 1) + (last == 'a' ? 'b' : 'a');
    assertThat(Api.withToken(server.url(), typo).get("/v1/auth/me").status()).isEqualTo(401);
    assertThat(Api.withToken(server.url(), token.substring(0, 40)).get("/v1/auth/me").status()).isEqualTo(401);
    assertThat(auth.storeLookups()).isEqualTo(before);
    // A well-formed unknown token is looked up once, then answered from the negative cache.
    String unknown = new TokenFormat(new java.security.SecureRandom()).generate();
    for (int i = 0; i < 5; i++) {
      assertThat(Api.withToken(server.url(), unknown).get("/v1/auth/me").status()).isEqualTo(401);
    }
    assertThat(auth.storeLookups()).isEqualTo(before + 1);
  }

  @Test
  void disabledAccount_isRefusedAtOnce_andWorksAgainWhenEnabled() {
    String token = server.mintToken("flaky", "system:viewer", null);
    Api machine = Api.withToken(server.url(), token);
    String saId = owner.get(base + "/flaky").body().at("/serviceAccount/id").asText();
    assertThat(machine.get("/v1/auth/me").status()).isEqualTo(200);
    assertThat(owner.post(base + "/" + saId + "/disable", "{}").body().at("/serviceAccount/disabled").asBoolean()).isTrue();
    assertThat(machine.get("/v1/auth/me").status()).isEqualTo(401);
    owner.post(base + "/" + saId + "/enable", "{}");
    assertThat(machine.get("/v1/auth/me").status()).isEqualTo(200);
  }

  @Test
  void deletingAnAccount_deletesItsTokensAndBindings() {
    String token = server.mintToken("short-lived", "system:viewer", null);
    String saId = owner.get(base + "/short-lived").body().at("/serviceAccount/id").asText();
    assertThat(owner.delete(base + "/" + saId).status()).isEqualTo(200);
    assertThat(Api.withToken(server.url(), token).get("/v1/auth/me").status()).isEqualTo(401);
    assertThat(owner.get("/v1/organizations/" + org + "/rolebindings").body().toString()).doesNotContain("short-lived");
    // Binding an unknown service account is refused.
    var r = owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "serviceaccount:short-lived", "role", "system:viewer"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text("field")).isEqualTo("subject");
  }

  @Test
  void expiry_andOrganizationMaximumLifetime() {
    String saId = createAccount("expiring");
    owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:expiring", "role", "system:viewer"));
    var past = owner.post(base + "/" + saId + "/tokens", json("name", "old", "expiresAt", "2020-01-01T00:00:00Z"));
    assertThat(past.status()).isEqualTo(400);
    assertThat(past.text("field")).isEqualTo("expiresAt");
    owner.patch("/v1/organizations/" + org, json("maxTokenLifetimeSeconds", 3600));
    var tooLong = owner.post(base + "/" + saId + "/tokens",
        json("name", "long", "expiresAt", Instant.now().plusSeconds(7200).toString()));
    assertThat(tooLong.status()).isEqualTo(400);
    var defaulted = owner.post(base + "/" + saId + "/tokens", json("name", "default"));
    Instant exp = Instant.parse(defaulted.body().at("/token/expiresAt").asText());
    assertThat(exp).isBetween(Instant.now().plusSeconds(3500), Instant.now().plusSeconds(3700));
    // A token that expires in two seconds works, then is refused.
    var soon = owner.post(base + "/" + saId + "/tokens", json("name", "soon", "expiresAt", Instant.now().plusSeconds(2).toString()));
    Api machine = Api.withToken(server.url(), soon.body().at("/token/token").asText());
    assertThat(machine.get("/v1/auth/me").status()).isEqualTo(200);
    long deadline = System.currentTimeMillis() + 10_000;
    int status = 200;
    while (status == 200 && System.currentTimeMillis() < deadline) {
      status = machine.get("/v1/auth/me").status();
    }
    assertThat(status).isEqualTo(401);
  }

  @Test
  void projectBoundToken_worksOnlyInItsProject() {
    String a = server.defaultProjectId();
    String b = owner.post("/v1/organizations/" + org + "/projects", json("name", "b")).body().at("/project/id").asText();
    String saId = createAccount("bound");
    owner.post("/v1/organizations/" + org + "/rolebindings", json("subject", "serviceaccount:bound", "role", "system:writer"));
    String token = owner.post(base + "/" + saId + "/tokens", json("name", "a-only", "projectId", a)).body().at("/token/token").asText();
    Api machine = Api.withToken(server.url(), token);
    assertThat(machine.get("/v1/projects/" + a).status()).isEqualTo(200);
    assertThat(machine.get("/v1/projects/" + b).status()).isEqualTo(403);
    var cani = machine.post("/api/v1alpha1/authorization/cani", json("organizationId", org, "projectId", b, "permission", "profile.write"));
    assertThat(cani.body().get("allowed").asBoolean()).isFalse();
  }

  @Test
  void serviceAccountQuota_isExactUnderConcurrency() throws Exception {
    for (int i = 0; i < 40; i++) {
      createAccount("pre-" + i);
    }
    List<Integer> statuses = race(32, i -> owner.post(base, json("name", "race-" + i)));
    assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(10);
    assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(22);
    var over = owner.post(base, json("name", "one-more"));
    assertThat(over.error()).contains("at most 50");
    assertThat(owner.get(base).body().get("serviceAccounts")).hasSize(50);
  }

  @Test
  void tokenQuota_isExactUnderConcurrency() throws Exception {
    String saId = createAccount("many-tokens");
    for (int i = 0; i < 90; i++) {
      assertThat(owner.post(base + "/" + saId + "/tokens", json("name", "t" + i)).status()).isEqualTo(200);
    }
    List<Integer> statuses = race(32, i -> owner.post(base + "/" + saId + "/tokens", json("name", "race" + i)));
    assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(10);
    assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(22);
    assertThat(owner.post(base + "/" + saId + "/tokens", json("name", "x")).error()).contains("at most 100");
    assertThat(owner.get(base + "/" + saId + "/tokens").body().get("tokens")).hasSize(100);
  }

  @Test
  void manyRequestsWithinTenSeconds_causeAtMostOneLastUsedWrite() {
    String token = server.mintToken("busy", "system:viewer", null);
    var tracker = server.server().components().lastUsed();
    tracker.flush();
    long before = tracker.writes();
    Api machine = Api.withToken(server.url(), token);
    for (int i = 0; i < 50; i++) {
      assertThat(machine.get("/v1/auth/me").status()).isEqualTo(200);
    }
    tracker.flush();
    assertThat(tracker.writes() - before).isEqualTo(1);
  }

  interface Call {
    Api.Response run(int i);
  }

  private static List<Integer> race(int n, Call call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        tasks.add(() -> call.run(k).status());
      }
      List<Integer> out = new ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(tasks)) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }
}
