package dev.tollgate.ingest;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private final RefusalTable refusalTable;
  // Callers count under the read lock; flush swaps the map under the write lock, so no count
  // lands in a map that is already being written out.
  private final ReadWriteLock swap = new ReentrantReadWriteLock();
  // Serializes flush and snapshot: a snapshot never sees counts both in the table and in memory.
  private final Object flushLock = new Object();
  private volatile Map<BucketKey, Bucket> pending = new ConcurrentHashMap<>();
  private volatile Map<RefusalKey, RefusalCount> pendingRefusals = new ConcurrentHashMap<>();

  IngestStats(InstantSource clock, ActivityTable table, RefusalTable refusalTable) {
    this.clock = clock;
    this.table = table;
    this.refusalTable = refusalTable;
  }

  /** Longest reason kept; descriptions are short, this only bounds a pathological one. */
  static final int MAX_REASON = 500;
  /**
   * Distinct refusals kept in memory between two flushes (10 s): a client varying its user agent
   * cannot grow memory or the table without bound. Past it only the refusal counts go on.
   */
  static final int MAX_PENDING_REFUSALS = 1000;
  /** Longest user agent kept. */
  static final int MAX_USER_AGENT = 200;

  /**
   * Why and from where one call was refused.
   *
   * @param status the gRPC status code name
   * @param reason the status description the client got (never contains the token)
   * @param sourceId the token's id when it was recognized, else null
   * @param sourceName who the token belongs to when known, else null
   */
  record Refusal(String status, String reason, String method, String sourceId, String sourceName, String clientIp,
      String userAgent) {
    Refusal {
      reason = cut(reason == null ? "" : reason, MAX_REASON);
      userAgent = userAgent == null ? null : cut(userAgent, MAX_USER_AGENT);
    }

    private static String cut(String s, int max) {
      return s.length() <= max ? s : s.substring(0, max);
    }
  }

  /** One distinct refusal over the last hour: how often, and when last. */
  record RefusalSummary(Refusal refusal, long calls, Instant lastAt) {}

  private record RefusalKey(UUID projectId, long minute, Refusal refusal) {}

  /** Guarded by its own monitor. */
  private static final class RefusalCount {
    long calls;
    long lastAt;

    synchronized void add(long n, long at) {
      calls += n;
      lastAt = Math.max(lastAt, at);
    }

    synchronized RefusalTable.Row row(RefusalKey k) {
      return new RefusalTable.Row(k.projectId(), k.minute(), k.refusal(), calls, lastAt);
    }
  }

  /** Who activity is counted for. */
  enum Kind { SOURCE, NODE }

  /** Sums over a window. */
  record Window(long calls, long bytes, long series, long refusals) {}

  /** One key's activity. {@code lastReceived} is null when only refusals were seen. */
  record Activity(Kind kind, String id, String name, Instant lastReceived, Window last5m, Window lastHour) {}

  /** What one accepted call brought, split by node label value: bytes and the distinct series ids. */
  record NodeShare(long bytes, Set<String> seriesIds) {}

  private record BucketKey(UUID projectId, Kind kind, String key, long minute) {}

  /** One minute's counts of one key in memory; guarded by its own monitor. */
  private static final class Bucket {
    String name;
    long calls;
    long bytes;
    final Set<String> series = new HashSet<>();
    long refusals;
    long lastReceived;

    synchronized void add(String name, long calls, long bytes, Set<String> series, long refusals, long receivedAt) {
      if (name != null) {
        this.name = name;
      }
      this.calls += calls;
      this.bytes += bytes;
      this.series.addAll(series);
      this.refusals += refusals;
      this.lastReceived = Math.max(lastReceived, receivedAt);
    }

    synchronized ActivityTable.Row row(BucketKey k) {
      return new ActivityTable.Row(k.projectId(), k.kind(), k.key(), k.minute(), name, calls, bytes, Set.copyOf(series),
          refusals, lastReceived);
    }
  }

  /** @param seriesIds the distinct series (label sets, {@code SeriesIds}) the call brought */
  void accepted(UUID projectId, String sourceId, String sourceName, long bytes, Set<String> seriesIds,
      Map<String, NodeShare> byNode) {
    long now = clock.millis();
    long minute = now / 60_000;
    swap.readLock().lock();
    try {
      bucket(projectId, Kind.SOURCE, sourceId, minute).add(sourceName, 1, bytes, seriesIds, 0, now);
      byNode.forEach((node, share) ->
          bucket(projectId, Kind.NODE, node, minute).add(node, 1, share.bytes(), share.seriesIds(), 0, now));
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
      bucket(projectId, Kind.SOURCE, sourceId == null ? "unknown" : sourceId, minute).add(sourceName, 0, 0, Set.of(), 1, 0);
    } finally {
      swap.readLock().unlock();
    }
  }

  /** Keeps why and from where a call to the project was refused (its count goes through {@link #refused}). */
  void refusedBecause(UUID projectId, Refusal refusal) {
    long now = clock.millis();
    swap.readLock().lock();
    try {
      RefusalKey key = new RefusalKey(projectId, now / 60_000, refusal);
      RefusalCount count = pendingRefusals.get(key);
      if (count == null) {
        if (pendingRefusals.size() >= MAX_PENDING_REFUSALS) {
          return;
        }
        count = pendingRefusals.computeIfAbsent(key, k -> new RefusalCount());
      }
      count.add(1, now);
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
      Map<RefusalKey, RefusalCount> takenRefusals;
      swap.writeLock().lock();
      try {
        taken = pending;
        pending = new ConcurrentHashMap<>();
        takenRefusals = pendingRefusals;
        pendingRefusals = new ConcurrentHashMap<>();
      } finally {
        swap.writeLock().unlock();
      }
      List<ActivityTable.Row> rows = new ArrayList<>(taken.size());
      taken.forEach((k, b) -> rows.add(b.row(k)));
      List<RefusalTable.Row> refusalRows = new ArrayList<>(takenRefusals.size());
      takenRefusals.forEach((k, c) -> refusalRows.add(c.row(k)));
      long prune = clock.millis() / 60_000 - KEPT_MINUTES;
      boolean activityWritten = false;
      try {
        table.add(rows, prune);
        activityWritten = true;
        refusalTable.add(refusalRows, prune);
      } catch (RuntimeException e) {
        swap.readLock().lock();
        try {
          if (!activityWritten) {
            for (ActivityTable.Row r : rows) {
              bucket(r.projectId(), r.kind(), r.key(), r.minute())
                  .add(r.name(), r.calls(), r.bytes(), r.seriesIds(), r.refusals(), r.lastReceived());
            }
          }
          for (RefusalTable.Row r : refusalRows) {
            pendingRefusals.computeIfAbsent(new RefusalKey(r.projectId(), r.minute(), r.refusal()),
                k -> new RefusalCount()).add(r.calls(), r.lastAt());
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

  /** The project's distinct refusals of the last hour, on any server or this one, the latest first. */
  List<RefusalSummary> refusals(UUID projectId) {
    long minute = clock.millis() / 60_000;
    List<RefusalTable.Row> rows;
    synchronized (flushLock) {
      rows = new ArrayList<>(refusalTable.since(projectId, minute - MINUTES + 1));
      pendingRefusals.forEach((k, c) -> {
        if (k.projectId().equals(projectId)) {
          rows.add(c.row(k));
        }
      });
    }
    Map<Refusal, long[]> sums = new LinkedHashMap<>();
    for (RefusalTable.Row r : rows) {
      if (r.minute() > minute || r.minute() <= minute - MINUTES) {
        continue;
      }
      long[] sum = sums.computeIfAbsent(r.refusal(), k -> new long[2]);
      sum[0] += r.calls();
      sum[1] = Math.max(sum[1], r.lastAt());
    }
    return sums.entrySet().stream()
        .map(e -> new RefusalSummary(e.getKey(), e.getValue()[0], Instant.ofEpochMilli(e.getValue()[1])))
        .sorted(Comparator.comparing(RefusalSummary::lastAt).reversed())
        .toList();
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
    final Set<String> series5m = new HashSet<>();
    final Set<String> seriesHour = new HashSet<>();

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
      long[] counts = {r.calls(), r.bytes(), 0, r.refusals()};
      seriesHour.addAll(r.seriesIds());
      boolean recent = r.minute() > nowMinute - 5;
      if (recent) {
        series5m.addAll(r.seriesIds());
      }
      for (int i = 0; i < 4; i++) {
        lastHour[i] += counts[i];
        if (recent) {
          last5m[i] += counts[i];
        }
      }
    }

    Activity activity() {
      return new Activity(kind, key, name, lastReceived == 0 ? null : Instant.ofEpochMilli(lastReceived),
          window(last5m, series5m), window(lastHour, seriesHour));
    }

    /** The series of a window are its distinct label sets, as the series list counts them. */
    private static Window window(long[] s, Set<String> series) {
      return new Window(s[0], s[1], series.size(), s[3]);
    }
  }
}
