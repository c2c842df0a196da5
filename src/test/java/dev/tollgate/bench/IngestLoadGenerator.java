package dev.tollgate.bench;

import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.ingest.IngestSettings;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawResponse;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.IngestTestServer;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Replays the real pprof files through WriteRaw with N concurrent callers against (a) the full
 * data plane (interceptor, authorizer, validation, durable group-commit storage on SQLite) and (b) a
 * no-op WriteRaw without interceptor, in the same run, and prints calls/s, MB/s and the ratio a/b.
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.tollgate.bench.IngestLoadGenerator [-Dexec.args="<callers> <seconds>"]}.
 */
public final class IngestLoadGenerator {
  private IngestLoadGenerator() {}

  record Result(long calls, long bytes, double seconds) {
    double callsPerSecond() {
      return calls / seconds;
    }

    double mbPerSecond() {
      return bytes / seconds / (1 << 20);
    }
  }

  public static void main(String[] args) throws Exception {
    int callers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path pprofDir = Path.of(System.getProperty("tollgate.pprof.dir", "../shared/testdata/pprof"));
    List<byte[]> pprofs = new ArrayList<>();
    try (Stream<Path> files = Files.list(pprofDir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".pb.gz")).sorted().toList()) {
        pprofs.add(Files.readAllBytes(f));
      }
    }
    Path tmp = Files.createTempDirectory("tollgate-bench");
    UUID project = UUID.randomUUID();
    System.out.printf("callers=%d seconds=%d files=%d cores=%d%n", callers, seconds, pprofs.size(),
        Runtime.getRuntime().availableProcessors());
    Result full;
    try (IngestTestServer server = new IngestTestServer(DatabaseUrl.sqliteFile(tmp.resolve("bench.db")),
        tmp.resolve("data"), IngestSettings.defaults(), InstantSource.system())) {
      run(server.baseUrl(), project, pprofs, callers, 2); // warm-up
      full = run(server.baseUrl(), project, pprofs, callers, seconds);
    }
    Result noop;
    Server bare = noopServer();
    try {
      String url = "http://127.0.0.1:" + bare.activeLocalPort();
      run(url, project, pprofs, callers, 2);
      noop = run(url, project, pprofs, callers, seconds);
    } finally {
      bare.stop().join();
    }
    print("(a) interceptor + authorizer + durable storage", full);
    print("(b) no-op WriteRaw, no interceptor", noop);
    System.out.printf("ratio a/b (calls/s): %.2f%n", full.callsPerSecond() / noop.callsPerSecond());
    deleteTree(tmp);
    System.exit(0);
  }

  private static void print(String what, Result r) {
    System.out.printf("%-50s %8.0f calls/s %8.1f MB/s (%d calls)%n", what, r.callsPerSecond(), r.mbPerSecond(),
        r.calls());
  }

  private static Server noopServer() {
    var noop = new ProfileStoreServiceGrpc.ProfileStoreServiceImplBase() {
      @Override
      public void writeRaw(WriteRawRequest request, StreamObserver<WriteRawResponse> response) {
        response.onNext(WriteRawResponse.getDefaultInstance());
        response.onCompleted();
      }
    };
    Server s = Server.builder().http(0).maxRequestLength(64 << 20)
        .service(GrpcService.builder().addService(noop).enableUnframedRequests(true)
            .supportedSerializationFormats(GrpcSerializationFormats.values()).maxRequestMessageLength(64 << 20).build())
        .build();
    s.start().join();
    return s;
  }

  private static Result run(String url, UUID project, List<byte[]> pprofs, int callers, int seconds)
      throws InterruptedException {
    AtomicLong calls = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    CountDownLatch done = new CountDownLatch(callers);
    long start = System.nanoTime();
    for (int c = 0; c < callers; c++) {
      int caller = c;
      Thread.ofPlatform().start(() -> {
        try {
          var stub = GrpcTestClients.stub(url, "good-" + project, project.toString(),
              ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
          int i = caller;
          while (System.nanoTime() < end) {
            byte[] data = pprofs.get(i++ % pprofs.size());
            // one series per caller and file, like a scraper's targets x profile types
            WriteRawRequest req = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
                .setLabels(LabelSet.newBuilder()
                    .addLabels(Label.newBuilder().setName("__name__").setValue("bench"))
                    .addLabels(Label.newBuilder().setName("instance").setValue("caller-" + caller))
                    .addLabels(Label.newBuilder().setName("file").setValue(String.valueOf(i % pprofs.size()))))
                .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFrom(data)))).build();
            stub.writeRaw(req);
            calls.incrementAndGet();
            bytes.addAndGet(data.length);
          }
        } finally {
          done.countDown();
        }
      });
    }
    done.await();
    return new Result(calls.get(), bytes.get(), (System.nanoTime() - start) / 1e9);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
