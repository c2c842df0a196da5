package dev.tollgate.token;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BinaryOperator;

/**
 * Values waiting to be written in the next batch, one per key, combined on the request path
 * without IO (the newer time, the sum of counts). {@link #drain} takes a batch out; a batch whose
 * write failed is {@linkplain #restore put back} and combined with what arrived meanwhile, so a
 * retry loses nothing.
 *
 * @param <K> what a value is kept for (a token id, a token and hour)
 * @param <V> the value (a time, a count)
 */
public final class PendingWrites<K, V> {
  private final ConcurrentHashMap<K, V> pending = new ConcurrentHashMap<>();
  private final BinaryOperator<V> combine;

  public PendingWrites(BinaryOperator<V> combine) {
    this.combine = requireNonNull(combine, "combine");
  }

  public void add(K key, V value) {
    pending.merge(key, value, combine);
  }

  public boolean isEmpty() {
    return pending.isEmpty();
  }

  /** Takes out everything pending; what is added meanwhile waits for the next batch. */
  public Map<K, V> drain() {
    Map<K, V> batch = new HashMap<>();
    for (K key : pending.keySet()) {
      // remove() is atomic per key: a value added after it starts a new entry.
      V value = pending.remove(key);
      if (value != null) {
        batch.put(key, value);
      }
    }
    return batch;
  }

  /** Puts back a batch that could not be written. */
  public void restore(Map<K, V> batch) {
    batch.forEach(this::add);
  }
}
