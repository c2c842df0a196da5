package dev.tollgate.query;

import static java.util.Objects.requireNonNull;

import dev.tollgate.cluster.Nodes;
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
 * <p>Blobs are decoded by {@link PprofBlobs}; ARROW and WRITE_V1 blobs are skipped with a warning
 * until an Arrow decoder is plugged in where {@code blobs} is built below.
 */
public final class Query implements AutoCloseable {
  /** Arrow memory for flame graph records, bounded. */
  private static final long MAX_ARROW_BYTES = 1L << 30;

  private final ServerServiceDefinition service;
  private final ExecutorService decoders;
  private final BufferAllocator allocator = new RootAllocator(MAX_ARROW_BYTES);
  private final BlobReader reader;

  /**
   * @param nodes where the other servers sharing the database are, or null when there are none
   * @param retention the store's retention: queries never read older profiles
   */
  public Query(ProfileStore store, Nodes nodes, QueryAccess access, Duration retention, InstantSource clock) {
    requireNonNull(store, "store");
    requireNonNull(access, "access");
    int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
    this.decoders = Executors.newFixedThreadPool(parallelism,
        Thread.ofPlatform().name("tollgate-query-decode-", 0).daemon(true).factory());
    this.reader = new BlobReader(store, nodes, null);
    // Arrow blobs, once dev.tollgate.query.ArrowProfiles is merged (allocator: a child of this one):
    //   ArrowProfiles arrow = new ArrowProfiles(allocator, <max decoded bytes>, Symbolizer.NONE);
    //   BlobProfiles blobs = BlobProfiles.withArrow(new PprofBlobs(), (p, k, b) -> arrow.decode(p, k, b).stream()
    //       .map(l -> new BlobProfile(l.labels(), l.profileType(), l.profile())).toList());
    BlobProfiles blobs = new PprofBlobs();
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
  }
}
