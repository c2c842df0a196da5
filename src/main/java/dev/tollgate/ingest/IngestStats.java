package dev.tollgate.ingest;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Recent ingestion activity per project: per source (token) and per {@code node} label, one
 * bucket per minute. Calls count into memory; {@link #flush()} (every 10 seconds, and at
 * shutdown) adds the counts to {@link ActivityTable}, so the windows cover every server sharing
 * the database and survive restarts. Reads combine the table with what is not flushed yet.
 */
final class IngestStats {
  static final int MINUTES = 60;
  /** Minutes kept in the table: the hour shown plus a margin for clocks of other servers. */
  private static final int KEPT_MINUTES = 2 * MINUTES;

  private final InstantSource clock;
  private final ActivityTable table;
  // Callers count under the read lock; flush swaps the map under the write lock, so no count
  // lands in a map that is already being written out.
  private final ReadWriteLock swap = new ReentrantReadWriteLock();
  // Serializes flush and snapshot: a snapshot never sees counts both in the table and in memory.
  private final Object flushLock = new Object();
  private volatile Map<BucketKey, Bucket> pending = new ConcurrentHashMap<>();

  IngestStats(InstantSource clock, ActivityTable table) {
    this.clock = clock;
    this.table = table;
  }

  /** Who activity is counted for. */
  enum Kind { SOURCE, NODE }

  /** Sums over a window. */
  record Window(long calls, long bytes, long series, long refusals) {}

  /** One key's activity. {@code lastReceived} is null when only refusals were seen. */
  record Activity(Kind kind, String id, String name, Instant lastReceived, Window last5m, Window lastHour) {}

  /** What one accepted call brought, split by node label value. */
  record NodeShare(long bytes, long series) {}

  private record BucketKey(UUID projectId, Kind kind, String key, long minute) {}

  /** One minute's counts of one key in memory; guarded by its own monitor. */
  private static final class Bucket {
    String name;
    long calls;
    long bytes;
    long series;
    long refusals;
    long lastReceived;

    synchronized void add(String name, long calls, long bytes, long series, long refusals, long receivedAt) {
      if (name != null) {
        this.name = name;
      }
      this.calls += calls;
      this.bytes += bytes;
      this.series += series;
      this.refusals += refusals;
      this.lastReceived = Math.max(lastReceived, receivedAt);
    }

    synchronized ActivityTable.Row row(BucketKey k) {
      return new ActivityTable.Row(k.projectId(), k.kind(), k.key(), k.minute(), name, calls, bytes, series, refusals,
          lastReceived);
    }
  }

  void accepted(UUID projectId, String sourceId, String sourceName, long bytes, long series,
      Map<String, NodeShare> byNode) {
    long now = clock.millis();
    long minute = now / 60_000;
    swap.readLock().lock();
    try {
      bucket(projectId, Kind.SOURCE, sourceId, minute).add(sourceName, 1, bytes, series, 0, now);
      byNode.forEach((node, share) ->
          bucket(projectId, Kind.NODE, node, minute).add(node, 1, share.bytes(), share.series(), 0, now));
    } finally {
      swap.readLock().unlock();
    }
  }

  void refused(UUID projectId, String sourceId) {
    refused(projectId, sourceId, null);
  }

  /** A refused call whose source is known by name too (refused after authorization: validation, storage). */
  void refused(UUID projectId, String sourceId, String sourceName) {
    long minute = clock.millis() / 60_000;
    swap.readLock().lock();
    try {
      bucket(projectId, Kind.SOURCE, sourceId == null ? "unknown" : sourceId, minute).add(sourceName, 0, 0, 0, 1, 0);
    } finally {
      swap.readLock().unlock();
    }
  }

  private Bucket bucket(UUID projectId, Kind kind, String key, long minute) {
    return pending.computeIfAbsent(new BucketKey(projectId, kind, key, minute), k -> new Bucket());
  }

  /**
   * Adds the counts in memory to the table. If the database refuses them they go back into
   * memory for the next flush, so nothing is lost by a passing database outage.
   */
  void flush() {
    synchronized (flushLock) {
      Map<BucketKey, Bucket> taken;
      swap.writeLock().lock();
      try {
        taken = pending;
        pending = new ConcurrentHashMap<>();
      } finally {
        swap.writeLock().unlock();
      }
      List<ActivityTable.Row> rows = new ArrayList<>(taken.size());
      taken.forEach((k, b) -> rows.add(b.row(k)));
      try {
        table.add(rows, clock.millis() / 60_000 - KEPT_MINUTES);
      } catch (RuntimeException e) {
        swap.readLock().lock();
        try {
          for (ActivityTable.Row r : rows) {
            bucket(r.projectId(), r.kind(), r.key(), r.minute())
                .add(r.name(), r.calls(), r.bytes(), r.series(), r.refusals(), r.lastReceived());
          }
        } finally {
          swap.readLock().unlock();
        }
        throw e;
      }
    }
  }

  /** Every key with activity in the project's last hour, on any server (flushed) or this one. */
  List<Activity> snapshot(UUID projectId) {
    long now = clock.millis();
    long minute = now / 60_000;
    List<ActivityTable.Row> rows;
    synchronized (flushLock) {
      rows = new ArrayList<>(table.since(projectId, minute - MINUTES + 1));
      pending.forEach((k, b) -> {
        if (k.projectId().equals(projectId)) {
          rows.add(b.row(k));
        }
      });
    }
    Map<String, Totals> byKey = new LinkedHashMap<>();
    for (ActivityTable.Row r : rows) {
      if (r.minute() > minute || r.minute() <= minute - MINUTES) {
        continue; // another server's clock ahead of ours, or older than the hour
      }
      byKey.computeIfAbsent(r.kind() + "/" + r.key(), k -> new Totals(r.kind(), r.key())).add(r, minute);
    }
    return byKey.values().stream().map(Totals::activity).toList();
  }

  /** One key's sums while reading its minutes. */
  private static final class Totals {
    final Kind kind;
    final String key;
    String name;
    long nameMinute = Long.MIN_VALUE;
    long lastReceived;
    final long[] last5m = new long[4];
    final long[] lastHour = new long[4];

    Totals(Kind kind, String key) {
      this.kind = kind;
      this.key = key;
    }

    void add(ActivityTable.Row r, long nowMinute) {
      if (r.name() != null && r.minute() >= nameMinute) {
        name = r.name();
        nameMinute = r.minute();
      }
      lastReceived = Math.max(lastReceived, r.lastReceived());
      long[] counts = {r.calls(), r.bytes(), r.series(), r.refusals()};
      for (int i = 0; i < 4; i++) {
        lastHour[i] += counts[i];
        if (r.minute() > nowMinute - 5) {
          last5m[i] += counts[i];
        }
      }
    }

    Activity activity() {
      return new Activity(kind, key, name, lastReceived == 0 ? null : Instant.ofEpochMilli(lastReceived),
          window(last5m), window(lastHour));
    }

    private static Window window(long[] s) {
      return new Window(s[0], s[1], s[2], s[3]);
    }
  }
}
