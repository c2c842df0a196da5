package dev.tollgate.cluster;

import static dev.tollgate.testing.Api.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.db.IamVersion;
import dev.tollgate.db.JdbcIamStore;
import dev.tollgate.iam.Project;
import dev.tollgate.testing.Api;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Three servers on one PostgreSQL: an IAM change committed through server 0 is applied by servers
 * 1 and 2 through the change feed, also when their listening connections were killed meanwhile.
 * Each test waits for the committed version to be applied (not for a time), then checks what the
 * other servers answer a real agent's call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IamChangeFeedTest {
  private static final String WRITER = "system:profile-writer";

  PgCluster cluster;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    cluster = new PgCluster(dir, 3);
  }

  @AfterAll
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void aTokenDeletedOnOneServerIsRefusedByTheOthersOnGrpcAndRest() throws Exception {
    PgCluster.Minted m = cluster.mint(0, "revoked-sa", WRITER);
    cluster.awaitAllApplied();
    for (int i = 1; i <= 2; i++) {
      assertThat(cluster.writeRaw(i, m.token()).getCode()).isEqualTo(Status.Code.OK);
      assertThat(rest(i, m.token()).status()).isNotEqualTo(401);
    }

    PgCluster.check(cluster.owner(0).delete("/v1/organizations/" + cluster.organizationId() + "/serviceaccounts/"
        + m.serviceAccountId() + "/tokens/" + m.tokenId()));
    cluster.awaitAllApplied();

    for (int i = 1; i <= 2; i++) {
      assertThat(cluster.writeRaw(i, m.token()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(rest(i, m.token()).status()).isEqualTo(401);
    }
  }

  @Test
  void aRoleBindingRemovedOnOneServerTakesEffectEverywhere() throws Exception {
    PgCluster.Minted m = cluster.mint(0, "unbound-sa", WRITER);
    cluster.awaitAllApplied();
    for (int i = 1; i <= 2; i++) {
      assertThat(cluster.writeRaw(i, m.token()).getCode()).isEqualTo(Status.Code.OK);
    }

    PgCluster.check(cluster.owner(0).delete("/v1/organizations/" + cluster.organizationId() + "/rolebindings/"
        + m.bindingId()));
    cluster.awaitAllApplied();

    for (int i = 1; i <= 2; i++) {
      assertThat(cluster.writeRaw(i, m.token()).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void aLegacyTokenRevokedOnOneServerIsRefusedEverywhere() throws Exception {
    String project = cluster.projectId();
    var created = PgCluster.check(cluster.owner(0).post("/v1/projects/" + project + "/tokens", json("name", "old-agent")));
    String jwt = created.body().at("/token/token").asText();
    String id = created.body().at("/token/id").asText();
    cluster.awaitAllApplied();
    for (int i = 1; i <= 2; i++) {
      assertThat(cluster.writeRaw(i, jwt).getCode()).isEqualTo(Status.Code.OK);
    }

    PgCluster.check(cluster.owner(0).delete("/v1/projects/" + project + "/tokens/" + id));
    cluster.awaitAllApplied();

    for (int i = 1; i <= 2; i++) {
      assertThat(cluster.writeRaw(i, jwt).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
  }

  @Test
  void killedListenersReconnectAndApplyTheChangeMadeWhileTheyWereDown() throws Exception {
    PgCluster.Minted m = cluster.mint(0, "while-down-sa", WRITER);
    cluster.awaitAllApplied();
    assertThat(cluster.writeRaw(1, m.token()).getCode()).isEqualTo(Status.Code.OK);
    long reconnects1 = cluster.feed(1).reconnects();
    long reconnects2 = cluster.feed(2).reconnects();

    // New connections to the database are refused while the listeners are killed, so they stay
    // down while the change commits (the servers' pools keep their open connections) and its
    // notification is lost: only the resync after reconnecting can bring it.
    try (Connection admin = cluster.connect("template1"); Statement st = admin.createStatement()) {
      st.execute("ALTER DATABASE postgres ALLOW_CONNECTIONS false");
      try {
        assertThat(cluster.terminateListeners()).isEqualTo(3);
        PgCluster.check(cluster.owner(0).delete("/v1/organizations/" + cluster.organizationId() + "/serviceaccounts/"
            + m.serviceAccountId() + "/tokens/" + m.tokenId()));
        long committed = cluster.server(0).components().db().jdbi().withHandle(IamVersion::read);
        assertThat(cluster.feed(1).appliedVersion()).isLessThan(committed);
      } finally {
        st.execute("ALTER DATABASE postgres ALLOW_CONNECTIONS true");
      }
    }
    cluster.awaitAllApplied();

    assertThat(cluster.feed(1).reconnects()).isGreaterThan(reconnects1);
    assertThat(cluster.feed(2).reconnects()).isGreaterThan(reconnects2);
    for (int i = 1; i <= 2; i++) {
      assertThat(cluster.writeRaw(i, m.token()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
  }

  @Test
  void aRolledBackChangeSendsNoNotificationAndKeepsTheVersion() throws Exception {
    JdbcIamStore store = new JdbcIamStore(cluster.server(0).components().db());
    String org = cluster.organizationId();
    try (Connection listener = cluster.connect(); Statement st = listener.createStatement()) {
      st.execute("LISTEN " + IamVersion.CHANNEL);
      long before = cluster.committedVersion();

      assertThatThrownBy(() -> store.inTransaction(tx -> {
        tx.insertProject(new Project(UUID.randomUUID().toString(), org, "rolled-back", Instant.now()));
        throw new IllegalStateException("roll back");
      })).hasMessage("roll back");
      assertThat(cluster.committedVersion()).isEqualTo(before);

      // A committed change after it: its notification is delivered after any of the rolled-back
      // one (notifications arrive in commit order), so reading up to it sees everything sent.
      Project p = cluster.server(0).components().iam().lastLoaded().project(cluster.projectId()).orElseThrow();
      store.inTransaction(tx -> {
        tx.renameProject(p.id(), p.name());
        return null;
      });
      assertThat(cluster.committedVersion()).isEqualTo(before + 1);

      List<String> payloads = new ArrayList<>();
      PGConnection pg = listener.unwrap(PGConnection.class);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!payloads.contains(Long.toString(before + 1)) && System.nanoTime() < deadline) {
        PGNotification[] notes = pg.getNotifications(500);
        if (notes != null) {
          for (PGNotification n : notes) {
            payloads.add(n.getParameter());
          }
        }
      }
      assertThat(payloads).containsExactly(Long.toString(before + 1));
    }
  }

  /** A REST call authenticated by the token; 401 once the server refuses it. */
  private Api.Response rest(int i, String token) {
    return Api.withToken(cluster.server(i).url(), token)
        .get("/v1/organizations/" + cluster.organizationId() + "/serviceaccounts");
  }
}
