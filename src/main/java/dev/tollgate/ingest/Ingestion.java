package dev.tollgate.ingest;

import static java.util.Objects.requireNonNull;

import dev.tollgate.cluster.NodeId;
import dev.tollgate.cluster.Nodes;
import dev.tollgate.db.Database;
import dev.tollgate.debuginfo.DebuginfoStore;
import dev.tollgate.objectstore.ObjectStore;
import dev.tollgate.objectstore.ObjectStoreSettings;
import dev.tollgate.profiles.ProfileStore;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane, composed: profile and debug-info storage under {@code dataDir}, the intercepted
 * Parca gRPC services, the read-side REST service, and the background jobs (retention every
 * 10 minutes, stale-upload sweep every minute, activity statistics to the database every
 * 10 seconds). The services offload their work to virtual threads
 * themselves, so the gRPC service need not use the blocking executor.
 */
public final class Ingestion implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ingestion.class);

  private final ProfileStore profiles;
  private final DebuginfoStore debuginfo;
  private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService timers;
  private final ArrowMemory arrowMemory;
  private final List<ServerServiceDefinition> services;
  private final IngestRestService rest;
  private final IngestStats stats;
  private final String nodeId;
  private final Nodes nodes;
  private final PeerDownloads peers;
  /** Null without {@code --object-store-url}. */
  private final ObjectStore objectStore;

  /**
   * Opens (and recovers) the stores and starts the background jobs.
   *
   * @param dataDir profiles go to {@code dataDir/profiles}, debug info to {@code dataDir/debuginfo}
   */
  public Ingestion(Database db, Path dataDir, IngestSettings settings, CallAuthorizer authorizer,
      ProjectReadAccess readAccess, MeterRegistry registry, InstantSource clock) {
    this(db, dataDir, settings, authorizer, readAccess, registry, clock, SourceTokens.UNKNOWN, null);
  }

  /**
   * @param sourceTokens tells the statistics which sources' tokens were deleted
   * @param objectStore profiles and debug info go to object storage when not null (see docs/scale-out.md)
   */
  public Ingestion(Database db, Path dataDir, IngestSettings settings, CallAuthorizer authorizer,
      ProjectReadAccess readAccess, MeterRegistry registry, InstantSource clock, SourceTokens sourceTokens,
      ObjectStoreSettings objectStore) {
    requireNonNull(db, "db");
    requireNonNull(sourceTokens, "sourceTokens");
    requireNonNull(dataDir, "dataDir");
    requireNonNull(settings, "settings");
    requireNonNull(authorizer, "authorizer");
    requireNonNull(readAccess, "readAccess");
    requireNonNull(registry, "registry");
    requireNonNull(clock, "clock");
    try {
      this.nodeId = NodeId.loadOrCreate(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the node id in " + dataDir, e);
    }
    this.nodes = new Nodes(db.jdbi(), clock);
    this.objectStore = objectStore == null ? null : new ObjectStore(objectStore);
    this.profiles = new ProfileStore(db, dataDir.resolve("profiles"), nodeId, clock, settings.retention(),
        settings.segmentMaxBytes(), settings.segmentMaxAge(), this.objectStore, settings.retryWindow());
    this.debuginfo = new DebuginfoStore(db, dataDir.resolve("debuginfo"), clock, settings.debuginfoMaxSize(),
        this.objectStore);
    this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("tollgate-ingest-timer")
        .daemon(true).factory());
    this.stats = new IngestStats(clock, new ActivityTable(db.jdbi()), new RefusalTable(db.jdbi()));
    DecompressionBudget budget = DecompressionBudget.ofHeap();
    // Arrow decodes off the heap (arrow-memory-unsafe: not bounded by the heap nor by
    // MaxDirectMemorySize), so its total is sized from the machine, not from -Xmx.
    this.arrowMemory = new ArrowMemory(settings.effectiveDecodeMemoryBytes());
    if (budget.profileLimit(settings.maxDecompressedProfileBytes()) < settings.maxDecompressedProfileBytes()) {
      log.warn("profiles are limited to {} bytes decompressed (half the decompression budget, a quarter of the heap)"
          + " instead of {}; give the JVM more heap (-Xmx) to accept larger ones",
          budget.profileLimit(settings.maxDecompressedProfileBytes()), settings.maxDecompressedProfileBytes());
    }
    IngestMetrics metrics = new IngestMetrics(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("tollgate.ingest.retries.recognized", profiles,
            ProfileStore::retriesRecognized)
        .description("Blobs not stored again because the same content already was: retries of calls whose answer"
            + " the client did not receive")
        .register(registry);
    BlobRecorder recorder = new BlobRecorder(profiles, stats, metrics);
    IngestAuthInterceptor auth = new IngestAuthInterceptor(authorizer, metrics, stats);
    OtlpStore otlp = new OtlpStore(db.jdbi(), clock);
    long retentionMillis = settings.retention().toMillis();
    this.services = List.of(
        ServerInterceptors.intercept(new ProfileStoreGrpcService(recorder, work, timers, arrowMemory, settings,
            budget), auth),
        ServerInterceptors.intercept(new DebuginfoGrpcService(debuginfo, work), auth),
        ServerInterceptors.intercept(new TelemetryGrpcService(
            new PanicReports(db.jdbi(), clock, settings.maxPanicReportBytes()), work), auth),
        ServerInterceptors.intercept(new OtlpGrpcService.Logs(otlp, work), auth),
        ServerInterceptors.intercept(new OtlpGrpcService.Metrics(otlp, work), auth));
    this.peers = new PeerDownloads(nodes, nodeId);
    this.rest = new IngestRestService(profiles, stats, readAccess, peers, otlp, clock, sourceTokens);
    timers.scheduleWithFixedDelay(() -> background("retention", profiles::enforceRetention), 1, 10, TimeUnit.MINUTES);
    timers.scheduleWithFixedDelay(() -> background("OTLP retention",
        () -> otlp.deleteReceivedBefore(clock.millis() - retentionMillis)), 1, 10, TimeUnit.MINUTES);
    timers.scheduleWithFixedDelay(() -> background("stale upload sweep", debuginfo::sweepStaleUploads), 1, 1,
        TimeUnit.MINUTES);
    timers.scheduleWithFixedDelay(() -> background("activity flush", stats::flush), 10, 10, TimeUnit.SECONDS);
  }

  /**
   * Records where the other servers sharing the database reach this one, so they can fetch the
   * profiles stored in this node's data directory; called once the server listens.
   */
  public void announce(String nodeUrl) {
    nodes.register(nodeId, nodeUrl);
  }

  /**
   * Writes the activity counted in memory to the database now (the server does so every
   * 10 seconds and at shutdown); tests use it to see another server's counts at once.
   */
  public void flushStatistics() {
    stats.flush();
  }

  private static void background(String what, Runnable job) {
    try {
      job.run();
    } catch (RuntimeException e) {
      log.error("{} failed; will retry on the next run", what, e);
    }
  }

  /**
   * Intercepted gRPC services (ProfileStore, Debuginfo, Telemetry, OTLP logs and metrics) for Armeria's
   * {@code GrpcService.builder().addServiceDefinitions(...)}; give the builder
   * {@code maxRequestMessageLength(64 << 20)} as Parca does.
   */
  public List<ServerServiceDefinition> grpcServices() {
    return services;
  }

  /** The profile store, for the read path ({@link dev.tollgate.query.Query}). */
  public ProfileStore profileStore() {
    return profiles;
  }

  /** The off-heap memory all calls decode Arrow streams in (its limit is the decode budget). */
  BufferAllocator decodeMemory() {
    return arrowMemory.root();
  }

  /** The uploaded debug info, for naming native frames on the read path ({@link dev.tollgate.query.Query}). */
  public DebuginfoStore debuginfoStore() {
    return debuginfo;
  }

  /** The annotated REST service object for the {@code /v1/projects/{project_id}/...} read routes. */
  public Object restService() {
    return rest;
  }

  /** Stops the background jobs, lets running calls finish, then commits, fsyncs and closes the segments. */
  @Override
  public void close() {
    timers.shutdownNow();
    work.shutdown();
    try {
      work.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    background("final activity flush", stats::flush);
    profiles.close();
    peers.close();
    if (objectStore != null) {
      objectStore.close();
    }
    try {
      arrowMemory.close();
    } catch (IllegalStateException e) {
      log.warn("Arrow memory still allocated at close: {}", e.getMessage());
    }
  }
}
