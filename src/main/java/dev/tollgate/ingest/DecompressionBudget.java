package dev.tollgate.ingest;

import io.grpc.Status;
import java.time.Duration;

/**
 * The bytes of decompressed profiles the server holds at once, across all calls. The
 * per-profile limit bounds one call; this bounds their sum, so many large profiles (or gzip
 * bombs) at once wait for room and then get RESOURCE_EXHAUSTED, which clients retry, instead of
 * exhausting the heap.
 */
final class DecompressionBudget {
  private static final long MIN_CAPACITY = 64L << 20;

  private final long capacity;
  private final long waitNanos;
  private long used; // guarded by this

  DecompressionBudget(long capacity, Duration wait) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    this.waitNanos = wait.toNanos();
  }

  /** A quarter of the heap (at least 64 MiB): the rest is for everything else the server holds. */
  static DecompressionBudget ofHeap() {
    return new DecompressionBudget(Math.max(MIN_CAPACITY, Runtime.getRuntime().maxMemory() / 4), Duration.ofSeconds(10));
  }

  static DecompressionBudget unlimited() {
    return new DecompressionBudget(Long.MAX_VALUE, Duration.ZERO);
  }

  long capacity() {
    return capacity;
  }

  /**
   * The largest single profile this budget can hold while it is being inflated (the buffer and
   * its copy while growing), so {@code limit} never asks for more than the whole budget.
   */
  long profileLimit(long limit) {
    return Math.min(limit, capacity / 2);
  }

  synchronized long used() {
    return used;
  }

  Lease lease() {
    return new Lease();
  }

  /** One decompression's share of the budget; closing it gives the share back. */
  final class Lease implements AutoCloseable {
    private long held;

    /** Holds {@code bytes} in all, waiting for room when that is more than before. */
    void hold(long bytes) {
      long more = bytes - held;
      if (more <= 0) {
        release(-more);
        held = bytes;
        return;
      }
      synchronized (DecompressionBudget.this) {
        long deadline = System.nanoTime() + waitNanos;
        while (used > capacity - more) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || more > capacity) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("the server is decompressing too many large profiles at once;"
                + " retry").asRuntimeException();
          }
          try {
            DecompressionBudget.this.wait(Math.max(1, left / 1_000_000));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.UNAVAILABLE.withDescription("interrupted; retry").asRuntimeException();
          }
        }
        used += more;
      }
      held = bytes;
    }

    private void release(long bytes) {
      if (bytes > 0) {
        synchronized (DecompressionBudget.this) {
          used -= bytes;
          DecompressionBudget.this.notifyAll();
        }
      }
    }

    @Override
    public void close() {
      hold(0);
    }
  }
}
