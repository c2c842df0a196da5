package dev.tollgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A service-account token used on server A at t1 and on server B at a later t2 (one PostgreSQL,
 * one clock moved by hand, so t1 < t2 is certain): once both servers flushed their last-used
 * times, in either order, the REST API of both answers t2 - for the token and for its account.
 */
class LastUsedAcrossServersTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "the later server flushes first: {0}")
  @ValueSource(booleans = {true, false})
  void theLaterUseWins_onEveryServer_whateverOrderTheyFlushIn(boolean laterFlushesFirst) throws Exception {
    FakeClock clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    try (TestServer a = TestServer.start(Backend.POSTGRESQL, dir, c -> c, clock);
        TollgateServer b = a.startSecondNode(dir.resolve("node-b"), clock)) {
      String org = a.organizationId();
      String token = a.mintToken("agent", "system:viewer", null);
      Api owner = a.owner();
      String saId = owner.get("/v1/organizations/" + org + "/serviceaccounts/agent").body()
          .at("/serviceAccount/id").asText();

      Instant t1 = clock.instant();
      assertThat(Api.withToken(a.url(), token).get("/v1/auth/me").status()).isEqualTo(200);
      clock.advance(Duration.ofMinutes(1));
      Instant t2 = clock.instant();
      assertThat(Api.withToken(b.url(), token).get("/v1/auth/me").status()).isEqualTo(200);
      clock.advance(Duration.ofMinutes(1)); // the owner's own requests are not token uses; nothing else moves it

      List<TollgateServer> flushOrder = laterFlushesFirst ? List.of(b, a.server()) : List.of(a.server(), b);
      for (TollgateServer s : flushOrder) {
        s.components().lastUsed().flush();
      }

      assertThat(t1).isBefore(t2);
      for (TollgateServer s : List.of(a.server(), b)) {
        Api ownerOn = Api.login(s.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
        String accounts = "/v1/organizations/" + org + "/serviceaccounts";
        var tokens = ownerOn.get(accounts + "/" + saId + "/tokens");
        assertThat(tokens.status()).isEqualTo(200);
        assertThat(tokens.body().at("/tokens/0/lastUsedAt").asText()).as("token on " + s.url()).isEqualTo(t2.toString());
        var account = ownerOn.get(accounts + "/" + saId);
        assertThat(account.body().at("/serviceAccount/lastUsedAt").asText()).as("account on " + s.url())
            .isEqualTo(t2.toString());
        var listed = ownerOn.get(accounts);
        assertThat(listed.body().get("serviceAccounts")).filteredOn(x -> x.path("id").asText().equals(saId))
            .singleElement().satisfies(x -> assertThat(x.path("lastUsedAt").asText()).as("accounts on " + s.url())
                .isEqualTo(t2.toString()));
      }
    }
  }
}
