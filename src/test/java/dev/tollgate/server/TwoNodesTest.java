package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL database: a token made on one works on the other; a deletion
 * arrives within the refresh period; a profile stored by one is listed and downloaded through
 * either.
 */
class TwoNodesTest {
  @TempDir Path dir;

  @Test
  void tokensCreatedAndDeletedOnOneNode_areHonouredByTheOther() throws Exception {
    try (TestServer a = TestServer.start(Backend.POSTGRESQL, dir);
        TollgateServer b = a.startSecondNode(dir.resolve("node-b"))) {
      assertThat(b.bootstrap()).isEmpty();
      String token = a.mintToken("shared", "system:viewer", null);
      Api onB = Api.withToken(b.url(), token);
      // Unknown to B's snapshot: looked up once in the database, then known.
      assertThat(onB.get("/v1/auth/me").status()).isEqualTo(200);

      Api owner = a.owner();
      String org = a.organizationId();
      String sa = owner.get("/v1/organizations/" + org + "/serviceaccounts/shared").body().at("/serviceAccount/id").asText();
      String tokenId = owner.get("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens").body().at("/tokens/0/id").asText();
      assertThat(owner.delete("/v1/organizations/" + org + "/serviceaccounts/" + sa + "/tokens/" + tokenId).status()).isEqualTo(200);
      assertThat(Api.withToken(a.url(), token).get("/v1/auth/me").status()).isEqualTo(401);

      long deadline = System.currentTimeMillis() + 30_000;
      int status = 200;
      while (status == 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
        status = onB.get("/v1/auth/me").status();
      }
      assertThat(status).isEqualTo(401);
    }
  }

  @Test
  void aBindingNamingAnAccountJustDeletedThroughTheOtherNode_isRefused() throws Exception {
    try (TestServer a = TestServer.start(Backend.POSTGRESQL, dir);
        TollgateServer b = a.startSecondNode(dir.resolve("node-b"))) {
      String org = a.organizationId();
      Api ownerOnB = Api.login(b.url(), "admin@localhost", TestServer.ADMIN_PASSWORD);
      // Made through B, so B's snapshot knows the account at once.
      String ci = ownerOnB.post("/v1/organizations/" + org + "/serviceaccounts", Api.json("name", "ci")).body()
          .at("/serviceAccount/id").asText();
      long deadline = System.currentTimeMillis() + 30_000;
      while (a.owner().get("/v1/organizations/" + org + "/serviceaccounts/ci").status() != 200
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(200); // until A's snapshot refresh brings it
      }
      assertThat(a.owner().delete("/v1/organizations/" + org + "/serviceaccounts/" + ci).status()).isEqualTo(200);

      // B's snapshot still lists ci for up to its refresh period; the database no longer has it.
      var bound = ownerOnB.post("/v1/organizations/" + org + "/rolebindings",
          Api.json("subject", "serviceaccount:ci", "role", "system:viewer"));
      assertThat(bound.status()).as(bound.body().toString()).isEqualTo(400);
      assertThat(bound.text("field")).isEqualTo("subject");
      assertThat(a.owner().get("/v1/organizations/" + org + "/rolebindings").body().toString())
          .doesNotContain("serviceaccount:ci");
    }
  }

  @Test
  void aProfileStoredByOneNode_isListedAndDownloadedThroughTheOther_andItsStartLeavesItIndexed() throws Exception {
    byte[] pprof = Files.readAllBytes(TestData.pprofFiles().getFirst());
    try (TestServer a = TestServer.start(Backend.POSTGRESQL, dir)) {
      String project = a.defaultProjectId();
      String writer = a.mintToken("agent", "system:profile-writer", project);
      String viewer = a.mintToken("reader", "system:viewer", null);
      GrpcTestClients.stub(a.url(), writer, project, ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class)
          .writeRaw(WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
              .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("cpu")))
              .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof)))).build());
      String seriesId = Api.withToken(a.url(), viewer).get("/v1/projects/" + project + "/series").body()
          .at("/series/0/id").asText();
      String profiles = "/v1/projects/" + project + "/profiles";
      String profileId = Api.withToken(a.url(), viewer).get(profiles + "?seriesId=" + seriesId).body()
          .at("/profiles/0/id").asText();
      String raw = profiles + "/" + profileId + "/raw";

      // B starts after A stored: its start (recovery of its own, empty, directory) leaves A's rows alone.
      try (TollgateServer b = a.startSecondNode(dir.resolve("node-b"))) {
        assertThat(Api.withToken(b.url(), viewer).get(profiles + "?seriesId=" + seriesId).body()
            .at("/profiles/0/id").asText()).isEqualTo(profileId);
        HttpResponse<byte[]> viaB = download(b.url() + raw, viewer, null);
        assertThat(viaB.statusCode()).isEqualTo(200);
        assertThat(viaB.body()).isEqualTo(pprof);
        assertThat(viaB.headers().firstValue("content-disposition")).hasValueSatisfying(
            v -> assertThat(v).contains(profileId + ".pb.gz"));
        // B forwards the caller's credentials, and A decides again.
        assertThat(download(b.url() + raw, "psc_v1_not_a_real_token", null).statusCode()).isEqualTo(401);
        // A request that a peer forwarded is never forwarded again.
        assertThat(download(b.url() + raw, viewer, "some-node").statusCode()).isEqualTo(404);

        String aUrl = a.server().nodeUrl();
        a.close();
        HttpResponse<byte[]> aDown = download(b.url() + raw, viewer, null);
        assertThat(aDown.statusCode()).isEqualTo(503);
        assertThat(new String(aDown.body(), java.nio.charset.StandardCharsets.UTF_8))
            .contains("profile " + profileId + " is stored by the server at " + aUrl)
            .contains("cannot be reached");
      }
    }
  }

  private static HttpResponse<byte[]> download(String url, String token, String forwardedBy) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("authorization", "Bearer " + token);
    if (forwardedBy != null) {
      r.header("x-tollgate-forwarded-by", forwardedBy);
    }
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
  }
}
