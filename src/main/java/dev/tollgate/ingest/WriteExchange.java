package dev.tollgate.ingest;

import com.google.protobuf.ByteString;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRequest;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code Write} stream of a v1 agent: samples record in, the wanted stacktrace ids out (all of
 * them, as Parca does), locations record in, OK on half-close once both records are stored (as one
 * {@link BlobKind#WRITE_V1} blob; the samples alone when the client sent no locations). The
 * stream is cancelled when idle longer than the timeout, like Parca's 5 s bound. Messages are
 * handled in order on {@code work}; the lock keeps the idle timer and the handlers apart.
 */
final class WriteExchange implements StreamObserver<WriteRequest> {
  private final IngestGrant grant;
  private final StreamObserver<WriteResponse> response;
  private final BlobRecorder recorder;
  private final Executor work;
  private final ScheduledExecutorService timers;
  private final ArrowRecords arrow;
  private final Duration idle;
  private final Object lock = new Object();
  private ScheduledFuture<?> timer;
  private boolean done;
  private byte[] samples;
  private ArrowRecords.Summary summary;
  private byte[] locations;

  WriteExchange(IngestGrant grant, StreamObserver<WriteResponse> response, BlobRecorder recorder, Executor work,
      ScheduledExecutorService timers, ArrowRecords arrow, Duration idle) {
    this.grant = grant;
    this.response = response;
    this.recorder = recorder;
    this.work = new SerialExecutor(work);
    this.timers = timers;
    this.arrow = arrow;
    this.idle = idle;
    armTimer();
  }

  private void armTimer() {
    synchronized (lock) {
      if (timer != null) {
        timer.cancel(false);
      }
      if (!done) {
        timer = timers.schedule(() -> fail(Status.DEADLINE_EXCEEDED.withDescription(
            "Write stream was idle for more than " + idle.toMillis() + " ms").asException()),
            idle.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Runs handlers one after another, off the event loop. */
  private void inOrder(Runnable step) {
    work.execute(() -> {
      try {
        step.run();
      } catch (Throwable t) {
        fail(GrpcErrors.toStatus(t));
      }
    });
  }

  @Override
  public void onNext(WriteRequest req) {
    armTimer();
    ByteString record = req.getRecord();
    inOrder(() -> {
      synchronized (lock) {
        if (done) {
          return;
        }
      }
      byte[] bytes = record.toByteArray();
      if (samples == null) {
        summary = arrow.readV1Samples(bytes);
        samples = bytes;
        byte[] answer = arrow.stacktraceIdsRecord(summary.stacktraceIds());
        synchronized (lock) {
          if (!done) {
            response.onNext(WriteResponse.newBuilder().setRecord(ByteString.copyFrom(answer)).build());
          }
        }
      } else if (locations == null) {
        arrow.readV1Locations(bytes);
        locations = bytes;
      } else {
        throw new InvalidProfileException("Write expects a samples record and a locations record, got a third record");
      }
    });
  }

  @Override
  public void onError(Throwable t) {
    synchronized (lock) {
      done = true;
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }

  @Override
  public void onCompleted() {
    inOrder(() -> {
      synchronized (lock) {
        if (done) {
          return; // failed or cancelled: nothing of this stream is stored
        }
      }
      if (samples != null && locations == null) {
        recorder.record(grant, "Write", ProfileStoreGrpcService.arrowBlob(samples, summary), samples.length);
      } else if (samples != null) {
        recorder.record(grant, "Write", ProfileStoreGrpcService.arrowBlob(BlobKind.WRITE_V1,
            writeV1Blob(samples, locations), summary), samples.length + (long) locations.length);
      }
      synchronized (lock) {
        if (done) {
          return;
        }
        done = true;
        timer.cancel(false);
        response.onCompleted();
      }
    });
  }

  /** The two records, each after its length (4 bytes, big-endian), as {@link BlobKind#WRITE_V1} says. */
  static byte[] writeV1Blob(byte[] samples, byte[] locations) {
    return ByteBuffer.allocate(8 + samples.length + locations.length)
        .putInt(samples.length).put(samples).putInt(locations.length).put(locations).array();
  }

  private void fail(Throwable t) {
    synchronized (lock) {
      if (done) {
        return;
      }
      done = true;
      if (timer != null) {
        timer.cancel(false);
      }
      recorder.refused(grant);
      response.onError(t instanceof io.grpc.StatusException ? t : GrpcErrors.toStatus(t));
    }
  }

}
