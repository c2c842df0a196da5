package dev.tollgate.testing;

import dev.tollgate.objectstore.ObjectStoreSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 server for tests: s3proxy with its filesystem back end, in a child JVM (its Jetty
 * and logging stay off the test's classpath at run time), on a fixed port so it can be stopped
 * and started again with the same objects, as an object store that goes down and comes back.
 */
public final class S3Server implements AutoCloseable {
  public static final String BUCKET = "tollgate";
  static final String ACCESS_KEY = "test-access-key";
  static final String SECRET_KEY = "test-secret-key";

  private final Path baseDir;
  private final Path properties;
  private final Path log;
  private final int port;
  private Process process;

  private S3Server(Path dir) throws IOException {
    this.baseDir = dir.resolve("s3-data");
    Files.createDirectories(baseDir.resolve(BUCKET));
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    this.properties = dir.resolve("s3proxy.properties");
    this.log = dir.resolve("s3proxy.log");
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + ACCESS_KEY,
        "s3proxy.credential=" + SECRET_KEY,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + baseDir,
        "jclouds.identity=" + ACCESS_KEY,
        "jclouds.credential=" + SECRET_KEY, ""));
  }

  /** Starts one with an empty bucket {@link #BUCKET} under {@code dir}. */
  public static S3Server start(Path dir) throws Exception {
    S3Server s = new S3Server(dir);
    s.startProcess();
    return s;
  }

  private void startProcess() throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // s3proxy sends System.err to its logger: slf4j-simple must not write there, or they loop.
        "-Xmx256m", "-Dorg.slf4j.simpleLogger.logFile=System.out", "-cp", classpath(), "org.gaul.s3proxy.Main",
        "--properties", properties.toString());
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("s3proxy exited: " + Files.readString(log));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("s3proxy did not listen within 60 s: " + Files.readString(log));
  }

  /**
   * s3proxy's own classpath, written by the build (pom.xml, maven-dependency-plugin): it is kept
   * off the tests' classpath, whose Jackson it would change.
   */
  private static String classpath() throws IOException {
    String file = System.getProperty("s3proxy.classpath.file", "target/s3proxy.classpath");
    Path extra = Path.of(System.getProperty("s3proxy.extra.dir", "target/s3proxy-lib"));
    StringBuilder cp = new StringBuilder();
    try (Stream<Path> jars = Files.list(extra)) {
      jars.filter(j -> j.toString().endsWith(".jar")).forEach(j -> cp.append(j).append(java.io.File.pathSeparator));
    }
    return cp.append(Files.readString(Path.of(file)).strip()).toString();
  }

  /** Stops it (the objects stay on disk), as an outage. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** Starts it again after {@link #stop()}, same port, same objects. */
  public void restart() throws Exception {
    stop();
    startProcess();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Settings for Tollgate to use this server, under {@code prefix}, with a short seal age. */
  public ObjectStoreSettings settings(String prefix) {
    return ObjectStoreSettings.of("s3://" + BUCKET + "/" + prefix)
        .withEndpoint(endpoint(), true)
        .withRegion("us-east-1")
        .withCredentials(ACCESS_KEY, SECRET_KEY)
        .withSeal(ObjectStoreSettings.DEFAULT_SEAL_BYTES, java.time.Duration.ofMillis(500));
  }

  /** The flags for a {@code tollgate server} process using this server. */
  public List<String> flags(String prefix) {
    return List.of("--object-store-url", "s3://" + BUCKET + "/" + prefix, "--object-store-endpoint",
        endpoint().toString(), "--object-store-path-style", "--object-store-region", "us-east-1",
        "--object-store-access-key-id", ACCESS_KEY, "--object-store-seal-age", "PT0.5S");
  }

  /** The environment variable a server process takes the secret from. */
  public static String secretEnv() {
    return SECRET_KEY;
  }

  /** Object keys stored (from s3proxy's filesystem directory), relative to the bucket. */
  public List<String> keys() {
    Path bucket = baseDir.resolve(BUCKET);
    try (Stream<Path> files = Files.walk(bucket)) {
      return files.filter(Files::isRegularFile).map(f -> bucket.relativize(f).toString().replace('\\', '/'))
          .filter(k -> !k.startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  /**
   * One server for a test class, started before its first test and stopped (its directory
   * deleted) after its last: {@code @RegisterExtension static final S3Server.PerClass s3 = new S3Server.PerClass();}.
   */
  public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private S3Server server;

    public S3Server server() {
      return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
      dir = Files.createTempDirectory("s3server");
      server = start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
      server.close();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
  }
}
