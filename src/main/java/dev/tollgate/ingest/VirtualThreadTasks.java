package dev.tollgate.ingest;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs every task on a new virtual thread, as a {@link ScheduledExecutorService} so that Armeria
 * can use it as the blocking-task executor of the ingestion routes: gRPC then calls the
 * interceptor (which may query the database for an unknown token) and the service on a virtual
 * thread directly, one hop from the event loop instead of two (event loop -> Armeria's platform
 * blocking pool -> virtual thread). A delayed task waits on {@code timer}, then starts its thread.
 * Periodic scheduling is not offered: gRPC only ever calls {@link #execute}.
 */
final class VirtualThreadTasks extends AbstractExecutorService implements ScheduledExecutorService {
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService timer;

  VirtualThreadTasks(ScheduledExecutorService timer) {
    this.timer = requireNonNull(timer, "timer");
  }

  @Override
  public void execute(Runnable task) {
    threads.execute(task);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
    return schedule(Executors.callable(task), delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> task, long delay, TimeUnit unit) {
    FutureTask<V> run = new FutureTask<>(task);
    ScheduledFuture<?> start = timer.schedule(() -> threads.execute(run), delay, unit);
    return new Pending<>(run, start);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException("periodic tasks are not run on virtual threads here");
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("periodic tasks are not run on virtual threads here");
  }

  @Override
  public void shutdown() {
    threads.shutdown();
  }

  @Override
  public List<Runnable> shutdownNow() {
    return threads.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return threads.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return threads.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return threads.awaitTermination(timeout, unit);
  }

  /** A delayed task: its delay is the timer's, its outcome the task's. */
  private record Pending<V>(FutureTask<V> run, ScheduledFuture<?> start) implements ScheduledFuture<V> {
    @Override
    public long getDelay(TimeUnit unit) {
      return start.getDelay(unit);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      start.cancel(false);
      return run.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
      return run.isCancelled();
    }

    @Override
    public boolean isDone() {
      return run.isDone();
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
      return run.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
      return run.get(timeout, unit);
    }
  }
}
