package dev.tollgate.testing;

import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import java.nio.file.Path;

/**
 * A real Tollgate server on a random port, on a fresh database of the given backend, with a
 * known owner password. Restartable on the same data for persistence tests.
 */
public final class TestServer implements AutoCloseable {
  public static final String ADMIN_EMAIL = "admin@localhost";
  public static final String ADMIN_PASSWORD = "correct-horse-battery";

  private final ServerConfig config;
  private TollgateServer server;

  private final java.time.InstantSource clock;

  private TestServer(ServerConfig config, java.time.InstantSource clock) throws Exception {
    this.config = config;
    this.clock = clock;
    this.server = TollgateServer.start(config, clock);
  }

  public static TestServer start(Backend backend, Path dir) throws Exception {
    return start(backend, dir, c -> c);
  }

  public static TestServer start(Backend backend, Path dir, java.util.function.UnaryOperator<ServerConfig> tweak)
      throws Exception {
    return start(backend, dir, tweak, java.time.Clock.tickMillis(java.time.ZoneOffset.UTC));
  }

  /** A server whose time is {@code clock} (e.g. a {@link FakeClock} to place profiles in time). */
  public static TestServer start(Backend backend, Path dir, java.util.function.UnaryOperator<ServerConfig> tweak,
      java.time.InstantSource clock) throws Exception {
    ServerConfig config = ServerConfig.defaults(dir.resolve("data"))
        .withPort(0)
        .withAdminPassword(ADMIN_PASSWORD)
        .withDatabaseUrl(jdbcUrlWithCredentials(backend.newDatabaseUrl(dir)));
    return new TestServer(tweak.apply(config), clock);
  }

  /** The JDBC URL of {@code url} with its user and password in it, as the server's flag takes it. */
  public static String jdbcUrlWithCredentials(dev.tollgate.db.DatabaseUrl url) {
    if (url.user() == null) {
      return url.jdbcUrl();
    }
    String sep = url.jdbcUrl().contains("?") ? "&" : "?";
    return url.jdbcUrl() + sep + "user=" + url.user() + "&password=" + url.password();
  }

  /**
   * A second server (another "node") on the same database, with its own data directory and the
   * first one's legacy key-encryption key (as every node on one database needs).
   */
  public TollgateServer startSecondNode(Path dataDir) throws Exception {
    return startSecondNode(dataDir, java.time.Clock.tickMillis(java.time.ZoneOffset.UTC));
  }

  /** A second node, as {@link #startSecondNode(Path)}, whose time is {@code clock}. */
  public TollgateServer startSecondNode(Path dataDir, java.time.InstantSource clock) throws Exception {
    Path kek = config.legacyKeyEncryptionKeyFile() != null ? config.legacyKeyEncryptionKeyFile()
        : config.dataDir().resolve("legacy-key-encryption.key");
    return TollgateServer.start(config.withPort(0).withDataDir(dataDir).withTlsFiles(null, null).withExternalUrl(null)
        .withBootstrapTokenFile(null).withNodeUrl(null)
        .withLegacyKeyEncryptionKeyFile(config.legacyKeyEncryptionKey() == null ? kek : null), clock);
  }

  /** The configuration this server was started with. */
  public ServerConfig config() {
    return config;
  }

  public TollgateServer server() {
    return server;
  }

  public String url() {
    return server.url();
  }

  public int port() {
    return server.port();
  }

  /** Stops and starts again on the same database and data directory (same port not guaranteed). */
  public void restart() throws Exception {
    server.close();
    server = TollgateServer.start(config, clock);
  }

  public String organizationId() {
    return server.components().iam().current().organizations().iterator().next().id();
  }

  public String defaultProjectId() {
    return server.components().iam().current().projectsOf(organizationId()).get(0).id();
  }

  /** A client logged in as the bootstrap owner. */
  public Api owner() {
    return Api.login(url(), ADMIN_EMAIL, ADMIN_PASSWORD);
  }

  /**
   * Creates a service account (if new) bound to {@code role} (optionally in a project) and a
   * token for it, through the REST API as the owner; returns the token.
   */
  public String mintToken(String serviceAccount, String role, String projectId) {
    Api owner = owner();
    String org = organizationId();
    var sa = owner.post("/v1/organizations/" + org + "/serviceaccounts", Api.json("name", serviceAccount));
    String saId = sa.status() == 200 ? sa.body().at("/serviceAccount/id").asText() : serviceAccount;
    if (role != null) {
      var b = owner.post("/v1/organizations/" + org + "/rolebindings",
          Api.json("subject", "serviceaccount:" + serviceAccount, "role", role, "projectId", projectId));
      if (b.status() != 200) {
        throw new IllegalStateException(b.body().toString());
      }
    }
    var t = owner.post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/tokens", Api.json("name", "test"));
    if (t.status() != 200) {
      throw new IllegalStateException(t.body().toString());
    }
    return t.body().at("/token/token").asText();
  }

  public Api anonymous() {
    return new Api(url());
  }

  @Override
  public void close() {
    server.close();
  }
}
