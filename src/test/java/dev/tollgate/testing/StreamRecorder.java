package dev.tollgate.testing;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The client side of a gRPC stream's answers: every message, the first one, and how it ended. */
public final class StreamRecorder<T> implements StreamObserver<T> {
  private final LinkedBlockingQueue<T> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<T> first = new CompletableFuture<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  @Override
  public void onNext(T value) {
    messages.add(value);
    first.complete(value);
  }

  @Override
  public void onError(Throwable t) {
    first.completeExceptionally(t);
    done.completeExceptionally(t);
  }

  @Override
  public void onCompleted() {
    first.completeExceptionally(new IllegalStateException("the stream ended without a message"));
    done.complete(null);
  }

  /** The next message, or null if none arrives within the timeout. */
  public T next(long timeout, TimeUnit unit) throws InterruptedException {
    return messages.poll(timeout, unit);
  }

  /** Completes with the first message, or exceptionally when the stream fails or ends first. */
  public CompletableFuture<T> first() {
    return first;
  }

  /** Completes when the server ends the stream with OK, exceptionally with its error status. */
  public CompletableFuture<Void> done() {
    return done;
  }
}
