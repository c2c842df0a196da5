package dev.tollgate.ingest;

import dev.tollgate.profiles.BlobKind;
import dev.tollgate.profiles.NewBlob;
import dev.tollgate.profiles.SeriesEntry;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawResponse;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Parca's ProfileStoreService. Each call is validated and stored on {@code work} (virtual threads),
 * never on the event loop, and answered only once its data is durable.
 */
final class ProfileStoreGrpcService extends ProfileStoreServiceGrpc.ProfileStoreServiceImplBase {
  private final BlobRecorder recorder;
  private final Executor work;
  private final ScheduledExecutorService timers;
  private final ArrowRecords arrow;
  private final IngestSettings settings;
  private final DecompressionBudget budget;
  private final long maxProfileBytes;

  ProfileStoreGrpcService(BlobRecorder recorder, Executor work, ScheduledExecutorService timers,
      ArrowMemory arrowMemory, IngestSettings settings, DecompressionBudget budget) {
    this.recorder = recorder;
    this.work = work;
    this.timers = timers;
    this.settings = settings;
    this.budget = budget;
    this.maxProfileBytes = budget.profileLimit(settings.maxDecompressedProfileBytes());
    // Decoded Arrow data is bounded per stream here (half the allocator: two of the largest fit at
    // once), in all by the allocator's limit.
    long maxArrowBytes = Math.min(settings.maxDecompressedProfileBytes(), arrowMemory.root().getLimit() / 2);
    this.arrow = new ArrowRecords(arrowMemory, maxArrowBytes, maxArrowBytes < settings.maxDecompressedProfileBytes(),
        settings.profileLimits());
  }

  /**
   * A pprof over a size limit that the heap set lower than the configured one is the server's
   * limit, not bad data: refused retryably.
   */
  private RuntimeException retryableWhenMemoryBound(InvalidProfileException e) {
    if (e.overSizeLimit() && maxProfileBytes < settings.maxDecompressedProfileBytes()) {
      return new ServerCapacityException(e.getMessage() + ", all this server's heap allows for one profile; retry"
          + " (the operator can give the server more heap, -Xmx)", e);
    }
    return e;
  }

  @Override
  public void writeRaw(WriteRawRequest request, StreamObserver<WriteRawResponse> response) {
    IngestGrant grant = Grants.current();
    work.execute(() -> {
      try {
        List<NewBlob> blobs;
        try {
          blobs = WriteRawDecoder.decode(request, maxProfileBytes, settings.profileLimits(), budget);
        } catch (InvalidProfileException e) {
          throw retryableWhenMemoryBound(e);
        }
        recorder.record(grant, "WriteRaw", blobs, request.getSerializedSize());
        response.onNext(WriteRawResponse.getDefaultInstance());
        response.onCompleted();
      } catch (Throwable t) {
        recorder.refused(grant);
        response.onError(GrpcErrors.toStatus(t));
      }
    });
  }

  @Override
  public void writeArrow(WriteArrowRequest request, StreamObserver<WriteArrowResponse> response) {
    IngestGrant grant = Grants.current();
    work.execute(() -> {
      try {
        byte[] ipc = request.getIpcBuffer().toByteArray();
        // v2 as current agents send; v1 samples too, as Parca's server takes them here
        List<NewBlob> blobs = arrowBlob(ipc, arrow.readSamples(ipc, "ipc_buffer"));
        recorder.record(grant, "WriteArrow", blobs, ipc.length);
        response.onNext(WriteArrowResponse.getDefaultInstance());
        response.onCompleted();
      } catch (Throwable t) {
        recorder.refused(grant);
        response.onError(GrpcErrors.toStatus(t));
      }
    });
  }

  @Override
  public StreamObserver<WriteRequest> write(StreamObserver<WriteResponse> response) {
    return new WriteExchange(Grants.current(), response, recorder, work, timers, arrow,
        settings.writeStreamTimeout());
  }

  /** One stored Arrow stream, indexed under each label set it holds; nothing is stored for zero rows. */
  static List<NewBlob> arrowBlob(byte[] ipc, ArrowRecords.Summary summary) {
    return arrowBlob(BlobKind.ARROW, ipc, summary);
  }

  /** One stored blob of {@code kind} whose samples {@code summary} describes; nothing for zero rows. */
  static List<NewBlob> arrowBlob(BlobKind kind, byte[] bytes, ArrowRecords.Summary summary) {
    if (summary.rows() == 0) {
      return List.of();
    }
    List<SeriesEntry> entries = new ArrayList<>();
    summary.series().forEach((labels, types) -> {
      ArrowRecords.TimeRange t = summary.times().get(labels);
      entries.add(t == null ? new SeriesEntry(labels, List.copyOf(types), 0)
          : new SeriesEntry(labels, List.copyOf(types), t.firstNanos() / 1_000_000, t.lastNanos() / 1_000_000));
    });
    return List.of(new NewBlob(kind, bytes, entries));
  }
}
