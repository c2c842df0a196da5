package dev.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testing.Api;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two servers on one PostgreSQL database: a token made on one works on the other; a deletion arrives within the refresh period. */
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
}
