package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import dev.tollgate.cluster.Nodes;
import dev.tollgate.debuginfo.DebuginfoStore;
import dev.tollgate.profiles.ProfileStore;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The read path, composed: Parca's QueryService over a {@link ProfileStore} (and, for profiles
 * other servers on the same database stored, over their raw-download route), behind the
 * {@code profile.read} interceptor. Mount {@link #grpcService()} on the server's GrpcService.
 *
 * <p>Blobs are decoded by {@link BlobDecoders}: PPROF as pprof, agent blobs (ARROW, WRITE_V1)
 * through {@link ArrowProfiles}, whose unsymbolized native frames are named from the debug info
 * uploaded to {@code debuginfo}. Arrow decoding has its own off-heap memory, bounded by {@value
 * #MAX_DECODE_BYTES} bytes in all and {@value #MAX_STREAM_BYTES} per stream (the most ingestion
 * accepts by default, so every stored stream fits); a query over a larger one fails rather than
 * taking the server's memory.
 */
public final class Query implements AutoCloseable {
  /** Arrow memory for flame graph records, bounded. */
  private static final long MAX_ARROW_BYTES = 1L << 30;
  /** Arrow memory for decoding stored agent streams, all decoder threads together. */
  static final long MAX_DECODE_BYTES = 1L << 30;
  /** Arrow memory one stored stream may take decoded. */
  static final long MAX_STREAM_BYTES = 512L << 20;
  /** Symbols of parsed debug info kept for naming native frames, in all build ids. */
  private static final long MAX_CACHED_SYMBOLS = 2_000_000;

  private final ServerServiceDefinition service;
  private final ExecutorService decoders;
  private final BufferAllocator allocator = new RootAllocator(MAX_ARROW_BYTES);
  private final BufferAllocator decodeMemory = new RootAllocator(MAX_DECODE_BYTES);
  private final BlobReader reader;

  /**
   * @param nodes where the other servers sharing the database are, or null when there are none
   * @param debuginfo the uploaded debug info that names native frames agents sent as addresses
   * @param retention the store's retention: queries never read older profiles
   */
  public Query(ProfileStore store, Nodes nodes, DebuginfoStore debuginfo, QueryAccess access, Duration retention,
      InstantSource clock) {
    requireNonNull(store, "store");
    requireNonNull(debuginfo, "debuginfo");
    requireNonNull(access, "access");
    int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.decoders = Executors.newFixedThreadPool(parallelism,
        Thread.ofPlatform().name("tollgate-query-decode-", 0).daemon(true).factory());
    this.reader = new BlobReader(store, nodes, null);
    BlobProfiles blobs = new BlobDecoders(new PprofBlobs(),
        new ArrowProfiles(decodeMemory, MAX_STREAM_BYTES, new ElfSymbolizer(debuginfo, MAX_CACHED_SYMBOLS)));
    QueryEngine engine = new QueryEngine(store, reader, blobs, decoders, parallelism, retention, clock);
    this.service = ServerInterceptors.intercept(new QueryGrpcService(engine, new Reports(allocator)),
        new QueryAuthInterceptor(access));
  }

  /** The intercepted {@code parca.query.v1alpha1.QueryService}. */
  public ServerServiceDefinition grpcService() {
    return service;
  }

  @Override
  public void close() {
    decoders.shutdownNow();
    reader.close();
    allocator.close();
    decodeMemory.close();
  }
}
