package dev.tollgate.bench;

import dev.tollgate.db.Database;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.profiles.NewBlob;
import dev.tollgate.profiles.ProfileStore;
import dev.tollgate.profiles.SeriesEntry;
import dev.tollgate.profiles.Source;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The storage step alone: N virtual-thread callers append 23 KB blobs through {@link ProfileStore}
 * (SQLite, group commit) and wait for each acknowledgement, like WriteRaw does after validation.
 * Prints appends/s, the segment writer thread's CPU per append (and its kernel part), and the bytes
 * this process wrote per append (segment + SQLite WAL + checkpoints, from {@code /proc/self/io};
 * Linux only).
 *
 * <p>Run: {@code ./mvnw -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.tollgate.bench.StoreLoadGenerator
 * [-Dexec.args="<callers=16> <seconds per round=5> <rounds=3> <series per append=1>"]}; the first round is a warm-up.
 */
public final class StoreLoadGenerator {
  private StoreLoadGenerator() {}

  public static void main(String[] args) throws Exception {
    int callers = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int seriesPerAppend = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    // -Dtollgate.bench.retryWindow=PT0S: without the lookup and insert of content digests
    Duration retryWindow = Duration.parse(System.getProperty("tollgate.bench.retryWindow",
        ProfileStore.DEFAULT_RETRY_WINDOW.toString()));
    System.out.println("retry window " + retryWindow);
    Path tmp = Files.createTempDirectory("tollgate-store-bench");
    byte[] blob = new byte[23_000];
    new Random(1).nextBytes(blob);
    UUID project = UUID.randomUUID();
    try (Database db = Database.open(DatabaseUrl.sqliteFile(tmp.resolve("tollgate.db")));
        ProfileStore store = new ProfileStore(db, tmp.resolve("profiles"), "bench-node", Clock.systemUTC(), Duration.ofDays(7),
            256L << 20, Duration.ofHours(1), null, retryWindow)) {
      for (int r = 0; r <= rounds; r++) {
        long[] cpuBefore = writerCpu();
        long writtenBefore = bytesWritten();
        long calls = run(store, project, blob, callers, seconds, seriesPerAppend);
        long[] cpu = writerCpu();
        System.out.printf("%-8s %6d appends/s, writer CPU %.3f ms/append (kernel %.3f), %.1f KB written/append%n",
            r == 0 ? "warm-up" : "round " + r, calls / seconds, (cpu[0] - cpuBefore[0]) / 1e6 / calls,
            (cpu[1] - cpuBefore[1]) / 1e6 / calls, (bytesWritten() - writtenBefore) / 1024.0 / calls);
      }
    }
    try (var walk = Files.walk(tmp)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    System.exit(0);
  }

  private static long run(ProfileStore store, UUID project, byte[] blob, int callers, int seconds,
      int seriesPerAppend) {
    AtomicLong calls = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    try (ExecutorService callerThreads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < callers; c++) {
        int caller = c;
        callerThreads.execute(() -> {
          for (int i = 0; System.nanoTime() < end; i++) {
            // one series per caller and "file", as in IngestLoadGenerator; with several series per
            // append, one per thread of the caller, as the agent's WriteArrow calls carry them
            List<SeriesEntry> entries = new java.util.ArrayList<>();
            for (int t = 0; t < seriesPerAppend; t++) {
              SortedMap<String, String> labels = new TreeMap<>(Map.of("__name__", "bench",
                  "instance", "caller-" + caller, "file", String.valueOf(i % 10)));
              if (seriesPerAppend > 1) {
                labels.put("thread_id", String.valueOf(t));
              }
              entries.add(new SeriesEntry(labels, List.of("bench:samples:count:cpu:nanoseconds"),
                  System.currentTimeMillis()));
            }
            store.append(project, new Source("bench-token", "bench / token"), List.of(new NewBlob(
                seriesPerAppend > 1 ? BlobKind.ARROW : BlobKind.PPROF, blob, entries))).join();
            calls.incrementAndGet();
          }
        });
      }
    }
    return Math.max(1, calls.get());
  }

  /** CPU and kernel nanoseconds of the segment writer thread. */
  private static long[] writerCpu() {
    var mx = ManagementFactory.getThreadMXBean();
    for (long id : mx.getAllThreadIds()) {
      var info = mx.getThreadInfo(id);
      if (info != null && info.getThreadName().equals("tollgate-segment-writer")) {
        long cpu = mx.getThreadCpuTime(id);
        return new long[] {cpu, cpu - mx.getThreadUserTime(id)};
      }
    }
    return new long[2];
  }

  /** Bytes this process passed to write calls so far ({@code wchar}), 0 when unknown. */
  private static long bytesWritten() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
        if (line.startsWith("wchar:")) {
          return Long.parseLong(line.substring(6).trim());
        }
      }
    } catch (Exception e) {
      // not Linux
    }
    return 0;
  }
}
