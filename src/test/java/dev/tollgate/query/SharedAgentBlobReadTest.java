package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.ingest.IngestSettings;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.IngestTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent's call is one stored blob indexed under every thread's label set: a query over all of
 * them reads and decodes each blob once, and gives every index row its own label set's profile.
 * Real ingestion over gRPC, the real store and the real decoders; the only addition is a count of
 * decode calls around them.
 */
class SharedAgentBlobReadTest {
  private static final String CPU = "parca_agent:samples:count:cpu:nanoseconds:delta";
  private static final int THREADS = 40;
  private static final int SAMPLES_PER_THREAD = 5;

  @TempDir Path dir;
  private final UUID project = UUID.randomUUID();
  private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final BufferAllocator allocator = new RootAllocator();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private IngestTestServer server;

  @BeforeEach
  void start() {
    server = new IngestTestServer(Backend.SQLITE.newDatabaseUrl(dir), dir.resolve("data"), IngestSettings.defaults(),
        clock);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    server.close();
    allocator.close();
  }

  /** The real decoders, counting the blobs they are asked to decode. */
  private static final class Counted implements BlobProfiles {
    final BlobProfiles real;
    final AtomicInteger decodes = new AtomicInteger();

    Counted(BlobProfiles real) {
      this.real = real;
    }

    @Override
    public List<BlobProfile> of(UUID projectId, BlobKind kind, byte[] bytes) {
      decodes.incrementAndGet();
      return real.of(projectId, kind, bytes);
    }

    @Override
    public boolean decodes(BlobKind kind) {
      return real.decodes(kind);
    }
  }

  @Test
  void blobOfManyLabelSets_isDecodedOncePerQuery_andEachRowGetsItsOwnLabelSetsProfile() {
    var stub = GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(),
        ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
    for (int call = 0; call < 2; call++) {
      stub.writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(AgentArrowFixtures.v2(allocator,
          AgentArrowFixtures.later(AgentArrowFixtures.agentSized("n1", THREADS, SAMPLES_PER_THREAD, 6),
              call * 10_000_000_000L)))).build());
      clock.advance(Duration.ofSeconds(10));
    }
    var store = server.ingestion.profileStore();
    Counted blobs = new Counted(new BlobDecoders(new PprofBlobs(),
        new ArrowProfiles(allocator, 64 << 20, Symbolizer.NONE)));
    try (BlobReader reader = new BlobReader(store, null, null)) {
      QueryEngine engine = new QueryEngine(store, reader, blobs, pool, 2, Duration.ofDays(7), clock);
      QueryEngine.Reading reading = new QueryEngine.Reading();
      List<QueryEngine.Selected> read = new ArrayList<>();
      engine.read(project, Selector.parse(CPU + "{comm=\"app\"}"), new QueryEngine.Window(null, null),
          new BlobReader.Credentials(null, null), reading, read::add);

      assertThat(blobs.decodes.get()).as("decodes of the two stored calls").isEqualTo(2);
      assertThat(read).hasSize(2 * THREADS);
      assertThat(reading.warnings()).isEmpty();
      Map<String, Integer> rowsPerThread = new TreeMap<>();
      for (QueryEngine.Selected s : read) {
        assertThat(s.total()).as(s.stored().labels().toString()).isEqualTo(SAMPLES_PER_THREAD);
        rowsPerThread.merge(s.stored().labels().get("thread_id"), 1, Integer::sum);
      }
      assertThat(rowsPerThread).hasSize(THREADS).allSatisfy((thread, n) -> assertThat(n).isEqualTo(2));
      // each row's profile is the one of its own label set: its timestamps are its thread's
      for (QueryEngine.Selected s : read) {
        long thread = Long.parseLong(s.stored().labels().get("thread_id"));
        long first = AgentArrowFixtures.T0 + thread * SAMPLES_PER_THREAD;
        assertThat(s.profile().getTimeNanos()).isIn(first, first + 10_000_000_000L); // the first or second call
      }
    }
  }
}
