package dev.tollgate.bench;

import dev.tollgate.db.Database;
import dev.tollgate.db.DatabaseUrl;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.profiles.NewBlob;
import dev.tollgate.profiles.ProfileStore;
import dev.tollgate.profiles.SeriesEntry;
import dev.tollgate.profiles.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the project page asks for on every refresh - the series list and the totals per source
 * and per node - over a SQLite index of {@code rows} stored profiles (500 series from 100 nodes,
 * 10 tokens). {@code summaries} is what the server does (reads the summary tables);
 * {@code aggregateRows} is the same answer computed from the profile rows, as before the
 * summary tables, measured in the same run as the baseline. {@code latestProfilesOfASeries} is
 * the series page's query (the newest 50 profiles of one series).
 *
 * <p>Run: see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ProjectOverviewBenchmark {
  @Param({"100000"})
  public int rows;

  private Path dir;
  private Database db;
  private ProfileStore store;
  private final UUID project = UUID.randomUUID();
  private String seriesId;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("tollgate-bench");
    db = Database.open(DatabaseUrl.sqliteFile(dir.resolve("bench.db")));
    store = new ProfileStore(db, dir.resolve("profiles"), "bench-node", Clock.systemUTC(), Duration.ofDays(7), 256L << 20,
        Duration.ofHours(1));
    byte[] bytes = new byte[64];
    List<CompletableFuture<List<String>>> pending = new ArrayList<>();
    for (int call = 0; call < rows / 100; call++) {
      List<NewBlob> blobs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        int n = call * 100 + i;
        TreeMap<String, String> labels = new TreeMap<>();
        labels.put("__name__", "process_cpu");
        labels.put("node", "node-" + n % 100);
        labels.put("job", "job-" + (n / 100) % 5);
        blobs.add(new NewBlob(BlobKind.PPROF, bytes,
            List.of(new SeriesEntry(labels, List.of("process_cpu:samples:count:cpu:nanoseconds:delta"), 0))));
      }
      pending.add(store.append(project, new Source("tok-" + call % 10, "serviceaccount:agent-" + call % 10), blobs));
    }
    pending.forEach(CompletableFuture::join);
    seriesId = store.series(project).get(250).id();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    store.close();
    db.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public int summaries() {
    return store.series(project).size() + store.totalsBySource(project).size() + store.totalsByNode(project).size();
  }

  /** The series page: its newest 50 profiles, a walk back through its group of 64 series in the index. */
  @Benchmark
  public int latestProfilesOfASeries() {
    return store.profiles(project, seriesId, null, null, 50).size();
  }

  @Benchmark
  public int aggregateRows() {
    String p = project.toString();
    return db.jdbi().withHandle(h -> h.createQuery("SELECT series_id, MIN(labels), MIN(received_at),"
            + " MAX(received_at), COUNT(*) FROM profiles WHERE project_id = :p GROUP BY series_id ORDER BY series_id")
        .bind("p", p).map((rs, ctx) -> rs.getString(1)).list().size()
        + h.createQuery("SELECT DISTINCT series_id, profile_types FROM profiles WHERE project_id = :p")
            .bind("p", p).map((rs, ctx) -> rs.getString(1)).list().size()
        + h.createQuery("SELECT source_id, MIN(source_name), COUNT(*), SUM(size), MAX(received_at) FROM profiles"
            + " WHERE project_id = :p GROUP BY source_id ORDER BY source_id").bind("p", p).map((rs, ctx) -> rs.getString(1)).list().size()
        + h.createQuery("SELECT node, node, COUNT(*), SUM(size), MAX(received_at) FROM profiles"
            + " WHERE project_id = :p AND node IS NOT NULL GROUP BY node ORDER BY node").bind("p", p).map((rs, ctx) -> rs.getString(1))
            .list().size());
  }
}
