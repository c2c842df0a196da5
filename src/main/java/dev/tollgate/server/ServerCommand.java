package dev.tollgate.server;

import dev.tollgate.ingest.ProfileLimits;
import dev.tollgate.objectstore.ObjectStoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code tollgate server}: flags (each also a TOLLGATE_* environment variable) to a running server. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run the Tollgate server: gRPC ingestion, REST API, web UI and metrics on one port.")
public final class ServerCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "${env:TOLLGATE_PORT:-7070}",
      description = "Port for every protocol (env TOLLGATE_PORT). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--data-dir", defaultValue = "${env:TOLLGATE_DATA_DIR:-./tollgate-data}",
      description = "Directory for the SQLite database and profile segments (env TOLLGATE_DATA_DIR). Default: ${DEFAULT-VALUE}.")
  Path dataDir;

  @Option(names = "--database-url", defaultValue = "${env:TOLLGATE_DATABASE_URL}",
      description = "postgresql://user:pass@host:port/db or a jdbc: URL; empty means SQLite in the data dir (env TOLLGATE_DATABASE_URL).")
  String databaseUrl;

  @Option(names = "--admin-email", defaultValue = "${env:TOLLGATE_ADMIN_EMAIL:-admin@localhost}",
      description = "Owner user created on first start (env TOLLGATE_ADMIN_EMAIL). Default: ${DEFAULT-VALUE}.")
  String adminEmail;

  @Option(names = "--admin-password", defaultValue = "${env:TOLLGATE_ADMIN_PASSWORD}",
      description = "Its password on first start; random and printed once if empty (env TOLLGATE_ADMIN_PASSWORD).")
  String adminPassword;

  @Option(names = "--tls-cert-file", defaultValue = "${env:TOLLGATE_TLS_CERT_FILE}",
      description = "PEM certificate chain; serve TLS 1.2+/h2 (env TOLLGATE_TLS_CERT_FILE).")
  Path tlsCertFile;

  @Option(names = "--tls-key-file", defaultValue = "${env:TOLLGATE_TLS_KEY_FILE}",
      description = "PEM private key for --tls-cert-file (env TOLLGATE_TLS_KEY_FILE).")
  Path tlsKeyFile;

  @Option(names = "--tls-self-signed", defaultValue = "${env:TOLLGATE_TLS_SELF_SIGNED:-false}",
      description = "Serve TLS with a throw-away self-signed certificate, for trying it out (env TOLLGATE_TLS_SELF_SIGNED).")
  boolean tlsSelfSigned;

  @Option(names = "--external-url", defaultValue = "${env:TOLLGATE_EXTERNAL_URL}",
      description = "URL users and agents reach this server at; printed, used as token issuer, accepted as the console's origin, and with https the session cookie is Secure: set it to the public URL behind a reverse proxy (env TOLLGATE_EXTERNAL_URL).")
  String externalUrl;

  @Option(names = "--bootstrap-token-file", defaultValue = "${env:TOLLGATE_BOOTSTRAP_TOKEN_FILE}",
      description = "On first start only, create an owner service account and write its token here, mode 0600 (env TOLLGATE_BOOTSTRAP_TOKEN_FILE).")
  Path bootstrapTokenFile;

  @Option(names = "--retention", defaultValue = "${env:TOLLGATE_RETENTION:-P7D}",
      description = "How long profiles are kept, ISO-8601 duration (env TOLLGATE_RETENTION). Default: ${DEFAULT-VALUE}.")
  Duration retention;

  @Option(names = "--debuginfo-max-size", defaultValue = "${env:TOLLGATE_DEBUGINFO_MAX_SIZE:-1000000000}",
      description = "Largest debug info upload in bytes (env TOLLGATE_DEBUGINFO_MAX_SIZE). Default: ${DEFAULT-VALUE}.")
  long debuginfoMaxSize;

  @Option(names = "--drain-timeout", defaultValue = "${env:TOLLGATE_DRAIN_TIMEOUT:-PT10S}",
      description = "How long SIGTERM waits for in-flight requests (env TOLLGATE_DRAIN_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  Duration drainTimeout;

  @Option(names = "--node-url", defaultValue = "${env:TOLLGATE_NODE_URL}",
      description = "With several servers on one database: the URL the other servers reach this one at, to fetch"
          + " profiles stored here (env TOLLGATE_NODE_URL). Default: http(s)://<host name>:<port>.")
  String nodeUrl;

  @Option(names = "--org-creation", defaultValue = "${env:TOLLGATE_ORG_CREATION:-operators}",
      description = "Who may create organizations: operators (org-wide owners of the first, bootstrap organization),"
          + " anyone (any user), nobody (env TOLLGATE_ORG_CREATION). Default: ${DEFAULT-VALUE}.")
  String orgCreation;

  @Option(names = "--max-orgs-per-user", defaultValue = "${env:TOLLGATE_MAX_ORGS_PER_USER:-10}",
      description = "How many organizations one user may create (env TOLLGATE_MAX_ORGS_PER_USER). Default: ${DEFAULT-VALUE}.")
  int maxOrgsPerUser;

  @Option(names = "--trusted-proxies", split = ",", defaultValue = "${env:TOLLGATE_TRUSTED_PROXIES}",
      description = "Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For names the"
          + " client, for the audit log, the login throttle and gRPC calls' client address (env TOLLGATE_TRUSTED_PROXIES)."
          + " Default: none.")
  java.util.List<String> trustedProxies;

  @Option(names = "--iam-max-staleness", defaultValue = "${env:TOLLGATE_IAM_MAX_STALENESS:-PT5S}",
      description = "With several servers on one PostgreSQL database: how long this server trusts its in-memory"
          + " access rules without confirming them against the database; past it, credentials are refused with"
          + " UNAVAILABLE/503 while the database is unreachable (env TOLLGATE_IAM_MAX_STALENESS). Default: ${DEFAULT-VALUE}.")
  Duration iamMaxStaleness;

  @Option(names = "--legacy-key-encryption-key-file", defaultValue = "${env:TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY_FILE}",
      description = "File holding the base64 256-bit key (openssl rand -base64 32) that encrypts the legacy token"
          + " signing key in the database (env TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY_FILE; or the key itself in env"
          + " TOLLGATE_LEGACY_KEY_ENCRYPTION_KEY). Default: " + LegacyKeyEncryption.FILE_NAME
          + " in the data dir, generated on first start.")
  Path legacyKeyEncryptionKeyFile;

  @Option(names = "--decode-memory", defaultValue = "${env:TOLLGATE_DECODE_MEMORY:-0}",
      description = "Bytes of off-heap memory for decoding Arrow calls (WriteArrow, Write), shared by all calls;"
          + " one call may use half of it, a call that does not fit now is RESOURCE_EXHAUSTED and retried by the"
          + " agent (env TOLLGATE_DECODE_MEMORY). Default 0: a quarter of the machine's memory (or container"
          + " limit), at least 256 MiB. See docs/ingestion.md, Memory for a fleet of agents.")
  long decodeMemory;

  @Option(names = "--max-profile-samples", defaultValue = "${env:TOLLGATE_MAX_PROFILE_SAMPLES:-1000000}",
      description = "Most samples in one pprof profile (env TOLLGATE_MAX_PROFILE_SAMPLES)."
          + " Default: ${DEFAULT-VALUE}.")
  long maxProfileSamples;

  @Option(names = "--max-profile-locations", defaultValue = "${env:TOLLGATE_MAX_PROFILE_LOCATIONS:-1000000}",
      description = "Most locations, and mappings, in one pprof profile; rows of a Write v1 locations record"
          + " (env TOLLGATE_MAX_PROFILE_LOCATIONS)."
          + " Default: ${DEFAULT-VALUE}.")
  long maxProfileLocations;

  @Option(names = "--max-profile-functions", defaultValue = "${env:TOLLGATE_MAX_PROFILE_FUNCTIONS:-1000000}",
      description = "Most functions in one pprof profile (env TOLLGATE_MAX_PROFILE_FUNCTIONS). Default: ${DEFAULT-VALUE}.")
  long maxProfileFunctions;

  @Option(names = "--max-profile-strings", defaultValue = "${env:TOLLGATE_MAX_PROFILE_STRINGS:-2000000}",
      description = "Most string table entries in one pprof profile, and entries of one Arrow dictionary"
          + " (env TOLLGATE_MAX_PROFILE_STRINGS)."
          + " Default: ${DEFAULT-VALUE}.")
  long maxProfileStrings;

  @Option(names = "--max-profile-values", defaultValue = "${env:TOLLGATE_MAX_PROFILE_VALUES:-20000000}",
      description = "Most entries inside the samples and locations of one pprof profile - values, location ids,"
          + " labels, lines - and unknown fields, in all (env TOLLGATE_MAX_PROFILE_VALUES). Default: ${DEFAULT-VALUE}.")
  long maxProfileValues;

  @Option(names = "--retry-window", defaultValue = "${env:TOLLGATE_RETRY_WINDOW:-PT15M}",
      description = "A profile whose content (bytes, labels, sample times) equals one stored less than this long ago"
          + " is a client's retry of a call whose answer it did not receive: acknowledged, not stored again. PT0S:"
          + " store every call (env TOLLGATE_RETRY_WINDOW). Default: ${DEFAULT-VALUE}.")
  Duration retryWindow;

  @Option(names = "--max-arrow-rows", defaultValue = "${env:TOLLGATE_MAX_ARROW_ROWS:-10000000}",
      description = "Most rows in one Arrow samples stream (WriteArrow, Write) (env TOLLGATE_MAX_ARROW_ROWS)."
          + " Default: ${DEFAULT-VALUE}.")
  long maxArrowRows;

  @Option(names = "--max-arrow-values", defaultValue = "${env:TOLLGATE_MAX_ARROW_VALUES:-500000000}",
      description = "Most values in one Arrow stream: elements of its columns, nested lists and dictionaries, plus"
          + " each row times the columns the server reads of it (env TOLLGATE_MAX_ARROW_VALUES)."
          + " Default: ${DEFAULT-VALUE}.")
  long maxArrowValues;

  @Option(names = "--object-store-url", defaultValue = "${env:TOLLGATE_OBJECT_STORE_URL}",
      description = "s3://bucket/prefix: sealed profile segments and debug info go to this S3-compatible bucket and"
          + " are read from it by every server; local disk is then a write-ahead buffer (env TOLLGATE_OBJECT_STORE_URL).")
  String objectStoreUrl;

  @Option(names = "--object-store-endpoint", defaultValue = "${env:TOLLGATE_OBJECT_STORE_ENDPOINT}",
      description = "S3 endpoint URL for S3-compatible servers (MinIO, Ceph, s3proxy); empty for AWS (env TOLLGATE_OBJECT_STORE_ENDPOINT).")
  String objectStoreEndpoint;

  @Option(names = "--object-store-region", defaultValue = "${env:TOLLGATE_OBJECT_STORE_REGION}",
      description = "Region; empty for the AWS SDK's default chain, else us-east-1 (env TOLLGATE_OBJECT_STORE_REGION).")
  String objectStoreRegion;

  @Option(names = "--object-store-path-style", defaultValue = "${env:TOLLGATE_OBJECT_STORE_PATH_STYLE:-false}",
      description = "Address the bucket as endpoint/bucket, as most S3-compatible servers want (env TOLLGATE_OBJECT_STORE_PATH_STYLE).")
  boolean objectStorePathStyle;

  @Option(names = "--object-store-access-key-id", defaultValue = "${env:TOLLGATE_OBJECT_STORE_ACCESS_KEY_ID}",
      description = "Access key id; empty for the AWS SDK's default credentials chain (env TOLLGATE_OBJECT_STORE_ACCESS_KEY_ID).")
  String objectStoreAccessKeyId;

  @Option(names = "--object-store-secret-access-key-file", defaultValue = "${env:TOLLGATE_OBJECT_STORE_SECRET_ACCESS_KEY_FILE}",
      description = "File holding the secret access key for --object-store-access-key-id (env TOLLGATE_OBJECT_STORE_SECRET_ACCESS_KEY_FILE)."
          + " The environment variable TOLLGATE_OBJECT_STORE_SECRET_ACCESS_KEY works too.")
  Path objectStoreSecretFile;

  @Option(names = "--object-store-seal-bytes", defaultValue = "${env:TOLLGATE_OBJECT_STORE_SEAL_BYTES:-67108864}",
      description = "A local segment is sealed and uploaded at this size (env TOLLGATE_OBJECT_STORE_SEAL_BYTES). Default: ${DEFAULT-VALUE}.")
  long objectStoreSealBytes;

  @Option(names = "--object-store-seal-age", defaultValue = "${env:TOLLGATE_OBJECT_STORE_SEAL_AGE:-PT10S}",
      description = "A local segment is sealed and uploaded at this age (env TOLLGATE_OBJECT_STORE_SEAL_AGE). Default: ${DEFAULT-VALUE}.")
  Duration objectStoreSealAge;

  @Option(names = "--object-store-max-backlog", defaultValue = "${env:TOLLGATE_OBJECT_STORE_MAX_BACKLOG:-4294967296}",
      description = "Bytes of sealed segments waiting for upload beyond which writes answer UNAVAILABLE"
          + " (env TOLLGATE_OBJECT_STORE_MAX_BACKLOG). Default: ${DEFAULT-VALUE}.")
  long objectStoreMaxBacklog;

  @Option(names = "--ack-after-upload", defaultValue = "${env:TOLLGATE_ACK_AFTER_UPLOAD:-false}",
      description = "Acknowledge a write only once its bytes are in object storage (concurrent writes share one"
          + " object), so losing the local disk loses nothing acknowledged (env TOLLGATE_ACK_AFTER_UPLOAD).")
  boolean ackAfterUpload;

  @Override
  public Integer call() throws Exception {
    // The key itself only from the environment: a flag's value would show in ps.
    ServerConfig config = new ServerConfig(port, dataDir, blankToNull(databaseUrl), adminEmail, blankToNull(adminPassword),
        tlsCertFile, tlsKeyFile, tlsSelfSigned, blankToNull(externalUrl), bootstrapTokenFile, retention,
        debuginfoMaxSize, drainTimeout, blankToNull(nodeUrl),
        new dev.tollgate.iam.OrganizationCreation(dev.tollgate.iam.OrganizationCreation.Mode.parse(orgCreation),
            maxOrgsPerUser),
        dev.tollgate.api.TrustedProxies.parse(trustedProxies == null ? java.util.List.of() : trustedProxies),
        iamMaxStaleness, legacyKeyEncryptionKeyFile, blankToNull(System.getenv(LegacyKeyEncryption.ENV)),
        objectStore(), new ProfileLimits(maxProfileSamples, maxProfileLocations, maxProfileFunctions,
            maxProfileStrings, maxProfileValues, maxArrowRows, maxArrowValues), decodeMemory, retryWindow);
    CountDownLatch stop = new CountDownLatch(1);
    // SIGTERM/SIGINT: stop accepting, drain, flush, then exit 0 (a shutdown hook could not choose the exit code).
    // Handled from before the start, so a signal that arrives right after "Ready." still drains.
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    TollgateServer server;
    try {
      server = TollgateServer.start(config);
    } catch (DataDirectoryLock.InUseException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    server.printWelcome(System.out);
    stop.await();
    System.out.println("Shutting down: draining in-flight requests");
    server.close();
    System.out.println("Stopped.");
    return 0;
  }

  private ObjectStoreSettings objectStore() throws java.io.IOException {
    if (blankToNull(objectStoreUrl) == null) {
      if (ackAfterUpload) {
        throw new IllegalArgumentException("--ack-after-upload needs --object-store-url");
      }
      return null;
    }
    ObjectStoreSettings s = ObjectStoreSettings.of(objectStoreUrl)
        .withSeal(objectStoreSealBytes, objectStoreSealAge)
        .withMaxBacklogBytes(objectStoreMaxBacklog)
        .withAckAfterUpload(ackAfterUpload)
        .withRegion(blankToNull(objectStoreRegion));
    if (blankToNull(objectStoreEndpoint) != null) {
      s = s.withEndpoint(java.net.URI.create(objectStoreEndpoint), objectStorePathStyle);
    } else if (objectStorePathStyle) {
      s = s.withEndpoint(null, true);
    }
    if (blankToNull(objectStoreAccessKeyId) != null) {
      String secret = objectStoreSecretFile != null
          ? java.nio.file.Files.readString(objectStoreSecretFile).strip()
          : blankToNull(System.getenv("TOLLGATE_OBJECT_STORE_SECRET_ACCESS_KEY"));
      s = s.withCredentials(objectStoreAccessKeyId, secret);
    }
    return s;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
