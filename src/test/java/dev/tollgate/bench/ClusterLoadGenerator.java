package dev.tollgate.bench;

import dev.tollgate.cluster.PgCluster;
import dev.tollgate.objectstore.ObjectStoreSettings;
import dev.tollgate.server.ServerConfig;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.Api;
import dev.tollgate.testing.S3Server;
import dev.tollgate.testing.TestData;
import dev.tollgate.testing.TestServer;
import dev.tollgate.token.TokenAuthenticator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Ingest throughput of three servers against one, on one PostgreSQL and one object store, and
 * what uploading the sealed segments costs per MB.
 *
 * <p>In one JVM: an embedded PostgreSQL (io.zonky, as {@link PgCluster}), an S3 server
 * ({@link S3Server}: s3proxy, filesystem back end, in a child JVM) and three real Tollgate servers
 * ({@link TollgateServer#start}) on that database (the same legacy key-encryption key, each its own
 * data directory) with {@code withObjectStore(s3.settings(prefix))}: segments are sealed after
 * 500 ms (or {@code -Dtollgate.bench.sealBytes}, default 8 MiB) and uploaded by each server's
 * {@code tollgate-segment-uploader} thread while the load runs. One {@code psc_v1_}
 * service-account token bound to {@code system:profile-writer}, minted through server 0's REST API,
 * is used on all three once each one accepts it.
 *
 * <p>N callers replay the real pprof files through {@code WriteRaw} (as {@link IngestLoadGenerator}:
 * one series per caller and file, platform threads, one gRPC client per caller): (a) all against
 * server 0, (b) caller {@code c} against server {@code c % 3}. Servers 1 and 2 keep running, idle,
 * during (a). Both sides are warmed up, then measured in alternating rounds (a, b, a, b, ...); each
 * round prints calls/s, MB/s, the ratio b/a, and the median over the rounds.
 *
 * <p>Upload cost: bytes of the objects under the prefix (s3proxy's files) against the CPU time of
 * the uploader threads ({@link ThreadMXBean}; the AWS SDK's sync client and the index row's insert
 * run on that thread), the time they were busy (their state sampled every 10 ms: RUNNABLE, which
 * includes waiting on the socket), and the CPU of the s3proxy process. Per round, and in total over
 * the measured rounds plus the drain after them (until no local segment is left).
 *
 * <p>Everything shares this machine's cores: the ratio shows what coordination costs (one
 * database, one object store, three uploaders), not what a second and third machine would add.
 *
 * <p>Run from the repository root with plain {@code java} on the test classpath the build writes to
 * {@code target/s3proxy.classpath}, minus s3proxy and Jackson 3, as surefire runs the tests
 * ({@code classpathDependencyExcludes} in pom.xml). {@code exec:java -Dexec.classpathScope=test}
 * does not work here: with Jackson 3 on the classpath the servers fail to start
 * ({@code NoClassDefFoundError: com/fasterxml/jackson/annotation/JsonApplyView}), and the exec
 * plugin takes no exclusions from the command line.
 *
 * <pre>
 * source .ci/jdk.sh &amp;&amp; ./mvnw -B -q -o test-compile &amp;&amp; java --add-opens=java.base/java.nio=ALL-UNNAMED \
 *   --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *   -cp "target/test-classes:target/classes:$(tr ':' '\n' &lt; target/s3proxy.classpath \
 *     | grep -v -e /org/gaul/s3proxy/ -e /tools/jackson/ | paste -sd: -)" \
 *   dev.tollgate.bench.ClusterLoadGenerator [&lt;callers=16&gt; &lt;seconds per round=5&gt; &lt;rounds=3&gt; &lt;warm-up seconds per side=10&gt;]
 * </pre>
 */
public final class ClusterLoadGenerator {
  private static final int SERVERS = 3;
  private static final String UPLOADER_THREAD = "tollgate-segment-uploader";
  /** The legacy key-encryption key all servers on the one database share (base64 of 32 bytes). */
  private static final String KEY_ENCRYPTION_KEY =
      Base64.getEncoder().encodeToString("tollgate-bench-cluster-kek-32byt".getBytes(StandardCharsets.US_ASCII));

  private ClusterLoadGenerator() {}

  /** Counters outside this JVM's Java threads, read before and after a phase. */
  record Costs(long uploadedBytes, long objects, long uploaderCpuNanos, long uploaderBusyNanos, long s3proxyCpuNanos,
      long postgresCpuNanos) {
    Costs minus(Costs o) {
      return new Costs(uploadedBytes - o.uploadedBytes, objects - o.objects, uploaderCpuNanos - o.uploaderCpuNanos,
          uploaderBusyNanos - o.uploaderBusyNanos, s3proxyCpuNanos - o.s3proxyCpuNanos,
          postgresCpuNanos - o.postgresCpuNanos);
    }

    double mb() {
      return uploadedBytes / (double) (1 << 20);
    }

    String perMb() {
      if (uploadedBytes == 0) {
        return "nothing uploaded";
      }
      return String.format("uploaded %.1f MB in %d objects: uploader threads %.2f ms CPU/MB, busy %.2f ms/MB;"
          + " s3proxy %.2f ms CPU/MB", mb(), objects, uploaderCpuNanos / 1e6 / mb(), uploaderBusyNanos / 1e6 / mb(),
          s3proxyCpuNanos / 1e6 / mb());
    }
  }

  public static void main(String[] args) throws Exception {
    int callers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    long sealBytes = Long.getLong("tollgate.bench.sealBytes", 8L << 20);
    List<byte[]> pprofs = new ArrayList<>();
    for (Path f : TestData.pprofFiles()) {
      pprofs.add(Files.readAllBytes(f));
    }
    Path dir = Files.createTempDirectory("tollgate-cluster-bench");
    String prefix = "bench-" + UUID.randomUUID();
    System.out.printf("callers=%d seconds/round=%d rounds=%d warm-up/side=%ds files=%d cores=%d servers=%d"
        + " seal=%d MiB/500 ms%n", callers, seconds, rounds, warmup, pprofs.size(),
        Runtime.getRuntime().availableProcessors(), SERVERS, sealBytes >> 20);
    List<Double> ratios = new ArrayList<>();
    List<TollgateServer> servers = new ArrayList<>();
    try (S3Server s3 = S3Server.start(dir.resolve("s3"));
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg"))
            .setCleanDataDirectory(true).start()) {
      Path objectsDir = dir.resolve("s3").resolve("s3-data").resolve(S3Server.BUCKET).resolve(prefix)
          .resolve("profiles");
      String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres&password=postgres";
      ObjectStoreSettings objectStore = s3.settings(prefix).withSeal(sealBytes, Duration.ofMillis(500));
      try {
        for (int i = 0; i < SERVERS; i++) { // one by one: the first creates the schema and the owner
          servers.add(TollgateServer.start(ServerConfig.defaults(dir.resolve("node" + i)).withPort(0)
              .withAdminPassword(TestServer.ADMIN_PASSWORD).withDatabaseUrl(url)
              .withLegacyKeyEncryptionKey(KEY_ENCRYPTION_KEY).withObjectStore(objectStore)));
        }
        String org = servers.get(0).components().iam().lastLoaded().organizations().iterator().next().id();
        String project = servers.get(0).components().iam().lastLoaded().projectsOf(org).get(0).id();
        String token = mint(servers.get(0), org, project);
        for (TollgateServer s : servers) {
          PgCluster.await(() -> s.components().tokenAuthenticator().authenticate(token)
              instanceof TokenAuthenticator.Accepted, "the token on " + s.url());
        }
        List<String> urls = servers.stream().map(TollgateServer::url).toList();
        IntFunction<String> one = c -> urls.get(0);
        IntFunction<String> three = c -> urls.get(c % SERVERS);
        UploaderSampler sampler = new UploaderSampler();
        Path pgData = dir.resolve("pg");
        System.out.printf("postgres processes found: %d (postmaster + backends)%n", postgresProcesses(pgData).size());
        Costs warmStart = costs(objectsDir, pgData, sampler);
        run(one, token, project, pprofs, callers, warmup);
        run(three, token, project, pprofs, callers, warmup);
        System.out.println("warm-up: " + costs(objectsDir, pgData, sampler).minus(warmStart).perMb());

        Costs measuredStart = costs(objectsDir, pgData, sampler);
        long ingested = 0;
        for (int r = 1; r <= rounds; r++) {
          Costs c0 = costs(objectsDir, pgData, sampler);
          IngestLoadGenerator.Result a = run(one, token, project, pprofs, callers, seconds);
          Costs c1 = costs(objectsDir, pgData, sampler);
          IngestLoadGenerator.Result b = run(three, token, project, pprofs, callers, seconds);
          Costs c2 = costs(objectsDir, pgData, sampler);
          ingested += a.bytes() + b.bytes();
          print("round " + r + " (a) 1 server", a, c1.minus(c0));
          print("round " + r + " (b) 3 servers, round-robin", b, c2.minus(c1));
          double ratio = b.callsPerSecond() / a.callsPerSecond();
          ratios.add(ratio);
          System.out.printf("round %d ratio b/a (calls/s): %.2f%n", r, ratio);
        }
        long drainStart = System.nanoTime();
        awaitNoLocalSegments(dir);
        Costs total = costs(objectsDir, pgData, sampler).minus(measuredStart);
        System.out.printf("drain after the rounds: %.1f s until no local segment was left%n",
            (System.nanoTime() - drainStart) / 1e9);
        System.out.printf("measured rounds + drain: %.1f MB ingested (pprof payload), %s%n",
            ingested / (double) (1 << 20), total.perMb());
        sampler.stop();
      } finally {
        for (TollgateServer s : servers) {
          s.close();
        }
      }
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    System.out.printf("ratio b/a (calls/s): median %.2f, min %.2f, max %.2f over %d rounds%n",
        sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    IngestLoadGenerator.deleteTree(dir);
    System.exit(0);
  }

  /** A service account bound to {@code system:profile-writer} in the project, and a token, via REST. */
  private static String mint(TollgateServer server, String org, String project) {
    Api owner = Api.login(server.url(), TestServer.ADMIN_EMAIL, TestServer.ADMIN_PASSWORD);
    var sa = PgCluster.check(owner.post("/v1/organizations/" + org + "/serviceaccounts", Api.json("name", "bench-writer")));
    String saId = sa.body().at("/serviceAccount/id").asText();
    PgCluster.check(owner.post("/v1/organizations/" + org + "/rolebindings",
        Api.json("subject", "serviceaccount:bench-writer", "role", "system:profile-writer", "projectId", project)));
    var t = PgCluster.check(owner.post("/v1/organizations/" + org + "/serviceaccounts/" + saId + "/tokens",
        Api.json("name", "t")));
    return t.body().at("/token/token").asText();
  }

  private static void print(String what, IngestLoadGenerator.Result r, Costs c) {
    System.out.printf("%-36s %6.0f calls/s %6.1f MB/s (%d calls) JVM CPU %.2f cores, %.2f ms/call;"
        + " postgres %.2f cores, s3proxy %.2f cores%n", what, r.callsPerSecond(), r.mbPerSecond(), r.calls(),
        r.cpuSeconds() / r.seconds(), r.cpuMillisPerCall(), c.postgresCpuNanos() / 1e9 / r.seconds(),
        c.s3proxyCpuNanos() / 1e9 / r.seconds());
    System.out.printf("  CPU ms/call by threads: %s%n", r.breakdown());
    System.out.printf("  upload: %s%n", c.perMb());
  }

  private static IngestLoadGenerator.Result run(IntFunction<String> urlOf, String token, String project,
      List<byte[]> pprofs, int callers, int seconds) throws InterruptedException {
    return IngestLoadGenerator.run(urlOf, token, project, callers, seconds, IngestLoadGenerator.writeRaw(pprofs));
  }

  private static long cpuNanos(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  /**
   * The postmaster of {@code pgData} (pg_ctl starts it, so it is no child of this JVM; found by its
   * {@code -D} argument) and its children, the backends.
   */
  static List<ProcessHandle> postgresProcesses(Path pgData) {
    List<ProcessHandle> out = new ArrayList<>();
    ProcessHandle.allProcesses().filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false)
        && p.info().arguments().map(a -> List.of(a).contains(pgData.toString())).orElse(false)).forEach(p -> {
          out.add(p);
          out.addAll(p.descendants().toList());
        });
    return out;
  }

  private static Costs costs(Path objectsDir, Path pgData, UploaderSampler sampler) {
    long bytes = 0;
    long objects = 0;
    for (int attempt = 0; Files.isDirectory(objectsDir); attempt++) {
      bytes = 0;
      objects = 0;
      // objects only: s3proxy writes an object to "<key>-<uuid>" first and renames it into place
      try (Stream<Path> files = Files.walk(objectsDir)) {
        for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".seg")).toList()) {
          bytes += Files.size(f);
          objects++;
        }
        break;
      } catch (IOException | UncheckedIOException e) {
        if (attempt == 10) {
          throw new IllegalStateException("cannot list " + objectsDir, e);
        } // a temporary file vanished during the walk: again
      }
    }
    long s3proxy = 0;
    for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
      if (p.info().command().map(c -> c.endsWith("/bin/java")).orElse(false)) { // the only child JVM: s3proxy
        s3proxy += cpuNanos(p);
      }
    }
    long postgres = 0;
    for (ProcessHandle p : postgresProcesses(pgData)) {
      postgres += cpuNanos(p); // the postmaster and its backends (those ended meanwhile are not counted)
    }
    return new Costs(bytes, objects, sampler.cpuNanos(), sampler.busyNanos(), s3proxy, postgres);
  }

  /** Until no {@code .seg} file is left in the servers' data directories: all sealed and uploaded. */
  private static void awaitNoLocalSegments(Path dir) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      long left = 0;
      for (int i = 0; i < SERVERS; i++) {
        Path profiles = dir.resolve("node" + i).resolve("profiles");
        if (Files.isDirectory(profiles)) {
          try (Stream<Path> files = Files.walk(profiles)) {
            left += files.filter(f -> f.toString().endsWith(".seg")).count();
          }
        }
      }
      if (left == 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("local segments were not all uploaded within 120 s");
  }

  /**
   * The uploader threads of all servers: their CPU time, and the time they were busy (in an upload,
   * not waiting for the next segment), their state sampled every 10 ms.
   */
  private static final class UploaderSampler {
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final long[] ids;
    private final AtomicLong busy = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    UploaderSampler() {
      List<Long> found = new ArrayList<>();
      long[] all = mx.getAllThreadIds();
      ThreadInfo[] infos = mx.getThreadInfo(all);
      for (int i = 0; i < all.length; i++) {
        if (infos[i] != null && infos[i].getThreadName().equals(UPLOADER_THREAD)) {
          found.add(all[i]);
        }
      }
      if (found.size() != SERVERS) {
        throw new IllegalStateException(found.size() + " threads " + UPLOADER_THREAD + ", expected " + SERVERS);
      }
      ids = found.stream().mapToLong(Long::longValue).toArray();
      thread = Thread.ofPlatform().name("bench-uploader-sampler").daemon(true).start(this::sample);
    }

    private void sample() {
      long last = System.nanoTime();
      while (!stopped) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
        long now = System.nanoTime();
        for (ThreadInfo info : mx.getThreadInfo(ids)) {
          if (info != null && info.getThreadState() == Thread.State.RUNNABLE) {
            busy.addAndGet(now - last);
          }
        }
        last = now;
      }
    }

    long busyNanos() {
      return busy.get();
    }

    long cpuNanos() {
      long sum = 0;
      for (long id : ids) {
        sum += Math.max(0, mx.getThreadCpuTime(id));
      }
      return sum;
    }

    void stop() {
      stopped = true;
      thread.interrupt();
    }
  }
}
