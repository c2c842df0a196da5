package dev.tollgate.ingest;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent ingestion activity per project, kept in memory: per source (token) and per {@code node}
 * label, one bucket per minute for the last hour. Lost on restart; durable totals come from the
 * profile index.
 */
final class IngestStats {
  static final int MINUTES = 60;

  private final InstantSource clock;
  private final Map<UUID, ProjectActivity> projects = new ConcurrentHashMap<>();

  IngestStats(InstantSource clock) {
    this.clock = clock;
  }

  /** Who activity is counted for. */
  enum Kind { SOURCE, NODE }

  /** A source (id = token id, name = its readable name) or a node (id = name = the label value). */
  record Key(Kind kind, String id) {}

  /** Sums over a window. */
  record Window(long calls, long bytes, long series, long refusals) {}

  /** One key's activity. {@code lastReceived} is null when only refusals were seen. */
  record Activity(Kind kind, String id, String name, Instant lastReceived, Window last5m, Window lastHour) {}

  /** What one accepted call brought, split by node label value. */
  record NodeShare(long bytes, long series) {}

  void accepted(UUID projectId, String sourceId, String sourceName, long bytes, long series,
      Map<String, NodeShare> byNode) {
    long now = clock.millis();
    ProjectActivity p = projects.computeIfAbsent(projectId, k -> new ProjectActivity());
    synchronized (p) {
      p.ring(new Key(Kind.SOURCE, sourceId), sourceName).add(now, 1, bytes, series, 0);
      byNode.forEach((node, share) -> p.ring(new Key(Kind.NODE, node), node).add(now, 1, share.bytes(), share.series(), 0));
    }
  }

  void refused(UUID projectId, String sourceId) {
    long now = clock.millis();
    ProjectActivity p = projects.computeIfAbsent(projectId, k -> new ProjectActivity());
    String id = sourceId == null ? "unknown" : sourceId;
    synchronized (p) {
      p.ring(new Key(Kind.SOURCE, id), null).add(now, 0, 0, 0, 1);
    }
  }

  List<Activity> snapshot(UUID projectId) {
    ProjectActivity p = projects.get(projectId);
    if (p == null) {
      return List.of();
    }
    long now = clock.millis();
    List<Activity> out = new ArrayList<>();
    synchronized (p) {
      p.rings.forEach((key, ring) -> out.add(new Activity(key.kind(), key.id(), ring.name,
          ring.lastReceived == 0 ? null : Instant.ofEpochMilli(ring.lastReceived), ring.sum(now, 5), ring.sum(now, MINUTES))));
    }
    return out;
  }

  private static final class ProjectActivity {
    final Map<Key, Ring> rings = new HashMap<>();

    Ring ring(Key key, String name) {
      Ring r = rings.computeIfAbsent(key, k -> new Ring());
      if (name != null) {
        r.name = name;
      }
      return r;
    }
  }

  /** Per-minute buckets; a bucket is reused once its minute is an hour old. */
  private static final class Ring {
    final long[] minute = new long[MINUTES];
    final long[][] counts = new long[MINUTES][4];
    String name;
    long lastReceived;

    void add(long nowMillis, long calls, long bytes, long series, long refusals) {
      long m = nowMillis / 60_000;
      int i = (int) (m % MINUTES);
      if (minute[i] != m) {
        minute[i] = m;
        counts[i] = new long[4];
      }
      counts[i][0] += calls;
      counts[i][1] += bytes;
      counts[i][2] += series;
      counts[i][3] += refusals;
      if (calls > 0) {
        lastReceived = Math.max(lastReceived, nowMillis);
      }
    }

    Window sum(long nowMillis, int minutes) {
      long m = nowMillis / 60_000;
      long[] s = new long[4];
      for (int i = 0; i < MINUTES; i++) {
        if (minute[i] > m - minutes && minute[i] <= m) {
          for (int j = 0; j < 4; j++) {
            s[j] += counts[i][j];
          }
        }
      }
      return new Window(s[0], s[1], s[2], s[3]);
    }
  }
}
