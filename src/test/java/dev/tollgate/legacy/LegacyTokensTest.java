package dev.tollgate.legacy;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Legacy project tokens through the real server, real gRPC clients and both databases. */
@ParameterizedClass
@EnumSource(Backend.class)
class LegacyTokensTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  Api owner;
  String org;
  String project;
  WriteRawRequest profile;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    owner = server.owner();
    org = server.organizationId();
    project = server.defaultProjectId();
    profile = writeRaw("legacy_cpu", Files.readAllBytes(TestData.pprofFiles().getFirst()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static WriteRawRequest writeRaw(String name, byte[] pprof) {
    LabelSet labels = LabelSet.newBuilder()
        .addLabels(Label.newBuilder().setName("__name__").setValue(name))
        .addLabels(Label.newBuilder().setName("job").setValue("legacy")).build();
    return WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder().setLabels(labels)
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof)))).build();
  }

  ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub client(String token, String projectHeader) {
    return GrpcTestClients.stub(server.url(), token, projectHeader,
        ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
  }

  JsonNode createLegacy(String projectId, String name) {
    var r = owner.post("/v1/projects/" + projectId + "/tokens", json("name", name));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body().get("token");
  }

  int seriesCount(String projectId) {
    var r = owner.get("/v1/projects/" + projectId + "/series");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body().get("series").size();
  }

  /** The server's store, opened as the server opens it (with the generated key-encryption key). */
  dev.tollgate.db.JdbcLegacyTokenStore store() {
    try {
      return new dev.tollgate.db.JdbcLegacyTokenStore(server.server().components().db(),
          dev.tollgate.crypto.KeyEncryptionKey.parse(Files.readString(dir.resolve("data/legacy-key-encryption.key")),
              "test", new java.security.SecureRandom()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (RuntimeException e) {
      return Status.fromThrowable(e).getCode();
    }
  }

  JsonNode reportEntry(String tokenId) {
    var r = owner.get("/v1/organizations/" + org + "/migration");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    for (JsonNode t : r.body().get("tokens")) {
      if (t.get("id").asText().equals(tokenId)) {
        return t;
      }
    }
    throw new AssertionError("token " + tokenId + " not in the report " + r.body());
  }

  @Test
  void createListDelete_atTheDocumentedPaths_tokenShownOnce() {
    JsonNode created = createLegacy(project, "old-agent");
    assertThat(created.get("token").asText()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    assertThat(created.get("name").asText()).isEqualTo("old-agent");
    assertThat(created.get("createdAt").asText()).endsWith("Z");
    String id = created.get("id").asText();

    var list = owner.get("/v1/projects/" + project + "/tokens");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.body().get("tokens")).hasSize(1);
    JsonNode listed = list.body().get("tokens").get(0);
    assertThat(listed.get("id").asText()).isEqualTo(id);
    assertThat(listed.has("token")).isFalse();
    assertThat(listed.get("lastUsedAt").isNull()).isTrue();

    assertThat(owner.delete("/v1/projects/" + project + "/tokens/" + id).status()).isEqualTo(200);
    assertThat(owner.get("/v1/projects/" + project + "/tokens").body().get("tokens")).isEmpty();
    assertThat(owner.delete("/v1/projects/" + project + "/tokens/" + id).status()).isEqualTo(404);

    JsonNode audit = owner.get("/v1/organizations/" + org + "/audit").body();
    assertThat(audit.toString()).contains("legacytoken.create").contains("legacytoken.delete")
        .doesNotContain(created.get("token").asText());
  }

  @Test
  void clientKeepsWritingThroughReplace_switches_andTheLegacyTokenIsRefusedRightAfterDelete() {
    JsonNode legacy = createLegacy(project, "old-agent");
    String jwt = legacy.get("token").asText();
    String legacyId = legacy.get("id").asText();

    // The project comes from the token: no header needed; the right header is accepted too.
    client(jwt, null).writeRaw(profile);
    client(jwt, project).writeRaw(profile);
    assertThat(seriesCount(project)).isEqualTo(1);

    JsonNode before = reportEntry(legacyId);
    assertThat(before.get("callsLast24h").asLong()).isEqualTo(2);
    assertThat(before.get("callsLast7d").asLong()).isEqualTo(2);
    assertThat(before.get("lastUsedAt").isNull()).isFalse();
    assertThat(before.get("replacement").isNull()).isTrue();

    var replaced = owner.post("/v1/projects/" + project + "/tokens/" + legacyId + "/replace",
        json("serviceAccountName", "old-agent", "role", "writer", "tokenFile", "/etc/parca/token"));
    assertThat(replaced.status()).as(replaced.body().toString()).isEqualTo(200);
    String newToken = replaced.body().at("/token/token").asText();
    assertThat(newToken).matches("psc_v1_[0-9a-f]{64}");
    assertThat(replaced.body().at("/token/projectId").asText()).isEqualTo(project);
    assertThat(replaced.body().get("role").asText()).isEqualTo("system:writer");
    assertThat(replaced.body().at("/serviceAccount/created").asBoolean()).isTrue();
    assertThat(replaced.body().at("/roleBinding/created").asBoolean()).isTrue();
    assertThat(replaced.body().at("/roleBinding/projectId").asText()).isEqualTo(project);
    assertThat(replaced.body().get("flags")).extracting(JsonNode::asText).containsExactly(
        "--remote-store-bearer-token-file=/etc/parca/token", "--remote-store-grpc-headers=projectID=" + project);

    // The legacy token keeps working until it is deleted.
    client(jwt, null).writeRaw(profile);
    // The switched client: the new token and the header.
    client(newToken, project).writeRaw(profile);

    JsonNode after = reportEntry(legacyId);
    assertThat(after.get("callsLast24h").asLong()).isEqualTo(3);
    assertThat(after.at("/replacement/serviceAccountName").asText()).isEqualTo("old-agent");
    assertThat(after.at("/replacement/tokenId").asText()).isEqualTo(replaced.body().at("/token/id").asText());
    assertThat(after.at("/replacement/role").asText()).isEqualTo("system:writer");

    assertThat(owner.delete("/v1/projects/" + project + "/tokens/" + legacyId).status()).isEqualTo(200);
    assertThatThrownBy(() -> client(jwt, null).writeRaw(profile)).satisfies(e -> {
      assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(Status.fromThrowable(e).getDescription()).isEqualTo(LegacyCredentials.REFUSED);
    });
    client(newToken, project).writeRaw(profile);

    String audit = owner.get("/v1/organizations/" + org + "/audit").body().toString();
    assertThat(audit).contains("legacytoken.replace").contains("serviceaccount.create").contains("rolebinding.create")
        .contains("serviceaccounttoken.create").contains("legacytoken.delete").doesNotContain(newToken);
  }

  @Test
  void replaceForAScraper_reusesAccountAndIdenticalBinding_andGivesScraperFlags() {
    String first = createLegacy(project, "scraper-1").get("id").asText();
    String second = createLegacy(project, "scraper-2").get("id").asText();
    var r1 = owner.post("/v1/projects/" + project + "/tokens/" + first + "/replace",
        json("serviceAccountName", "prod-scraper", "role", "profile-writer"));
    assertThat(r1.status()).as(r1.body().toString()).isEqualTo(200);
    assertThat(r1.body().get("flags")).extracting(JsonNode::asText).containsExactly(
        "--bearer-token-file=./prod-scraper.token");
    var r2 = owner.post("/v1/projects/" + project + "/tokens/" + second + "/replace",
        json("serviceAccountName", "prod-scraper", "role", "profile-writer"));
    assertThat(r2.status()).as(r2.body().toString()).isEqualTo(200);
    assertThat(r2.body().at("/serviceAccount/created").asBoolean()).isFalse();
    assertThat(r2.body().at("/roleBinding/created").asBoolean()).isFalse();
    assertThat(r2.body().at("/roleBinding/id").asText()).isEqualTo(r1.body().at("/roleBinding/id").asText());
    var bindings = owner.get("/v1/organizations/" + org + "/rolebindings?projectId=" + project).body().get("roleBindings");
    assertThat(bindings).filteredOn(b -> b.get("subject").asText().equals("serviceaccount:prod-scraper")).hasSize(1);

    // A profile-writer token writes profiles but the binding is project-scoped.
    client(r1.body().at("/token/token").asText(), project).writeRaw(profile);
    assertThat(owner.post("/v1/projects/" + project + "/tokens/" + first + "/replace",
        json("serviceAccountName", "prod-scraper", "role", "owner")).status()).isEqualTo(400);
  }

  @Test
  void replaceThatFailsAtItsLastStep_leavesNothingBehind() {
    // An account that already holds its 100 tokens: the binding step succeeds, the token step
    // hits the quota, and the whole replacement must roll back, binding and audit entries included.
    String sa = owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", "full-account"))
        .body().at("/serviceAccount/id").asText();
    for (int i = 0; i < 100; i++) {
      var t = owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens", json("name", "t" + i));
      assertThat(t.status()).as(t.body().toString()).isEqualTo(200);
    }
    String legacyId = createLegacy(project, "to-replace").get("id").asText();

    var r = owner.post("/v1/projects/" + project + "/tokens/" + legacyId + "/replace",
        json("serviceAccountName", "full-account", "role", "profile-writer"));
    assertThat(r.status()).as(r.body().toString()).isEqualTo(429);
    assertThat(r.body().toString()).contains("at most 100 tokens per service account");

    var bindings = owner.get("/v1/organizations/" + org + "/rolebindings").body().get("roleBindings");
    assertThat(bindings).noneMatch(b -> b.get("subject").asText().equals("serviceaccount:full-account"));
    assertThat(reportEntry(legacyId).get("replacement").isNull()).isTrue();
    assertThat(owner.get("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens").body().get("tokens"))
        .hasSize(100);
    String audit = owner.get("/v1/organizations/" + org + "/audit?limit=500").body().toString();
    assertThat(audit).doesNotContain("legacytoken.replace")
        .doesNotContain("serviceaccount:full-account -> system:profile-writer");

    // With a fresh account the same legacy token is then replaced normally.
    var ok = owner.post("/v1/projects/" + project + "/tokens/" + legacyId + "/replace",
        json("serviceAccountName", "fresh-account", "role", "profile-writer"));
    assertThat(ok.status()).as(ok.body().toString()).isEqualTo(200);
    assertThat(reportEntry(legacyId).at("/replacement/serviceAccountName").asText()).isEqualTo("fresh-account");
  }

  @Test
  void legacyTokenOfProjectA_cannotWriteToProjectB_withOrWithoutTheHeader() {
    var b = owner.post("/v1/organizations/" + org + "/projects", json("name", "project-b"));
    assertThat(b.status()).isEqualTo(200);
    String projectB = b.body().at("/project/id").asText();
    String jwt = createLegacy(project, "a-only").get("token").asText();

    assertThatThrownBy(() -> client(jwt, projectB).writeRaw(profile)).satisfies(e ->
        assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThat(code(() -> client(jwt, UUID.randomUUID().toString()).writeRaw(profile)))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    client(jwt, null).writeRaw(profile);
    assertThat(seriesCount(projectB)).isZero();
    assertThat(seriesCount(project)).isEqualTo(1);
  }

  @Test
  void frozenOrganization_refusesNewLegacyTokens_existingOnesKeepWorking() {
    String jwt = createLegacy(project, "before-freeze").get("token").asText();
    assertThat(owner.patch("/v1/organizations/" + org, json("legacyTokensFrozen", true)).status()).isEqualTo(200);
    var refused = owner.post("/v1/projects/" + project + "/tokens", json("name", "after-freeze"));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.body().get("code").asText()).isEqualTo("failed_precondition");
    assertThat(refused.error()).contains("frozen");
    client(jwt, null).writeRaw(profile);
    assertThat(owner.get("/v1/organizations/" + org + "/migration").body().get("legacyTokensFrozen").asBoolean())
        .isTrue();
  }

  /** Nobody grants more than they hold: a legacy token and a replacement carry only what their creator holds. */
  @Test
  void creatorWithoutWhatTheTokenCarries_isRefused_andReplaceChecksBeforeTheFirstChange() {
    assertThat(owner.post("/v1/organizations/" + org + "/roles", json("name", "migrator", "permissions", List.of(
        "serviceaccounttoken.list", "serviceaccounttoken.create", "serviceaccount.create", "rolebinding.create",
        "profile.write"))).status()).isEqualTo(200);
    Api m = Api.withToken(server.url(), server.mintToken("migrator", org + ":migrator", null));
    var refused = m.post("/v1/projects/" + project + "/tokens", json("name", "x"));
    assertThat(refused.status()).as(refused.body().toString()).isEqualTo(403);
    assertThat(refused.error()).isEqualTo("cannot create a legacy token: you lack debuginfo.write in project " + project);

    String legacyId = createLegacy(project, "to-replace").get("id").asText();
    var writer = m.post("/v1/projects/" + project + "/tokens/" + legacyId + "/replace",
        json("serviceAccountName", "agent", "role", "writer"));
    assertThat(writer.status()).as(writer.body().toString()).isEqualTo(403);
    assertThat(writer.error()).isEqualTo("cannot grant system:writer: you lack profile.read in project " + project);
    assertThat(owner.get("/v1/organizations/" + org + "/serviceaccounts").body().findValuesAsText("name"))
        .doesNotContain("agent");
    assertThat(reportEntry(legacyId).get("replacement").isNull()).isTrue();

    // profile-writer it holds: the same caller replaces the token for a scraper.
    var scraper = m.post("/v1/projects/" + project + "/tokens/" + legacyId + "/replace",
        json("serviceAccountName", "scraper", "role", "profile-writer"));
    assertThat(scraper.status()).as(scraper.body().toString()).isEqualTo(200);
    client(scraper.body().at("/token/token").asText(), project).writeRaw(profile);
  }

  @Test
  void permissions_viewerCannotCreateOrDelete_profileWriterCannotList_anonymousIs401() {
    String id = createLegacy(project, "guarded").get("id").asText();
    String viewer = server.mintToken("viewer-bot", "system:viewer", null);
    Api v = Api.withToken(server.url(), viewer);
    assertThat(v.get("/v1/projects/" + project + "/tokens").status()).isEqualTo(200);
    assertThat(v.post("/v1/projects/" + project + "/tokens", json("name", "x")).status()).isEqualTo(403);
    assertThat(v.delete("/v1/projects/" + project + "/tokens/" + id).status()).isEqualTo(403);
    assertThat(v.post("/v1/legacy-tokens/keys/rotate", "{}").status()).isEqualTo(403);
    String writer = server.mintToken("writer-bot", "system:profile-writer", project);
    Api w = Api.withToken(server.url(), writer);
    assertThat(w.get("/v1/projects/" + project + "/tokens").status()).isEqualTo(403);
    assertThat(w.get("/v1/organizations/" + org + "/migration").status()).isEqualTo(403);
    assertThat(server.anonymous().get("/v1/projects/" + project + "/tokens").status()).isEqualTo(401);
  }

  @Test
  void rotation_keepsOldTokensValid_signsNewOnesWithTheNewKey_andBothSurviveARestart() throws Exception {
    String old = createLegacy(project, "before-rotation").get("token").asText();
    var rotated = owner.post("/v1/legacy-tokens/keys/rotate", "{}");
    assertThat(rotated.status()).as(rotated.body().toString()).isEqualTo(200);
    String newKid = rotated.body().at("/key/kid").asText();
    String fresh = createLegacy(project, "after-rotation").get("token").asText();

    JsonNode keys = server.anonymous().get("/v1/legacy-tokens/keys").body().get("keys");
    assertThat(keys).hasSize(2);
    assertThat(keys.get(0).get("kid").asText()).isEqualTo(newKid);
    assertThat(keys.get(0).get("active").asBoolean()).isTrue();
    assertThat(keys.get(1).get("active").asBoolean()).isFalse();
    assertThat(keys.toString()).doesNotContain("private").doesNotContain("\"d\"");

    server.restart();
    client(old, null).writeRaw(profile);
    client(fresh, project).writeRaw(profile);
    assertThat(server.anonymous().get("/v1/legacy-tokens/keys").body().get("keys")).hasSize(2);
  }

  @Test
  void usage_isWrittenInBatches_notPerCall() {
    JsonNode legacy = createLegacy(project, "busy");
    for (int i = 0; i < 20; i++) {
      client(legacy.get("token").asText(), null).writeRaw(profile);
    }
    // Nothing written yet: the counters live in memory until the next flush (every 10 s).
    long stored = store()
        .callsSince(java.time.Instant.EPOCH).values().stream().mapToLong(Long::longValue).sum();
    assertThat(stored).isZero();
    server.server().components().legacyUsage().flush();
    var rows = store()
        .callsSince(java.time.Instant.EPOCH);
    assertThat(rows).hasSize(1);
    assertThat(rows.values().iterator().next()).isEqualTo(20);
    assertThat(owner.get("/v1/projects/" + project + "/tokens").body().at("/tokens/0/lastUsedAt").isNull()).isFalse();
  }

  @Test
  void tokens_areVerifiedByAnIndependentImplementation() throws Exception {
    JsonNode legacy = createLegacy(project, "python-checked");
    String jwt = legacy.get("token").asText();
    String jwks = server.anonymous().get("/v1/legacy-tokens/keys").body().toString();
    assertThat(python(jwt, jwks, project, server.url())).isEqualTo("ok " + legacy.get("id").asText());

    // The script is not vacuous: it refuses another project, another issuer and a changed claim.
    String otherProject = UUID.randomUUID().toString();
    assertThat(python(jwt, jwks, otherProject, server.url())).startsWith("invalid");
    assertThat(python(jwt, jwks, project, "https://elsewhere.example")).startsWith("invalid");
    String tampered = Forgery.tamper(jwt);
    assertThat(python(tampered, jwks, project, server.url())).startsWith("invalid");
  }

  static String python(String token, String jwks, String projectId, String issuer) throws Exception {
    Path script = TestData.basedir().resolve("src/test/python/verify_legacy_jwt.py");
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), token, jwks, projectId, issuer)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    int exit = p.waitFor();
    assertThat(exit == 0).as(out).isEqualTo(out.startsWith("ok "));
    return out;
  }

  @Test
  void everyRefusal_isUnauthenticated_withOneMessage() throws Exception {
    JsonNode legacy = createLegacy(project, "victim");
    String jwt = legacy.get("token").asText();
    String jti = legacy.get("id").asText();
    JsonNode deleted = createLegacy(project, "deleted");
    assertThat(owner.delete("/v1/projects/" + project + "/tokens/" + deleted.get("id").asText()).status())
        .isEqualTo(200);
    Forgery f = new Forgery(server.server().components().legacyState().current().activePrivateKey(),
        server.anonymous().get("/v1/legacy-tokens/keys").body().at("/keys/0/x").asText());
    String claims = Forgery.claims(jti, project, project, server.url());

    List<Object[]> cases = new ArrayList<>();
    cases.add(new Object[] {"alg none", f.unsigned("{\"alg\":\"none\"}", claims)});
    cases.add(new Object[] {"alg none, two segments", f.unsigned("{\"alg\":\"none\"}", claims).replaceAll("\\.$", "")});
    cases.add(new Object[] {"HS256 keyed with the public key", f.hs256(claims)});
    cases.add(new Object[] {"RS256", f.rs256(claims)});
    cases.add(new Object[] {"EdDSA header with typ", f.ed25519("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}", claims)});
    cases.add(new Object[] {"EdDSA header with kid", f.ed25519("{\"alg\":\"EdDSA\",\"kid\":\"k\"}", claims)});
    cases.add(new Object[] {"EdDSA header with a space", f.ed25519("{\"alg\": \"EdDSA\"}", claims)});
    cases.add(new Object[] {"foreign key", f.foreign(claims)});
    cases.add(new Object[] {"changed claim, old signature", Forgery.tamper(jwt)});
    cases.add(new Object[] {"aud differs from projectId",
        f.ed25519(LegacyJwt.HEADER, Forgery.claims(jti, UUID.randomUUID().toString(), project, server.url()))});
    cases.add(new Object[] {"projectId of another project",
        f.ed25519(LegacyJwt.HEADER, Forgery.claims(jti, UUID.randomUUID().toString(),
            null, server.url()))});
    cases.add(new Object[] {"unknown jti",
        f.ed25519(LegacyJwt.HEADER, Forgery.claims(UUID.randomUUID().toString(), project, project, server.url()))});
    cases.add(new Object[] {"revoked jti", deleted.get("token").asText()});
    cases.add(new Object[] {"extra claim exp", f.ed25519(LegacyJwt.HEADER,
        claims.substring(0, claims.length() - 1) + ",\"exp\":1}")});
    cases.add(new Object[] {"writeProfiles false", f.ed25519(LegacyJwt.HEADER,
        claims.replace("\"writeProfiles\":true", "\"writeProfiles\":false"))});
    cases.add(new Object[] {"iat as a string", f.ed25519(LegacyJwt.HEADER,
        claims.replaceFirst("\"iat\":(\\d+)", "\"iat\":\"$1\""))});
    cases.add(new Object[] {"duplicate claim", f.ed25519(LegacyJwt.HEADER,
        claims.substring(0, claims.length() - 1) + ",\"projectId\":\"" + project + "\"}")});
    cases.add(new Object[] {"claims not JSON", f.ed25519(LegacyJwt.HEADER, "{not json")});
    cases.add(new Object[] {"claims with trailing data", f.ed25519(LegacyJwt.HEADER, claims + "{}")});
    cases.add(new Object[] {"claims an array", f.ed25519(LegacyJwt.HEADER, "[1]")});
    cases.add(new Object[] {"malformed base64", jwt.replaceFirst("\\.", ".*")});
    cases.add(new Object[] {"padded base64", jwt + "="});
    cases.add(new Object[] {"standard base64 alphabet", f.standardAlphabet(jti, project, server.url())});
    cases.add(new Object[] {"non-canonical trailing bits", Forgery.noncanonicalSignature(jwt)});
    cases.add(new Object[] {"extra segment", jwt + ".AAAA"});
    cases.add(new Object[] {"two segments", jwt.substring(0, jwt.lastIndexOf('.'))});
    cases.add(new Object[] {"empty segment", jwt.replaceFirst("\\.", "..")});
    cases.add(new Object[] {"oversized", jwt + "A".repeat(5000)});
    cases.add(new Object[] {"oversized, no dot", "A".repeat(5000)});
    cases.add(new Object[] {"bearer with spaces", "a b.c.d"});

    for (Object[] c : cases) {
      String name = (String) c[0];
      String token = (String) c[1];
      for (String header : new String[] {null, project}) {
        assertThatThrownBy(() -> client(token, header).writeRaw(profile)).as(name).satisfies(e -> {
          Status s = Status.fromThrowable(e);
          assertThat(s.getCode()).as(name).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(s.getDescription()).as(name).isEqualTo(LegacyCredentials.REFUSED);
        });
      }
    }
    // The genuine token still works after all that.
    client(jwt, null).writeRaw(profile);
  }

  @Test
  void everyClaimChanged_andReSignedWithTheRealKey_isRefused() throws Exception {
    JsonNode legacy = createLegacy(project, "victim");
    String jwt = legacy.get("token").asText();
    JsonNode other = createLegacy(project, "neighbour");
    var projectB = owner.post("/v1/organizations/" + org + "/projects", json("name", "b"));
    assertThat(projectB.status()).as(projectB.body().toString()).isEqualTo(200);
    String b = projectB.body().at("/project/id").asText();
    Forgery f = new Forgery(server.server().components().legacyState().current().activePrivateKey(),
        server.anonymous().get("/v1/legacy-tokens/keys").body().at("/keys/0/x").asText());
    com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    String claims = Forgery.claimsOf(jwt);
    long iat = mapper.readTree(claims).get("iat").asLong();
    long otherIat = mapper.readTree(Forgery.claimsOf(other.get("token").asText())).get("iat").asLong();

    // The control: the issued claims re-signed are the very token, and it works.
    assertThat(f.ed25519(LegacyJwt.HEADER, claims)).isEqualTo(jwt);
    client(f.ed25519(LegacyJwt.HEADER, claims), null).writeRaw(profile);

    java.util.Map<String, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode>> changes =
        new java.util.LinkedHashMap<>();
    changes.put("iat + 1", c -> c.put("iat", iat + 1));
    changes.put("iat - 1", c -> c.put("iat", iat - 1));
    changes.put("iat of another token", c -> c.put("iat", otherIat));
    changes.put("iss another server", c -> c.put("iss", "https://elsewhere.example"));
    changes.put("iss with a trailing slash", c -> c.put("iss", c.get("iss").asText() + "/"));
    changes.put("jti of another token", c -> c.put("jti", other.get("id").asText()));
    changes.put("jti unknown", c -> c.put("jti", UUID.randomUUID().toString()));
    changes.put("projectId and aud of another project", c -> c.put("projectId", b).put("aud", b));
    changes.put("aud of another project", c -> c.put("aud", b));
    changes.put("version", c -> c.put("version", "1.0.1"));
    changes.put("writeProfiles false", c -> c.put("writeProfiles", false));
    changes.put("an extra claim", c -> c.put("exp", 1));
    for (var change : changes.entrySet()) {
      com.fasterxml.jackson.databind.node.ObjectNode c =
          (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(claims);
      change.getValue().accept(c);
      String forged = f.ed25519(LegacyJwt.HEADER, mapper.writeValueAsString(c));
      for (String header : new String[] {null, project, b}) {
        assertThatThrownBy(() -> client(forged, header).writeRaw(profile)).as(change.getKey()).satisfies(e -> {
          Status s = Status.fromThrowable(e);
          assertThat(s.getCode()).as(change.getKey()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(s.getDescription()).as(change.getKey()).isEqualTo(LegacyCredentials.REFUSED);
        });
      }
    }
    assertThat(owner.get("/v1/organizations/" + org + "/audit").body().toString()).contains("reason=claims_differ");
    client(jwt, null).writeRaw(profile);
  }

  @Test
  void tokensIssuedBeforeTheIssuerWasKept_stillCheckIat_andTheStoredIatIsTheCreationTime() throws Exception {
    JsonNode legacy = createLegacy(project, "old");
    String jwt = legacy.get("token").asText();
    var db = server.server().components().db();
    // What V17 derives for older tokens (iat = created_at ms * 10^6) is what the server issues.
    long[] stored = db.jdbi().withHandle(h -> h.createQuery(
            "SELECT created_at, issued_at_nanos FROM legacy_tokens WHERE id = :id").bind("id", legacy.get("id").asText())
        .map((rs, c) -> new long[] {rs.getLong(1), rs.getLong(2)}).one());
    assertThat(stored[1]).isEqualTo(stored[0] * 1_000_000L);
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(Forgery.claimsOf(jwt)).get("iat").asLong())
        .isEqualTo(stored[1]);

    // A token from before V17: no issuer stored. Its iss is then not compared, its iat still is.
    db.jdbi().useHandle(h -> h.execute("UPDATE legacy_tokens SET issuer = NULL"));
    server.restart();
    Forgery f = new Forgery(server.server().components().legacyState().current().activePrivateKey(),
        server.anonymous().get("/v1/legacy-tokens/keys").body().at("/keys/0/x").asText());
    String claims = Forgery.claimsOf(jwt);
    client(jwt, null).writeRaw(profile);
    client(f.ed25519(LegacyJwt.HEADER, claims.replaceFirst("\"iss\":\"[^\"]*\"", "\"iss\":\"http://moved:1\"")), null)
        .writeRaw(profile);
    String iatChanged = f.ed25519(LegacyJwt.HEADER,
        claims.replace("\"iat\":" + stored[1] + ",", "\"iat\":" + (stored[1] + 1) + ","));
    assertThat(iatChanged).isNotEqualTo(jwt);
    assertThat(code(() -> client(iatChanged, null).writeRaw(profile))).isEqualTo(Status.Code.UNAUTHENTICATED);
  }
}
