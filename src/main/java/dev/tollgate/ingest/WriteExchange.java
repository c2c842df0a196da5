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
 * them, as Parca does), locations record in, then both records are stored (as one
 * {@link BlobKind#WRITE_V1} blob) and the call ends with OK right away, as Parca's server does:
 * some agents keep reading until the server ends the stream instead of half-closing. A client that
 * half-closes after the samples record gets the samples alone stored; one that half-closes after
 * the locations record finds the call already answered. Records after the locations record are
 * ignored (the call is answered or about to be). Like Parca's 5 s bound, the whole exchange, from
 * the stream's start until the locations record arrives, is bounded by {@code timeout}; once the
 * locations record is in, the timer no longer counts, so stored data is never answered with an
 * error. A failed stream stores nothing. A first record of schema version v2 (which carries its
 * stack traces, as Parca's server also takes on this RPC) is stored as an {@link BlobKind#ARROW}
 * blob and the call ends with OK without an answer record. Messages are handled in order on
 * {@code work}; the lock keeps the timer and the handlers apart.
 */
final class WriteExchange implements StreamObserver<WriteRequest> {
  private final IngestGrant grant;
  private final StreamObserver<WriteResponse> response;
  private final BlobRecorder recorder;
  private final Executor work;
  private final ArrowRecords arrow;
  private final Duration timeout;
  private final Object lock = new Object();
  private final ScheduledFuture<?> timer;
  private boolean done;
  /** The locations record arrived: the exchange is storing or stored and the timer no longer counts. */
  private boolean storing;
  private byte[] samples;
  private ArrowRecords.Summary summary;

  WriteExchange(IngestGrant grant, StreamObserver<WriteResponse> response, BlobRecorder recorder, Executor work,
      ScheduledExecutorService timers, ArrowRecords arrow, Duration timeout) {
    this.grant = grant;
    this.response = response;
    this.recorder = recorder;
    this.work = new SerialExecutor(work);
    this.arrow = arrow;
    this.timeout = timeout;
    // Armed once, at the stream's start (Parca's handler runs under one 5 s context), never re-armed;
    // under the lock so that expire() cannot run before the field is set.
    synchronized (lock) {
      timer = timers.schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void expire() {
    synchronized (lock) {
      if (storing) {
        return; // the locations record is in: the store finishes and answers
      }
      fail(Status.DEADLINE_EXCEEDED.withDescription(
          "Write stream did not send its locations record within " + timeout.toMillis() + " ms").asException());
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
    ByteString record = req.getRecord();
    inOrder(() -> {
      synchronized (lock) {
        if (done || storing) {
          return; // failed, cancelled, or past the locations record: later records are ignored
        }
      }
      byte[] bytes = record.toByteArray();
      if (samples == null) {
        summary = arrow.readSamples(bytes, "samples record");
        samples = bytes;
        if (summary.v2()) {
          // A v2 record carries its stack traces: nothing to ask for. Stored, then the call ends
          // without an answer record, which agents take as "nothing needed".
          synchronized (lock) {
            if (done) {
              return;
            }
            storing = true;
            timer.cancel(false);
          }
          store(BlobKind.ARROW, bytes, bytes.length);
          return;
        }
        byte[] answer = arrow.stacktraceIdsRecord(summary.stacktraceIds());
        synchronized (lock) {
          if (!done) {
            response.onNext(WriteResponse.newBuilder().setRecord(ByteString.copyFrom(answer)).build());
          }
        }
      } else {
        arrow.readV1Locations(bytes);
        synchronized (lock) {
          if (done) {
            return; // the timer or a cancel came first: nothing is stored
          }
          storing = true;
          timer.cancel(false);
        }
        store(BlobKind.WRITE_V1, writeV1Blob(samples, bytes), samples.length + (long) bytes.length);
      }
    });
  }

  @Override
  public void onError(Throwable t) {
    synchronized (lock) {
      done = true;
      timer.cancel(false);
    }
  }

  @Override
  public void onCompleted() {
    inOrder(() -> {
      synchronized (lock) {
        if (done || storing) {
          return; // failed or cancelled (nothing of this stream is stored), or already stored and answered
        }
        if (samples != null) {
          storing = true;
          timer.cancel(false);
        }
      }
      if (samples != null) {
        store(BlobKind.ARROW, samples, samples.length);
      } else {
        finish();
      }
    });
  }

  /** Stores durably, then answers OK unless the client went away meanwhile; a failed store is refused by {@link #inOrder}. */
  private void store(BlobKind kind, byte[] blob, long requestBytes) {
    recorder.record(grant, "Write", ProfileStoreGrpcService.arrowBlob(kind, blob, summary), requestBytes);
    finish();
  }

  private void finish() {
    synchronized (lock) {
      if (done) {
        return;
      }
      done = true;
      timer.cancel(false);
      response.onCompleted();
    }
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
      timer.cancel(false);
      recorder.refused(grant);
      response.onError(t instanceof io.grpc.StatusException ? t : GrpcErrors.toStatus(t));
    }
  }

}
