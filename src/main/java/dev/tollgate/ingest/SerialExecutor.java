package dev.tollgate.ingest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Runs tasks one after another, in submission order, on a backing executor: one per stream. */
final class SerialExecutor implements Executor {
  private final Executor backing;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

  SerialExecutor(Executor backing) {
    this.backing = backing;
  }

  @Override
  public synchronized void execute(Runnable task) {
    tail = tail.thenRunAsync(task, backing).exceptionally(t -> null);
  }
}
