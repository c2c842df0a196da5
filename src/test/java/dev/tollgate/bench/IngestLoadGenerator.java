package dev.tollgate.bench;

import com.linecorp.armeria.server.Server;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawResponse;
import dev.tollgate.server.TollgateServer;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Replays the real pprof files through WriteRaw with N concurrent callers against (a) the real
 * Tollgate server ({@link TestServer}: REST + gRPC, a {@code psc_v1_} service-account token minted
 * through REST and bound to {@code system:profile-writer}, token authentication + authorization,
 * Parca validation, durable group-commit storage on SQLite) and (b) the same server settings and
 * gRPC service ({@link TollgateServer#grpcService}) with a no-op WriteRaw and no interceptor, in the
 * same JVM, and prints calls/s, MB/s and the ratio a/b.
 *
 * <p>Both servers share one JVM with the client, so whichever runs first would pay for JIT
 * compilation of the shared transport code (Armeria, Netty, protobuf): on a 2-core machine a
 * 2-second warm-up of (a) alone left (b) measuring a JVM that (a) had warmed. Both sides are
 * therefore warmed up first, then measured in alternating rounds (a, b, a, b, ...); each round's
 * ratio is printed, and the median.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.tollgate.bench.IngestLoadGenerator
 * [-Dexec.args="<callers=16> <seconds per round=5> <rounds=3> <warm-up seconds per side=30>"]}.
 */
public final class IngestLoadGenerator {
  private IngestLoadGenerator() {}

  /**
   * @param cpuSeconds CPU time of this whole JVM (client + both servers) during the run
   * @param breakdown ms of CPU per call by thread group (see {@link ThreadCpu})
   */
  record Result(long calls, long bytes, double seconds, double cpuSeconds, String breakdown) {
    double cpuMillisPerCall() {
      return cpuSeconds * 1000 / Math.max(1, calls);
    }

    double callsPerSecond() {
      return calls / seconds;
    }

    double mbPerSecond() {
      return bytes / seconds / (1 << 20);
    }
  }

  public static void main(String[] args) throws Exception {
    int callers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 30; // 10 s left JIT work in (a)'s rounds
    Path pprofDir = Path.of(System.getProperty("tollgate.pprof.dir", "../shared/testdata/pprof"));
    List<byte[]> pprofs = new ArrayList<>();
    try (Stream<Path> files = Files.list(pprofDir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".pb.gz")).sorted().toList()) {
        pprofs.add(Files.readAllBytes(f));
      }
    }
    Path tmp = Files.createTempDirectory("tollgate-bench");
    System.out.printf("callers=%d seconds/round=%d rounds=%d warm-up/side=%ds files=%d cores=%d%n", callers, seconds,
        rounds, warmup, pprofs.size(), Runtime.getRuntime().availableProcessors());
    List<Double> ratios = new ArrayList<>();
    try (TestServer server = TestServer.start(Backend.SQLITE, tmp)) {
      String project = server.defaultProjectId();
      String token = server.mintToken("bench-writer", "system:profile-writer", project);
      Server baseline = noopServer();
      try {
        String full = server.url();
        String noop = "http://127.0.0.1:" + baseline.activeLocalPort();
        run(full, token, project, pprofs, callers, warmup);
        run(noop, token, project, pprofs, callers, warmup);
        for (int r = 1; r <= rounds; r++) {
          System.out.println("round " + r + ": measuring (a)");
          Result a = run(full, token, project, pprofs, callers, seconds);
          Result b = run(noop, token, project, pprofs, callers, seconds);
          print("round " + r + " (a) real server: token auth + validation + storage", a);
          print("round " + r + " (b) no-op WriteRaw, no interceptor", b);
          double ratio = a.callsPerSecond() / b.callsPerSecond();
          ratios.add(ratio);
          System.out.printf("round %d ratio a/b (calls/s): %.2f%n", r, ratio);
        }
      } finally {
        baseline.stop().join();
      }
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    System.out.printf("ratio a/b (calls/s): median %.2f, min %.2f, max %.2f over %d rounds%n",
        sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), sorted.size());
    deleteTree(tmp);
    System.exit(0);
  }

  static void print(String what, Result r) {
    System.out.printf("%-62s %6.0f calls/s %6.1f MB/s (%d calls) JVM CPU %.2f cores, %.2f ms/call%n", what,
        r.callsPerSecond(), r.mbPerSecond(), r.calls(), r.cpuSeconds() / r.seconds(), r.cpuMillisPerCall());
    System.out.printf("  CPU ms/call by threads: %s%n", r.breakdown());
  }

  /** The baseline: no-op WriteRaw and WriteArrow on the same server settings, no interceptor. */
  static Server noopServer() {
    var noop = new ProfileStoreServiceGrpc.ProfileStoreServiceImplBase() {
      @Override
      public void writeRaw(WriteRawRequest request, StreamObserver<WriteRawResponse> response) {
        response.onNext(WriteRawResponse.getDefaultInstance());
        response.onCompleted();
      }

      @Override
      public void writeArrow(WriteArrowRequest request, StreamObserver<WriteArrowResponse> response) {
        response.onNext(WriteArrowResponse.getDefaultInstance());
        response.onCompleted();
      }
    };
    // The same server: TollgateServer's transport settings and gRPC service (health, reflection,
    // 64 MiB, listeners on the blocking-task pool), with only the handler and the interceptor gone.
    Server s = TollgateServer.serverBuilder(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).http(0)
        .service(TollgateServer.grpcService(List.of(noop.bindService())),
            TollgateServer.grpcDecorator(List.of(noop.bindService())))
        .build();
    s.start().join();
    return s;
  }

  private static Result run(String url, String token, String project, List<byte[]> pprofs, int callers, int seconds)
      throws InterruptedException {
    return run(c -> url, token, project, callers, seconds, writeRaw(pprofs));
  }

  /** WriteRaw of the files in turn, each caller and file its own series. */
  static Sender writeRaw(List<byte[]> pprofs) {
    return (stub, caller, i) -> {
      // each call a profile of its own (the same bytes again would be taken for a retry)
      byte[] data = dev.tollgate.testing.TestData.replay(pprofs.get(i % pprofs.size()), caller << 20 | i);
      // one series per caller and file, like a scraper's targets x profile types
      WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
          .setLabels(LabelSet.newBuilder()
              .addLabels(Label.newBuilder().setName("__name__").setValue("bench"))
              .addLabels(Label.newBuilder().setName("instance").setValue("caller-" + caller))
              .addLabels(Label.newBuilder().setName("file").setValue(String.valueOf((i + 1) % pprofs.size()))))
          .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(data)))).build();
      stub.writeRaw(req);
      return data.length;
    };
  }

  /** One call of caller {@code caller}, its {@code i}-th; returns the payload bytes sent. */
  interface Sender {
    long send(ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub stub, int caller, int i);
  }

  /** {@code callers} platform threads, each sending calls back to back for {@code seconds}. */
  static Result run(String url, String token, String project, int callers, int seconds, Sender sender)
      throws InterruptedException {
    return run(c -> url, token, project, callers, seconds, sender);
  }

  /** As above, caller {@code c} sending to {@code urlOf.apply(c)} (several servers). */
  static Result run(java.util.function.IntFunction<String> urlOf, String token, String project, int callers,
      int seconds, Sender sender) throws InterruptedException {
    AtomicLong calls = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(callers);
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    Map<String, Long> threadsBefore = ThreadCpu.snapshot();
    AtomicLong clientCpu = new AtomicLong();
    for (int c = 0; c < callers; c++) {
      int caller = c;
      Thread.ofPlatform().start(() -> {
        try {
          var stub = GrpcTestClients.stub(urlOf.apply(caller), token, project,
              ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
          int i = caller;
          while (System.nanoTime() < end) {
            bytes.addAndGet(sender.send(stub, caller, i++));
            calls.incrementAndGet();
          }
        } finally {
          // the caller threads end with the run, too early for ThreadCpu to see them afterwards
          clientCpu.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
          done.countDown();
        }
      });
    }
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long cpu = processCpuNanos() - cpuStart;
    Map<String, Long> threadsAfter = ThreadCpu.snapshot();
    return new Result(calls.get(), bytes.get(), elapsed, cpu / 1e9,
        ThreadCpu.perCall(threadsBefore, threadsAfter, calls.get())
            + String.format(", callers %.2f", clientCpu.get() / 1e6 / Math.max(1, calls.get())));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
