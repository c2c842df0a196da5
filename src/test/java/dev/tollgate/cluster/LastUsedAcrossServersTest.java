package dev.tollgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A token used on server A at t1 and on server B at a later t2 (one PostgreSQL, one clock moved
 * by hand, so t1 < t2 is certain): once both servers flushed their last-used times, in either
 * order, the REST API of both answers t2 - for a service-account token and its account, and for
 * a legacy token in its project's list and in the migration report.
 */
class LastUsedAcrossServersTest {
  @TempDir Path dir;

  private final FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  private TestServer a;
  private TollgateServer b;
  private String org;

  @BeforeEach
  void start() throws Exception {
    a = TestServer.start(Backend.POSTGRESQL, dir, c -> c, clock);
    b = a.startSecondNode(dir.resolve("node-b"), clock);
    org = a.organizationId();
  }

  @AfterEach
  void stop() {
    b.close();
    a.close();
  }

  @ParameterizedTest(name = "the later server flushes first: {0}")
  @ValueSource(booleans = {true, false})
  void serviceAccountToken_theLaterUseWins_onEveryServer(boolean laterFlushesFirst) {
    String token = a.mintToken("agent", "system:viewer", null);
    String accounts = "/v1/organizations/" + org + "/serviceaccounts";
    String saId = a.owner().get(accounts + "/agent").body().at("/serviceAccount/id").asText();

    Instant t2 = useOnAThenOnB(s -> assertThat(Api.withToken(s.url(), token).get("/v1/auth/me").status()).isEqualTo(200),
        laterFlushesFirst, s -> s.components().lastUsed().flush());

    for (TollgateServer s : servers()) {
      Api owner = owner(s);
      assertThat(ok(owner.get(accounts + "/" + saId + "/tokens")).at("/tokens/0/lastUsedAt").asText())
          .as("token on " + s.url()).isEqualTo(t2.toString());
      assertThat(ok(owner.get(accounts + "/" + saId)).at("/serviceAccount/lastUsedAt").asText())
          .as("account on " + s.url()).isEqualTo(t2.toString());
      assertThat(ok(owner.get(accounts)).get("serviceAccounts")).filteredOn(x -> x.path("id").asText().equals(saId))
          .singleElement().satisfies(x -> assertThat(x.path("lastUsedAt").asText()).as("accounts on " + s.url())
              .isEqualTo(t2.toString()));
    }
  }

  @ParameterizedTest(name = "the later server flushes first: {0}")
  @ValueSource(booleans = {true, false})
  void legacyToken_theLaterUseWins_onEveryServer(boolean laterFlushesFirst) throws Exception {
    String project = a.defaultProjectId();
    JsonNode legacy = ok(a.owner().post("/v1/projects/" + project + "/tokens", Api.json("name", "old-agent")))
        .get("token");
    String jwt = legacy.get("token").asText();
    byte[] pprof = Files.readAllBytes(TestData.pprofFiles().getFirst());
    WriteRawRequest write = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("cpu")))
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(pprof)))).build();

    Instant t2 = useOnAThenOnB(s -> GrpcTestClients.stub(s.url(), jwt, null,
        ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class).writeRaw(write),
        laterFlushesFirst, s -> s.components().legacyUsage().flush());

    for (TollgateServer s : servers()) {
      Api owner = owner(s);
      assertThat(ok(owner.get("/v1/projects/" + project + "/tokens")).at("/tokens/0/lastUsedAt").asText())
          .as("legacy token on " + s.url()).isEqualTo(t2.toString());
      assertThat(ok(owner.get("/v1/organizations/" + org + "/migration")).get("tokens"))
          .filteredOn(x -> x.path("id").asText().equals(legacy.get("id").asText())).singleElement()
          .satisfies(x -> assertThat(x.path("lastUsedAt").asText()).as("migration report on " + s.url())
              .isEqualTo(t2.toString()));
    }
  }

  /**
   * Uses the token on A at t1, on B a minute later at t2, then flushes both, the later (B) first
   * or second; returns t2.
   */
  private Instant useOnAThenOnB(Consumer<TollgateServer> use, boolean laterFlushesFirst,
      Consumer<TollgateServer> flush) {
    Instant t1 = clock.instant();
    use.accept(a.server());
    clock.advance(Duration.ofMinutes(1));
    Instant t2 = clock.instant();
    use.accept(b);
    clock.advance(Duration.ofMinutes(1)); // later requests are the owner's: no use of the token
    assertThat(t1).isBefore(t2);
    (laterFlushesFirst ? List.of(b, a.server()) : servers()).forEach(flush);
    return t2;
  }

  private List<TollgateServer> servers() {
    return List.of(a.server(), b);
  }

  private static Api owner(TollgateServer s) {
    return Api.login(s.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
  }

  private static JsonNode ok(Api.Response r) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.body();
  }
}
