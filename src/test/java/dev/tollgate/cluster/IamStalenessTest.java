package dev.tollgate.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.iam.Freshness;
import dev.tollgate.testing.Api;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops under three servers: once the staleness bound (the default 5 s) has passed
 * without the feed confirming their snapshot, they refuse grants they still hold in memory with
 * UNAVAILABLE (gRPC) and 503 (REST) and report not ready; PostgreSQL back on the same data
 * directory and port, they recover and accept again.
 */
class IamStalenessTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void unreachableDatabaseRefusesStaleGrantsAndRecovers(@TempDir Path dir) throws Exception {
    try (PgCluster cluster = new PgCluster(dir, 3)) {
      PgCluster.Minted m = cluster.mint(0, "stale-sa", "system:profile-writer");
      cluster.awaitAllApplied();
      for (int i = 1; i <= 2; i++) {
        assertThat(cluster.writeRaw(i, m.token()).getCode()).isEqualTo(Status.Code.OK);
        assertThat(readyz(cluster, i)).isEqualTo(200);
      }

      cluster.stopPostgres();
      // Not ready as soon as the database is unreachable; stale once the bound has passed without
      // the feed confirming the snapshot - from then on the grants in memory are not trusted.
      PgCluster.await(() -> readyz(cluster, 1) == 503 && readyz(cluster, 2) == 503, "servers not ready");
      PgCluster.await(() -> !cluster.feed(1).isCurrent() && !cluster.feed(2).isCurrent(), "snapshots stale");
      for (int i = 1; i <= 2; i++) {
        Status s = cluster.writeRaw(i, m.token());
        assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(s.getDescription()).isEqualTo(Freshness.STALE_MESSAGE);
        Api.Response r = Api.withToken(cluster.server(i).url(), m.token())
            .get("/v1/organizations/" + cluster.organizationId() + "/serviceaccounts");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body().path("code").asText()).isEqualTo("unavailable");
        assertThat(r.error()).isEqualTo(Freshness.STALE_MESSAGE);
        assertThat(r.body().toString()).doesNotContain(m.token());
      }

      cluster.startPostgres();
      PgCluster.await(() -> readyz(cluster, 1) == 200 && readyz(cluster, 2) == 200, "servers ready again");
      for (int i = 1; i <= 2; i++) {
        assertThat(cluster.writeRaw(i, m.token()).getCode()).isEqualTo(Status.Code.OK);
      }
    }
  }

  private static int readyz(PgCluster cluster, int i) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.server(i).url() + "/readyz")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
