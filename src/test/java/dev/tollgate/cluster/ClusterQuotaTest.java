package dev.tollgate.cluster;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.iam.ServiceAccounts;
import dev.tollgate.testing.Api;
import dev.tollgate.token.Tokens;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two servers on one PostgreSQL racing to create service accounts and tokens past their quotas,
 * and one user's organizations past {@code --max-orgs-per-user}: the database serializes the
 * checks, so exactly the quota is created and the rest get 429.
 */
class ClusterQuotaTest {
  @Test
  void twoServersRacingNeverExceedTheQuotas(@TempDir Path dir) throws Exception {
    try (PgCluster cluster = new PgCluster(dir, 2)) {
      String org = cluster.organizationId();
      Api[] owners = {cluster.owner(0), cluster.owner(1)};
      int attempts = ServiceAccounts.MAX_PER_ORGANIZATION + 20;
      int existing = count(cluster, "SELECT COUNT(*) FROM service_accounts");

      List<Integer> statuses = race(attempts, i -> owners[i % 2]
          .post("/v1/organizations/" + org + "/serviceaccounts", json("name", "racer-" + i)).status());
      assertThat(statuses.stream().filter(s -> s == 200).count())
          .isEqualTo(ServiceAccounts.MAX_PER_ORGANIZATION - existing);
      assertThat(statuses).allMatch(s -> s == 200 || s == 429);
      assertThat(count(cluster, "SELECT COUNT(*) FROM service_accounts"))
          .isEqualTo(ServiceAccounts.MAX_PER_ORGANIZATION);

      String saId = cluster.server(0).components().db().jdbi().withHandle(h -> h.createQuery(
          "SELECT id FROM service_accounts WHERE name LIKE 'racer-%' ORDER BY name LIMIT 1")
          .mapTo(String.class).one());
      List<Integer> tokenStatuses = race(Tokens.MAX_PER_SERVICE_ACCOUNT + 20, i -> owners[i % 2]
          .post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/tokens", json("name", "t" + i)).status());
      assertThat(tokenStatuses.stream().filter(s -> s == 200).count()).isEqualTo(Tokens.MAX_PER_SERVICE_ACCOUNT);
      assertThat(tokenStatuses).allMatch(s -> s == 200 || s == 429);
      assertThat(count(cluster, "SELECT COUNT(*) FROM service_account_tokens WHERE service_account_id = '" + saId + "'"))
          .isEqualTo(Tokens.MAX_PER_SERVICE_ACCOUNT);
    }
  }

  @Test
  void oneUserRacingOnTwoServers_createsExactlyTheOrganizationCap(@TempDir Path dir) throws Exception {
    try (PgCluster cluster = new PgCluster(dir, 2)) {
      Api[] owners = {cluster.owner(0), cluster.owner(1)};
      int cap = dev.tollgate.iam.OrganizationCreation.DEFAULT.maxPerUser();
      int before = count(cluster, "SELECT COUNT(*) FROM organizations");
      List<Integer> statuses = race(cap + 20, i -> owners[i % 2]
          .post("/v1/organizations", json("name", "tenant-" + i)).status());
      assertThat(statuses).allMatch(s -> s == 200 || s == 429);
      assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(cap);
      assertThat(count(cluster, "SELECT COUNT(*) FROM organizations")).isEqualTo(before + cap);
      // Both servers refuse the next one, each from its own snapshot and from the database.
      cluster.awaitAllApplied();
      assertThat(owners[0].post("/v1/organizations", json("name", "one-more")).status()).isEqualTo(429);
      assertThat(owners[1].post("/v1/organizations", json("name", "one-more")).status()).isEqualTo(429);
    }
  }

  private static List<Integer> race(int n, java.util.function.IntFunction<Integer> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        results.add(pool.submit(() -> call.apply(next.getAndIncrement())));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : results) {
        statuses.add(f.get());
      }
      return statuses;
    } finally {
      pool.shutdown();
    }
  }

  private static int count(PgCluster cluster, String sql) throws Exception {
    try (Connection c = cluster.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
