package dev.tollgate.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.db.Database;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass
@EnumSource(Backend.class)
class ProfileStoreTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  private static final String NODE = "node-a";

  private final FakeClock clock = new FakeClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final UUID project = UUID.randomUUID();
  private final Source source = new Source("tok-1", "serviceaccount:scraper");
  private Database db;

  @BeforeEach
  void open() {
    db = Database.open(backend.newDatabaseUrl(dir));
  }

  @AfterEach
  void closeDb() {
    db.close();
  }

  private ProfileStore store(long segmentMaxBytes) {
    return new ProfileStore(db, dir.resolve("profiles"), NODE, clock, Duration.ofDays(7), segmentMaxBytes, Duration.ofHours(1));
  }

  private static NewBlob blob(String name, String node, String content) {
    TreeMap<String, String> labels = new TreeMap<>(Map.of("__name__", name, "node", node));
    return new NewBlob(BlobKind.PPROF, content.getBytes(StandardCharsets.UTF_8),
        List.of(new SeriesEntry(labels, List.of(name + ":samples:count:cpu:nanoseconds"), 0)));
  }

  @Test
  void concurrentAppends_areAllReadableByteForByte_andIndexedBySeries() {
    try (ProfileStore store = store(4096)) {
      List<CompletableFuture<List<String>>> futures = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        futures.add(store.append(project, source, List.of(blob(i % 2 == 0 ? "cpu" : "heap", "n" + (i % 3), "data-" + i))));
      }
      for (int i = 0; i < futures.size(); i++) {
        String id = futures.get(i).join().getFirst();
        assertThat(new String(store.read(project, id).orElseThrow().bytes(), StandardCharsets.UTF_8)).isEqualTo("data-" + i);
      }
      assertThat(store.series(project)).hasSize(6);
      assertThat(store.series(project)).allSatisfy(s -> assertThat(s.count()).isBetween(33L, 34L));
      assertThat(store.totalsBySource(project)).singleElement().satisfies(t -> {
        assertThat(t.profiles()).isEqualTo(200);
        assertThat(t.name()).isEqualTo("serviceaccount:scraper");
      });
      assertThat(store.totalsByNode(project)).hasSize(3);
      assertThat(store.read(UUID.randomUUID(), futures.getFirst().join().getFirst())).isEmpty();
    }
    assertThat(dir.resolve("profiles").resolve(project.toString()).toFile().list()).hasSizeGreaterThan(1);
  }

  @Test
  void everyAcknowledgedAppend_wasFsyncedFirst_andConcurrentAppendsShareFsyncs() {
    try (ProfileStore store = store(1 << 20)) {
      int n = 64;
      List<CompletableFuture<Long>> syncsSeenAtAck = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        syncsSeenAtAck.add(store.append(project, source, List.of(blob("cpu", "a", "data-" + i)))
            .thenApply(ids -> store.fsyncs()));
      }
      for (CompletableFuture<Long> f : syncsSeenAtAck) {
        assertThat(f.join()).isPositive(); // completed only after its batch's fsync
      }
      assertThat(store.fsyncs()).isLessThan(n / 2); // group commit: batches, not one fsync per append
    }
  }

  @Test
  void tornTail_isCutOnStart_andAcknowledgedWritesSurvive() throws Exception {
    String id;
    try (ProfileStore store = store(1 << 20)) {
      id = store.append(project, source, List.of(blob("cpu", "a", "kept"))).join().getFirst();
    }
    Path seg;
    try (var files = Files.list(dir.resolve("profiles").resolve(project.toString()))) {
      seg = files.findFirst().orElseThrow();
    }
    long valid = Files.size(seg);
    Files.write(seg, new byte[] {0x54, 0x47, 0x4c, 0x31, 0, 0, 1, 0, 9, 9}, StandardOpenOption.APPEND);
    try (ProfileStore store = store(1 << 20)) {
      assertThat(Files.size(seg)).isEqualTo(valid);
      assertThat(store.read(project, id).orElseThrow().bytes()).asString().isEqualTo("kept");
      String next = store.append(project, source, List.of(blob("cpu", "a", "after"))).join().getFirst();
      assertThat(store.read(project, next).orElseThrow().bytes()).asString().isEqualTo("after");
    }
  }

  @Test
  void framesStoredButNotIndexed_areIndexedOnStart_andRowsBeyondTheFileAreDropped() throws Exception {
    String id;
    try (ProfileStore store = store(1 << 20)) {
      id = store.append(project, source, List.of(blob("cpu", "a", "one"))).join().getFirst();
    }
    // as if the process died between fsync and index commit (rows and digest commit together)
    db.jdbi().useHandle(h -> {
      h.execute("DELETE FROM profiles");
      h.execute("DELETE FROM blob_digests");
    });
    try (ProfileStore store = store(1 << 20)) {
      assertThat(store.read(project, id).orElseThrow().bytes()).asString().isEqualTo("one");
    }
    Path seg;
    try (var files = Files.list(dir.resolve("profiles").resolve(project.toString()))) {
      seg = files.findFirst().orElseThrow();
    }
    try (var ch = java.nio.channels.FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(Files.size(seg) - 1);
    }
    try (ProfileStore store = store(1 << 20)) {
      assertThat(store.read(project, id)).isEmpty();
      assertThat(store.series(project)).isEmpty();
    }
  }

  /**
   * A call whose answer was lost (deadline, dropped connection) is retried with the same bytes:
   * the retry is answered with the first attempt's ids and not stored again - also when both
   * arrive in one group commit - while the same bytes under other labels are a profile of their own.
   */
  @Test
  void retriedAppend_isAnsweredWithTheStoredIds_andNotStoredAgain() {
    try (ProfileStore store = store(1 << 20)) {
      List<String> first = store.append(project, source, List.of(blob("cpu", "a", "one"), blob("cpu", "b", "two")))
          .join();
      List<String> retry = store.append(project, source, List.of(blob("cpu", "a", "one"), blob("cpu", "b", "two")))
          .join();
      assertThat(retry).isEqualTo(first);
      assertThat(store.retriesRecognized()).isEqualTo(2);
      // concurrent: both in the writer's queue at once
      var x = store.append(project, source, List.of(blob("cpu", "c", "three")));
      var y = store.append(project, source, List.of(blob("cpu", "c", "three")));
      assertThat(y.join()).isEqualTo(x.join());
      // the same bytes under another label set, of another project
      String otherNode = store.append(project, source, List.of(blob("cpu", "d", "one"))).join().getFirst();
      UUID otherProject = UUID.randomUUID();
      String elsewhere = store.append(otherProject, source, List.of(blob("cpu", "a", "one"))).join().getFirst();
      assertThat(List.of(otherNode, elsewhere)).doesNotContainAnyElementsOf(first);
      assertThat(store.series(project)).hasSize(4).allSatisfy(s -> assertThat(s.count()).isEqualTo(1));
      assertThat(store.series(otherProject)).singleElement().satisfies(s -> assertThat(s.count()).isEqualTo(1));
      assertThat(store.retriesRecognized()).isEqualTo(3);
    }
  }

  /**
   * A frame fsynced but not indexed when the process died was never acknowledged; if its client
   * retried meanwhile (here, through a second node on the same database), the retry is what stays
   * indexed, and the recovered frame is not indexed a second time.
   */
  @Test
  void frameStoredButNotIndexed_whoseRetryWasStoredMeanwhile_isNotIndexedAgainOnStart() {
    try (ProfileStore store = store(1 << 20)) {
      store.append(project, source, List.of(blob("cpu", "a", "one"))).join();
    }
    db.jdbi().useHandle(h -> {
      h.execute("DELETE FROM profiles");
      h.execute("DELETE FROM blob_digests");
    });
    String retried;
    try (ProfileStore other = new ProfileStore(db, dir.resolve("other"), "node-b", clock, Duration.ofDays(7), 1 << 20,
        Duration.ofHours(1))) {
      retried = other.append(project, source, List.of(blob("cpu", "a", "one"))).join().getFirst();
    }
    try (ProfileStore store = store(1 << 20)) {
      String series = store.series(project).getFirst().id();
      assertThat(store.profiles(project, series, Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"), 10))
          .singleElement().satisfies(p -> assertThat(p.id()).isEqualTo(retried));
    }
  }

  @Test
  void twoNodesOnOneDatabase_eachRecoverAndExpireOnlyTheirOwnSegments() {
    Path rootB = dir.resolve("node-b-profiles");
    String idA;
    try (ProfileStore a = store(1 << 20)) {
      idA = a.append(project, source, List.of(blob("cpu", "a", "stored-by-a"))).join().getFirst();
    }
    // B starts on the same database with its own, empty, directory: A's segment is not B's to drop.
    try (ProfileStore b = new ProfileStore(db, rootB, "node-b", clock, Duration.ofDays(7), 1 << 20, Duration.ofHours(1))) {
      assertThat(b.series(project)).singleElement().satisfies(s -> assertThat(s.count()).isEqualTo(1));
      assertThat(b.read(project, idA)).isEmpty();
      assertThat(b.storedElsewhere(project, idA)).contains(NODE);
      clock.advance(Duration.ofDays(8));
      String idB = b.append(project, source, List.of(blob("cpu", "a", "stored-by-b"))).join().getFirst();
      assertThat(b.storedElsewhere(project, idB)).isEmpty();
      clock.advance(Duration.ofDays(8));
      assertThat(b.series(project)).singleElement().satisfies(s -> assertThat(s.count()).isEqualTo(2));
      assertThat(b.enforceRetention()).isEqualTo(1); // its own segment only
      assertThat(b.storedElsewhere(project, idA)).contains(NODE);
      // the series both stored keeps A's profile
      assertThat(b.series(project)).singleElement().satisfies(s -> assertThat(s.count()).isEqualTo(1));
      assertThat(b.profiles(project, b.series(project).getFirst().id(), null, null, 10))
          .extracting(StoredProfile::id).containsExactly(idA);
    }
    try (ProfileStore a = store(1 << 20)) {
      assertThat(a.read(project, idA).orElseThrow().bytes()).asString().isEqualTo("stored-by-a");
      assertThat(a.storedElsewhere(project, idA)).isEmpty();
    }
  }

  @Test
  void rowsFromBeforeNodesWereRecorded_areClaimedByTheNodeHoldingTheirSegment() {
    String id;
    try (ProfileStore a = store(1 << 20)) {
      id = a.append(project, source, List.of(blob("cpu", "a", "old"))).join().getFirst();
    }
    db.jdbi().useHandle(h -> h.execute("UPDATE profiles SET stored_by = NULL"));
    try (ProfileStore a = store(1 << 20)) {
      assertThat(a.read(project, id).orElseThrow().bytes()).asString().isEqualTo("old");
    }
    String holder = db.jdbi().withHandle(h -> h.createQuery("SELECT stored_by FROM profiles").mapTo(String.class).one());
    assertThat(holder).isEqualTo(NODE);
  }

  private static NewBlob blobOfTypes(String content, String... types) {
    TreeMap<String, String> labels = new TreeMap<>(Map.of("__name__", "go", "node", "a"));
    return new NewBlob(BlobKind.PPROF, content.getBytes(StandardCharsets.UTF_8),
        List.of(new SeriesEntry(labels, List.of(types), 0)));
  }

  @Test
  void retention_dropsAProfileTypeFromItsSeries_withTheLastProfileOfThatType() {
    try (ProfileStore store = store(1 << 20)) {
      store.append(project, source, List.of(blobOfTypes("old", "go:alloc_space", "go:inuse_space"))).join();
      store.append(project, source, List.of(blobOfTypes("old-2", "go:alloc_space", "go:inuse_space"))).join();
      clock.advance(Duration.ofMinutes(90)); // the next append starts a new segment
      store.append(project, source, List.of(blobOfTypes("new", "go:inuse_space"))).join();
      clock.advance(Duration.ofMinutes(50));
      store.append(project, source, List.of(blobOfTypes("newer", "go:inuse_space"))).join();
      assertThat(store.series(project)).singleElement()
          .satisfies(s -> assertThat(s.profileTypes()).containsExactly("go:alloc_space", "go:inuse_space"));
      clock.advance(Duration.ofDays(7).minusMinutes(20)); // cutoff T+2h: the first segment ended at T+90m
      assertThat(store.enforceRetention()).isEqualTo(1);
      assertThat(store.series(project)).singleElement().satisfies(s -> {
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.profileTypes()).containsExactly("go:inuse_space");
      });
      // the type comes back with the next profile that carries it
      store.append(project, source, List.of(blobOfTypes("again", "go:alloc_space"))).join();
      assertThat(store.series(project)).singleElement()
          .satisfies(s -> assertThat(s.profileTypes()).containsExactly("go:alloc_space", "go:inuse_space"));
    }
  }

  @Test
  void retention_deletesWholeOldSegments_andTheirRows() {
    try (ProfileStore store = store(1 << 20)) {
      String old = store.append(project, source, List.of(blob("cpu", "a", "old"))).join().getFirst();
      store.append(project, source, List.of(blob("heap", "b", "only-old"))).join();
      clock.advance(Duration.ofMinutes(90)); // rolls the segment by age: the second starts at T+90m
      Instant mid = clock.instant();
      store.append(project, source, List.of(blob("cpu", "a", "mid"))).join();
      clock.advance(Duration.ofMinutes(50));
      String recent = store.append(project, source, List.of(blob("cpu", "a", "recent"))).join().getFirst();
      assertThat(store.series(project)).hasSize(2);
      assertThat(store.totalsBySource(project)).singleElement().satisfies(t -> assertThat(t.profiles()).isEqualTo(4));
      clock.advance(Duration.ofDays(7).minusMinutes(20)); // cutoff T+2h: the first segment ended at T+90m
      assertThat(store.enforceRetention()).isEqualTo(1);
      assertThat(store.read(project, old)).isEmpty();
      assertThat(store.read(project, recent)).isPresent();
      // The summaries follow the rows: the heap series is gone, cpu now starts at "mid".
      assertThat(store.series(project)).singleElement().satisfies(s -> {
        assertThat(s.labels()).containsEntry("__name__", "cpu");
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.firstSeen()).isEqualTo(mid);
        assertThat(s.profileTypes()).containsExactly("cpu:samples:count:cpu:nanoseconds");
      });
      assertThat(store.totalsBySource(project)).singleElement().satisfies(t -> {
        assertThat(t.profiles()).isEqualTo(2);
        assertThat(t.bytes()).isEqualTo("mid".length() + "recent".length());
      });
      assertThat(store.totalsByNode(project)).singleElement().satisfies(t -> assertThat(t.key()).isEqualTo("a"));
      clock.advance(Duration.ofHours(2));
      assertThat(store.enforceRetention()).isEqualTo(1);
      assertThat(store.series(project)).isEmpty();
      assertThat(store.totalsBySource(project)).isEmpty();
      assertThat(store.totalsByNode(project)).isEmpty();
      String again = store.append(project, source, List.of(blob("cpu", "a", "again"))).join().getFirst();
      assertThat(store.read(project, again)).isPresent();
    }
  }

  /** Like an agent's WriteArrow call: one blob, one label set per thread, all on one node. */
  private static NewBlob arrowBlob(String node, int threads, String content) {
    List<SeriesEntry> entries = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      TreeMap<String, String> labels = new TreeMap<>(Map.of("__name__", "parca_agent", "node", node,
          "thread_id", String.valueOf(t)));
      entries.add(new SeriesEntry(labels, List.of("parca_agent:samples:count:cpu:nanoseconds:delta"), 0));
    }
    return new NewBlob(BlobKind.ARROW, content.getBytes(StandardCharsets.UTF_8), entries);
  }

  @Test
  void blobsWithManyLabelSets_areListedPerSeries_andTheirBytesCountOnce() {
    try (ProfileStore store = store(1 << 20)) {
      // 1,200 label sets: more than one upsert statement (500) and many series groups (16 series each)
      List<String> first = store.append(project, source, List.of(arrowBlob("n1", 1200, "first-call"))).join();
      clock.advance(Duration.ofMinutes(90)); // the next call starts a new segment
      List<String> second = store.append(project, source, List.of(arrowBlob("n1", 1200, "second"))).join();
      assertThat(first).hasSize(1200).doesNotHaveDuplicates();
      assertThat(store.series(project)).hasSize(1200).allSatisfy(s -> {
        assertThat(s.count()).isEqualTo(2);
        assertThat(s.profileTypes()).containsExactly("parca_agent:samples:count:cpu:nanoseconds:delta");
      });
      for (int t : new int[] {0, 15, 16, 777, 1199}) {
        String seriesId = SeriesIds.of(new TreeMap<>(Map.of("__name__", "parca_agent", "node", "n1",
            "thread_id", String.valueOf(t))));
        assertThat(store.profiles(project, seriesId, null, null, 10))
            .extracting(StoredProfile::id).containsExactly(first.get(t), second.get(t));
        assertThat(store.read(project, second.get(t)).orElseThrow().bytes()).asString().isEqualTo("second");
      }
      assertThat(store.totalsBySource(project)).singleElement().satisfies(t -> {
        assertThat(t.profiles()).isEqualTo(2400);
        assertThat(t.bytes()).isEqualTo("first-call".length() + "second".length());
      });
      assertThat(store.totalsByNode(project)).singleElement()
          .satisfies(t -> assertThat(t.bytes()).isEqualTo("first-call".length() + "second".length()));
      clock.advance(Duration.ofMinutes(30));
      store.append(project, new Source("tok-2", "serviceaccount:other"), List.of(blob("heap", "n2", "later"))).join();
      clock.advance(Duration.ofDays(7).minusMinutes(10)); // cutoff T+110m: only the first segment ended before
      assertThat(store.enforceRetention()).isEqualTo(1);
      assertThat(store.series(project)).hasSize(1201)
          .filteredOn(s -> s.labels().containsKey("thread_id")).hasSize(1200)
          .allSatisfy(s -> assertThat(s.count()).isEqualTo(1));
      assertThat(store.totalsBySource(project)).filteredOn(t -> t.key().equals("tok-1")).singleElement().satisfies(t -> {
        assertThat(t.profiles()).isEqualTo(1200);
        assertThat(t.bytes()).isEqualTo("second".length());
      });
    }
  }
}
