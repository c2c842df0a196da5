package dev.tollgate.ingest;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.ShouldInitiateUploadRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.telemetry.v1alpha1.ReportPanicRequest;
import dev.tollgate.proto.parca.telemetry.v1alpha1.TelemetryServiceGrpc;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The refusal matrix of ingestion through the real server: real psc_v1_ tokens, real role
 * bindings, a plain grpc-java (Netty) client sending the metadata agents send.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class IngestAuthorizationTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  TestServer server;
  ManagedChannel channel;
  Api owner;
  String org;
  String project;
  byte[] profile;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(backend, dir);
    channel = GrpcChannels.plaintext(server.port());
    owner = server.owner();
    org = server.organizationId();
    project = server.defaultProjectId();
    profile = Files.readAllBytes(TestData.pprofFiles().stream()
        .filter(p -> p.getFileName().toString().equals("two-stacks.pb.gz")).findFirst().orElseThrow());
  }

  @AfterEach
  void stop() throws Exception {
    GrpcChannels.close(channel);
    server.close();
  }

  Status writeRaw(String authorization, String projectId) {
    WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("process_cpu"))
            .addLabels(Label.newBuilder().setName("job").setValue("matrix")))
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(profile)))).build();
    try {
      ProfileStoreServiceGrpc.newBlockingStub(channel).withInterceptors(GrpcChannels.headers(authorization, projectId))
          .withDeadlineAfter(30, TimeUnit.SECONDS).writeRaw(req);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription())
          .doesNotContain(authorization == null ? "\u0000" : authorization.replace("Bearer ", ""));
      return e.getStatus();
    }
  }

  Status shouldUpload(String token) {
    try {
      DebuginfoServiceGrpc.newBlockingStub(channel).withInterceptors(GrpcChannels.headers("Bearer " + token, project))
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .shouldInitiateUpload(ShouldInitiateUploadRequest.newBuilder().setBuildId("abcdef0123").build());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  String saId(String name) {
    return owner.get("/v1/organizations/" + org + "/serviceaccounts/" + name).body().at("/serviceAccount/id").asText();
  }

  @Test
  void profileWriterToken_writesWithBearerAndProjectHeader_inAnyCase() {
    String token = server.mintToken("scraper", "system:profile-writer", project);
    assertThat(writeRaw("Bearer " + token, project).getCode()).isEqualTo(Status.Code.OK);
    assertThat(writeRaw("bearer " + token, project).getCode()).isEqualTo(Status.Code.OK);
    assertThat(writeRaw("Bearer " + token, project.toUpperCase()).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void noOrMalformedOrUnknownCredentials_areUnauthenticated_withOneMessageForUnknownTokens() {
    String token = server.mintToken("scraper", "system:profile-writer", project);
    Status none = writeRaw(null, project);
    assertThat(none.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(none.getDescription()).contains("authorization");
    assertThat(writeRaw("Basic abc", project).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    Status malformed = writeRaw("Bearer psc_v1_nothex", project);
    String typo = token.substring(0, 12) + (token.charAt(12) == 'a' ? 'b' : 'a') + token.substring(13);
    Status checksum = writeRaw("Bearer " + typo, project);
    Status unknown = writeRaw("Bearer " + new dev.tollgate.token.TokenFormat(new java.security.SecureRandom()).generate(), project);
    for (Status s : new Status[] {malformed, checksum, unknown}) {
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(s.getDescription()).isEqualTo("invalid or unknown token");
    }
    // Callers without a valid token are not the project's (anyone can name it): its statistics
    // stay clean, and the refusals are counted apart, under the claim.
    assertThat(projectRefusals()).isZero();
    assertThat(unauthenticatedRefusals(project)).isEqualTo(5);
    // ... and the organization's audit log shows the refused tokens (by reason, never the token).
    server.server().components().audit().flush();
    String audit = owner.get("/v1/organizations/" + org + "/audit?action=auth.").body().toString();
    assertThat(audit).contains("reason=bad_checksum").contains("reason=unknown").contains("channel=grpc")
        .doesNotContain(token.substring(7, 40));
    var entries = owner.get("/v1/organizations/" + org + "/audit?action=auth.").body().get("entries");
    assertThat(entries).isNotEmpty().allSatisfy(e -> assertThat(e.get("clientIp").asText()).isEqualTo("127.0.0.1"));
  }

  long projectRefusals() {
    var stats = owner.get("/v1/projects/" + project + "/ingest/stats").body();
    long refusals = 0;
    for (var src : stats.get("sources")) {
      refusals += src.at("/last5m/refusals").asLong();
    }
    return refusals;
  }

  /** tollgate_ingest_unauthenticated_refusals_total of WriteRaw claiming {@code claimed}, from /metrics. */
  long unauthenticatedRefusals(String claimed) {
    try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/metrics"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      double sum = 0;
      for (String line : metrics.split("\n")) {
        if (line.startsWith("tollgate_ingest_unauthenticated_refusals_total{")
            && line.contains("claimed_project=\"" + claimed + "\"") && line.contains("method=\"WriteRaw\"")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return (long) sum;
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void unauthenticatedCallsNamingAProject_leaveItsCountsAlone_authenticatedRefusalsCount() {
    String agent = server.mintToken("agent", "system:writer", project);
    assertThat(writeRaw("Bearer " + agent, project).getCode()).isEqualTo(Status.Code.OK);
    String random = new dev.tollgate.token.TokenFormat(new java.security.SecureRandom()).generate();
    for (int i = 0; i < 20; i++) {
      assertThat(writeRaw(i % 2 == 0 ? null : "Bearer " + random, project).getCode())
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    var stats = owner.get("/v1/projects/" + project + "/ingest/stats").body();
    assertThat(projectRefusals()).isZero();
    assertThat(stats.get("refusals")).isEmpty();
    assertThat(stats.at("/sources/0/last5m/calls").asLong()).isEqualTo(1);
    assertThat(unauthenticatedRefusals(project)).isEqualTo(20);

    // A caller that authenticated and is refused in the project is the project's business.
    String viewer = server.mintToken("dashboard", "system:viewer", project);
    assertThat(writeRaw("Bearer " + viewer, project).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(projectRefusals()).isEqualTo(1);
    assertThat(owner.get("/v1/projects/" + project + "/ingest/stats").body().get("refusals")).hasSize(1);
    assertThat(unauthenticatedRefusals(project)).isEqualTo(20);
  }

  @Test
  void refusalsThatNameNoOrganization_areFiledUnderTheOperatorsOrganization() {
    String random = new dev.tollgate.token.TokenFormat(new java.security.SecureRandom()).generate();
    // Neither the token nor the (absent or unknown) project names an organization.
    assertThat(writeRaw("Bearer " + random, null).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(writeRaw("Bearer " + random, UUID.randomUUID().toString()).getCode())
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    server.server().components().audit().flush();
    var entries = owner.get("/v1/organizations/" + org + "/audit?action=auth.").body().get("entries");
    assertThat(entries).hasSize(2).allSatisfy(e -> {
      assertThat(e.get("detail").asText()).contains("reason=unknown").contains("channel=grpc");
      assertThat(e.get("clientIp").asText()).isEqualTo("127.0.0.1");
    });
    assertThat(entries.toString()).doesNotContain(random.substring(7));
  }

  @Test
  void deletedExpiredAndDisabled_areRefusedOnTheNextCall() {
    String token = server.mintToken("scraper", "system:profile-writer", project);
    String sa = saId("scraper");
    assertThat(writeRaw("Bearer " + token, project).getCode()).isEqualTo(Status.Code.OK);
    owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/disable", "{}");
    assertThat(writeRaw("Bearer " + token, project).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/enable", "{}");
    assertThat(writeRaw("Bearer " + token, project).getCode()).isEqualTo(Status.Code.OK);
    String tokenId = owner.get("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens").body().at("/tokens/0/id").asText();
    owner.delete("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens/" + tokenId);
    assertThat(writeRaw("Bearer " + token, project).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);

    String expiring = owner.post("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens",
        json("name", "short", "expiresAt", Instant.now().plusSeconds(2).toString())).body().at("/token/token").asText();
    assertThat(writeRaw("Bearer " + expiring, project).getCode()).isEqualTo(Status.Code.OK);
    long deadline = System.currentTimeMillis() + 10_000;
    Status s = Status.OK;
    while (s.isOk() && System.currentTimeMillis() < deadline) {
      s = writeRaw("Bearer " + expiring, project);
    }
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void missingOrInvalidProjectId_namesTheHeader() {
    String token = server.mintToken("scraper", "system:profile-writer", null);
    Status missing = writeRaw("Bearer " + token, null);
    assertThat(missing.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(missing.getDescription()).contains("projectid");
    Status invalid = writeRaw("Bearer " + token, "not-a-uuid");
    assertThat(invalid.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(invalid.getDescription()).contains("projectid");
    assertThat(writeRaw("Bearer " + token, "00000000-0000-0000-0000-000000000000").getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void aProjectOfAnotherOrganization_isNeverReachable() {
    String token = server.mintToken("scraper", "system:owner", null);
    Api other = Api.login(server.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    String otherOrg = other.post("/v1/organizations", json("name", "other")).body().at("/organization/id").asText();
    String foreign = other.post("/v1/organizations/" + otherOrg + "/projects", json("name", "theirs")).body().at("/project/id").asText();
    Status s = writeRaw("Bearer " + token, foreign);
    assertThat(s.getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void profileWriter_cannotUploadDebugInfo_viewerCannotWrite_writerCanDoBoth() {
    String scraper = server.mintToken("scraper", "system:profile-writer", null);
    Status debug = shouldUpload(scraper);
    assertThat(debug.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(debug.getDescription()).contains("debuginfo.write");

    String viewer = server.mintToken("dashboard", "system:viewer", null);
    Status write = writeRaw("Bearer " + viewer, project);
    assertThat(write.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(write.getDescription()).contains("profile.write");

    String agent = server.mintToken("agent", "system:writer", project);
    assertThat(shouldUpload(agent).getCode()).isEqualTo(Status.Code.OK);
    assertThat(writeRaw("Bearer " + agent, project).getCode()).isEqualTo(Status.Code.OK);
    // ReportPanic needs profile.write as well.
    var panic = TelemetryServiceGrpc.newBlockingStub(channel).withInterceptors(GrpcChannels.headers("Bearer " + viewer, project));
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> panic.reportPanic(ReportPanicRequest.newBuilder().setStderr("boom").build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void tokenBoundToProjectA_cannotWriteToProjectB() {
    String b = owner.post("/v1/organizations/" + org + "/projects", json("name", "b")).body().at("/project/id").asText();
    server.mintToken("bound", "system:profile-writer", null);
    String token = owner.post("/v1/organizations/" + org + "/serviceaccounts/" + saId("bound") + "/tokens",
        json("name", "a-only", "projectId", project)).body().at("/token/token").asText();
    assertThat(writeRaw("Bearer " + token, project).getCode()).isEqualTo(Status.Code.OK);
    Status s = writeRaw("Bearer " + token, b);
    assertThat(s.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(s.getDescription()).isEqualTo("permission denied: missing permission profile.write in project " + b
        + " (this token is bound to another project)");
  }

  @Test
  void projectScopedBinding_grantsOnlyItsProject() {
    String b = owner.post("/v1/organizations/" + org + "/projects", json("name", "b")).body().at("/project/id").asText();
    String token = server.mintToken("scoped", "system:profile-writer", project);
    assertThat(writeRaw("Bearer " + token, project).getCode()).isEqualTo(Status.Code.OK);
    assertThat(writeRaw("Bearer " + token, b).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    // And what got in is visible, attributed to the account, with the refusal counted.
    var stats = owner.get("/v1/projects/" + project + "/ingest/stats");
    assertThat(stats.status()).isEqualTo(200);
    assertThat(stats.body().toString()).contains("serviceaccount:scoped");
    var denied = Api.withToken(server.url(), token).get("/v1/projects/" + project + "/series");
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.error()).contains("profile.read");
  }
}
