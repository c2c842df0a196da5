package dev.tollgate.server;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@link TollgateServer} needs to start, validated eagerly.
 *
 * @param port TCP port for every protocol; 0 picks a free one (tests)
 * @param databaseUrl null for the SQLite file in {@code dataDir}
 * @param adminPassword null to generate one on first start
 * @param externalUrl the URL users and agents reach this server at (printed, used as JWT issuer); null to derive it
 * @param drainTimeout how long SIGTERM waits for in-flight requests
 * @param nodeUrl the URL other servers sharing the database reach this one at; null to derive it from the host name
 * @param organizationCreation who may create organizations, and how many per user
 * @param trustedProxies addresses (or CIDR ranges) whose {@code X-Forwarded-For} names the client
 * @param iamMaxStaleness on PostgreSQL, how long the IAM snapshot is trusted without the change feed confirming it
 * @param legacyKeyEncryptionKeyFile file holding the base64 key that encrypts the legacy signing key; null: see below
 * @param legacyKeyEncryptionKey that key itself, base64 (from the environment); null: a file in the data directory
 * @param objectStore where profiles and debug info go (docs/scale-out.md); null keeps them on local disk only
 * @param profileLimits how many objects one profile may describe (bounds the work, not only the bytes)
 * @param decodeMemoryBytes off-heap memory for decoding Arrow calls, shared by all of them; 0 sizes
 *     it from the machine (a quarter of its memory or container limit, at least 256 MiB)
 * @param retryWindow how long a blob of the same content as one stored counts as a retry of its call and is not
 *     stored again (Duration.ZERO: never)
 */
public record ServerConfig(
    int port,
    Path dataDir,
    String databaseUrl,
    String adminEmail,
    String adminPassword,
    Path tlsCertFile,
    Path tlsKeyFile,
    boolean tlsSelfSigned,
    String externalUrl,
    Path bootstrapTokenFile,
    Duration retention,
    long debuginfoMaxSize,
    Duration drainTimeout,
    String nodeUrl,
    dev.tollgate.iam.OrganizationCreation organizationCreation,
    dev.tollgate.api.TrustedProxies trustedProxies,
    Duration iamMaxStaleness,
    Path legacyKeyEncryptionKeyFile,
    String legacyKeyEncryptionKey,
    dev.tollgate.objectstore.ObjectStoreSettings objectStore,
    dev.tollgate.ingest.ProfileLimits profileLimits,
    long decodeMemoryBytes,
    Duration retryWindow) {

  /** The default IAM staleness bound, {@code --iam-max-staleness}. */
  public static final Duration DEFAULT_IAM_MAX_STALENESS = Duration.ofSeconds(5);

  public ServerConfig {
    requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0-65535");
    }
    if ((tlsCertFile == null) != (tlsKeyFile == null)) {
      throw new IllegalArgumentException("--tls-cert-file and --tls-key-file go together");
    }
    if (tlsSelfSigned && tlsCertFile != null) {
      throw new IllegalArgumentException("--tls-self-signed and --tls-cert-file exclude each other");
    }
    requireNonNull(retention, "retention");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("--retention must be positive");
    }
    if (debuginfoMaxSize <= 0) {
      throw new IllegalArgumentException("--debuginfo-max-size must be positive");
    }
    requireNonNull(drainTimeout, "drainTimeout");
    if (nodeUrl != null && !nodeUrl.matches("https?://[^/?#\\s]+/?")) {
      throw new IllegalArgumentException("--node-url must be http(s)://host:port, without a path");
    }
    requireNonNull(organizationCreation, "organizationCreation");
    requireNonNull(trustedProxies, "trustedProxies");
    requireNonNull(iamMaxStaleness, "iamMaxStaleness");
    // Below two heartbeats a single slow heartbeat would already refuse requests.
    if (iamMaxStaleness.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException("--iam-max-staleness must be at least PT2S");
    }
    if (legacyKeyEncryptionKeyFile != null && legacyKeyEncryptionKey != null) {
      throw new IllegalArgumentException(
          "--legacy-key-encryption-key-file and TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY exclude each other");
    }
    requireNonNull(profileLimits, "profileLimits");
    requireNonNull(retryWindow, "retryWindow");
    if (retryWindow.isNegative()) {
      throw new IllegalArgumentException("--retry-window must not be negative");
    }
    if (decodeMemoryBytes < 0) {
      throw new IllegalArgumentException("--decode-memory must be 0 (sized from the machine) or positive");
    }
  }

  /** Defaults for everything but the data directory; tests start from here. */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(7070, dataDir, null, "admin@localhost", null, null, null, false, null, null,
        Duration.ofDays(7), 1_000_000_000L, Duration.ofSeconds(10), null,
        dev.tollgate.iam.OrganizationCreation.DEFAULT, dev.tollgate.api.TrustedProxies.NONE,
        DEFAULT_IAM_MAX_STALENESS, null, null, null, dev.tollgate.ingest.ProfileLimits.defaults(), 0,
        dev.tollgate.profiles.ProfileStore.DEFAULT_RETRY_WINDOW);
  }

  public boolean tls() {
    return tlsSelfSigned || tlsCertFile != null;
  }

  /**
   * Whether browsers reach this server over HTTPS: it serves TLS itself, or {@code --external-url}
   * is https (a TLS-terminating proxy in front). Session cookies are then marked {@code Secure}.
   */
  public boolean httpsForBrowsers() {
    return tls() || externalUrl != null && externalUrl.regionMatches(true, 0, "https://", 0, 8);
  }

  public ServerConfig withTlsFiles(Path cert, Path key) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, cert, key, false, externalUrl,
        bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl, organizationCreation, trustedProxies,
        iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey, objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(p, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withDataDir(Path dir) {
    return new ServerConfig(port, dir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withDatabaseUrl(String url) {
    return new ServerConfig(port, dataDir, url, adminEmail, adminPassword, tlsCertFile, tlsKeyFile, tlsSelfSigned,
        externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl, organizationCreation,
        trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey, objectStore,
        profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withAdminPassword(String pw) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, pw, tlsCertFile, tlsKeyFile, tlsSelfSigned,
        externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl, organizationCreation,
        trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey, objectStore,
        profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withTlsSelfSigned(boolean on) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile, on,
        externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl, organizationCreation,
        trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey, objectStore,
        profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withBootstrapTokenFile(Path f) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, f, retention, debuginfoMaxSize, drainTimeout, nodeUrl, organizationCreation,
        trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey, objectStore,
        profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withExternalUrl(String url) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, url, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withNodeUrl(String url) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, url,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withRetention(Duration value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, value, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withOrganizationCreation(dev.tollgate.iam.OrganizationCreation value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl, value,
        trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey, objectStore,
        profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withTrustedProxies(dev.tollgate.api.TrustedProxies value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, value, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withIamMaxStaleness(Duration value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, value, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey, objectStore,
        profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withLegacyKeyEncryptionKeyFile(Path value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, value, null, objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withLegacyKeyEncryptionKey(String value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, null, value, objectStore, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withObjectStore(dev.tollgate.objectstore.ObjectStoreSettings value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        value, profileLimits, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withProfileLimits(dev.tollgate.ingest.ProfileLimits value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, value, decodeMemoryBytes, retryWindow);
  }

  public ServerConfig withRetryWindow(Duration value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, decodeMemoryBytes, value);
  }

  public ServerConfig withDecodeMemoryBytes(long value) {
    return new ServerConfig(port, dataDir, databaseUrl, adminEmail, adminPassword, tlsCertFile, tlsKeyFile,
        tlsSelfSigned, externalUrl, bootstrapTokenFile, retention, debuginfoMaxSize, drainTimeout, nodeUrl,
        organizationCreation, trustedProxies, iamMaxStaleness, legacyKeyEncryptionKeyFile, legacyKeyEncryptionKey,
        objectStore, profileLimits, value, retryWindow);
  }

  @Override
  public String toString() {
    return "ServerConfig[port=" + port + ", dataDir=" + dataDir + ", tls=" + tls() + "]";
  }
}

