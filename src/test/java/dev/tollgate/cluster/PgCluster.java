package dev.tollgate.cluster;

import static dev.tollgate.testing.Api.json;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Three real Tollgate servers in this JVM on one embedded PostgreSQL of their own (so it can be
 * stopped and started again on the same data directory and port), each with its own data
 * directory; plus the clients the cluster tests need.
 */
public final class PgCluster implements AutoCloseable {
  /** A service-account token minted through the REST API. */
  public record Minted(String serviceAccountId, String tokenId, String token, String bindingId) {}

  private final Path pgData;
  private final int pgPort;
  private EmbeddedPostgres pg;
  final List<TollgateServer> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final byte[] profile;
  private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

  /** The legacy key-encryption key all servers of the cluster share (base64 of 32 bytes). */
  static final String SHARED_KEY_ENCRYPTION_KEY =
      java.util.Base64.getEncoder().encodeToString("tollgate-test-cluster-kek-32byte".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

  public PgCluster(Path dir, int count) throws Exception {
    this.pgData = dir.resolve("pg");
    Files.createDirectories(pgData);
    try (ServerSocket s = new ServerSocket(0)) {
      this.pgPort = s.getLocalPort();
    }
    startPostgres();
    String url = "jdbc:postgresql://localhost:" + pgPort + "/postgres?user=postgres&password=postgres";
    for (int i = 0; i < count; i++) {
      ServerConfig c = ServerConfig.defaults(dir.resolve("node" + i)).withPort(0)
          .withAdminPassword(TestServer.ADMIN_PASSWORD).withDatabaseUrl(url)
          .withLegacyKeyEncryptionKey(SHARED_KEY_ENCRYPTION_KEY); // every server on one database needs the same
      TollgateServer s = TollgateServer.start(c);
      servers.add(s);
      channels.add(GrpcChannels.plaintext(s.port()));
    }
    profile = Files.readAllBytes(TestData.pprofFiles().stream()
        .filter(p -> p.getFileName().toString().equals("two-stacks.pb.gz")).findFirst().orElseThrow());
  }

  public void startPostgres() throws IOException {
    pg = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(pgPort).start();
  }

  public void stopPostgres() throws IOException {
    pg.close();
  }

  public TollgateServer server(int i) {
    return servers.get(i);
  }

  public IamChangeFeed feed(int i) {
    return (IamChangeFeed) server(i).components().iam().freshness();
  }

  public Api owner(int i) {
    return Api.login(server(i).url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
  }

  public String organizationId() {
    return server(0).components().iam().lastLoaded().organizations().iterator().next().id();
  }

  public String projectId() {
    return server(0).components().iam().lastLoaded().projectsOf(organizationId()).get(0).id();
  }

  /** A service account bound to {@code role} in the default project with one token, created on server {@code i}. */
  public Minted mint(int i, String name, String role) {
    Api owner = owner(i);
    String org = organizationId();
    var sa = owner.post("/v1/organizations/" + org + "/serviceaccounts", json("name", name));
    check(sa);
    String saId = sa.body().at("/serviceAccount/id").asText();
    var b = owner.post("/v1/organizations/" + org + "/rolebindings",
        json("subject", "serviceaccount:" + name, "role", role, "projectId", projectId()));
    check(b);
    var t = owner.post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/tokens", json("name", "t"));
    check(t);
    return new Minted(saId, t.body().at("/token/id").asText(), t.body().at("/token/token").asText(),
        b.body().at("/roleBinding/id").asText());
  }

  public static Api.Response check(Api.Response r) {
    if (r.status() / 100 != 2) {
      throw new IllegalStateException(r.status() + " " + r.body());
    }
    return r;
  }

  /** A WriteRaw call to server {@code i} with this credential, as an agent sends it. */
  public Status writeRaw(int i, String credential) {
    WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder()
            .addLabels(Label.newBuilder().setName("__name__").setValue("process_cpu"))
            .addLabels(Label.newBuilder().setName("job").setValue("feed")))
        // each call a profile of its own: the same bytes again would be taken for a retry
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(
            TestData.replay(profile, calls.incrementAndGet()))))).build();
    try {
      ProfileStoreServiceGrpc.newBlockingStub(channels.get(i))
          .withInterceptors(GrpcChannels.headers("Bearer " + credential, projectId()))
          .withDeadlineAfter(30, TimeUnit.SECONDS).writeRaw(req);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  /** A plain JDBC connection to the cluster's database, as an operator's psql would be. */
  public Connection connect() throws SQLException {
    return connect("postgres");
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + pgPort + "/" + database, "postgres", "postgres");
  }

  public long committedVersion() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version FROM iam_version WHERE id = 1")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Waits until every server applied the committed IAM version. Deterministic: the condition is
   * the version, the limit only keeps a broken feed from hanging the build.
   */
  public void awaitAllApplied() throws Exception {
    long v = committedVersion();
    await(() -> java.util.stream.IntStream.range(0, servers.size()).allMatch(i -> feed(i).appliedVersion() >= v), "all servers at version " + v);
  }

  /** Terminates the LISTEN connection of every server; returns how many were terminated. */
  public int terminateListeners() throws SQLException {
    try (Connection c = connect("template1"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            + "WHERE application_name = '" + IamChangeFeed.LISTENER_APPLICATION_NAME + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  public static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    for (ManagedChannel ch : channels) {
      GrpcChannels.close(ch);
    }
    for (TollgateServer s : servers) {
      s.close();
    }
    pg.close();
  }
}
